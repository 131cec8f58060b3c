import { Readable } from 'node:stream';
import type { ManifestEntry } from '../domain/manifest.ts';
import type { SourceEntry } from './walk-sources.ts';
/**
 * gzip level for compressible data. Measured with Node's zlib on the benchmark's text
 * (170 MB of configs and scripts as tar, 175 MB of logs), in CPU seconds: level 6 makes
 * 107.7 MB (as `gzip -6`) in about 9 s, level 4 112.8 MB in 5.6 s, level 3 116.4 MB in
 * 4.8 s, level 2 119 MB, level 1 123 MB (14% over gzip -6). Compression is most of a
 * backup's CPU; level 3 is the fastest that stays within 10% of `gzip -6` on text alone.
 */
export declare const DEFAULT_COMPRESSION_LEVEL = 3;
export interface PackOptions {
    /** gzip level for compressible data (default DEFAULT_COMPRESSION_LEVEL) */
    level?: number;
    /** bytes of tar per gzip member (default 1 MiB: members in flight are most of the memory a backup uses) */
    batchBytes?: number;
    /** gzip members compressed at once (default: one more than the cores, up to five) */
    concurrency?: number;
    /** each entry as it is written; `at` is where its first tar header starts */
    onEntry?: (entry: ManifestEntry) => void;
    /** each gzip member as it leaves, in order: its compressed length (it holds batchBytes of tar, the last one less) */
    onMember?: (compressedBytes: number) => void;
    onProgress?: (done: {
        files: number;
        bytes: number;
    }) => void;
    onWarning?: (message: string) => void;
}
export declare function packArchive(entries: Iterable<SourceEntry> | AsyncIterable<SourceEntry>, options?: PackOptions): Readable;
/**
 * A gzip member of stored deflate blocks (RFC 1951 3.2.4), made here rather than by zlib at
 * level 0: one buffer, one copy, no round trip through the thread pool. Needs zlib.crc32
 * (Node 20.15 and later); undefined without it.
 */
export declare function storedMember(data: Buffer): Buffer | undefined;
/**
 * Does the batch look like random or already-compressed data? Three samples from its start,
 * middle and end all have to. A byte histogram costs a few microseconds a sample, where
 * the trial compressions it replaced cost 0.2 s of the reading thread on the benchmark.
 */
export declare function looksIncompressible(batch: Buffer): boolean;
