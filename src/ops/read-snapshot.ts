/**
 * Reading a snapshot back: its objects decrypted as streams, its manifest as lines.
 *
 * Decrypted bytes are not authenticated until the OpenPGP stream has ended (the MDC sits
 * at the end of the message). Everything here therefore either only compares (verify), or
 * stages into a private scratch file first (one with no name, see private-folder.ts) and uses it
 * after the stream ended cleanly.
 */
import { PassThrough, pipeline, Transform } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import type { Readable, Writable } from 'node:stream';
import { pipeline as pipelinePromise } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ChecksumStream, checksumOf, RunningChecksum } from '../archive/checksum-stream.ts';
import type { DecryptionKeys } from '../archive/openpgp-keys.ts';
import { collectGarbageOverSlack, releaseBuffer } from '../archive/reclaim.ts';
import { createDecryptStream } from '../archive/seipd-decrypt.ts';
import { openIndexedArchive } from '../archive/ranged-read.ts';
import type { IndexedArchive } from '../archive/ranged-read.ts';
import { readTar } from '../archive/tar-reader.ts';
import type { TarItem } from '../archive/tar-reader.ts';
import { IntegrityError, KeyError, RipcordError, SignatureError } from '../domain/errors.ts';
import type { ManifestEntry, ManifestTrailer } from '../domain/manifest.ts';
import { bindingOf } from '../domain/manifest.ts';
import type { ObjectChecksum, SnapshotMetadata } from '../domain/snapshot.ts';
import { ARCHIVE_OBJECT, MANIFEST_OBJECT } from '../domain/snapshot.ts';
import type { ObjectFile, Store } from '../storage/store.ts';
import { openScratchFile } from './private-folder.ts';
import type { ScratchFile } from './private-folder.ts';
import { requireTrustedSignature } from './snapshot-signature.ts';
import { linesOf, parseManifest, readManifestEntries, selectedLines } from './manifest-lines.ts';
import type { LineSelector, ManifestReader } from './manifest-lines.ts';

/** Connect streams; the last one errors when any of them does. */
export function chain(first: Readable, ...rest: (Transform | Writable)[]): Readable {
  return pipeline([first, ...rest] as unknown as [Readable, ...Transform[]], () => {}) as unknown as Readable;
}

/** Read a stream to its end, discarding data: lets trailing checks (MDC, gzip CRC) run. */
export async function drain(stream: Readable): Promise<void> {
  for await (const _ of stream);
}

/** Rephrase low-level failures (bad MDC, gzip CRC, truncated tar) with the snapshot and object they concern. */
export function describeFailure(snapshot: SnapshotMetadata, object: string, error: unknown): RipcordError {
  if (error instanceof RipcordError && !(error instanceof IntegrityError)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new IntegrityError(
    `snapshot ${snapshot.id}: ${object} is damaged or was tampered with (${reason}); use another copy of this snapshot (ripcord copy) or an older snapshot`,
    { cause: error },
  );
}

export interface ObjectReader {
  /** the decrypted plaintext */
  plaintext: Readable;
  /** the checksum of the stored bytes; available after plaintext ended */
  stored: { result(): ObjectChecksum };
}

export interface OpenOptions {
  /** the caller has just compared the stored object with its checksum (verify): a wrong key is not sent through it again */
  checked?: boolean;
  /** plaintext in buffers of its own, which the reader frees once it is done with them (DecryptOptions.ownOutput) */
  ownOutput?: boolean;
}

export interface ArchiveOptions extends Omit<OpenOptions, 'ownOutput'> {
  /**
   * The caller is done with each chunk of an entry's content before it asks for the next
   * (it hashes it, or copies it on). Every buffer the data passes through is then freed as
   * soon as it has been passed on: the plaintext once inflated, the tar as the reader moves
   * past it (readTar's `release`). Left to the garbage collector, they cost a restore of the
   * benchmark's dataset 75 full collections of 13 ms each (a manifest of 20,000 entries is
   * alive meanwhile), a quarter of its CPU; freed here, they cost a copy of the plaintext.
   */
  consumesInOrder?: boolean;
}

/**
 * Decrypt a stored object, taking the checksum of its stored bytes in the same pass: the
 * caller compares it with snapshot.json's (checkStoredChecksum) before anything read is used.
 * A key that does not open the object sends it through its checksum first, so that damage
 * (a flipped byte in a session-key packet) is reported as damage, not as a wrong key.
 *
 * The manifest was once compared in a pass of its own before it was decrypted: a second read
 * (and a second download on S3), 15 ms of a 0.3 s `dump`, for nothing the checks after the
 * read do not catch. The archive never was (a second read cost restore about 8%).
 */
export async function openDecrypted(
  store: Store,
  snapshot: SnapshotMetadata,
  object: typeof ARCHIVE_OBJECT | typeof MANIFEST_OBJECT,
  keys: DecryptionKeys,
  options: OpenOptions = {},
): Promise<ObjectReader> {
  await requireTrustedSignature(store, snapshot, keys);
  const key = `${snapshot.id}/${object}`;
  const decrypt = createDecryptStream(keys, { name: `snapshot ${snapshot.id}`, ownOutput: options.ownOutput === true });
  let stored: { result(): ObjectChecksum };
  let decrypted: Readable;
  if (store.openFile) {
    const checksum = new RunningChecksum();
    feedFromFile(await store.openFile(key), checksum, decrypt, object === MANIFEST_OBJECT ? MANIFEST_READ : FILE_READ);
    stored = checksum;
    decrypted = decrypt;
  } else {
    const checksum = new ChecksumStream();
    stored = checksum;
    decrypted = chain(await store.get(key), checksum, decrypt);
  }
  const plaintext = options.checked
    ? decrypted
    : damageBeforeWrongKey(decrypted, async () =>
        checkStoredChecksum(snapshot, object, await storedChecksum(store, key)),
      );
  return { plaintext, stored };
}

/** bytes of a stored object read at a time when it is a file here */
const FILE_READ = 1 << 20;
/**
 * A manifest is read in smaller pieces: decryption and inflating (on the thread pool) then
 * overlap from the first 64 KiB on, where a first MiB had to be decrypted before inflating
 * began (measured: a `dump` 15-25 ms faster than with 1 MiB or 256 KiB pieces).
 */
const MANIFEST_READ = 1 << 16;

/**
 * The checksum of a stored object. A file here is read into two buffers in turn, the next
 * read under way while the last one is hashed, with no new buffer per read (checksumOf over
 * a read stream left Node 24 at 127 MiB verifying the benchmark's archive).
 */
export async function storedChecksum(store: Store, key: string): Promise<ObjectChecksum> {
  if (!store.openFile) return checksumOf(await store.get(key));
  const file = await store.openFile(key);
  try {
    const checksum = new RunningChecksum();
    const buffers = [Buffer.allocUnsafeSlow(4 * FILE_READ), Buffer.allocUnsafeSlow(4 * FILE_READ)];
    let reading = file.read(buffers[0] as Buffer);
    for (let turn = 0; ; turn ^= 1) {
      const length = await reading;
      if (length === 0) break;
      reading = file.read(buffers[turn ^ 1] as Buffer);
      checksum.update((buffers[turn] as Buffer).subarray(0, length));
    }
    return checksum.end();
  } finally {
    await file.close();
  }
}

/**
 * Write a stored file into `sink`, hashing it on the way, from two buffers used in turn: each
 * is read into again once `sink` is done with the bytes it holds (the write's callback). A
 * read stream makes a new MiB for every read, 290 MB of garbage in a restore of the benchmark,
 * a quarter of all it made. Errors go to `sink`; the file is closed in the end.
 */
function feedFromFile(file: ObjectFile, checksum: RunningChecksum, sink: Writable, readSize: number): void {
  const pump = async () => {
    const buffers = [Buffer.allocUnsafeSlow(readSize), Buffer.allocUnsafeSlow(readSize)];
    const written: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
    for (let turn = 0; ; turn ^= 1) {
      await written[turn];
      if (sink.destroyed) return;
      const length = await file.read(buffers[turn] as Buffer);
      if (length === 0) break;
      const chunk = (buffers[turn] as Buffer).subarray(0, length);
      checksum.update(chunk);
      const write = new Promise<void>((resolve, reject) => {
        sink.write(chunk, (error) => (error ? reject(error) : resolve()));
      });
      write.catch(() => {}); // met when awaited; it may fail while the other buffer is awaited
      written[turn] = write;
    }
    await Promise.all(written);
    checksum.end();
    sink.end();
  };
  // The error stays on `sink` for its reader to meet (stream.errored), as chain() leaves it; a
  // stream that fails before anyone reads it must not take the process down.
  sink.on('error', () => {});
  pump()
    .catch((error: unknown) => sink.destroy(error as Error))
    .finally(() => file.close().catch(() => {}));
}

/**
 * The plaintext of `source`; when it fails with a wrong key, `checkDamage` runs first, and
 * its error (the object does not match its checksum) is the one given instead.
 */
function damageBeforeWrongKey(source: Readable, checkDamage: () => Promise<void>): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  source.on('error', (error: Error) => {
    if (!(error instanceof KeyError) || error instanceof SignatureError) {
      out.destroy(error);
      return;
    }
    checkDamage().then(
      () => out.destroy(error),
      (damage: unknown) => out.destroy(damage instanceof IntegrityError ? damage : error),
    );
  });
  out.on('close', () => source.destroy());
  source.pipe(out);
  return out;
}

/** Check a finished read against snapshot.json's checksum for that object. */
export function checkStoredChecksum(
  snapshot: SnapshotMetadata,
  object: typeof ARCHIVE_OBJECT | typeof MANIFEST_OBJECT,
  actual: ObjectChecksum,
): void {
  const expected = snapshot.objects[object];
  if (actual.sha256 !== expected.sha256 || actual.bytes !== expected.bytes) {
    throw new IntegrityError(
      `snapshot ${snapshot.id}: ${object} is damaged: it does not match its checksum (stored ${actual.bytes} bytes, sha256 ${actual.sha256.slice(0, 12)}…; expected ${expected.bytes} bytes, ${expected.sha256.slice(0, 12)}…): use another copy of this snapshot or an older one`,
    );
  }
}

/**
 * Decrypt the manifest into a private scratch file, check its stored checksum and
 * authentication, then hand a reader over the file to `use`. The file has no name: it
 * is gone when it is closed, or when the process dies.
 */
export async function withManifest<T>(
  store: Store,
  snapshot: SnapshotMetadata,
  keys: DecryptionKeys,
  use: (manifest: ManifestReader) => Promise<T>,
): Promise<T> {
  const file = await openScratchFile('manifest');
  try {
    const reader = await openDecrypted(store, snapshot, MANIFEST_OBJECT, keys);
    try {
      await pipelinePromise(reader.plaintext, file.write());
    } catch (error) {
      throw await manifestFailure(store, snapshot, error);
    }
    checkStoredChecksum(snapshot, MANIFEST_OBJECT, reader.stored.result());
    await checkManifestFile(file, snapshot);
    const manifest = await parseManifest(linesOf(file.read()));
    return await use(manifest);
  } finally {
    await file.close();
  }
}

/**
 * Why a manifest failed to decrypt: damage, when the stored object does not match its
 * checksum (read again to tell: the pass that failed may have stopped short), else what the
 * decryption said (a wrong key is a KeyError, and damageBeforeWrongKey has checked already).
 */
async function manifestFailure(store: Store, snapshot: SnapshotMetadata, error: unknown): Promise<RipcordError> {
  if (!(error instanceof KeyError)) {
    try {
      checkStoredChecksum(snapshot, MANIFEST_OBJECT, await storedChecksum(store, `${snapshot.id}/${MANIFEST_OBJECT}`));
    } catch (damage) {
      if (damage instanceof IntegrityError) return damage;
    }
  }
  return describeFailure(snapshot, MANIFEST_OBJECT, error);
}

/**
 * An authenticated manifest can still be malformed or belong elsewhere (anyone holding the
 * public key can write one): read it through once before anyone uses it, and check that its
 * trailer names this snapshot's archive and carries the same metadata as snapshot.json.
 */
async function checkManifestFile(file: ScratchFile, snapshot: SnapshotMetadata): Promise<void> {
  let trailer: ManifestTrailer;
  try {
    const manifest = await parseManifest(linesOf(file.read()));
    for await (const _ of manifest.entries);
    trailer = manifest.trailer();
  } catch (error) {
    throw malformed(snapshot, error);
  }
  checkTrailer(trailer, snapshot);
}

function malformed(snapshot: SnapshotMetadata, error: unknown): IntegrityError {
  return new IntegrityError(
    `snapshot ${snapshot.id}: ${MANIFEST_OBJECT} is malformed (${error instanceof Error ? error.message : String(error)}); use another copy of this snapshot or an older one`,
    { cause: error },
  );
}

function checkTrailer(trailer: ManifestTrailer, snapshot: SnapshotMetadata): void {
  if (!isDeepStrictEqual(trailer.archive, snapshot.objects[ARCHIVE_OBJECT])) {
    throw new IntegrityError(
      `snapshot ${snapshot.id}: ${MANIFEST_OBJECT} was written for a different archive than the one stored; refusing to use it`,
    );
  }
  if (!isDeepStrictEqual(trailer.snapshot, bindingOf(snapshot))) {
    throw new IntegrityError(
      `snapshot ${snapshot.id}: snapshot.json differs from the copy authenticated inside ${MANIFEST_OBJECT} (it was edited); refusing to use it`,
    );
  }
}

/**
 * The whole manifest in memory, for a caller that needs every entry before it acts (a
 * restore's plan, an incremental's parent): one pass that decrypts and parses together,
 * where withManifest spools to a file and reads it twice (80 ms of a restore of 20,000
 * entries). Nothing is returned before the message has authenticated and the trailer has
 * been checked.
 */
export async function readManifest(
  store: Store,
  snapshot: SnapshotMetadata,
  keys: DecryptionKeys,
  /** parse and keep only the entry lines this selects */
  wanted?: LineSelector,
): Promise<{ roots: string[]; entries: ManifestEntry[]; trailer: ManifestTrailer }> {
  return readWholeManifest(store, snapshot, keys, async (plaintext) => {
    if (!wanted) return readManifestEntries(plaintext);
    const manifest = await parseManifest(selectedLines(plaintext, wanted));
    const entries: ManifestEntry[] = [];
    for await (const entry of manifest.entries) entries.push(entry);
    return { roots: manifest.roots, entries, trailer: manifest.trailer() };
  });
}

/**
 * readManifest, and each entry's line as the manifest has it (a chain link's parent, whose
 * lines for the files that did not change are carried into the new link's manifest).
 */
export async function readManifestLines(
  store: Store,
  snapshot: SnapshotMetadata,
  keys: DecryptionKeys,
): Promise<{ roots: string[]; entries: ManifestEntry[]; lines: string[]; trailer: ManifestTrailer }> {
  const read = await readWholeManifest(store, snapshot, keys, (plaintext) =>
    readManifestEntries(plaintext, { lines: true }),
  );
  return { ...read, lines: read.lines! };
}

async function readWholeManifest<T extends { roots: string[]; entries: ManifestEntry[]; trailer: ManifestTrailer }>(
  store: Store,
  snapshot: SnapshotMetadata,
  keys: DecryptionKeys,
  parse: (plaintext: Readable) => Promise<T>,
): Promise<T> {
  const reader = await openDecrypted(store, snapshot, MANIFEST_OBJECT, keys);
  let read: T;
  try {
    read = await parse(reader.plaintext);
  } catch (error) {
    // What the text looked like on the way is beside the point when the message fails to
    // decrypt or authenticate: that is the story (a wrong key, damage, tampering).
    try {
      await drain(reader.plaintext);
    } catch (failure) {
      throw await manifestFailure(store, snapshot, failure);
    }
    checkStoredChecksum(snapshot, MANIFEST_OBJECT, reader.stored.result());
    throw malformed(snapshot, error);
  } finally {
    reader.plaintext.destroy();
  }
  checkStoredChecksum(snapshot, MANIFEST_OBJECT, reader.stored.result());
  checkTrailer(read.trailer, snapshot);
  return read;
}

export interface ArchiveReader {
  items: AsyncGenerator<TarItem>;
  /** after `items` is exhausted: read to the end and run every trailing check */
  finish(): Promise<void>;
  /** stop reading (after a failure): releases the stored object's stream; a no-op after finish() */
  close(): void;
}

/**
 * A pass-through that collects garbage whenever 8 MiB of dead buffers may have piled up
 * (see archive/reclaim.ts). Measured on the benchmark: a restore peaked at 122-128 MiB
 * without it, 112-115 with a collection every 16 MiB of tar (Node 20), but 142-156 MiB on
 * Node 24, which frees buffers later; following the buffer memory itself, 98-100 MiB on
 * Node 20 and 112-117 on Node 24, for the same CPU. A large restore's file writes then moved
 * to a worker thread (ops/stage-writer.ts), which costs Node 24 about 12 MiB more: with 16 MiB
 * of slack it peaked at 131-137 MiB, with 8 MiB at 121-125, the collections' time now on a
 * thread that no longer waits for the disk.
 */
const RESTORE_GARBAGE_SLACK = 8 << 20;

/**
 * `stream` (gunzip), freeing each chunk written into it once inflated: zlib calls a chunk's
 * callback when it has read all of it, and keeps no reference to it after.
 */
function freeingInput(stream: Transform): Transform {
  const transform = stream._transform.bind(stream);
  stream._transform = (chunk: Buffer, encoding, callback) =>
    transform(chunk, encoding, (error, data) => {
      releaseBuffer(chunk);
      callback(error, data);
    });
  return stream;
}

export function collectingGarbage(): Transform {
  const collect = collectGarbageOverSlack(RESTORE_GARBAGE_SLACK);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      collect();
      callback(null, chunk);
    },
  });
}

/**
 * The archive of `snapshot` opened to read a few entries by the index in its (authenticated)
 * manifest's trailer; undefined when it has none (written before archives had one). What
 * it gives is checked by the caller against the manifest entry by entry (ranged-read.ts).
 */
export async function openIndexed(
  store: Store,
  snapshot: SnapshotMetadata,
  keys: DecryptionKeys,
  trailer: Pick<ManifestTrailer, 'archive' | 'index' | 'archiveKey'>,
): Promise<IndexedArchive | undefined> {
  if (!trailer.index) return undefined;
  const key = `${snapshot.id}/${ARCHIVE_OBJECT}`;
  try {
    return await openIndexedArchive(
      (offset, length) => store.get(key, { offset, length }),
      trailer.archive.bytes,
      trailer.index,
      keys,
      trailer.archiveKey,
    );
  } catch (error) {
    // as for a whole read: a key that does not open it sends it through its checksum first,
    // so that damage (a flipped byte in the session-key packet's salt) is reported as damage
    if (error instanceof KeyError && !(error instanceof SignatureError))
      checkStoredChecksum(snapshot, ARCHIVE_OBJECT, await storedChecksum(store, key));
    throw describeFailure(snapshot, ARCHIVE_OBJECT, error);
  }
}

/** Stream the archive's tar entries. Nothing read here is authenticated before finish() resolves. */
export async function openArchive(
  store: Store,
  snapshot: SnapshotMetadata,
  keys: DecryptionKeys,
  options: ArchiveOptions = {},
): Promise<ArchiveReader> {
  const frees = options.consumesInOrder === true;
  const reader = await openDecrypted(store, snapshot, ARCHIVE_OBJECT, keys, { ...options, ownOutput: frees });
  const gunzip = createGunzip({ chunkSize: 1 << 18 });
  const tar = chain(reader.plaintext, frees ? freeingInput(gunzip) : gunzip, collectingGarbage());
  return {
    // Keep the stream open when the tar reader stops at the end marker, so finish() can drain it.
    // (A chunk gunzip hands out whole is a buffer it has filled and let go of: see releaseBuffer.)
    items: readTar(tar.iterator({ destroyOnReturn: false }), frees ? { release: releaseBuffer } : {}),
    async finish() {
      await drain(tar);
      checkStoredChecksum(snapshot, ARCHIVE_OBJECT, reader.stored.result());
    },
    close() {
      tar.destroy();
    },
  };
}
