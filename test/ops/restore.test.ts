/** restore at the operation level, where a failure can be injected mid-apply. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBackup } from '../../src/ops/backup.ts';
import { applyRestore, planRestore } from '../../src/ops/restore.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import { ripcord } from '../helpers/cli.ts';
import { diffTrees, makeAwkwardTree, removeDir, tempDir } from '../helpers/tree.ts';

const keys = { mode: 'passphrase', passphrase: 'ops restore' } as const;
const origin = { host: 'test', user: 'test' };

/** An awkward tree in dir/source, backed up to a local repository in dir/repo. */
async function backUpAwkwardTree(dir: string) {
  const source = path.join(dir, 'source');
  await fs.mkdir(source);
  const roots = await makeAwkwardTree(source, 1);
  const store = new LocalStore(path.join(dir, 'repo'));
  const { snapshot } = await createBackup({ store, paths: roots, cwd: source, keys, origin });
  return { source, store, snapshot };
}

for (const failAfter of [1, 4, 9]) {
  test(`a restore interrupted after ${failAfter} applied entries can be undone exactly with the pre-restore snapshot`, async () => {
    const dir = await tempDir();
    try {
      const { source, store, snapshot } = await backUpAwkwardTree(dir);
      // drift, then keep a copy of the drifted state
      await fs.writeFile(path.join(source, 'config/app.yaml'), 'drifted\n');
      await fs.writeFile(path.join(source, 'config/new.txt'), 'new\n');
      await fs.rm(path.join(source, 'scripts'), { recursive: true });
      const drifted = path.join(dir, 'drifted');
      await fs.cp(source, drifted, { recursive: true, verbatimSymlinks: true });

      const plan = await planRestore({
        store,
        reference: snapshot.id,
        target: source,
        delete: true,
        keys: { passphrase: keys.passphrase },
      });
      const failure = await applyRestore(plan, {
        store,
        keys: { passphrase: keys.passphrase },
        encryptionKeys: keys,
        origin,
        afterApply(applied) {
          if (applied === failAfter) throw new Error('injected failure');
        },
      }).then(
        () => undefined,
        (error: Error) => error,
      );
      assert.ok(failure, 'the injected failure surfaced');
      const m = /run "ripcord restore (\S+) --target/.exec(failure!.message);
      assert.ok(m, `the error names the pre-restore snapshot: ${failure!.message}`);

      const undo = await ripcord(['restore', m![1]!, '--repo', path.join(dir, 'repo'), '--target', source, '--yes'], {
        env: { RIPCORD_PASSPHRASE: keys.passphrase },
      });
      assert.is(undo.code, 0, undo.stderr);
      assert.equal(await diffTrees(drifted, source), []);
    } finally {
      await removeDir(dir);
    }
  });
}

test('a failure while staging leaves the target untouched and takes no pre-restore snapshot', async () => {
  const dir = await tempDir();
  try {
    const { source, store, snapshot } = await backUpAwkwardTree(dir);
    await fs.writeFile(path.join(source, 'config/app.yaml'), 'drifted\n');
    const plan = await planRestore({
      store,
      reference: snapshot.id,
      target: source,
      keys: { passphrase: keys.passphrase },
    });
    // damage the archive after planning (the manifest is already read)
    const archive = path.join(dir, 'repo', snapshot.id, 'archive.tar.gz.pgp');
    const bytes = await fs.readFile(archive);
    bytes[Math.floor(bytes.length / 2)]! ^= 1;
    await fs.writeFile(archive, bytes);
    const before = await fs.readFile(path.join(source, 'config/app.yaml'), 'utf8');
    const error = await applyRestore(plan, {
      store,
      keys: { passphrase: keys.passphrase },
      encryptionKeys: keys,
      origin,
    }).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(error);
    assert.match(error!.message, /archive\.tar\.gz\.pgp/);
    assert.is(await fs.readFile(path.join(source, 'config/app.yaml'), 'utf8'), before);
    const folders = (await fs.readdir(path.join(dir, 'repo'))).filter((n) => n !== snapshot.id);
    assert.equal(folders, [], 'no pre-restore snapshot');
    assert.equal(
      (await fs.readdir(source)).filter((n) => n.startsWith('.ripcord')),
      [],
    );
  } finally {
    await removeDir(dir);
  }
});

test.run();
