/**
 * Reading a snapshot back: its objects decrypted as streams, its manifest as lines.
 *
 * Decrypted bytes are not authenticated until the OpenPGP stream has ended (the MDC sits
 * at the end of the message). Everything here therefore either only compares (verify), or
 * stages into a private scratch file first (one with no name, see private-folder.ts) and uses it
 * after the stream ended cleanly.
 */
import { Transform } from 'node:stream';
import type { Readable, Writable } from 'node:stream';
import type { DecryptionKeys } from '../archive/openpgp-keys.ts';
import type { IndexedArchive } from '../archive/ranged-read.ts';
import type { TarItem } from '../archive/tar-reader.ts';
import { RipcordError } from '../domain/errors.ts';
import type { ManifestEntry, ManifestTrailer } from '../domain/manifest.ts';
import type { ObjectChecksum, SnapshotMetadata } from '../domain/snapshot.ts';
import { ARCHIVE_OBJECT, MANIFEST_OBJECT } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
import type { LineSelector, ManifestReader } from './manifest-lines.ts';
/** Connect streams; the last one errors when any of them does. */
export declare function chain(first: Readable, ...rest: (Transform | Writable)[]): Readable;
/** Read a stream to its end, discarding data: lets trailing checks (MDC, gzip CRC) run. */
export declare function drain(stream: Readable): Promise<void>;
/** Rephrase low-level failures (bad MDC, gzip CRC, truncated tar) with the snapshot and object they concern. */
export declare function describeFailure(snapshot: SnapshotMetadata, object: string, error: unknown): RipcordError;
export interface ObjectReader {
    /** the decrypted plaintext */
    plaintext: Readable;
    /** the checksum of the stored bytes; available after plaintext ended */
    stored: {
        result(): ObjectChecksum;
    };
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
export declare function openDecrypted(store: Store, snapshot: SnapshotMetadata, object: typeof ARCHIVE_OBJECT | typeof MANIFEST_OBJECT, keys: DecryptionKeys, options?: OpenOptions): Promise<ObjectReader>;
/**
 * The checksum of a stored object. A file here is read into two buffers in turn, the next
 * read under way while the last one is hashed, with no new buffer per read (checksumOf over
 * a read stream left Node 24 at 127 MiB verifying the benchmark's archive).
 */
export declare function storedChecksum(store: Store, key: string): Promise<ObjectChecksum>;
/** Check a finished read against snapshot.json's checksum for that object. */
export declare function checkStoredChecksum(snapshot: SnapshotMetadata, object: typeof ARCHIVE_OBJECT | typeof MANIFEST_OBJECT, actual: ObjectChecksum): void;
/**
 * Decrypt the manifest into a private scratch file, check its stored checksum and
 * authentication, then hand a reader over the file to `use`. The file has no name: it
 * is gone when it is closed, or when the process dies.
 */
export declare function withManifest<T>(store: Store, snapshot: SnapshotMetadata, keys: DecryptionKeys, use: (manifest: ManifestReader) => Promise<T>): Promise<T>;
/**
 * The whole manifest in memory, for a caller that needs every entry before it acts (a
 * restore's plan, an incremental's parent): one pass that decrypts and parses together,
 * where withManifest spools to a file and reads it twice (80 ms of a restore of 20,000
 * entries). Nothing is returned before the message has authenticated and the trailer has
 * been checked.
 */
export declare function readManifest(store: Store, snapshot: SnapshotMetadata, keys: DecryptionKeys, 
/** parse and keep only the entry lines this selects */
wanted?: LineSelector): Promise<{
    roots: string[];
    entries: ManifestEntry[];
    trailer: ManifestTrailer;
}>;
/**
 * readManifest, and each entry's line as the manifest has it (a chain link's parent, whose
 * lines for the files that did not change are carried into the new link's manifest).
 */
export declare function readManifestLines(store: Store, snapshot: SnapshotMetadata, keys: DecryptionKeys): Promise<{
    roots: string[];
    entries: ManifestEntry[];
    lines: string[];
    trailer: ManifestTrailer;
}>;
export interface ArchiveReader {
    items: AsyncGenerator<TarItem>;
    /** after `items` is exhausted: read to the end and run every trailing check */
    finish(): Promise<void>;
    /** stop reading (after a failure): releases the stored object's stream; a no-op after finish() */
    close(): void;
}
export declare function collectingGarbage(): Transform;
/**
 * The archive of `snapshot` opened to read a few entries by the index in its (authenticated)
 * manifest's trailer; undefined when it has none (written before archives had one). What
 * it gives is checked by the caller against the manifest entry by entry (ranged-read.ts).
 */
export declare function openIndexed(store: Store, snapshot: SnapshotMetadata, keys: DecryptionKeys, trailer: Pick<ManifestTrailer, 'archive' | 'index' | 'archiveKey'>): Promise<IndexedArchive | undefined>;
/** Stream the archive's tar entries. Nothing read here is authenticated before finish() resolves. */
export declare function openArchive(store: Store, snapshot: SnapshotMetadata, keys: DecryptionKeys, options?: ArchiveOptions): Promise<ArchiveReader>;
