import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { replaceFile, writeFileAtomically } from '../../src/storage/replace-file.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

test("writeFileAtomically puts a new file in the old one's place with the mode asked for, and leaves nothing beside it", async () => {
  const dir = await tempDir();
  try {
    const file = path.join(dir, 'ripcord.prom');
    await fs.writeFile(file, 'old\n');
    const before = await fs.stat(file);
    await writeFileAtomically(file, 'new\n', 0o644);
    const after = await fs.stat(file);
    assert.is(await fs.readFile(file, 'utf8'), 'new\n');
    assert.is.not(after.ino, before.ino, 'replaced, not written in place');
    assert.is(after.mode & 0o777 & ~0o022, 0o644 & ~0o022);
    assert.equal(await fs.readdir(dir), ['ripcord.prom']);
  } finally {
    await removeDir(dir);
  }
});

test('replaceFile keeps the old file and removes the partial one when the write fails', async () => {
  const dir = await tempDir();
  try {
    const file = path.join(dir, 'report.json');
    await fs.writeFile(file, '{}\n');
    let partialSeen = '';
    const failure = await replaceFile(file, async (partial) => {
      partialSeen = partial;
      await fs.writeFile(partial, 'half');
      throw new Error('disk full');
    }).then(
      () => undefined,
      (error: Error) => error,
    );
    assert.is(failure?.message, 'disk full');
    assert.ok(path.basename(partialSeen).startsWith('report.json.partial-'), partialSeen);
    assert.is(await fs.readFile(file, 'utf8'), '{}\n');
    assert.equal(await fs.readdir(dir), ['report.json']);
  } finally {
    await removeDir(dir);
  }
});

test.run();
