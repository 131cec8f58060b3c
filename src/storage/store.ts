/**
 * The storage contract. A repository is a flat key space ("<id>/archive.tar.gz.pgp",
 * "<id>/snapshot.json", "audit/2026-11.jsonl", ...) behind one small interface, so
 * operations never know whether they talk to local disk, S3 or the Actions cache.
 *
 * Keys use "/" as separator, never start with "/", and never contain "." or ".."
 * components. Backends map them onto their own namespace.
 */
import type { Readable } from 'node:stream';

export interface StoredObject {
  /** key relative to the repository root */
  key: string;
  /** size in bytes */
  size: number;
  /** last modification time, as the backend reports it */
  modified: Date;
}

export interface StoreProperties {
  /** human-readable location for messages, credentials stripped: "/srv/backups", "s3://bucket/prefix" */
  location: string;
  /** list() returns every key (false for stores that can only look up by exact key or prefix) */
  listable: boolean;
  /** delete() is supported */
  deletable: boolean;
  /** data survives indefinitely (false for caches that evict) */
  durable: boolean;
  /** put() sizes its uploads from PutOptions.size, so callers should work it out when they can */
  usesSizeHint?: boolean;
}

export interface GetOptions {
  /** resume a read: start this many bytes into the object */
  offset?: number;
  /** read at most this many bytes (from `offset`): a ranged read of part of an archive */
  length?: number;
  /**
   * with `offset`: the object must still be the one whose read is resumed (objectVersion of
   * the first stream); a backend that can tell (S3: the ETag) fails the read otherwise
   */
  version?: string;
}

const VERSION = Symbol('ripcord.objectVersion');

/** What a backend knows of which object a stream from get() reads (S3: its ETag), to resume it safely. */
export function objectVersion(stream: Readable): string | undefined {
  return (stream as Readable & { [VERSION]?: string })[VERSION];
}

export function withObjectVersion<T extends Readable>(stream: T, version: string | undefined): T {
  if (version !== undefined) (stream as Readable & { [VERSION]?: string })[VERSION] = version;
  return stream;
}

/** An object read in order into the caller's own buffers (see Store.openFile). */
export interface ObjectFile {
  /** fill `buffer` from where the last read stopped; the bytes read, 0 at the end */
  read(buffer: Buffer): Promise<number>;
  close(): Promise<void>;
}

export interface PutOptions {
  /** size in bytes when known up front, or an upper estimate; lets backends pick multipart sizes */
  size?: number;
  /**
   * Told of each chunk of a streamed body once the store has written it and holds it no
   * longer, so that the caller may free its memory at once. A store that keeps chunks for
   * a while (to retry a part upload, say) does not report them; none has to.
   */
  onWritten?: (chunk: Uint8Array) => void;
}

/** What a listing may pass over (Store.list). */
export interface ListOptions {
  /**
   * Only the top-level folders (a key's part before its first "/") this accepts are wanted.
   * A store that lists folder by folder (local disk) does not look into the others: a
   * repository's audit/ grows by a record per run, and listing its snapshots stat'ed every
   * one (5,000 records added 0.35 s to every command). Others may list their keys anyway, so
   * the caller still filters.
   */
  within?(folder: string): boolean;
}

export interface Store {
  readonly properties: StoreProperties;

  /**
   * Store `body` under `key`, replacing any previous object. Atomic: a reader sees the
   * old object, nothing, or the whole new object, never a prefix. If `body` errors or the
   * write fails, no object (and no partial object) is left under `key`, and put rejects.
   */
  put(key: string, body: Readable | Uint8Array, options?: PutOptions): Promise<void>;

  /**
   * Stream the object stored under `key` (from `options.offset` on). Rejects with
   * NotFoundError when there is none. The stream errors (never ends early) when the backend
   * fails mid-read, with a StorageError marked transient when resuming may succeed.
   */
  get(key: string, options?: GetOptions): Promise<Readable>;

  /**
   * Optional, where objects are files on this machine: read the object into buffers the
   * caller reuses, instead of a new buffer for every read as get() makes (each one garbage
   * to collect). Rejects with NotFoundError like get().
   */
  openFile?(key: string): Promise<ObjectFile>;

  /** The object's size and time, or undefined when there is none. */
  stat(key: string): Promise<StoredObject | undefined>;

  /**
   * Every object whose key starts with `prefix`, in no guaranteed order. Pages through
   * large listings internally; the caller sees one sequence.
   */
  list(prefix: string, options?: ListOptions): AsyncIterable<StoredObject>;

  /** Remove these objects. Keys that do not exist are ignored. */
  delete(keys: readonly string[]): Promise<void>;

  /**
   * Stores with folders (local disk) only: the top-level folders that hold no object, as
   * `key` (no "/") with size 0 and the folder's time. A writer killed between making its
   * folder and its first file leaves one; no object store has such a thing.
   */
  listEmptyFolders?(): AsyncIterable<StoredObject>;

  /** With listEmptyFolders: remove that folder if it is still empty; false when it is not (or gone). */
  removeEmptyFolder?(key: string): Promise<boolean>;

  /** Release connections and handles. */
  close(): Promise<void>;
}
