/**
 * A repository in this process's memory, for fast in-process tests: the same contract as
 * the others (test/helpers/store-contract.ts). A put collects its whole body first and only
 * then replaces the object, so a reader sees the old object or the new one, and a put whose
 * body fails leaves nothing. Objects are copied in and out: no caller can change a stored one.
 */
import { Readable } from 'node:stream';
import { NotFoundError } from '../domain/errors.ts';
import { assertValidKey } from './keys.ts';
import type { GetOptions, ListOptions, PutOptions, Store, StoredObject, StoreProperties } from './store.ts';

interface MemoryObject {
  bytes: Buffer;
  modified: Date;
}

export class MemoryStore implements Store {
  readonly properties: StoreProperties;
  private readonly objects = new Map<string, MemoryObject>();
  private readonly now: () => Date;

  /** `now` stamps the objects' modification times (tests pass a clock) */
  constructor({ location = 'memory://', now = () => new Date() }: { location?: string; now?: () => Date } = {}) {
    this.properties = { location, listable: true, deletable: true, durable: true };
    this.now = now;
  }

  async put(key: string, body: Readable | Uint8Array, _options: PutOptions = {}): Promise<void> {
    assertValidKey(key);
    let bytes: Buffer;
    if (body instanceof Uint8Array) {
      bytes = Buffer.from(body);
    } else {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
      bytes = Buffer.concat(chunks);
    }
    this.objects.set(key, { bytes, modified: this.now() });
  }

  async get(key: string, options: GetOptions = {}): Promise<Readable> {
    assertValidKey(key);
    const object = this.objects.get(key);
    if (!object) throw new NotFoundError(`${this.properties.location}: cannot read ${key}: no such object`);
    return Readable.from(
      [
        Buffer.from(
          object.bytes.subarray(
            options.offset ?? 0,
            options.length === undefined ? undefined : (options.offset ?? 0) + options.length,
          ),
        ),
      ],
      { objectMode: false },
    );
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    assertValidKey(key);
    const object = this.objects.get(key);
    return object && { key, size: object.bytes.length, modified: object.modified };
  }

  async *list(prefix: string, options?: ListOptions): AsyncIterable<StoredObject> {
    const refused = (key: string) => {
      const slash = key.indexOf('/');
      return slash > 0 && options?.within !== undefined && !options.within(key.slice(0, slash));
    };
    // A copy of the keys: puts and deletes while the caller iterates do not disturb it.
    for (const [key, object] of [...this.objects]) {
      if (key.startsWith(prefix) && !refused(key)) yield { key, size: object.bytes.length, modified: object.modified };
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) assertValidKey(key);
    for (const key of keys) this.objects.delete(key);
  }

  async close(): Promise<void> {}
}
