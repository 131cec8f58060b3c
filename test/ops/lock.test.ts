/** Locks with leases on a real store: one holder at a time, expired or dead holders never block. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LockedError } from '../../src/domain/errors.ts';
import { acquireLock, MAX_LEASE_MS, withLock } from '../../src/ops/lock.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const owner = (operation: string, pid = process.pid) => ({
  operation,
  host: 'test-host',
  pid,
  user: 'tester',
  ciRun: 'https://ci.example/run/1',
});

test('a second holder fails at once with a message naming the holder and its lease', async () => {
  const dir = await tempDir();
  try {
    const store = new LocalStore(dir);
    const first = await acquireLock(store, 'prune', owner('prune'));
    const error = await acquireLock(store, 'prune', owner('prune')).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.instance(error, LockedError);
    assert.match(
      error!.message,
      /prune is locked in .*: prune by tester@test-host \(pid \d+, https:\/\/ci\.example\/run\/1\) since .*; its lease runs until .* and lapses by itself/,
    );
    await first.release();
    const again = await acquireLock(store, 'prune', owner('prune'));
    await again.release();
    assert.equal(await fs.readdir(dir).catch(() => []), [], 'released locks leave nothing behind');
  } finally {
    await removeDir(dir);
  }
});

test('a killed holder stops renewing and its lease expires: the next job proceeds without a human', async () => {
  const dir = await tempDir();
  try {
    const store = new LocalStore(dir);
    const start = Date.parse('2026-11-22T10:00:00Z');
    // never released, and its clock never moves again, so it never renews: the job "died"
    await acquireLock(store, 'prune', owner('prune'), { leaseMs: 60_000, clock: new ManualClock(start) });
    await assert.not.ok(
      await acquireLock(store, 'prune', owner('prune'), {
        leaseMs: 60_000,
        clock: new ManualClock(start + 30_000),
      }).then(
        () => true,
        () => false,
      ),
    );
    const pastTheLease = new ManualClock(start + 61_000);
    const next = await acquireLock(store, 'prune', owner('prune'), { leaseMs: 60_000, clock: pastTheLease });
    await next.release();
  } finally {
    await removeDir(dir);
  }
});

test('a holder renews its lease while it works, so a long operation keeps its lock', async () => {
  const dir = await tempDir();
  try {
    const store = new LocalStore(dir);
    const clock = new ManualClock();
    const held = await acquireLock(store, 'long', owner('long'), { leaseMs: 1500, renewMs: 200, clock });
    await clock.advance(2500); // longer than one lease: twelve renewals, each written before the clock moves on
    const error = await acquireLock(store, 'long', owner('other'), { clock }).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.instance(error, LockedError);
    assert.match(error!.message, /lease runs until 2026-11-22T10:00:0[34]/);
    await held.release();
    assert.is(clock.pending, 0, 'a released lock renews no more');
  } finally {
    await removeDir(dir);
  }
});

test('with sameMachine, a lock whose process is gone is not a holder', async () => {
  const dir = await tempDir();
  try {
    const store = new LocalStore(dir);
    const child = spawn('true');
    const deadPid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid!)));
    // what a restore killed with SIGKILL leaves behind: its lock, with a lease still running
    await store.put(
      'locks/restore-x/20261122T000000.000Z-dead.json',
      Buffer.from(
        JSON.stringify({
          ...owner('restore', deadPid),
          acquired: new Date().toISOString(),
          expires: new Date(Date.now() + 3_600_000).toISOString(),
        }),
      ),
    );
    await assert.not.ok(
      await acquireLock(store, 'restore-x', owner('restore')).then(
        async (l) => {
          await l.release();
          return true;
        },
        () => false,
      ),
      'without sameMachine the lease is what counts',
    );
    const mine = await acquireLock(store, 'restore-x', owner('restore'), { sameMachine: true });
    await mine.release();
  } finally {
    await removeDir(dir);
  }
});

test('of many contenders at once exactly one holds the lock at any time, and all get it in turn when waiting', async () => {
  const dir = await tempDir();
  try {
    const store = new LocalStore(dir);
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        withLock(store, 'prune', owner(`job ${i}`), { waitMs: 30_000, pollMs: 20 }, async () => {
          inside += 1;
          most = Math.max(most, inside);
          order.push(i);
          await new Promise((resolve) => setTimeout(resolve, 30));
          inside -= 1;
        }),
      ),
    );
    assert.is(most, 1);
    assert.equal([...order].sort(), [0, 1, 2, 3, 4, 5]);
    assert.equal(await fs.readdir(path.join(dir, 'locks', 'prune')).catch(() => []), []);
  } finally {
    await removeDir(dir);
  }
});

test('a contender whose lock write lands late never takes a lock another already holds (store slowed for one contender)', async () => {
  const dir = await tempDir();
  try {
    const store = new LocalStore(dir);
    // A names its lock object first, but the write reaches the store only after B has
    // written, listed and taken the lock: the order of names is not the order of writes.
    let named!: () => void;
    const aHasNamedItsObject = new Promise<void>((resolve) => (named = resolve));
    let land!: () => void;
    const aMayWrite = new Promise<void>((resolve) => (land = resolve));
    const slow: Store = Object.create(store, {
      put: {
        value: async (...args: Parameters<Store['put']>) => {
          named();
          await aMayWrite;
          return store.put(...args);
        },
      },
    });
    const a = acquireLock(slow, 'prune', owner('slow job')).then(
      (lock) => lock,
      (e: Error) => e,
    );
    await aHasNamedItsObject;
    const b = await acquireLock(store, 'prune', owner('fast job'));
    land();
    const outcome = await a;
    assert.instance(outcome, LockedError, 'the late writer must see the holder and withdraw');
    assert.match((outcome as Error).message, /fast job/);
    await b.release();
    assert.equal(await fs.readdir(path.join(dir, 'locks', 'prune')).catch(() => []), []);
  } finally {
    await removeDir(dir);
  }
});

/** A lock object as anyone who can write the repository could leave it, written now. */
async function plant(store: LocalStore, name: string, content: string): Promise<string> {
  const key = `locks/${name}/20261122T000000.000Z-beef.json`;
  await store.put(key, Buffer.from(content));
  return key;
}

const future = (ms: number) => new ManualClock(Date.now() + ms);

for (const [what, content] of [
  [
    'whose expiry does not parse',
    JSON.stringify({ operation: 'prune', host: 'h', pid: 4242, acquired: new Date().toISOString(), expires: 'never' }),
  ],
  [
    'whose lease runs to the year 9999',
    JSON.stringify({
      operation: 'prune',
      host: 'h',
      pid: 4242,
      acquired: new Date().toISOString(),
      expires: '9999-12-31T23:59:59.000Z',
    }),
  ],
  [
    'whose pid is not a number',
    JSON.stringify({
      operation: 'prune',
      host: 'h',
      pid: 'one',
      acquired: new Date().toISOString(),
      expires: new Date(Date.now() + 60_000).toISOString(),
    }),
  ],
  ['that is JSON null', 'null'],
  ['that is not JSON at all', 'lock!'],
] as const) {
  test(`a lock record ${what} holds for at most the maximum lease after it was written, then lapses and is removed`, async () => {
    const dir = await tempDir();
    try {
      const store = new LocalStore(dir);
      const key = await plant(store, 'prune', content);
      const error = await acquireLock(store, 'prune', owner('prune')).then(
        () => undefined,
        (e: Error) => e,
      );
      assert.instance(error, LockedError, 'a record that may be a live holder is not ignored at once');
      assert.match(error!.message, new RegExp(`lapses by itself .*remove ${key}`));
      const later = await acquireLock(store, 'prune', owner('prune'), { clock: future(MAX_LEASE_MS + 60_000) });
      await later.release();
      assert.equal(
        await fs.readdir(path.join(dir, 'locks', 'prune')).catch(() => []),
        [],
        'the lapsed record is removed',
      );
    } finally {
      await removeDir(dir);
    }
  });
}

test('a partial write of a lock record (a job killed while it wrote one) holds nothing, and is removed once older than the longest lease', async () => {
  const dir = await tempDir();
  try {
    const store = new LocalStore(dir);
    const folder = path.join(dir, 'locks', 'restore-target');
    await fs.mkdir(folder, { recursive: true });
    const partial = '20261122T000000.000Z-beef.json.partial-0123abcd';
    await fs.writeFile(path.join(folder, partial), '{"operation":"restore","host":"h","pi');
    const lock = await acquireLock(store, 'restore-target', owner('restore'));
    await lock.release();
    assert.equal(await fs.readdir(folder), [partial], 'a young partial write is passed over, not removed');
    const later = await acquireLock(store, 'restore-target', owner('restore'), {
      clock: future(MAX_LEASE_MS + 60_000),
    });
    await later.release();
    assert.equal(
      await fs.readdir(folder).catch(() => []),
      [],
      'a partial write older than the longest lease is removed',
    );
  } finally {
    await removeDir(dir);
  }
});

test('a lock record larger than any lock is not read, and lapses like any record that does not parse', async () => {
  const dir = await tempDir();
  try {
    const store = new LocalStore(dir);
    await plant(
      store,
      'prune',
      JSON.stringify({
        operation: 'x'.repeat(1 << 20),
        host: 'h',
        pid: 4242,
        acquired: new Date().toISOString(),
        expires: '9999-12-31T23:59:59.000Z',
      }),
    );
    const error = await acquireLock(store, 'prune', owner('prune')).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.instance(error, LockedError);
    assert.match(error!.message, /a lock record that does not parse/);
    assert.ok(error!.message.length < 1000, 'the message stays one short line');
    const later = await acquireLock(store, 'prune', owner('prune'), { clock: future(MAX_LEASE_MS + 60_000) });
    await later.release();
  } finally {
    await removeDir(dir);
  }
});

test('the fields of a lock record are escaped when printed: no control character reaches the terminal', async () => {
  const dir = await tempDir();
  try {
    const store = new LocalStore(dir);
    const hostile = {
      operation: 'prune\x1b[2J\x1b]0;owned\x07',
      host: 'h\r\nripcord: all clear',
      user: 'u\u202eevil',
      pid: 4242,
      ciRun: 'run\x9b1m',
      acquired: new Date().toISOString(),
      expires: new Date(Date.now() + 60_000).toISOString(),
    };
    await plant(store, 'prune', JSON.stringify(hostile));
    const error = await acquireLock(store, 'prune', owner('prune')).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.instance(error, LockedError);
    assert.not.match(error!.message, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    assert.ok(
      error!.message.includes(
        String.raw`prune\x1b[2J\x1b]0;owned\x07 by u\u{202e}evil@h\r\nripcord: all clear (pid 4242, run\x9b1m)`,
      ),
      error!.message,
    );
  } finally {
    await removeDir(dir);
  }
});

test('a lease longer than the maximum is refused', async () => {
  const dir = await tempDir();
  try {
    const error = await acquireLock(new LocalStore(dir), 'prune', owner('prune'), { leaseMs: MAX_LEASE_MS + 1 }).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.instance(error, RangeError);
  } finally {
    await removeDir(dir);
  }
});

test.run();
