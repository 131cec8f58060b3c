/** This user's private folder: owner and mode checked before use, scratch files with no name, scratch folders of dead processes swept. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { text } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeScratchFolder, openScratchFile, privateFolder } from '../../src/ops/private-folder.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const uid = process.getuid!();
const own = `ripcord-${uid}`;

/** Run `work` with TMPDIR pointing at a new folder (privateFolder() follows it). */
async function withTmp(work: (tmp: string) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    await work(dir);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    await removeDir(dir);
  }
}

test('the private folder is made mode 0700 under TMPDIR, and every call in a process gives the same one', async () => {
  await withTmp(async (tmp) => {
    const folder = await privateFolder();
    assert.is(folder, path.join(tmp, own));
    const stats = await fs.lstat(folder);
    assert.is(stats.mode & 0o777, 0o700);
    assert.is(stats.uid, uid);
    assert.is(await privateFolder(), folder);
  });
});

test('a folder of ours that others can write into is passed over; a readable one is tightened to 0700 and used', async () => {
  await withTmp(async (tmp) => {
    await fs.mkdir(path.join(tmp, own));
    await fs.chmod(path.join(tmp, own), 0o777);
    await fs.mkdir(path.join(tmp, `${own}-1`));
    await fs.chmod(path.join(tmp, `${own}-1`), 0o755);
    const folder = await privateFolder();
    assert.is(folder, path.join(tmp, `${own}-1`));
    assert.is((await fs.stat(folder)).mode & 0o777, 0o700);
  });
});

test("a symlink in the private folder's place is passed over, even to a folder of ours", async () => {
  await withTmp(async (tmp) => {
    await fs.mkdir(path.join(tmp, 'elsewhere'), { mode: 0o700 });
    await fs.symlink(path.join(tmp, 'elsewhere'), path.join(tmp, own));
    assert.is(await privateFolder(), path.join(tmp, `${own}-1`));
  });
});

test('a scratch file has no name from the moment it is opened, and reads back what was written as often as asked', async () => {
  await withTmp(async () => {
    const scratch = await openScratchFile('test');
    try {
      assert.equal(await fs.readdir(await privateFolder()), []);
      await pipeline(Readable.from([Buffer.from('decrypted\n')]), scratch.write());
      assert.is(await text(scratch.read()), 'decrypted\n');
      assert.is(await text(scratch.read()), 'decrypted\n');
    } finally {
      await scratch.close();
    }
  });
});

test("scratch folders of processes that are gone are removed by the next process's first use; a live process's are kept", async () => {
  await withTmp(async (tmp) => {
    const folder = path.join(tmp, own);
    await fs.mkdir(folder, { mode: 0o700 });
    const child = spawn('true');
    const deadPid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid!)));
    const dead = path.join(folder, `scratch-${deadPid}-capture-0123456789ab`);
    const live = path.join(folder, `scratch-${process.pid}-capture-0123456789ab`);
    for (const dir of [dead, live]) {
      await fs.mkdir(dir);
      await fs.writeFile(path.join(dir, 'db'), 'captured');
    }
    const scratch = await makeScratchFolder('capture');
    assert.equal((await fs.readdir(folder)).sort(), [path.basename(live), path.basename(scratch.dir)].sort());
    await scratch.remove();
  });
});

test('a scratch file stays open when a stream over it fails or is abandoned, until it is closed', async () => {
  await withTmp(async () => {
    const scratch = await openScratchFile('test');
    try {
      await pipeline(Readable.from([Buffer.from('first\n')]), scratch.write());
      const failing = Readable.from(
        (async function* () {
          yield Buffer.from('half');
          throw new Error('the decryption failed');
        })(),
      );
      const error = await pipeline(failing, scratch.write()).then(
        () => undefined,
        (e: Error) => e,
      );
      assert.match(error?.message ?? '', /the decryption failed/);
      const abandoned = scratch.read();
      for await (const _ of abandoned) break;
      await pipeline(Readable.from([Buffer.from('second\n')]), scratch.write());
      assert.is(await text(scratch.read()), 'second\n', 'a new write starts the file anew');
    } finally {
      await scratch.close();
    }
  });
});

test('a TMPDIR everyone can write without the sticky bit is refused with one line saying what to do', async () => {
  await withTmp(async (tmp) => {
    await fs.chmod(tmp, 0o777);
    const error = await privateFolder().then(
      () => undefined,
      (e: Error) => e,
    );
    assert.match(
      error?.message ?? '',
      /is writable by everyone but not sticky.*set TMPDIR to a folder only you can write, or chmod \+t/,
    );
    await fs.chmod(tmp, 0o1777);
    assert.is(await privateFolder(), path.join(tmp, own), 'once sticky, it is used');
  });
});

test.run();
