/**
 * The actions-cache backend with the REAL @actions/cache client against the cache service
 * twirp TEST DOUBLE (test/helpers/actions-cache-service.ts) and a REAL Azurite blob server:
 * every save is a tar + zstd/gzip archive uploaded by @azure/storage-blob, every restore a
 * lookup, a ranged download and an extraction, exactly as on a runner.
 *
 * A "runner" here is a fresh RUNNER_TEMP plus the variables a JavaScript action gets
 * (ACTIONS_CACHE_SERVICE_V2, ACTIONS_RESULTS_URL, ACTIONS_RUNTIME_TOKEN), set in
 * process.env for the duration of one test body and put back afterwards. @actions/cache
 * logs to stdout (::debug:: lines, the tar command line); that output is kept out of the
 * test report and printed to stderr only when the test fails.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NotFoundError, StorageError, UsageError } from '../../src/domain/errors.ts';
import { createSnapshotId } from '../../src/domain/snapshot-id.ts';
import { createBackup } from '../../src/ops/backup.ts';
import { resolveSnapshot } from '../../src/ops/repository.ts';
import { applyRestore, planRestore } from '../../src/ops/restore.ts';
import { verifySnapshots } from '../../src/ops/verify.ts';
import { openStore } from '../../src/storage/open-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { startCacheServiceDouble, type CacheScope } from '../helpers/actions-cache-service.ts';
import { collect, defineStoreContract, keysOf, readAll, settles, sha256 } from '../helpers/store-contract.ts';
import { makeAwkwardTree, removeDir, tempDir } from '../helpers/tree.ts';

const MiB = 1024 * 1024;
const double = await startCacheServiceDouble();

let names = 0;
/** a repository name no other test uses (the double keeps every entry for the whole run) */
const freshName = (label: string) => `t${++names}_${label}`;

interface Runner {
  temp: string;
  env: Record<string, string>;
  remove(): Promise<void>;
}

/** A fresh runner: its own RUNNER_TEMP and a token for `scopes`. */
async function newRunner(scopes?: readonly CacheScope[]): Promise<Runner> {
  const temp = await tempDir('ripcord-runner-temp-');
  return { temp, env: double.environment(temp, double.token(scopes)), remove: () => removeDir(temp) };
}

/** Set these variables ('' = unset) and hide stdout; the returned function puts both back. */
function enter(env: Record<string, string>): (failed?: boolean) => void {
  const previous = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(env)) {
    previous.set(name, process.env[name]);
    if (value === '') delete process.env[name];
    else process.env[name] = value;
  }
  const write = process.stdout.write;
  const log: string[] = [];
  process.stdout.write = ((chunk: string | Uint8Array) => {
    log.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  return (failed = false) => {
    process.stdout.write = write;
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    if (failed)
      process.stderr.write(`--- @actions/cache output of the failed test ---\n${log.join('').slice(-20_000)}\n---\n`);
  };
}

/** Run `body` inside `runner`'s environment. */
async function on<T>(runner: Runner, body: () => Promise<T>): Promise<T> {
  const leave = enter(runner.env);
  let failed = true;
  try {
    const result = await body();
    failed = false;
    return result;
  } finally {
    leave(failed);
  }
}

/** Open actions-cache://NAME on `runner`, run body, close. */
function withStore<T>(runner: Runner, name: string, body: (store: Store) => Promise<T>): Promise<T> {
  return on(runner, async () => {
    const store = await openStore(`actions-cache://${name}`);
    try {
      return await body(store);
    } finally {
      await store.close();
    }
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** A snapshot folder's objects (bytes), marker last; `megabytes` of random archive data. */
function snapshotObjects(id: string, megabytes = 0.01): [string, Buffer][] {
  return [
    [`${id}/archive.tar.gz.pgp`, randomBytes(Math.round(megabytes * MiB) + 7)],
    [`${id}/manifest.json.pgp`, randomBytes(12_345)],
    [`${id}/SHA256SUMS`, Buffer.from(`${'0'.repeat(64)}  archive.tar.gz.pgp\n`)],
    [`${id}/extra/nested.bin`, randomBytes(1000)],
    [`${id}/snapshot.json`, Buffer.from(`{"id":"${id}"}\n`)],
  ];
}

async function putAll(store: Store, objects: readonly [string, Buffer][]): Promise<void> {
  for (const [key, bytes] of objects) await store.put(key, Readable.from([bytes]));
}

const idAt = (iso: string) => createSnapshotId(new Date(iso));

// ---- the shared contract ----
//
// It runs in full, on the staging layer: its keys ("empty/object", "snap-1/snapshot.json",
// "a/b", ...) are not in snapshot folders (a folder named by a snapshot id), so nothing it
// writes becomes a cache entry, and every Store promise it checks (atomic put, get, stat,
// list by prefix, delete, refusing escaping keys) applies to such objects exactly as to a
// local store. Each test still opens a real actions-cache:// store against the double, and
// its list('') calls make a real prefix lookup (a miss). What the contract cannot express
// for this backend (commit = one cache entry, restore on another runner, list('') seeing
// only the newest entry, delete refused once committed) is tested below.
// Staged objects live in a local folder, listed with one readdir per folder and deleted key by
// key: the contract's listing and bulk delete tests use the sizes for pages and requests of 100
// (350 and 105 keys), which cover it as well as 2,150 and 1,005 would.
defineStoreContract(
  'actions-cache (staged objects, through the cache service twirp test double)',
  async () => {
    const runner = await newRunner();
    const leave = enter(runner.env);
    try {
      const store = await openStore(`actions-cache://${freshName('contract')}`);
      return {
        store,
        cleanup: async () => {
          leave();
          await runner.remove();
        },
      };
    } catch (error) {
      leave(true);
      await runner.remove();
      throw error;
    }
  },
  { listPage: 100, deleteBatch: 100 },
);

// ---- actions-cache semantics ----

const cacheStore = suite('actions-cache store (real @actions/cache, cache service twirp test double, real Azurite)');

cacheStore.after(async () => {
  await double.stop();
});

cacheStore(
  'a snapshot folder saved through the twirp test double restores byte for byte on a different runner, via get() and list("")',
  settles(async () => {
    const name = freshName('roundtrip');
    const id = idAt('2026-03-01T10:00:00Z');
    const objects = snapshotObjects(id, 5);
    const first = await newRunner();
    const second = await newRunner();
    try {
      double.clearLog();
      await withStore(first, name, async (store) => {
        await putAll(store, objects.slice(0, -1));
        assert.equal(
          double.entries().filter((e) => e.key.includes(name)),
          [],
          'nothing is saved before the commit marker',
        );
        await putAll(store, objects.slice(-1));
      });
      const saved = double.entries().filter((e) => e.key.includes(name));
      assert.equal(
        saved.map((e) => [e.key, e.finalized]),
        [[`ripcord-${name}-${id}`, true]],
        'the folder is ONE cache entry',
      );
      assert.ok(saved[0]!.size > 5 * MiB * 0.9, `entry size ${saved[0]!.size}`);

      await withStore(second, name, async (store) => {
        const listed = await collect(store.list(''));
        assert.equal(listed.map((o) => o.key).sort(), objects.map(([key]) => key).sort());
        for (const [key, bytes] of objects) {
          assert.is(listed.find((o) => o.key === key)?.size, bytes.length, `size of ${key}`);
          assert.is(sha256(await readAll(await store.get(key))), sha256(bytes), key);
          assert.is((await store.stat(key))?.size, bytes.length);
        }
      });
      assert.ok(second.temp !== first.temp);

      // The bytes really went through @azure/storage-blob and the signed URLs.
      const blobs = double.blobRequests();
      assert.ok(
        blobs.some(
          (r) => r.method === 'PUT' && r.status === 201 && /azsdk-js-azure-storage-blob/.test(r.userAgent ?? ''),
        ),
        'upload by @azure/storage-blob',
      );
      assert.ok(
        blobs.some(
          (r) =>
            r.method === 'GET' &&
            r.range !== undefined &&
            r.status === 206 &&
            /azsdk-js-azure-storage-blob/.test(r.userAgent ?? ''),
        ),
        'ranged download by @azure/storage-blob',
      );
      assert.ok(
        blobs.every((r) => r.url.includes('sig=')),
        'every blob request is signed (SAS)',
      );
    } finally {
      await first.remove();
      await second.remove();
    }
  }),
);

cacheStore(
  'list("") on a fresh runner finds the newest of several snapshots through the key prefix, and get() of an older one restores it by its exact key',
  settles(async () => {
    const name = freshName('newest');
    const ids = ['2026-03-01T10:00:00Z', '2026-03-02T10:00:00Z', '2026-03-03T10:00:00Z'].map(idAt);
    const writer = await newRunner();
    const reader = await newRunner();
    try {
      await withStore(writer, name, async (store) => {
        for (const id of ids) await putAll(store, snapshotObjects(id));
        assert.is((await keysOf(store.list(''))).length, 15, 'the writing runner lists what it staged');
      });
      await withStore(reader, name, async (store) => {
        const folders = new Set((await keysOf(store.list(''))).map((key) => key.split('/')[0]));
        assert.equal([...folders], [ids[2]], 'only the newest entry comes back through the prefix');
        assert.ok(await store.stat(`${ids[0]}/snapshot.json`), 'an older snapshot by its exact key');
        const after = new Set((await keysOf(store.list(''))).map((key) => key.split('/')[0]));
        assert.equal([...after].sort(), [ids[0], ids[2]]);
      });
    } finally {
      await writer.remove();
      await reader.remove();
    }
  }),
);

cacheStore(
  'a cache miss lists nothing; get of a missing key rejects with NotFoundError naming the cache entry',
  settles(async () => {
    const name = freshName('miss');
    const id = idAt('2026-04-01T00:00:00Z');
    const runner = await newRunner();
    try {
      await withStore(runner, name, async (store) => {
        assert.equal(await keysOf(store.list('')), []);
        assert.equal(await keysOf(store.list(`${id}/`)), []);
        assert.is(await store.stat(`${id}/snapshot.json`), undefined);
        const error = await rejection(store.get(`${id}/snapshot.json`));
        assert.instance(error, NotFoundError);
        assert.match(error.message, `ripcord-${name}-${id}`);
        assert.not.match(error.message, '\n');
        assert.instance(await rejection(store.get('audit/2026-04.jsonl')), NotFoundError);
      });
    } finally {
      await runner.remove();
    }
  }),
);

cacheStore(
  'opening actions-cache:// outside GitHub Actions fails with one clear line',
  settles(async () => {
    const runner = await newRunner();
    try {
      await on({ ...runner, env: { ...runner.env, ACTIONS_RUNTIME_TOKEN: '', ACTIONS_RESULTS_URL: '' } }, async () => {
        const error = await rejection(openStore('actions-cache://outside'));
        assert.instance(error, UsageError);
        assert.match(error.message, /^actions-cache:\/\/ repositories work only inside GitHub Actions/);
        assert.not.match(error.message, '\n');
      });
    } finally {
      await runner.remove();
    }
  }),
);

cacheStore(
  'a repository name with "-" (whose key prefix could match another name) is refused with one clear line',
  settles(async () => {
    const runner = await newRunner();
    try {
      await on(runner, async () => {
        for (const url of [
          'actions-cache://prod-config',
          'actions-cache://',
          'actions-cache://a/b',
          'actions-cache://Prod',
        ]) {
          const error = await rejection(openStore(url));
          assert.instance(error, UsageError, url);
          assert.not.match(error.message, '\n');
        }
      });
    } finally {
      await runner.remove();
    }
  }),
);

cacheStore(
  'properties: actions-cache://NAME is neither listable, deletable nor durable',
  settles(async () => {
    const runner = await newRunner();
    try {
      await withStore(runner, 'props', async (store) => {
        assert.equal(store.properties, {
          location: 'actions-cache://props',
          listable: false,
          deletable: false,
          durable: false,
        });
      });
    } finally {
      await runner.remove();
    }
  }),
);

cacheStore(
  'delete of a committed snapshot fails with one clear line, on the runner that saved it and on another; an unfinished one is deleted',
  settles(async () => {
    const name = freshName('delete');
    const committed = idAt('2026-05-01T00:00:00Z');
    const unfinished = idAt('2026-05-02T00:00:00Z');
    const first = await newRunner();
    const second = await newRunner();
    const expected = `actions-cache://${name} cannot delete snapshots: entries expire after 7 days unused; use an S3 repository for retention`;
    try {
      await withStore(first, name, async (store) => {
        await putAll(store, snapshotObjects(committed));
        const error = await rejection(store.delete([`${committed}/archive.tar.gz.pgp`, `${committed}/snapshot.json`]));
        assert.instance(error, StorageError);
        assert.ok(error.message.startsWith(expected), error.message);
        assert.not.match(error.message, '\n');
        assert.is((await keysOf(store.list(`${committed}/`))).length, 5, 'nothing was deleted');

        await store.put(`${unfinished}/archive.tar.gz.pgp`, randomBytes(100));
        await store.delete([`${unfinished}/archive.tar.gz.pgp`, `${unfinished}/never-written`]);
        assert.equal(await keysOf(store.list(`${unfinished}/`)), []);
      });
      await withStore(second, name, async (store) => {
        // Not restored on this runner, but the cache has it: still refused.
        const error = await rejection(store.delete([`${committed}/SHA256SUMS`]));
        assert.instance(error, StorageError);
        assert.ok(error.message.startsWith(expected), error.message);
      });
    } finally {
      await first.remove();
      await second.remove();
    }
  }),
);

cacheStore(
  'a save the twirp test double refuses rejects put(snapshot.json) with a StorageError naming the entry, and the snapshot stays unfinished',
  settles(async () => {
    const name = freshName('refused');
    const id = idAt('2026-06-01T00:00:00Z');
    const entry = `ripcord-${name}-${id}`;
    const runner = await newRunner();
    try {
      await withStore(runner, name, async (store) => {
        const objects = snapshotObjects(id);
        await putAll(store, objects.slice(0, -1));
        for (const method of ['CreateCacheEntry', 'FinalizeCacheEntryUpload'] as const) {
          double.failNext(method, { body: { ok: false, message: `injected: ${method} refused` } });
          const error = await rejection(store.put(`${id}/snapshot.json`, objects.at(-1)![1]));
          assert.instance(error, StorageError, method);
          assert.match(error.message, entry);
          assert.not.match(error.message, '\n');
          assert.is(await store.stat(`${id}/snapshot.json`), undefined, `${method}: no commit marker`);
          if (method === 'CreateCacheEntry')
            assert.equal(
              double.entries().filter((e) => e.key === entry),
              [],
            );
        }
        // The Finalize failure left a reservation for this key behind (as on GitHub): the id is spent.
        const again = await rejection(store.put(`${id}/snapshot.json`, objects.at(-1)![1]));
        assert.instance(again, StorageError);
        assert.equal(
          double.entries().filter((e) => e.key === entry && e.finalized),
          [],
        );
      });
    } finally {
      await runner.remove();
    }
  }),
);

cacheStore(
  'an entry that exists but cannot be downloaded is a StorageError, not an empty repository; a later call retries',
  settles(async () => {
    const name = freshName('download');
    const id = idAt('2026-07-01T00:00:00Z');
    const writer = await newRunner();
    const reader = await newRunner();
    try {
      await withStore(writer, name, (store) => putAll(store, snapshotObjects(id)));
      await withStore(reader, name, async (store) => {
        double.refuseDownloads(true);
        try {
          const error = await rejection(collect(store.list('')));
          assert.instance(error, StorageError);
          assert.match(error.message, `cache entry ripcord-${name}-${id} exists but could not be downloaded`);
          assert.instance(await rejection(store.get(`${id}/snapshot.json`)), StorageError);
        } finally {
          double.refuseDownloads(false);
        }
        assert.is((await keysOf(store.list(''))).length, 5);
      });
    } finally {
      await writer.remove();
      await reader.remove();
    }
  }),
);

cacheStore(
  "branch scope: a snapshot saved on a feature branch is invisible from main, and main's are visible from the branch",
  settles(async () => {
    const name = freshName('scope');
    const onMain = idAt('2026-08-01T00:00:00Z');
    const onFeature = idAt('2026-08-02T00:00:00Z');
    const main = [{ scope: 'refs/heads/main', read: true, write: true }];
    const feature = [
      { scope: 'refs/heads/feature', read: true, write: true },
      { scope: 'refs/heads/main', read: true, write: false },
    ];
    const runners = [await newRunner(main), await newRunner(feature), await newRunner(main), await newRunner(feature)];
    try {
      await withStore(runners[0]!, name, (store) => putAll(store, snapshotObjects(onMain)));
      await withStore(runners[1]!, name, (store) => putAll(store, snapshotObjects(onFeature)));
      await withStore(runners[2]!, name, async (store) => {
        assert.equal([...new Set((await keysOf(store.list(''))).map((k) => k.split('/')[0]))], [onMain]);
        assert.instance(await rejection(store.get(`${onFeature}/snapshot.json`)), NotFoundError);
      });
      await withStore(runners[3]!, name, async (store) => {
        assert.equal(
          [...new Set((await keysOf(store.list(''))).map((k) => k.split('/')[0]))],
          [onFeature],
          'its own branch first',
        );
        assert.ok(await store.stat(`${onMain}/snapshot.json`), 'the default branch is readable');
      });
    } finally {
      for (const runner of runners) await runner.remove();
    }
  }),
);

cacheStore(
  'the working directory and GITHUB_WORKSPACE are put back after every cache call',
  settles(async () => {
    const runner = await newRunner();
    const id = idAt('2026-09-01T00:00:00Z');
    const cwd = process.cwd();
    try {
      await on({ ...runner, env: { ...runner.env, GITHUB_WORKSPACE: '/nonexistent/workspace' } }, async () => {
        const store = await openStore(`actions-cache://${freshName('cwd')}`);
        await putAll(store, snapshotObjects(id));
        await collect(store.list(''));
        assert.is(process.cwd(), cwd);
        assert.is(process.env.GITHUB_WORKSPACE, '/nonexistent/workspace');
        await store.close();
      });
    } finally {
      await runner.remove();
    }
  }),
);

cacheStore(
  'staged objects live under RUNNER_TEMP, and a save leaves no scratch folders behind',
  settles(async () => {
    const name = freshName('staging');
    const id = idAt('2026-10-01T00:00:00Z');
    const runner = await newRunner();
    try {
      await withStore(runner, name, (store) => putAll(store, snapshotObjects(id)));
      const base = path.join(runner.temp, 'ripcord-actions-cache', name);
      assert.equal((await fs.readdir(path.join(base, 'objects', id))).sort(), [
        'SHA256SUMS',
        'archive.tar.gz.pgp',
        'extra',
        'manifest.json.pgp',
        'snapshot.json',
      ]);
      assert.equal(await fs.readdir(path.join(base, 'work')), []);
    } finally {
      await runner.remove();
    }
  }),
);

cacheStore(
  'backup into actions-cache:// with a passphrase, then verify --read-data in a fresh store on another runner passes (real pipeline)',
  settles(async () => {
    const name = freshName('pipeline');
    const tree = await tempDir('ripcord-actions-cache-tree-');
    const writer = await newRunner();
    const reader = await newRunner();
    const keys = { mode: 'passphrase', passphrase: 'actions cache round trip' } as const;
    try {
      const roots = await makeAwkwardTree(tree, 2);
      const { snapshot } = await withStore(writer, name, (store) =>
        createBackup({ store, paths: roots, cwd: tree, keys, origin: { host: 'test', user: 'test' } }),
      );
      assert.equal(
        double
          .entries()
          .filter((e) => e.key.includes(name))
          .map((e) => e.key),
        [`ripcord-${name}-${snapshot.id}`],
      );
      const outcomes = await withStore(reader, name, (store) =>
        verifySnapshots({ store, references: [], readData: true, keys: { passphrase: keys.passphrase } }),
      );
      assert.equal(outcomes, [{ id: snapshot.id, ok: true, verdict: 'ok', problems: [], readData: true }]);
    } finally {
      await removeDir(tree);
      await writer.remove();
      await reader.remove();
    }
  }),
);

cacheStore(
  'three jobs: a backup, a restore into another workspace (which takes a pre-restore snapshot), then latest in a third job is still the backup; the pre-restore snapshot is read by its id',
  settles(async () => {
    const name = freshName('handoff');
    const tree = await tempDir('ripcord-actions-cache-handoff-');
    const jobs = [await newRunner(), await newRunner(), await newRunner()] as const;
    const keys = { mode: 'passphrase', passphrase: 'hand-off' } as const;
    const origin = { host: 'test', user: 'test' };
    try {
      await fs.mkdir(path.join(tree, 'job1/config'), { recursive: true });
      await fs.writeFile(path.join(tree, 'job1/config/app.yaml'), 'replicas: 2\n');
      const { snapshot } = await withStore(jobs[0], name, (store) =>
        createBackup({ store, paths: ['config'], cwd: path.join(tree, 'job1'), keys, origin }),
      );

      // job 2 restores latest into a workspace that has its own config: the pre-restore snapshot is committed too
      await fs.mkdir(path.join(tree, 'job2/config'), { recursive: true });
      await fs.writeFile(path.join(tree, 'job2/config/app.yaml'), 'replicas: 9\n');
      const undo = await withStore(jobs[1], name, async (store) => {
        const plan = await planRestore({
          store,
          reference: 'latest',
          target: path.join(tree, 'job2'),
          keys: { passphrase: keys.passphrase },
        });
        assert.is(plan.snapshot.id, snapshot.id);
        const result = await applyRestore(plan, {
          store,
          keys: { passphrase: keys.passphrase },
          encryptionKeys: keys,
          origin,
        });
        return result.preRestoreSnapshot;
      });
      assert.ok(undo, 'the restore took a pre-restore snapshot');
      assert.is(await fs.readFile(path.join(tree, 'job2/config/app.yaml'), 'utf8'), 'replicas: 2\n');
      assert.equal(
        double
          .entries()
          .filter((e) => e.key.includes(name))
          .map((e) => e.key)
          .sort(),
        [`ripcord-${name}-${snapshot.id}`, `ripcord_undo-${name}-${undo.id}`].sort(),
      );

      // job 3: latest is still the backup, and the pre-restore snapshot can be had by its id
      await withStore(jobs[2], name, async (store) => {
        assert.is((await resolveSnapshot(store, 'latest')).id, snapshot.id);
        const undone = await resolveSnapshot(store, undo.id);
        assert.is(undone.kind, 'pre-restore');
        const outcomes = await verifySnapshots({
          store,
          references: [undo.id],
          readData: true,
          keys: { passphrase: keys.passphrase },
        });
        assert.is(outcomes[0]?.verdict, 'ok');
      });
    } finally {
      await removeDir(tree);
      for (const job of jobs) await job.remove();
    }
  }),
);

cacheStore.run();
