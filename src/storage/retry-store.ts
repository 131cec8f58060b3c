/**
 * Retries around any Store, as restic wraps its backends in a retry backend: a call that
 * fails with a transient StorageError is made again after a growing delay, up to
 * `attempts` times in all, and a read cut off mid-body is resumed from the byte it stopped
 * at. Backends only classify their faults (StorageError.transient); none loops itself.
 *
 * What is repeated: stat, delete (removing is idempotent), get until its stream opens,
 * list until it has handed out its first object, and put of an in-memory body (a stream
 * cannot be read twice). What the backend does itself is said by the registry that opens
 * it (open-store.ts), as BackendRetries.
 */
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { StorageError } from '../domain/errors.ts';
import type { GetOptions, ListOptions, ObjectFile, PutOptions, Store, StoredObject, StoreProperties } from './store.ts';
import { objectVersion } from './store.ts';

export interface RetryPolicy {
  /** calls in all, the first included */
  attempts: number;
  /** the wait before attempt `attempt + 1` */
  delayMs(attempt: number): number;
  /** how to wait (tests pass one that does not) */
  sleep?(ms: number): Promise<void>;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 5,
  delayMs: (attempt) => Math.min(8000, 200 * 2 ** attempt),
};

/** What a backend does about faults itself. */
export interface BackendRetries {
  /**
   * its client already retries each request (the AWS SDK, @actions/cache): no call is made
   * again on top of that, only reads are resumed
   */
  retriesRequests?: boolean;
  /** get() honours GetOptions.offset, and its streams can fail mid-read with a transient StorageError (a dropped connection) */
  resumableReads?: boolean;
}

const MiB = 1024 * 1024;

export function isTransient(error: unknown): boolean {
  return error instanceof StorageError && error.transient;
}

export function withRetries(
  store: Store,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  backend: BackendRetries = {},
): Store {
  return new RetryingStore(store, policy, backend);
}

class RetryingStore implements Store {
  readonly properties: StoreProperties;
  private readonly inner: Store;
  private readonly policy: RetryPolicy;
  private readonly backend: BackendRetries;
  readonly listEmptyFolders?: () => AsyncIterable<StoredObject>;
  readonly removeEmptyFolder?: (key: string) => Promise<boolean>;
  readonly openFile?: (key: string) => Promise<ObjectFile>;

  constructor(inner: Store, policy: RetryPolicy, backend: BackendRetries) {
    this.inner = inner;
    this.policy = policy;
    this.backend = backend;
    this.properties = inner.properties;
    // What only some backends can do is passed through as it is (local folders, no retries).
    if (inner.listEmptyFolders) this.listEmptyFolders = inner.listEmptyFolders.bind(inner);
    if (inner.removeEmptyFolder) this.removeEmptyFolder = inner.removeEmptyFolder.bind(inner);
    if (inner.openFile) this.openFile = inner.openFile.bind(inner);
  }

  private wait(attempt: number): Promise<unknown> {
    const ms = this.policy.delayMs(attempt);
    return this.policy.sleep ? this.policy.sleep(ms) : sleep(ms);
  }

  /** `call` again while it fails transiently, unless the backend retries its requests itself */
  private async again<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (this.backend.retriesRequests || !isTransient(error) || attempt >= this.policy.attempts) throw error;
      }
      await this.wait(attempt);
    }
  }

  put(key: string, body: Readable | Uint8Array, options?: PutOptions): Promise<void> {
    if (body instanceof Readable) return this.inner.put(key, body, options);
    return this.again(() => this.inner.put(key, body, options));
  }

  async get(key: string, options?: GetOptions): Promise<Readable> {
    const first = await this.again(() => this.inner.get(key, options));
    return this.backend.resumableReads ? this.resumable(key, first, options?.offset ?? 0, options?.length) : first;
  }

  /** The stream handed out survives a read cut off mid-body: the rest is read again from where it stopped. */
  private resumable(key: string, first: Readable, offset: number, length: number | undefined): Readable {
    const out = new PassThrough({ highWaterMark: MiB });
    const version = objectVersion(first);
    let body: Readable | undefined = first;
    const pump = async () => {
      let received = offset;
      let resumeFailure: unknown;
      for (let attempt = 1; ; attempt++) {
        let failure = resumeFailure;
        if (body) {
          try {
            for await (const chunk of body) {
              received += (chunk as Buffer).length;
              if (!out.write(chunk)) await once(out, 'drain');
              if (out.destroyed) return;
            }
            out.end();
            return;
          } catch (error) {
            if (out.destroyed) return;
            failure = error;
          }
        }
        if (!isTransient(failure) || attempt >= this.policy.attempts) {
          out.destroy(failure as Error);
          return;
        }
        await this.wait(attempt);
        try {
          body = await this.inner.get(key, {
            offset: received,
            ...(length === undefined ? {} : { length: length - (received - offset) }),
            ...(version === undefined ? {} : { version }),
          });
        } catch (error) {
          // a changed object or a permanent fault ends it; a transient one is tried again
          body = undefined;
          resumeFailure = error;
        }
      }
    };
    out.once('close', () => {
      if (body && !body.destroyed) body.destroy();
    });
    void pump();
    return out;
  }

  stat(key: string): Promise<StoredObject | undefined> {
    return this.again(() => this.inner.stat(key));
  }

  async *list(prefix: string, options?: ListOptions): AsyncIterable<StoredObject> {
    for (let attempt = 1; ; attempt++) {
      let handedOut = false;
      try {
        for await (const object of this.inner.list(prefix, options)) {
          handedOut = true;
          yield object;
        }
        return;
      } catch (error) {
        if (handedOut || this.backend.retriesRequests || !isTransient(error) || attempt >= this.policy.attempts)
          throw error;
      }
      await this.wait(attempt);
    }
  }

  delete(keys: readonly string[]): Promise<void> {
    return this.again(() => this.inner.delete(keys));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
