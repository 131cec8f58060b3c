/**
 * Pack source entries into a gzip'd POSIX tar stream, fast and with flat memory.
 *
 * - Headers and file contents are written straight into large batch buffers (no stream
 *   per entry); small files are read with one synchronous read each, which beats a round
 *   trip through the thread pool per file by an order of magnitude on 20,000 files.
 * - Each batch becomes an independent gzip member, compressed on the libuv thread pool so
 *   that every core works; members are emitted in order. A concatenation of gzip members
 *   is one valid gzip stream for `gzip -d` and `tar -xz`.
 * - Batches that do not compress (random or already-compressed data) are stored at level 0
 *   instead of spending CPU for nothing.
 * - Each file's SHA-256 for the manifest is computed from the same single read.
 * - Batch buffers are reused once their member is compressed, and dead buffers are
 *   collected as they pile up, so memory stays flat whatever the size of the data.
 * - Each chunk of the stream is one member in memory of its own, which nothing here touches
 *   again: the consumer may encrypt it in place (createEncryptStream's ownsChunks).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import * as crypto from 'node:crypto';
import { createHash, type Hash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { SourceError } from '../domain/errors.ts';
import type { ManifestEntry } from '../domain/manifest.ts';
import { formatMode } from '../domain/manifest.ts';
import { BlockList } from './chunker.ts';
import { collectGarbageOverSlack } from './reclaim.ts';
import { encodeTarHeader, TAR_END, tarPadding } from './tar-writer.ts';
import type { SourceEntry } from './walk-sources.ts';

const gzip = promisify(zlib.gzip);
/** crypto.hash, one-shot (Node 20.12 and later) */
const hashOnce = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex') => string }).hash;

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
export const DEFAULT_COMPRESSION_LEVEL = 2;

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
  onProgress?: (done: { files: number; bytes: number }) => void;
  onWarning?: (message: string) => void;
}

export function packArchive(
  entries: Iterable<SourceEntry> | AsyncIterable<SourceEntry>,
  options: PackOptions = {},
): Readable {
  const batchBytes = options.batchBytes ?? 1 << 20;
  // Each member in flight holds about two batches. One more member than cores keeps every
  // core compressing while this thread fills the next batch (measured on 2 cores: 6.5 s
  // with two, 5.8 s with three, no faster with four); past four cores more buys little.
  const concurrency = options.concurrency ?? Math.min(availableParallelism() + 1, 5);
  const level = options.level ?? DEFAULT_COMPRESSION_LEVEL;
  const spare: Buffer[] = [];
  return Readable.from(
    compressMembers(tarBatches(entries, batchBytes, spare, options), level, concurrency, spare, options.onMember),
    { objectMode: false },
  );
}

/**
 * Dead buffers allowed to pile up before a collection. Measured on the benchmark (Node 20):
 * 12 MiB keeps a backup's peak at about 115 MiB, 16 MiB at 118, 24 MiB at 125; 8 MiB took
 * Node 24 (which returns memory later) from 124-126 to 120-123 MiB, in the same time.
 */
const GARBAGE_SLACK = 8 << 20;

async function* tarBatches(
  entries: Iterable<SourceEntry> | AsyncIterable<SourceEntry>,
  batchBytes: number,
  spare: Buffer[],
  options: PackOptions,
): AsyncGenerator<Buffer> {
  const take = (): Buffer => spare.pop() ?? Buffer.allocUnsafeSlow(batchBytes); // its own memory, never a shared pool's
  const collect = collectGarbageOverSlack(GARBAGE_SLACK);
  let batch = take();
  let used = 0;
  let flushed = 0; // tar bytes in batches already yielded
  let files = 0;
  let bytes = 0;
  /**
   * The last batch, as it is. A collection here (as flush makes) would find only what came
   * before (nothing more of the tar stream follows), and an incremental of an unchanged tree,
   * whose archive holds its folders alone, paid 11 ms for it at its very end.
   */
  const last = (): Buffer => {
    flushed += used;
    return batch.subarray(0, used);
  };
  /** The batch so far; then a collection, if due, and a new batch. */
  const flush = (): Buffer => {
    const full = last();
    collect();
    batch = take();
    used = 0;
    return full;
  };
  /** Copy small buffers (headers, padding) in, flushing as needed. */
  function* append(data: Buffer): Generator<Buffer> {
    let offset = 0;
    while (offset < data.length) {
      if (used === batchBytes) yield flush();
      const n = Math.min(data.length - offset, batchBytes - used);
      data.copy(batch, used, offset, offset + n);
      used += n;
      offset += n;
    }
  }

  // A synchronous walk is iterated without a promise per entry.
  const sync = Symbol.iterator in entries ? (entries as Iterable<SourceEntry>)[Symbol.iterator]() : undefined;
  const async = sync ? undefined : (entries as AsyncIterable<SourceEntry>)[Symbol.asyncIterator]();
  for (;;) {
    const next = sync ? sync.next() : await async!.next();
    if (next.done) break;
    const source = next.value;
    const { stats } = source;
    const mtime = Math.floor(stats.mtimeMs / 1000);
    const mode = stats.mode & 0o7777;
    const size = source.type === 'file' ? stats.size : 0;
    const at = flushed + used;
    yield* append(
      encodeTarHeader({
        path: source.archivePath,
        type: source.type,
        mode,
        size,
        mtime,
        uid: stats.uid,
        gid: stats.gid,
        ...(source.target !== undefined ? { linkTarget: source.target } : {}),
      }),
    );
    const entry: ManifestEntry = { path: source.archivePath, type: source.type, mode: formatMode(mode), mtime, at };
    if (source.type === 'file') {
      let hash: Hash | undefined;
      let digest: string | undefined;
      // a large file's blocks, for a later incremental to store only the changed ones
      const blocks = source.blocks ? new BlockList() : undefined;
      let fd: number;
      try {
        fd = openSync(source.fsPath, 'r');
      } catch (error) {
        throw unreadable(source.fsPath, error);
      }
      try {
        let position = 0;
        let shrank = false;
        while (position < size) {
          if (used === batchBytes) yield flush();
          const want = Math.min(size - position, batchBytes - used);
          let got = shrank ? 0 : readSync(fd, batch, used, want, position);
          if (got === 0) {
            // The file shrank while we read it: keep the header's promise with zeros.
            if (!shrank)
              options.onWarning?.(
                `${source.fsPath} shrank while it was being read; the archived copy is padded with zeros`,
              );
            shrank = true;
            batch.fill(0, used, used + want);
            got = want;
          }
          const piece = batch.subarray(used, used + got);
          // Most files are read whole in one go: hash them in one call, without a Hash object.
          if (position === 0 && got === size && hashOnce) digest = hashOnce('sha256', piece, 'hex');
          else (hash ??= createHash('sha256')).update(piece);
          blocks?.update(piece);
          used += got;
          position += got;
          bytes += got;
          if (position < size && used === batchBytes) options.onProgress?.({ files, bytes });
        }
        if (!shrank && fstatSync(fd).mtimeMs !== stats.mtimeMs) {
          options.onWarning?.(
            `${source.fsPath} changed while it was being read; the archived copy may mix old and new content`,
          );
        }
      } catch (error) {
        throw error instanceof SourceError ? error : unreadable(source.fsPath, error);
      } finally {
        closeSync(fd);
      }
      entry.size = size;
      entry.sha256 = digest ?? (hash ?? createHash('sha256')).digest('hex');
      if (blocks) entry.blocks = blocks.finish();
      // what an incremental backup compares to tell an unchanged file (ops/incremental.ts)
      entry.ino = stats.ino;
      entry.ctimeMs = stats.ctimeMs;
      entry.mtimeMs = stats.mtimeMs;
      yield* append(tarPadding(size));
    } else if (source.type === 'symlink') {
      entry.target = source.target ?? '';
    }
    if (source.type === 'file') files += 1;
    options.onEntry?.(entry);
    if (used >= batchBytes - 512) options.onProgress?.({ files, bytes });
  }
  yield* append(TAR_END);
  options.onProgress?.({ files, bytes });
  if (used > 0) yield last();
}

/** Compress batches as gzip members, `concurrency` at a time, in order; a batch's buffer goes back to `spare` once its member (a new buffer) is made. */
async function* compressMembers(
  batches: AsyncIterable<Buffer>,
  level: number,
  concurrency: number,
  spare: Buffer[],
  onMember: ((compressedBytes: number) => void) | undefined,
): AsyncGenerator<Buffer> {
  const pending: Promise<Buffer>[] = [];
  const next = async (): Promise<Buffer> => {
    const member = await pending.shift()!;
    onMember?.(member.length);
    return member;
  };
  for await (const batch of batches) {
    const member = gzipMember(batch, level).then((compressed) => {
      spare.push(Buffer.from(batch.buffer));
      return compressed;
    });
    member.catch(() => {}); // awaited in order below; this only silences the unhandled-rejection check
    pending.push(member);
    if (pending.length >= concurrency) yield await next();
  }
  while (pending.length > 0) yield await next();
}

function gzipMember(batch: Buffer, level: number): Promise<Buffer> {
  const chosen = level > 0 && looksIncompressible(batch) ? 0 : level;
  const stored = chosen === 0 ? storedMember(batch) : undefined;
  if (stored) return Promise.resolve(stored);
  // One output chunk holds a compressed batch, so zlib hands it over without a copy.
  return gzip(batch, { level: chosen, chunkSize: MEMBER_CHUNK });
}

/** zlib's output chunk: a compressible MiB of tar comes out well under it. */
const MEMBER_CHUNK = 512 << 10;

/** The gzip header zlib writes: no name, no time, OS 3 (Unix). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
const STORED_BLOCK = 0xffff;
const crc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/**
 * A gzip member of stored deflate blocks (RFC 1951 3.2.4), made here rather than by zlib at
 * level 0: one buffer, one copy, no round trip through the thread pool. Needs zlib.crc32
 * (Node 20.15 and later); undefined without it.
 */
export function storedMember(data: Buffer): Buffer | undefined {
  if (!crc32) return undefined;
  const blocks = Math.max(1, Math.ceil(data.length / STORED_BLOCK));
  const member = Buffer.allocUnsafeSlow(GZIP_HEADER.length + blocks * 5 + data.length + 8);
  let at = GZIP_HEADER.copy(member, 0);
  for (let block = 0; block < blocks; block++) {
    const start = block * STORED_BLOCK;
    const length = Math.min(STORED_BLOCK, data.length - start);
    member[at] = block === blocks - 1 ? 1 : 0; // BFINAL, BTYPE 00
    member.writeUInt16LE(length, at + 1);
    member.writeUInt16LE(~length & 0xffff, at + 3);
    at += 5 + data.copy(member, at + 5, start, start + length);
  }
  member.writeUInt32LE(crc32(data) >>> 0, at);
  member.writeUInt32LE(data.length >>> 0, at + 4);
  return member;
}

const SAMPLE = 16 << 10;
/**
 * Bits of order-0 entropy a byte above which data does not compress: Huffman coding cannot
 * gain, and deflate's 32 KiB window rarely finds repeats in such data. A 16 KiB sample of
 * random bytes measures 7.99; gzip'd data 7.98 to 7.99; base64 6.0; configs and logs 4 to 5.5.
 */
const INCOMPRESSIBLE_BITS = 7.95;

/**
 * Does the batch look like random or already-compressed data? Three samples from its start,
 * middle and end all have to. A byte histogram costs a few microseconds a sample, where
 * the trial compressions it replaced cost 0.2 s of the reading thread on the benchmark.
 */
export function looksIncompressible(batch: Buffer): boolean {
  if (batch.length < 4 * SAMPLE) return false;
  const counts = new Uint32Array(256);
  for (const start of [0, (batch.length - SAMPLE) >> 1, batch.length - SAMPLE]) {
    counts.fill(0);
    for (let i = start; i < start + SAMPLE; i += 1) counts[batch[i]!]! += 1;
    let bits = 0;
    for (const count of counts) if (count > 0) bits -= (count / SAMPLE) * Math.log2(count / SAMPLE);
    if (bits < INCOMPRESSIBLE_BITS) return false;
  }
  return true;
}

function unreadable(fsPath: string, error: unknown): SourceError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'ENOENT'
        ? 'it disappeared'
        : (code ?? String(error));
  return new SourceError(`cannot read ${fsPath}: ${reason}; fix its permissions or exclude it with --exclude`);
}
