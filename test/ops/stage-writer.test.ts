/**
 * The staging writer, on this thread and on its worker: the same files, modes and times either
 * way, the file system's own error when a step fails, and a restore large enough to use the
 * worker, end to end, onto a disk that is too small for it.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBackup } from '../../src/ops/backup.ts';
import { applyRestore, planRestore } from '../../src/ops/restore.ts';
import { InlineWriter, PARALLEL_FROM, WorkerWriter, type StagingWriter } from '../../src/ops/stage-writer.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import { canMountTmpfs, mountTmpfs } from '../reliability/disk-full-trials.ts';
import { diffTrees, removeDir, tempDir } from '../helpers/tree.ts';

const keys = { mode: 'passphrase', passphrase: 'stage writer' } as const;
const origin = { host: 'test', user: 'test' };

interface Planned {
  name: string;
  content: Buffer;
  mode: number;
  mtime: number;
}

/** Files of every awkward size: empty, one byte, many small ones, and some that span batches. */
function plannedFiles(): Planned[] {
  const sizes = [
    0,
    1,
    15,
    4096,
    65_537,
    (1 << 20) - 1,
    1 << 20,
    (3 << 20) + 7,
    ...Array.from({ length: 1200 }, (_, i) => i % 97),
  ];
  return sizes.map((size, i) => ({
    name: `f${i}`,
    content: randomBytes(size),
    mode: i % 3 === 0 ? 0o755 : 0o640,
    mtime: 1_600_000_000 + i * 61,
  }));
}

/** Write them in uneven chunks, waiting whenever the writer asks. */
async function writeAll(writer: StagingWriter, dir: string, files: Planned[]): Promise<void> {
  for (const file of files) {
    writer.open(path.join(dir, file.name), file.mode);
    for (let at = 0; at < file.content.length; ) {
      const n = Math.min(file.content.length - at, 1 + ((at * 7919) % 300_000));
      const wait = writer.write(file.content.subarray(at, at + n));
      if (await wait) await wait;
      at += n;
    }
    writer.close(undefined, file.mtime);
  }
  await writer.finish();
}

for (const [label, make] of [
  ['on this thread', () => new InlineWriter()],
  ['on a worker thread', () => new WorkerWriter()],
] as const) {
  test(`the staging writer ${label} writes every file whole, with its mode and time`, async () => {
    const dir = await tempDir();
    try {
      const files = plannedFiles();
      await writeAll(make(), dir, files);
      assert.is(readdirSync(dir).length, files.length);
      for (const file of files) {
        const full = path.join(dir, file.name);
        const stats = await fs.stat(full);
        assert.ok((await fs.readFile(full)).equals(file.content), `${file.name}: content`);
        assert.is(stats.mode & 0o777, file.mode & ~process.umask() & 0o777, `${file.name}: mode`);
        assert.is(Math.floor(stats.mtimeMs / 1000), file.mtime, `${file.name}: time`);
      }
    } finally {
      await removeDir(dir);
    }
  });

  test(`the staging writer ${label} fails with the file system's error and writes nothing after it`, async () => {
    const dir = await tempDir();
    try {
      await fs.writeFile(path.join(dir, 'taken'), 'here first');
      const writer = make();
      const files = plannedFiles().slice(0, 40);
      const error = await writeAll(writer, dir, [
        ...files.slice(0, 20),
        { name: 'taken', content: Buffer.from('x'), mode: 0o600, mtime: 1 },
        ...files.slice(20),
      ]).then(
        () => undefined,
        (e: NodeJS.ErrnoException) => e,
      );
      await writer.stop();
      assert.ok(error, 'the writer failed');
      assert.is(error!.code, 'EEXIST');
      assert.is(error!.syscall, 'open');
      assert.is(await fs.readFile(path.join(dir, 'taken'), 'utf8'), 'here first');
      // every file before the failure is whole; none after it was made
      for (const file of files.slice(0, 20))
        assert.ok((await fs.readFile(path.join(dir, file.name))).equals(file.content), file.name);
      assert.is(readdirSync(dir).length, 21);
    } finally {
      await removeDir(dir);
    }
  });
}

test('a stopped worker writer closes what it had open and writes nothing more', async () => {
  const dir = await tempDir();
  try {
    const descriptors = () => readdirSync('/proc/self/fd').length;
    const before = descriptors();
    const writer = new WorkerWriter();
    writer.open(path.join(dir, 'half'), 0o600);
    const wait = writer.write(randomBytes(3 << 20));
    if (await wait) await wait;
    await writer.stop();
    const size = (await fs.stat(path.join(dir, 'half'))).size;
    assert.ok(size <= 3 << 20, 'no more than was given');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.is((await fs.stat(path.join(dir, 'half'))).size, size, 'nothing written once stop() resolved');
    assert.is(descriptors(), before, 'no descriptor left open');
  } finally {
    await removeDir(dir);
  }
});

// A restore of more than PARALLEL_FROM goes through the worker: onto a disk too small for it,
// it says the disk is full and leaves the target as it was.
const mountable = canMountTmpfs();
test(`a restore large enough for the staging worker, onto a disk too small for it, says the disk is full and changes nothing${mountable ? '' : ' (NOT RUN: this machine cannot mount a tmpfs)'}`, async () => {
  if (!mountable) assert.unreachable('needs a tmpfs: run as root or with passwordless sudo');
  const dir = await tempDir();
  const small = await mountTmpfs(path.join(dir, 'small'), 8 << 20);
  try {
    const source = path.join(dir, 'source');
    await fs.mkdir(path.join(source, 'data'), { recursive: true });
    for (let i = 0; i < 5; i++) await fs.writeFile(path.join(source, 'data', `blob${i}`), randomBytes(4 << 20));
    const store = new LocalStore(path.join(dir, 'repo'));
    const { snapshot } = await createBackup({ store, paths: ['data'], cwd: source, keys, origin });
    assert.ok(snapshot.inputBytes >= PARALLEL_FROM, 'large enough for the worker');

    const target = path.join(small.dir, 'app');
    await fs.mkdir(path.join(target, 'data'), { recursive: true });
    await fs.writeFile(path.join(target, 'data', 'blob0'), 'what was there');
    const plan = await planRestore({ store, reference: snapshot.id, target, keys: { passphrase: keys.passphrase } });
    const error = await applyRestore(plan, {
      store,
      keys: { passphrase: keys.passphrase },
      noPreRestore: true,
      origin,
    }).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(error, 'the restore failed');
    assert.match(error!.message, /the disk is full/);
    assert.is(await fs.readFile(path.join(target, 'data', 'blob0'), 'utf8'), 'what was there');
    assert.equal(readdirSync(target), ['data'], 'no staging folder left behind');

    // and with room, the same restore is exact
    const roomy = path.join(dir, 'roomy');
    const fine = await planRestore({
      store,
      reference: snapshot.id,
      target: roomy,
      keys: { passphrase: keys.passphrase },
    });
    await applyRestore(fine, { store, keys: { passphrase: keys.passphrase }, noPreRestore: true, origin });
    assert.equal(await diffTrees(source, roomy), []);
  } finally {
    await small.unmount();
    await removeDir(dir);
  }
});

test.run();
