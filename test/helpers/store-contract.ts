/**
 * The Store conformance suite: what every backend must do, as executable uvu tests.
 *
 *   defineStoreContract('local', async () => ({ store, cleanup }));
 *
 * registers the tests in a uvu suite named "<name> store contract" and queues it (it calls
 * suite.run(); uvu executes queued suites in order once the test files are loaded). Every
 * test opens a fresh, empty store with `open` and calls `cleanup` afterwards, so backends
 * can use a new folder, bucket or prefix per test.
 *
 * Failed writes, stated precisely (see Store.put): when put rejects, stat(key) is undefined
 * and list(key) yields nothing, i.e. neither the key nor any name starting with it (the
 * local backend's "<key>.partial-<hex>" temporary file is removed before put rejects; only
 * a crash of the writing process can leave one, which list then reports under its own
 * name). A failed put over an existing object leaves the old object intact.
 *
 * Every round trip compares the sha256 of what comes back with what went in, so a backend
 * or SDK setting that alters the stored bytes (e.g. aws-chunked framing stored inside the
 * object) cannot pass.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NotFoundError } from '../../src/domain/errors.ts';
import type { Store, StoredObject } from '../../src/storage/store.ts';

export interface OpenedStore {
  store: Store;
  cleanup(): Promise<void>;
}

const MiB = 1024 * 1024;

export interface ContractOptions {
  /**
   * The page size the store lists with (S3's maxKeys), default 1000 (S3's largest page): the
   * paginated listing test writes two full pages and part of a third.
   */
  listPage?: number;
  /**
   * The most keys the store deletes with one request (S3's DeleteObjects), default 1000: the
   * bulk delete test deletes five more than that.
   */
  deleteBatch?: number;
}

export function defineStoreContract(
  name: string,
  open: () => Promise<OpenedStore>,
  { listPage = 1000, deleteBatch = 1000 }: ContractOptions = {},
): void {
  const contract = suite(`${name} store contract`);
  const listedKeys = 2 * listPage + 150;
  const deletedKeys = deleteBatch + 5;

  /** run `body` against a fresh store, always cleaning up (also when `body` hangs) */
  const withStore = (body: (store: Store) => Promise<void>) => async () => {
    const { store, cleanup } = await guard(open());
    try {
      await guard(body(store));
    } finally {
      await guard(store.close()).catch(() => {});
      await guard(cleanup());
    }
  };

  contract(
    'put then get returns an empty body unchanged',
    withStore(async (store) => {
      await store.put('empty/object', new Uint8Array(0));
      assert.is((await readAll(await store.get('empty/object'))).length, 0);
      assert.is((await store.stat('empty/object'))?.size, 0);
      await store.put('empty/stream', Readable.from([]));
      assert.is((await readAll(await store.get('empty/stream'))).length, 0);
    }),
  );

  contract(
    'put then get returns a small Uint8Array body byte for byte',
    withStore(async (store) => {
      const data = new TextEncoder().encode('{"snapshot":"2026-01-01T00:00:00Z","files":3}\n');
      await store.put('snap-1/snapshot.json', data);
      assert.is(sha256(await readAll(await store.get('snap-1/snapshot.json'))), sha256(data));
    }),
  );

  contract(
    'put then get returns a multi-MB streamed body with the same sha256',
    withStore(async (store) => {
      // 13 MiB + 7 bytes in 64 KiB chunks: several multipart parts on S3, odd last part.
      const source = randomSource(13 * MiB + 7, 64 * 1024);
      await store.put('snap-1/archive.tar.gz.pgp', source.stream);
      const back = await sha256OfStream(await store.get('snap-1/archive.tar.gz.pgp'));
      assert.is(back.size, 13 * MiB + 7);
      assert.is(back.sha256, source.sha256());
      assert.is((await store.stat('snap-1/archive.tar.gz.pgp'))?.size, 13 * MiB + 7);
    }),
  );

  contract(
    'get from an offset streams the rest of the object (as a resumed read asks)',
    withStore(async (store) => {
      const data = randomBytes(300_000);
      await store.put('snap-1/archive.tar.gz.pgp', data);
      const rest = await readAll(await store.get('snap-1/archive.tar.gz.pgp', { offset: 123_457 }));
      assert.is(sha256(rest), sha256(data.subarray(123_457)));
    }),
  );

  contract(
    'get with an offset and a length streams exactly that range (a ranged read of an archive), from the start too',
    withStore(async (store) => {
      const data = randomBytes(300_000);
      await store.put('snap-1/archive.tar.gz.pgp', data);
      for (const [offset, length] of [
        [123_457, 10_000],
        // not [0, 1]: the test S3 server (s3rver) answers "bytes=0-0" with the whole object;
        // no ranged read asks for a single byte at 0
        [1, 1],
        [0, 64],
        [299_999, 1],
        [1000, 299_000],
      ] as const) {
        const range = await readAll(await store.get('snap-1/archive.tar.gz.pgp', { offset, length }));
        assert.is(range.length, length, `${offset}+${length}`);
        assert.is(sha256(range), sha256(data.subarray(offset, offset + length)), `${offset}+${length}`);
      }
    }),
  );

  contract(
    'put replaces an existing object',
    withStore(async (store) => {
      await store.put('audit/2026-11.jsonl', randomBytes(5000));
      const second = randomBytes(1234);
      await store.put('audit/2026-11.jsonl', Readable.from([second]));
      assert.is(sha256(await readAll(await store.get('audit/2026-11.jsonl'))), sha256(second));
      assert.is((await store.stat('audit/2026-11.jsonl'))?.size, 1234);
      assert.equal(await keysOf(store.list('audit/')), ['audit/2026-11.jsonl']);
    }),
  );

  contract(
    'get of a missing key rejects with NotFoundError',
    withStore(async (store) => {
      await store.put('present/object', new Uint8Array([1]));
      for (const key of ['missing', 'present/missing', 'present/object/deeper']) {
        try {
          await store.get(key);
          assert.unreachable(`get(${key}) resolved`);
        } catch (error) {
          assert.instance(error, NotFoundError, `get(${key}): ${String(error)}`);
        }
      }
    }),
  );

  contract(
    'stat of a missing key is undefined',
    withStore(async (store) => {
      assert.is(await store.stat('missing'), undefined);
      await store.put('a/b', new Uint8Array([1]));
      assert.is(await store.stat('a/missing'), undefined);
      assert.is(await store.stat('a'), undefined, 'a "folder" is not an object');
    }),
  );

  contract(
    'stat reports the size and a current modification time',
    withStore(async (store) => {
      const before = Date.now();
      await store.put('sized/object', randomBytes(4321));
      const stat = await store.stat('sized/object');
      assert.ok(stat);
      assert.is(stat.key, 'sized/object');
      assert.is(stat.size, 4321);
      assert.instance(stat.modified, Date);
      // generous: file systems and S3 report whole seconds
      assert.ok(Math.abs(stat.modified.getTime() - before) < 120_000, `modified ${stat.modified.toISOString()}`);
    }),
  );

  contract(
    'list(prefix) returns nested keys and honours prefixes that are not folder boundaries',
    withStore(async (store) => {
      const sizes: Record<string, number> = { 'a/1': 1, 'a/b/2': 2, 'a/b/c/3': 3, 'ab/4': 4, abc: 5, 'b/5': 6 };
      for (const [key, size] of Object.entries(sizes)) await store.put(key, randomBytes(size));
      const listed = await collect(store.list(''));
      assert.equal(listed.map((o) => o.key).sort(), Object.keys(sizes).sort());
      for (const object of listed) {
        assert.is(object.size, sizes[object.key], `size of ${object.key}`);
        assert.instance(object.modified, Date);
      }
      assert.equal(await keysOf(store.list('a/')), ['a/1', 'a/b/2', 'a/b/c/3']);
      assert.equal(await keysOf(store.list('a')), ['a/1', 'a/b/2', 'a/b/c/3', 'ab/4', 'abc']);
      assert.equal(await keysOf(store.list('a/b')), ['a/b/2', 'a/b/c/3']);
      assert.equal(await keysOf(store.list('a/b/c/3')), ['a/b/c/3']);
      assert.equal(await keysOf(store.list('ab')), ['ab/4', 'abc']);
      assert.equal(await keysOf(store.list('zzz')), []);
      assert.equal(await keysOf(store.list('a/zzz/')), []);
    }),
  );

  contract(
    'list with `within` returns every key under the top-level folders it accepts and every top-level key; any more come only from the others',
    withStore(async (store) => {
      const keys = ['snap-1/a', 'snap-1/deep/b', 'snap-2/c', 'top', 'audit/2026-12/r1', 'audit/2026-12/r2', 'locks/x'];
      for (const key of keys) await store.put(key, new TextEncoder().encode(key));
      const wanted = (folder: string) => folder.startsWith('snap-');
      const listed = await keysOf(store.list('', { within: wanted }));
      for (const key of ['snap-1/a', 'snap-1/deep/b', 'snap-2/c', 'top'])
        assert.ok(listed.includes(key), `${key} is listed`);
      for (const key of listed) assert.ok(keys.includes(key), `${key} is a stored key`);
      assert.is(new Set(listed).size, listed.length, 'no key listed twice');
      assert.equal(await keysOf(store.list('snap-1/', { within: wanted })), ['snap-1/a', 'snap-1/deep/b']);
    }),
  );

  contract(
    `list returns every one of ${listedKeys.toLocaleString('en')} keys exactly once (paginated listings)`,
    withStore(async (store) => {
      const keys = Array.from({ length: listedKeys }, (_, i) => `many/${String(i % 7)}/${String(i).padStart(5, '0')}`);
      await mapLimit(keys, 32, (key) => store.put(key, new TextEncoder().encode(key)));
      await store.put('other/not-listed', new Uint8Array([1]));
      const listed = await keysOf(store.list('many/'));
      assert.is(listed.length, keys.length);
      assert.is(new Set(listed).size, keys.length, 'no key listed twice');
      assert.equal(listed, [...keys].sort());
    }),
  );

  contract(
    'delete removes many keys, ignores missing ones and leaves the rest',
    withStore(async (store) => {
      for (const key of ['d/1', 'd/2', 'd/3', 'd/x/4', 'keep/5']) await store.put(key, randomBytes(10));
      await store.delete(['d/1', 'd/x/4', 'never/existed', 'd/2', 'd/also-missing']);
      assert.equal(await keysOf(store.list('')), ['d/3', 'keep/5']);
      assert.is(await store.stat('d/1'), undefined);
      assert.is(await store.stat('d/x/4'), undefined);
      await store.delete([]);
      await store.delete(['d/1']);
      assert.equal(await keysOf(store.list('')), ['d/3', 'keep/5']);
    }),
  );

  contract(
    `delete handles more keys than one request carries (${deletedKeys.toLocaleString('en')})`,
    withStore(async (store) => {
      const keys = Array.from({ length: deletedKeys }, (_, i) => `bulk/${i}`);
      await mapLimit(keys, 32, (key) => store.put(key, new Uint8Array([1])));
      await store.delete(keys);
      assert.equal(await keysOf(store.list('')), []);
    }),
  );

  contract(
    'a body stream that errors midway makes put reject and leaves nothing under the key',
    withStore(async (store) => {
      // early: the error comes before the first part is complete; late: after 6 MiB, when an
      // S3 multipart upload has already sent a part.
      for (const [key, before] of [
        ['early/archive', 100_000],
        ['late/archive', 6 * MiB + 5],
      ] as const) {
        let error: unknown;
        try {
          await store.put(key, failingStream(before, new Error('source failed midway')));
        } catch (caught) {
          error = caught;
        }
        assert.instance(error, Error, `put(${key}) must reject`);
        assert.is(await store.stat(key), undefined, `nothing under ${key}`);
        assert.equal(await keysOf(store.list(key)), [], `nothing listed under ${key} (not even a partial name)`);
      }
      assert.equal(await keysOf(store.list('')), []);
    }),
  );

  contract(
    'a failed put over an existing object leaves the old object intact',
    withStore(async (store) => {
      const old = randomBytes(3000);
      await store.put('snap/snapshot.json', old);
      await store.put('snap/snapshot.json', failingStream(6 * MiB + 1, new Error('source failed midway'))).then(
        () => assert.unreachable('put resolved'),
        (error: unknown) => assert.instance(error, Error),
      );
      assert.is(sha256(await readAll(await store.get('snap/snapshot.json'))), sha256(old));
      assert.equal(await keysOf(store.list('snap/')), ['snap/snapshot.json']);
    }),
  );

  contract(
    'concurrent puts of different keys all store their own bytes',
    withStore(async (store) => {
      const sources = Array.from({ length: 8 }, (_, i) => ({
        key: `par/${i}/archive`,
        source: randomSource(MiB + i * 1000, 32 * 1024),
      }));
      await Promise.all(sources.map(({ key, source }) => store.put(key, source.stream)));
      for (const { key, source } of sources) {
        const back = await sha256OfStream(await store.get(key));
        assert.is(back.sha256, source.sha256(), key);
      }
      assert.is((await keysOf(store.list('par/'))).length, 8);
    }),
  );

  contract(
    'keys that escape the repository are refused',
    withStore(async (store) => {
      for (const key of ['../escape', '/absolute', 'a/../b', 'a//b', '']) {
        await store.put(key, new Uint8Array([1])).then(
          () => assert.unreachable(`put(${JSON.stringify(key)}) resolved`),
          (error: unknown) => assert.instance(error, Error),
        );
      }
      assert.equal(await keysOf(store.list('')), []);
    }),
  );

  contract.run();
}

// ---- helpers shared with backend-specific tests ----

/**
 * Make a promise that can never settle fail instead of ending the whole run: uvu has no
 * timeouts, and when a test awaits a promise with nothing left for the event loop to do,
 * Node exits ("Exiting early before testing is finished") and later tests never run.
 * 'beforeExit' fires exactly then; the unref'd timer covers hangs that keep sockets or
 * timers alive.
 */
export function guard<T>(promise: Promise<T>, timeoutMs = 300_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onIdle = () => reject(new Error('never settled: awaiting a promise that nothing will resolve (a hang)'));
    const timer = setTimeout(() => reject(new Error(`did not settle within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    process.once('beforeExit', onIdle);
    promise.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      process.off('beforeExit', onIdle);
    });
  });
}

/** a uvu test body guarded by guard() */
export function settles(body: () => Promise<void>, timeoutMs = 300_000): () => Promise<void> {
  return () => guard(body(), timeoutMs);
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function sha256OfStream(stream: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** `size` random bytes, generated lazily; sha256() is valid once the stream was consumed */
export function randomSource(size: number, chunkSize = 64 * 1024): { stream: Readable; sha256(): string } {
  const hash = createHash('sha256');
  let digest: string | undefined;
  async function* generate() {
    for (let sent = 0; sent < size; sent += chunkSize) {
      const chunk = randomBytes(Math.min(chunkSize, size - sent));
      hash.update(chunk);
      yield chunk;
    }
    digest = hash.digest('hex');
  }
  return {
    stream: Readable.from(generate(), { objectMode: false }),
    sha256: () => {
      if (digest === undefined) throw new Error('the source stream was not consumed to the end');
      return digest;
    },
  };
}

/** a stream that sends `before` bytes and then (once `beforeFailing` has settled) fails with `error` */
export function failingStream(before: number, error: Error, beforeFailing?: () => Promise<unknown>): Readable {
  async function* generate() {
    const chunkSize = 64 * 1024;
    for (let sent = 0; sent < before; sent += chunkSize) {
      yield randomBytes(Math.min(chunkSize, before - sent));
    }
    await beforeFailing?.();
    throw error;
  }
  return Readable.from(generate(), { objectMode: false });
}

export async function collect(objects: AsyncIterable<StoredObject>): Promise<StoredObject[]> {
  const result: StoredObject[] = [];
  for await (const object of objects) result.push(object);
  return result;
}

export async function keysOf(objects: AsyncIterable<StoredObject>): Promise<string[]> {
  return (await collect(objects)).map((o) => o.key).sort();
}

export async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
