/**
 * The retry wrapper around any store: what it repeats, what it never repeats, and how it
 * resumes a read cut off mid-body. Faults come from a store that fails on purpose around a
 * real MemoryStore, and waits go to an injected sleep, so no test waits for real.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { StorageError, UsageError } from '../../src/domain/errors.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import type { BackendRetries, RetryPolicy } from '../../src/storage/retry-store.ts';
import { withRetries } from '../../src/storage/retry-store.ts';
import type { GetOptions, PutOptions, Store, StoredObject } from '../../src/storage/store.ts';
import { objectVersion, withObjectVersion } from '../../src/storage/store.ts';
import { defineStoreContract, keysOf, readAll, sha256 } from '../helpers/store-contract.ts';

defineStoreContract('memory, retry-wrapped', async () => ({
  store: withRetries(new MemoryStore()),
  cleanup: async () => {},
}));

const transient = (what: string) => new StorageError(`memory://: cannot ${what}: try again later`, { transient: true });

/** A store that fails on purpose: `faults[call]` is how many of the next such calls fail, and with what. */
class FailingStore implements Store {
  readonly properties;
  readonly calls: string[] = [];
  constructor(
    readonly inner: MemoryStore,
    readonly faults: Partial<Record<'put' | 'get' | 'stat' | 'list' | 'delete', { times: number; error: () => Error }>>,
    /** reads break off after this many bytes, this many times */
    readonly cuts: { afterBytes: number; times: number } = { afterBytes: 0, times: 0 },
    /** a listing fails after handing out this many objects */
    readonly listFailsAfter = 1,
  ) {
    this.properties = inner.properties;
  }
  private fault(call: 'put' | 'get' | 'stat' | 'list' | 'delete'): void {
    this.calls.push(call);
    const fault = this.faults[call];
    if (fault && fault.times > 0) {
      fault.times -= 1;
      throw fault.error();
    }
  }
  async put(key: string, body: Readable | Uint8Array, options?: PutOptions) {
    this.fault('put');
    return this.inner.put(key, body, options);
  }
  async get(key: string, options?: GetOptions) {
    this.fault('get');
    this.calls.push(`get from ${options?.offset ?? 0}${options?.version ? ` of ${options.version}` : ''}`);
    const bytes = await readAll(await this.inner.get(key, options));
    const cut = this.cuts.times > 0 && bytes.length > this.cuts.afterBytes;
    if (cut) this.cuts.times -= 1;
    const afterBytes = this.cuts.afterBytes;
    const stream = Readable.from(
      (async function* () {
        yield bytes.subarray(0, cut ? afterBytes : bytes.length);
        if (cut) throw transient('read it: the connection closed early');
      })(),
      { objectMode: false },
    );
    return withObjectVersion(stream, 'v1');
  }
  async stat(key: string) {
    this.fault('stat');
    return this.inner.stat(key);
  }
  async *list(prefix: string): AsyncIterable<StoredObject> {
    this.calls.push('list');
    let handedOut = 0;
    for await (const object of this.inner.list(prefix)) {
      const fault = this.faults.list;
      if (fault && fault.times > 0 && handedOut === this.listFailsAfter) {
        fault.times -= 1;
        throw fault.error();
      }
      handedOut += 1;
      yield object;
    }
  }
  async delete(keys: readonly string[]) {
    this.fault('delete');
    return this.inner.delete(keys);
  }
  async close() {}
}

function policy(attempts = 5): RetryPolicy & { waits: number[] } {
  const waits: number[] = [];
  return { attempts, delayMs: (attempt) => 100 * attempt, sleep: async (ms) => void waits.push(ms), waits };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.unreachable('expected a rejection'),
    (error: unknown) => error,
  );
}

const retry = suite('retry wrapper');

retry(
  'a transient fault of stat, delete and an in-memory put is retried to success, waiting as the policy says between attempts',
  async () => {
    const failing = new FailingStore(new MemoryStore(), {
      put: { times: 2, error: () => transient('write') },
      stat: { times: 1, error: () => transient('stat') },
      delete: { times: 1, error: () => transient('delete') },
    });
    const rules = policy();
    const store = withRetries(failing, rules);
    await store.put('snap/snapshot.json', new Uint8Array([1, 2, 3]));
    assert.is((await store.stat('snap/snapshot.json'))?.size, 3);
    await store.delete(['snap/snapshot.json']);
    assert.is(await failing.inner.stat('snap/snapshot.json'), undefined);
    assert.equal(failing.calls, ['put', 'put', 'put', 'stat', 'stat', 'delete', 'delete']);
    assert.equal(rules.waits, [100, 200, 100, 100]);
  },
);

retry(
  'a permanent fault is not retried, and a transient one gives up after the attempts with the last error',
  async () => {
    const failing = new FailingStore(new MemoryStore(), {
      stat: { times: 1, error: () => new UsageError('invalid repository key') },
      delete: { times: 9, error: () => transient('delete') },
    });
    const store = withRetries(failing, policy(3));
    assert.instance(await rejection(store.stat('k')), UsageError);
    const error = await rejection(store.delete(['k']));
    assert.instance(error, StorageError);
    assert.ok((error as StorageError).transient);
    assert.equal(failing.calls, ['stat', 'delete', 'delete', 'delete']);
  },
);

retry('a streamed put is never made twice: a stream cannot be read again', async () => {
  const failing = new FailingStore(new MemoryStore(), { put: { times: 1, error: () => transient('write') } });
  const store = withRetries(failing, policy());
  assert.instance(await rejection(store.put('snap/archive', Readable.from([Buffer.from('data')]))), StorageError);
  assert.equal(failing.calls, ['put']);
});

retry('a listing is made again after a transient fault only while it has handed out nothing', async () => {
  const inner = new MemoryStore();
  for (const key of ['a/1', 'a/2', 'a/3']) await inner.put(key, new Uint8Array([1]));
  const failing = new FailingStore(inner, { list: { times: 1, error: () => transient('list') } });
  const error = await rejection(keysOf(withRetries(failing, policy()).list('a/')));
  assert.instance(error, StorageError);
  assert.equal(failing.calls, ['list']);
});

retry('a listing that fails before handing out anything is made again', async () => {
  const inner = new MemoryStore();
  for (const key of ['a/1', 'a/2']) await inner.put(key, new Uint8Array([1]));
  const failing = new FailingStore(inner, { list: { times: 1, error: () => transient('list') } }, undefined, 0);
  assert.equal(await keysOf(withRetries(failing, policy()).list('a/')), ['a/1', 'a/2']);
  assert.equal(failing.calls, ['list', 'list']);
});

retry(
  'a read cut off mid-body is resumed from the byte it stopped at, pinned to the same object version, and the bytes are whole',
  async () => {
    const data = randomBytes(100_000);
    const inner = new MemoryStore();
    await inner.put('snap/archive', data);
    const failing = new FailingStore(inner, {}, { afterBytes: 40_000, times: 2 });
    const rules = policy();
    const stream = await withRetries(failing, rules, { resumableReads: true }).get('snap/archive');
    assert.is(sha256(await readAll(stream)), sha256(data));
    assert.equal(
      failing.calls.filter((c) => c.startsWith('get from')),
      ['get from 0', 'get from 40000 of v1', 'get from 80000 of v1'],
    );
    assert.equal(rules.waits, [100, 200]);
  },
);

retry('a read cut off more often than the attempts allow errors the stream (it never ends early)', async () => {
  const inner = new MemoryStore();
  await inner.put('snap/archive', randomBytes(100_000));
  const failing = new FailingStore(inner, {}, { afterBytes: 10_000, times: 99 });
  const stream = await withRetries(failing, policy(3), { resumableReads: true }).get('snap/archive');
  const error = await rejection(readAll(stream));
  assert.instance(error, StorageError);
  assert.is(failing.calls.filter((c) => c.startsWith('get from')).length, 3);
});

retry(
  'a backend that retries its own requests is not called again on top of that, and without resumable reads a stream is handed out as it is',
  async () => {
    const inner = new MemoryStore();
    await inner.put('k', new Uint8Array([1]));
    const backend: BackendRetries = { retriesRequests: true };
    const failing = new FailingStore(
      inner,
      { stat: { times: 1, error: () => transient('stat') } },
      { afterBytes: 0, times: 1 },
    );
    const store = withRetries(failing, policy(), backend);
    assert.instance(await rejection(store.stat('k')), StorageError);
    assert.equal(failing.calls, ['stat']);
    const stream = await store.get('k');
    assert.is(objectVersion(stream), 'v1', 'the backend stream itself');
  },
);

retry.run();
