/**
 * The walk on another thread (archive/walk-thread.ts) against the walk on this one, on real
 * files: the same entries in the same order with the same change-detection fields, the same
 * warnings and the same one-line failure; it stays within its look-ahead, and stops when told.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SeenEntry, SourceRoot } from '../../src/archive/walk-sources.ts';
import { resolveRoots, walkSources } from '../../src/archive/walk-sources.ts';
import { startThreadWalk } from '../../src/archive/walk-thread.ts';
import { dropPrestarted, prestartWalkThread, takePrestarted } from '../../src/archive/walk-prestart.ts';
import type { ThreadWalk } from '../../src/archive/walk-thread.ts';
import { SourceError } from '../../src/domain/errors.ts';
import { reserveSalts } from '../../src/archive/skesk.ts';
import { ripcordEncrypt } from '../helpers/encrypt.ts';
import { withGnupgHome } from '../helpers/gpg.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

async function tree(): Promise<string> {
  const dir = await tempDir('ripcord-walk-thread-');
  const root = path.join(dir, 'tree');
  for (let d = 0; d < 5; d++) {
    await fs.mkdir(path.join(root, `dir-${d}`, 'deeper'), { recursive: true });
    for (let f = 0; f < 40; f++) await fs.writeFile(path.join(root, `dir-${d}`, `f-${f}.txt`), `${d}/${f}\n`.repeat(f));
    await fs.writeFile(path.join(root, `dir-${d}`, 'deeper', 'z.log'), 'z');
  }
  await fs.symlink('dir-0/f-1.txt', path.join(root, 'link'));
  await fs.writeFile(path.join(root, 'ünïcode name.txt'), 'u');
  await fs.mkdir(path.join(root, 'skipped'));
  await fs.writeFile(path.join(root, 'skipped', 'secret'), 's');
  execFileSync('mkfifo', [path.join(root, 'a-fifo')]);
  return dir;
}

function walkWithThread(roots: SourceRoot[], cwd: string, warnings: string[], ahead?: number): ThreadWalk {
  const walk = startThreadWalk(
    roots,
    { cwd, exclude: ['*.log'], skip: [path.join(cwd, 'tree/skipped')], onWarning: (w) => warnings.push(w) },
    ahead === undefined ? {} : { ahead },
  );
  if (!walk) throw new Error('this machine has one processor: the walk on another thread cannot be tested here');
  return walk;
}

test('the same entries, order, change-detection fields and warnings as the walk on this thread', async () => {
  const dir = await tree();
  try {
    const roots = await resolveRoots(['tree'], dir);
    const here: string[] = [];
    const expected = [
      ...walkSources(roots, {
        cwd: dir,
        exclude: ['*.log'],
        skip: [path.join(dir, 'tree/skipped')],
        onWarning: (w) => here.push(w),
      }),
    ].map((e) => ({
      archivePath: e.archivePath,
      fsPath: e.fsPath,
      type: e.type,
      seen: {
        size: e.stats.size,
        mode: e.stats.mode,
        mtimeMs: e.stats.mtimeMs,
        ctimeMs: e.stats.ctimeMs,
        ino: e.stats.ino,
      },
    }));
    const there: string[] = [];
    const got: SeenEntry[] = [];
    for await (const batch of walkWithThread(roots, dir, there).batches()) got.push(...batch);
    assert.ok(expected.length > 200, `${expected.length} entries`);
    assert.equal(got, expected);
    assert.ok(got.some((e) => e.type === 'symlink') && got.some((e) => e.archivePath === 'tree/ünïcode name.txt'));
    assert.not.ok(got.some((e) => e.archivePath.endsWith('.log') || e.archivePath.startsWith('tree/skipped')));
    assert.equal(there, here);
    assert.equal(there.length, 1);
    assert.match(there[0]!, 'a-fifo is a FIFO; skipped');
  } finally {
    await removeDir(dir);
  }
});

test("a folder it cannot read fails with the walk on this thread's one line, as a SourceError", async () => {
  if (process.getuid?.() === 0) {
    // root reads any folder: take the place of one with a name that is not UTF-8 instead
    const dir = await tempDir('ripcord-walk-thread-');
    try {
      await fs.mkdir(path.join(dir, 'tree'));
      await fs.writeFile(Buffer.concat([Buffer.from(path.join(dir, 'tree/')), Buffer.from([0xff, 0x41])]), 'x');
      const roots = await resolveRoots(['tree'], dir);
      const here = (() => {
        try {
          [...walkSources(roots, { cwd: dir })];
        } catch (error) {
          return error as Error;
        }
        return undefined;
      })();
      const walk = startThreadWalk(roots, { cwd: dir });
      if (!walk) throw new Error('this machine has one processor: the walk on another thread cannot be tested here');
      const there = await (async () => {
        for await (const _ of walk.batches());
      })().catch((error: unknown) => error as Error);
      assert.instance(here, SourceError);
      assert.instance(there, SourceError);
      assert.is(there!.message, here!.message);
      assert.match(there!.message, 'not valid UTF-8');
    } finally {
      await removeDir(dir);
    }
    return;
  }
  const dir = await tree();
  try {
    await fs.chmod(path.join(dir, 'tree/dir-2'), 0o000);
    const roots = await resolveRoots(['tree'], dir);
    const walk = walkWithThread(roots, dir, []);
    const error = await (async () => {
      for await (const _ of walk.batches());
    })().catch((e: unknown) => e as Error);
    assert.instance(error, SourceError);
    assert.match(error!.message, 'cannot read');
  } finally {
    await fs.chmod(path.join(dir, 'tree/dir-2'), 0o755);
    await removeDir(dir);
  }
});

test('it walks no further ahead of its reader than it is allowed, and goes on as the reader takes', async () => {
  const dir = await tree();
  try {
    for (let f = 0; f < 600; f++) await fs.writeFile(path.join(dir, 'tree/dir-4', `more-${f}`), '');
    const roots = await resolveRoots(['tree'], dir);
    const all = [...walkSources(roots, { cwd: dir, exclude: ['*.log'], skip: [path.join(dir, 'tree/skipped')] })];
    assert.ok(all.length > 3 * 256, `${all.length} entries`); // without the limit, most would be waiting
    const walk = walkWithThread(roots, dir, [], 1);
    try {
      const batches = walk.batches();
      const first = await batches.next();
      await new Promise((resolve) => setTimeout(resolve, 500)); // time enough to walk them all
      // One entry ahead at most, the worker waits once it has posted a whole batch past what
      // was taken (a warning posts what it has before it, so the first may be less).
      assert.ok(walk.waiting() <= 256, `${walk.waiting()} entries waiting of ${all.length}`);
      let total = first.value!.length;
      for await (const batch of batches) total += batch.length;
      assert.is(total, all.length);
    } finally {
      walk.stop();
    }
  } finally {
    await removeDir(dir);
  }
});

test('a thread started ahead of its walk walks what the next walk on another thread gives it, as one started for it does', async () => {
  const dir = await tree();
  try {
    const roots = await resolveRoots(['tree'], dir);
    const warnings: string[] = [];
    const here = [...walkSources(roots, { cwd: dir, exclude: ['*.log'], skip: [path.join(dir, 'tree/skipped')] })];
    prestartWalkThread();
    const walk = walkWithThread(roots, dir, warnings);
    assert.is(takePrestarted(), undefined, 'the walk took the thread started ahead');
    const there: SeenEntry[] = [];
    for await (const batch of walk.batches()) there.push(...batch);
    assert.equal(
      there.map((e) => e.archivePath),
      here.map((e) => e.archivePath),
    );
    assert.equal(warnings.length, 1);
    await walk.exited;
  } finally {
    await removeDir(dir);
  }
});

test('a thread started ahead that a full backup has no use for is dropped: no walk takes it after', () => {
  prestartWalkThread();
  dropPrestarted();
  assert.is(takePrestarted(), undefined);
});

test('a thread started ahead that no walk takes keeps nobody waiting: the process exits at once', () => {
  const started = Date.now();
  // a process that starts one and ends: it must not wait for the thread
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { prestartWalkThread } from ${JSON.stringify(path.resolve('src/archive/walk-prestart.ts'))}; prestartWalkThread(); setTimeout(() => {}, 200);`,
    ],
    { timeout: 10_000 },
  ); // a thread that held the process would hold it for good
  assert.ok(Date.now() - started < 4000, `took ${Date.now() - started} ms`);
});

test('stopped half-way, the walk ends and lets the process go', async () => {
  const dir = await tree();
  try {
    const roots = await resolveRoots(['tree'], dir);
    const walk = walkWithThread(roots, dir, [], 1);
    const batches = walk.batches();
    await batches.next();
    await batches.return(undefined); // as a failed reader does: stops the worker
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 5000).unref());
    assert.is(await Promise.race([walk.exited.then(() => 'exited'), timeout]), 'exited');
  } finally {
    await removeDir(dir);
  }
});

test('with passphrase packets to come, it derives their keys first and hands them back; the packets made with them are what gpg decrypts', async () => {
  const dir = await tree();
  try {
    const roots = await resolveRoots(['tree'], dir);
    const passphrase = `walk thread ${Math.random()}`;
    const job = reserveSalts(passphrase, 2);
    const walk = startThreadWalk(roots, { cwd: dir }, { s2k: job });
    if (!walk) throw new Error('this machine has one processor: the walk on another thread cannot be tested here');
    let entries = 0;
    for await (const batch of walk.batches()) entries += batch.length; // the keys cross threads first
    assert.ok(entries > 200);
    await withGnupgHome(async (home) => {
      for (const text of ['the manifest', 'the archive']) {
        const message = await ripcordEncrypt(Buffer.from(text), { mode: 'passphrase', passphrase });
        // a new-format SKESK with a one-octet length: its salt at octets 6-13
        assert.ok(
          job.salts.some((salt) => salt.equals(message.subarray(6, 14))),
          `${text} took a reserved salt`,
        );
        const result = home.decrypt(message, passphrase);
        assert.is(result.status, 0, result.stderr);
        assert.is(result.stdout.toString(), text);
      }
    });
  } finally {
    await removeDir(dir);
  }
});

test.run();
