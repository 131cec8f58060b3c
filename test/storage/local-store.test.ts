import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NotFoundError } from '../../src/domain/errors.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import { PARTIAL_MARKER } from '../../src/storage/replace-file.ts';
import { openStore } from '../../src/storage/open-store.ts';
import {
  collect,
  defineStoreContract,
  failingStream,
  keysOf,
  randomSource,
  settles,
  sha256OfStream,
} from '../helpers/store-contract.ts';

async function freshRoot(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'ripcord-local-store-'));
}

// A local store lists each folder with one readdir, not in pages, and deletes key by key, not
// in requests of 1000: the contract's listing and bulk delete tests use the sizes for pages and
// requests of 100 (350 and 105 keys), which cover it as well as 2,150 and 1,005 would.
const LOCAL_SIZES = { listPage: 100, deleteBatch: 100 };

defineStoreContract(
  'local',
  async () => {
    const root = await freshRoot();
    return { store: new LocalStore(root), cleanup: () => rm(root, { recursive: true, force: true }) };
  },
  LOCAL_SIZES,
);

defineStoreContract(
  'local, through openStore (retry-wrapped)',
  async () => {
    const root = await freshRoot();
    return { store: await openStore(root), cleanup: () => rm(root, { recursive: true, force: true }) };
  },
  LOCAL_SIZES,
);

const local = suite('local store');

local(
  'a rejected put removes its temporary .partial- file, and the folder it made, from disk',
  settles(async () => {
    const root = await freshRoot();
    try {
      const store = new LocalStore(root);
      await store.put('snap/archive', failingStream(3 * 1024 * 1024, new Error('source failed'))).then(
        () => assert.unreachable('put resolved'),
        () => {},
      );
      assert.equal(await readdir(root), [], 'nor the folder the put made for it');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }),
);

local(
  'a put of 100 MiB, flushed to disk in the background while it is written, lands whole; one that fails after a flush leaves nothing',
  settles(async () => {
    const root = await freshRoot();
    try {
      const store = new LocalStore(root);
      const size = 100 * 1024 * 1024 + 5; // three background flushes and a remainder
      const source = randomSource(size, 1024 * 1024);
      await store.put('big/archive', source.stream);
      const stored = await sha256OfStream(await store.get('big/archive'));
      assert.equal(stored, { sha256: source.sha256(), size });
      await store.put('bad/archive', failingStream(70 * 1024 * 1024, new Error('source failed'))).then(
        () => assert.unreachable('put resolved'),
        (error: Error) => assert.match(error.message, 'source failed'),
      );
      assert.equal(await readdir(path.join(root, 'bad')).catch(() => [] as string[]), []);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }),
);

local(
  "list with `within` does not look into the top-level folders it refuses (a repository's audit/ grows by a record per run); a folder of many files is listed whole",
  settles(async () => {
    const root = await freshRoot();
    try {
      const store = new LocalStore(root);
      await store.put('20260101T000000.000Z-abcd/snapshot.json', new Uint8Array([1]));
      const records = Array.from({ length: 100 }, (_, i) => `audit/2026-01/record-${String(i).padStart(3, '0')}.json`);
      for (const key of records) await store.put(key, new Uint8Array(7));
      const within = (folder: string) => folder !== 'audit';
      assert.equal(await keysOf(store.list('', { within })), ['20260101T000000.000Z-abcd/snapshot.json']);
      assert.equal(
        await keysOf(store.list('audit/', { within })),
        [],
        'a prefix inside a refused folder lists nothing',
      );
      const all = await collect(store.list('audit/'));
      assert.equal(all.map((o) => o.key).sort(), records, 'without `within`, all 100 records of the one folder');
      assert.ok(all.every((o) => o.size === 7));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }),
);

local(
  'list reports a crashed writer\'s leftover "<key>.partial-<hex>" file under its own name',
  settles(async () => {
    const root = await freshRoot();
    try {
      const store = new LocalStore(root);
      await store.put('snap/archive', new Uint8Array([1, 2, 3]));
      const leftover = `archive${PARTIAL_MARKER}0badf00d`;
      await writeFile(path.join(root, 'snap', leftover), 'half');
      assert.equal(await keysOf(store.list('snap/')), ['snap/archive', `snap/${leftover}`]);
      assert.is((await store.stat('snap/archive'))?.size, 3);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }),
);

local(
  'objects are created 0600 in folders 0700',
  settles(async () => {
    const root = await freshRoot();
    try {
      const store = new LocalStore(root);
      await store.put('private/deeper/object', new Uint8Array([1]));
      assert.is((await stat(path.join(root, 'private', 'deeper', 'object'))).mode & 0o777, 0o600);
      assert.is((await stat(path.join(root, 'private', 'deeper'))).mode & 0o777, 0o700);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }),
);

local(
  'properties: location is the absolute root; listable, deletable and durable',
  settles(async () => {
    const store = await openStore('relative/repo');
    assert.equal(store.properties, {
      location: path.resolve('relative/repo'),
      listable: true,
      deletable: true,
      durable: true,
    });
    await store.close();
  }),
);

local(
  'listEmptyFolders names only top-level folders without objects; removeEmptyFolder removes one and refuses a folder that holds something',
  settles(async () => {
    const root = await freshRoot();
    try {
      const store = new LocalStore(root);
      await store.put('full/object', Buffer.from('x'));
      await mkdir(path.join(root, 'empty'));
      const empty: string[] = [];
      for await (const folder of store.listEmptyFolders()) empty.push(folder.key);
      assert.equal(empty, ['empty']);
      assert.is(await store.removeEmptyFolder('full'), false);
      assert.equal(await readdir(path.join(root, 'full')), ['object']);
      assert.is(await store.removeEmptyFolder('empty'), true);
      assert.is(await store.removeEmptyFolder('empty'), false, 'already gone');
      assert.equal(await readdir(root), ['full']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }),
);

for (const [how, make] of [
  ['itself', async (root: string) => new LocalStore(root)],
  ['through openStore (retry-wrapped)', (root: string) => openStore(root)],
] as const) {
  local(
    `openFile (${how}) reads an object into the caller's reused buffer, byte for byte as get, and a missing key is NotFoundError`,
    settles(async () => {
      const root = await freshRoot();
      try {
        const store = await make(root);
        const data = randomBytes(3 * 1024 * 1024 + 11);
        await store.put('snap/archive', data);
        assert.ok(store.openFile, 'a local store offers openFile');
        const file = await store.openFile!('snap/archive');
        const buffer = Buffer.alloc(1024 * 1024 - 3); // one buffer, filled again and again
        const hash = createHash('sha256');
        let total = 0;
        try {
          for (let n = await file.read(buffer); n > 0; n = await file.read(buffer)) {
            hash.update(buffer.subarray(0, n));
            total += n;
          }
        } finally {
          await file.close();
        }
        assert.is(total, data.length);
        assert.is(hash.digest('hex'), (await sha256OfStream(await store.get('snap/archive'))).sha256);
        await store.openFile!('snap/missing').then(
          () => assert.unreachable('openFile of a missing key resolved'),
          (error: Error) => assert.instance(error, NotFoundError),
        );
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    }),
  );
}

local.run();
