/** A Store that hands every call to another: fault-injecting test stores extend it and override the calls they break. */
import type { Readable } from 'node:stream';
import type { GetOptions, ListOptions, PutOptions, Store, StoredObject } from '../../src/storage/store.ts';

export class PassThroughStore implements Store {
  constructor(readonly inner: Store) {}

  get properties() {
    return this.inner.properties;
  }
  put(key: string, body: Readable | Uint8Array, options?: PutOptions): Promise<void> {
    return this.inner.put(key, body, options);
  }
  get(key: string, options?: GetOptions): Promise<Readable> {
    return this.inner.get(key, options);
  }
  stat(key: string): Promise<StoredObject | undefined> {
    return this.inner.stat(key);
  }
  list(prefix: string, options?: ListOptions): AsyncIterable<StoredObject> {
    return this.inner.list(prefix, options);
  }
  delete(keys: readonly string[]): Promise<void> {
    return this.inner.delete(keys);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
