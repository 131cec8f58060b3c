/** restore at the operation level, where a failure can be injected mid-apply. */
import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBackup } from '../../src/ops/backup.ts';
import { applyRestore, compareWithTarget, planRestore } from '../../src/ops/restore.ts';
import { readManifest } from '../../src/ops/read-snapshot.ts';
import { listSnapshots } from '../../src/ops/repository.ts';
import type { ApplyRestoreOptions } from '../../src/ops/restore.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import { ripcord } from '../helpers/cli.ts';
import { diffTrees, entryWithOtherContent, makeAwkwardTree, readTree, removeDir, tempDir } from '../helpers/tree.ts';
import { CountingStore } from '../helpers/counting-store.ts';
import { rewriteManifest } from '../helpers/rewrite-manifest.ts';
import { PARALLEL_FROM } from '../../src/ops/stage-writer.ts';
import type { Reporter } from '../../src/domain/events.ts';

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
    // every file drifted: the restore reads the whole archive (a few would be read by the index)
    for (const entry of await fs.readdir(source, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) await fs.appendFile(path.join(entry.parentPath, entry.name), 'drifted\n');
    }
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

/** Every path below `root` with its modification time in whole seconds (links not followed). */
async function timesOf(root: string): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  for (const name of (await fs.readdir(root, { recursive: true })).sort()) {
    times.set(name, Math.floor((await fs.lstat(path.join(root, name))).mtimeMs / 1000));
  }
  return times;
}

/** A reporter that calls `atApply` with the target's staging folder when the restore starts moving entries. */
function atApplyPhase(target: string, atApply: (staging: string) => void): Reporter {
  return {
    emit(event) {
      if (event.type !== 'phase' || event.phase !== 'apply') return;
      const staging = readdirSync(target).find((name) => name.startsWith('.ripcord'));
      assert.ok(staging, 'the staging folder is in the target while entries are moved');
      atApply(path.join(target, staging!));
    },
  };
}

/**
 * Back up an awkward tree and restore it into dir/target (made empty first when `existing`),
 * with `extra` options; the failure, if any, is returned, not thrown.
 */
async function restoreIntoNewFolder(dir: string, existing: boolean, extra: Partial<ApplyRestoreOptions> = {}) {
  const { source, store, snapshot } = await backUpAwkwardTree(dir);
  const target = path.join(dir, 'target');
  if (existing) await fs.mkdir(target);
  const plan = await planRestore({ store, reference: snapshot.id, target, keys: { passphrase: keys.passphrase } });
  const error = await applyRestore(plan, {
    store,
    keys: { passphrase: keys.passphrase },
    encryptionKeys: keys,
    origin,
    ...extra,
  }).then(
    () => undefined,
    (e: Error) => e,
  );
  return { source, target, plan, error };
}

for (const existing of [false, true]) {
  test(`a restore into ${existing ? 'an empty folder' : 'a folder that does not exist'} stages the tree as it will stand and moves it in by its top-level entries: contents, modes and times as backed up`, async () => {
    const dir = await tempDir();
    try {
      const target = path.join(dir, 'target');
      let staged: string[] = [];
      const applied: number[] = [];
      const { source, plan, error } = await restoreIntoNewFolder(dir, existing, {
        reporter: atApplyPhase(target, (staging) => {
          staged = readdirSync(path.join(staging, 'tree')).sort();
        }),
        afterApply: (count) => {
          applied.push(count);
        },
      });
      assert.is(error, undefined);
      assert.equal(staged, ['config', 'scripts', 'state'], 'the staging folder holds the tree by its own names');
      assert.is(applied.length, 3, 'one move per top-level entry');
      assert.is(applied.at(-1), plan.selected.size);
      assert.equal(await diffTrees(source, target), []);
      assert.equal(await timesOf(target), await timesOf(source));
    } finally {
      await removeDir(dir);
    }
  });
}

test('something that appears in an empty target while the restore runs is not replaced', async () => {
  const dir = await tempDir();
  try {
    const target = path.join(dir, 'target');
    const { error } = await restoreIntoNewFolder(dir, true, {
      reporter: atApplyPhase(target, () => writeFileSync(path.join(target, 'scripts'), 'written meanwhile\n')),
    });
    assert.ok(error, 'the restore stops');
    assert.match(error!.message, /scripts appeared in the target while the restore ran/);
    assert.is(await fs.readFile(path.join(target, 'scripts'), 'utf8'), 'written meanwhile\n');
    assert.equal((await fs.readdir(target)).sort(), ['scripts'], 'nothing else was moved in');
  } finally {
    await removeDir(dir);
  }
});

test('a restore into an empty folder interrupted after its first top-level entry is undone by its pre-restore snapshot', async () => {
  const dir = await tempDir();
  try {
    const { target, error: failure } = await restoreIntoNewFolder(dir, true, {
      afterApply() {
        throw new Error('injected failure');
      },
    });
    assert.ok(failure, 'the injected failure surfaced');
    assert.equal(await fs.readdir(target), ['config'], 'the first top-level entry was moved in');
    const m = /run "ripcord restore (\S+) --target/.exec(failure!.message);
    assert.ok(m, `the error names the pre-restore snapshot: ${failure!.message}`);
    const undo = await ripcord(['restore', m![1]!, '--repo', path.join(dir, 'repo'), '--target', target, '--yes'], {
      env: { RIPCORD_PASSPHRASE: keys.passphrase },
    });
    assert.is(undo.code, 0, undo.stderr);
    assert.equal(await fs.readdir(target), [], 'the target is empty again');
  } finally {
    await removeDir(dir);
  }
});

test('a restore over the tree it was taken of writes only what changed: the rest keeps its inode, and the pre-restore snapshot holds only the change', async () => {
  const dir = await tempDir();
  try {
    const source = path.join(dir, 'source');
    await fs.mkdir(path.join(source, 'conf'), { recursive: true });
    for (let i = 0; i < 20; i++) await fs.writeFile(path.join(source, 'conf', `f${i}.yaml`), `key: ${i}\n`);
    const store = new LocalStore(path.join(dir, 'repo'));
    // files written in the same clock tick as the backup are read again whatever their times say
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { snapshot } = await createBackup({ store, paths: ['conf'], cwd: source, keys, origin });
    const inode = (name: string) => lstatSync(path.join(source, 'conf', name)).ino;
    const before = inode('f7.yaml');
    const changed = path.join(source, 'conf', 'f3.yaml');
    await fs.writeFile(changed, 'key: broken\n');
    await fs.writeFile(path.join(source, 'conf', 'added.yaml'), 'new\n');

    const plan = await planRestore({ store, reference: snapshot.id, target: source, delete: true, keys });
    assert.equal(plan.counts, { add: 0, change: 1, remove: 1, unchanged: 20 });
    const result = await applyRestore(plan, { store, keys, encryptionKeys: keys, origin });
    assert.is(await fs.readFile(changed, 'utf8'), 'key: 3\n');
    assert.not.ok(await fs.stat(path.join(source, 'conf', 'added.yaml')).catch(() => undefined));
    assert.is(inode('f7.yaml'), before, 'an unchanged file is left where it is, not written again');

    const preRestore = result.preRestoreSnapshot!;
    const { entries } = await readManifest(store, preRestore, keys);
    assert.equal(entries.map((e) => e.path).sort(), ['conf/added.yaml', 'conf/f3.yaml']);
    assert.ok((await listSnapshots(store)).snapshots.some((s) => s.id === preRestore.id));
  } finally {
    await removeDir(dir);
  }
});

test('a file whose size, mode, times and inode are what the snapshot read is unchanged unread, unless content is asked for', async () => {
  const dir = await tempDir();
  try {
    const file = path.join(dir, 'db.bin');
    await fs.writeFile(file, 'what the disk holds now\n');
    const stats = lstatSync(file);
    // bit rot: the bytes differ from what the snapshot hashed, the metadata does not
    const entry = entryWithOtherContent(file, 'db.bin');
    const later = Math.max(stats.mtimeMs, stats.ctimeMs) + 1000;
    assert.is((await compareWithTarget(dir, entry, { started: later })).action, 'unchanged');
    assert.is((await compareWithTarget(dir, entry)).action, 'change', 'without trust, the content is compared');
    // read by the snapshot within a clock tick of its last write: racily clean, read again
    assert.is((await compareWithTarget(dir, entry, { started: later - 1000 })).action, 'change');
    assert.is((await compareWithTarget(dir, { ...entry, ino: stats.ino + 1 }, { started: later })).action, 'change');
  } finally {
    await removeDir(dir);
  }
});

/** 16 MiB of random blobs and two configs, the first of them (1.5 MB) first in the archive. */
async function largeTree(source: string): Promise<void> {
  await fs.mkdir(path.join(source, 'data'), { recursive: true });
  await fs.writeFile(path.join(source, 'data', 'a.conf'), 'port=8080\n'.repeat(150_000));
  for (let i = 0; i < 16; i++)
    await fs.writeFile(path.join(source, 'data', `blob${String(i).padStart(2, '0')}`), randomBytes(1 << 20));
  await fs.writeFile(path.join(source, 'data', 'blob07.conf'), 'workers=4\n');
}

test('a restore that writes a few files of a large snapshot reads only the parts of the archive that hold them, from a chain link too', async () => {
  const dir = await tempDir();
  try {
    const source = path.join(dir, 'source');
    await largeTree(source);
    const store = new CountingStore(new LocalStore(path.join(dir, 'repo')));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const base = await createBackup({ store, paths: ['data'], cwd: source, keys, origin });
    await fs.writeFile(path.join(source, 'data', 'added.txt'), 'new\n');
    const link = await createBackup({
      store,
      paths: ['data'],
      cwd: source,
      keys,
      origin,
      level: 'incremental',
      parentKeys: async () => keys,
    });
    assert.is(link.snapshot.parent, base.snapshot.id);
    const before = await readTree(source);

    await fs.writeFile(path.join(source, 'data', 'blob07.conf'), 'workers=64\n');
    await fs.writeFile(path.join(source, 'data', 'blob12'), 'truncated');
    store.served.clear();
    const plan = await planRestore({ store, reference: link.snapshot.id, target: source, keys });
    assert.is(plan.counts.change, 2);
    await applyRestore(plan, { store, keys, encryptionKeys: keys, origin, noPreRestore: true });
    assert.equal(await readTree(source), before);
    const fromBase = store.served.get(`${base.snapshot.id}/archive.tar.gz.pgp`) ?? 0;
    assert.ok(fromBase > 0 && fromBase < 3.5 * (1 << 20), `read ${fromBase} of ${base.snapshot.archiveBytes} bytes`);
  } finally {
    await removeDir(dir);
  }
});

test('a flipped bit in what a ranged restore reads is refused before anything is moved into place', async () => {
  const dir = await tempDir();
  try {
    const source = path.join(dir, 'source');
    await largeTree(source);
    const store = new CountingStore(new LocalStore(path.join(dir, 'repo')));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { snapshot } = await createBackup({ store, paths: ['data'], cwd: source, keys, origin });
    await fs.writeFile(path.join(source, 'data', 'a.conf'), 'drifted\n');
    const drifted = await readTree(source);
    const plan = await planRestore({ store, reference: snapshot.id, target: source, keys });
    assert.is(plan.counts.change, 1);
    // a.conf (1.5 MB of text) is the archive's first file: it is all the first gzip member
    // holds, and the middle of that member's compressed bytes is the middle of a.conf
    const { index } = plan.archive;
    const at = index!.head + 60 + Math.floor(index!.members[0]! / 2);
    const archive = path.join(dir, 'repo', snapshot.id, 'archive.tar.gz.pgp');
    const bytes = await fs.readFile(archive);
    bytes[at]! ^= 0x04;
    await fs.writeFile(archive, bytes);
    const error = await applyRestore(plan, { store, keys, encryptionKeys: keys, origin }).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(error, 'refused');
    assert.match(error!.message, new RegExp(`snapshot ${snapshot.id}: archive\\.tar\\.gz\\.pgp is damaged`));
    assert.equal(await readTree(source), drifted, 'the target is untouched');
    const read = store.served.get(`${snapshot.id}/archive.tar.gz.pgp`) ?? 0;
    assert.ok(read > 0 && read < snapshot.archiveBytes / 4, `a ranged read: ${read} of ${snapshot.archiveBytes} bytes`);
    assert.equal(
      (await fs.readdir(path.join(dir, 'repo'))).filter((n) => n !== snapshot.id && !n.startsWith('.')),
      [],
    );
  } finally {
    await removeDir(dir);
  }
});

test('a restore large enough for the staging worker, of a snapshot whose manifest lists another sha256 for a file, is refused before anything is moved in', async () => {
  const dir = await tempDir();
  try {
    const source = path.join(dir, 'source');
    await largeTree(source);
    const repo = path.join(dir, 'repo');
    const store = new LocalStore(repo);
    const { snapshot } = await createBackup({ store, paths: ['data'], cwd: source, keys, origin });
    assert.ok(snapshot.inputBytes >= PARALLEL_FROM, 'the restore writes through the worker');
    // forged by a key holder: blob05's listed digest is another file's
    await rewriteManifest(repo, snapshot.id, keys.passphrase, (text) =>
      text.replace(/("path":"data\/blob05".*?"sha256":")[0-9a-f]{64}/, `$1${'ab'.repeat(32)}`),
    );
    const target = path.join(dir, 'target');
    const plan = await planRestore({ store, reference: snapshot.id, target, keys });
    const error = await applyRestore(plan, { store, keys, encryptionKeys: keys, origin }).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(error, 'refused');
    assert.match(error!.message, /data\/blob05 does not match its sha256 in the manifest/);
    assert.equal(
      (await fs.readdir(target).catch(() => [])).filter((n) => !n.startsWith('.ripcord')),
      [],
    );
  } finally {
    await removeDir(dir);
  }
});

test.run();
