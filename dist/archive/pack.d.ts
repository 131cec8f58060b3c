import { Readable } from 'node:stream';
import type { ManifestEntry } from '../domain/manifest.ts';
import type { SourceEntry } from './walk-sources.ts';
/**
 * gzip level for compressible data. Measured with Node 24's zlib in 1 MiB members, in CPU
 * seconds, against `gzip -6` (107.7 MB and 21.8 s on the first):
 *
 *   | level | benchmark text (345 MB of configs, scripts, logs) | an installed node_modules (600 MB) |
 *   | 1     | 122.7 MB, 3.82 s                                  | 151.3 MB, 4.14 s                   |
 *   | 2     | 118.7 MB, 3.96 s                                  | 146.0 MB, 4.22 s                   |
 *   | 3     | 116.4 MB, 4.61 s                                  | 142.5 MB, 5.18 s                   |
 *   | 4     | 112.9 MB, 5.04 s                                  | 135.0 MB, 5.68 s                   |
 *
 * Compression is most of a backup's CPU, and a backup before a deploy is waited on. Level 2
 * costs 14-19% less CPU than level 3 for 2% more bytes (level 3 was the default until a
 * node_modules backup was found CPU-bound against restic); level 1 saves next to nothing
 * more for another 3-4%. The whole archive of the benchmark, random data included, stays
 * within 5% of `tar | gzip -6`.
 */
export declare const DEFAULT_COMPRESSION_LEVEL = 2;
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
