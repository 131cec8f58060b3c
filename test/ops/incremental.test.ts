/**
 * Incremental and differential snapshots at the operation level, on real files: change
 * detection, what a link stores, and restoring every snapshot of a chain to exactly the tree
 * it was taken of (deletions, type changes, modes, times and links included).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { lstatSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ManifestEntry } from '../../src/domain/manifest.ts';
import type { SnapshotMetadata } from '../../src/domain/snapshot.ts';
import { sealMetadata, serializeMetadata } from '../../src/domain/snapshot.ts';
import type { BackupRequest } from '../../src/ops/backup.ts';
import { createBackup } from '../../src/ops/backup.ts';
import type { Parent } from '../../src/ops/incremental.ts';
import { againstParent, inBatches, REMOVED_RECORD } from '../../src/ops/incremental.ts';
import { withManifest } from '../../src/ops/read-snapshot.ts';
import { applyRestore, planRestore } from '../../src/ops/restore.ts';
import type { SeenEntry, SourceEntry, SourceRoot } from '../../src/archive/walk-sources.ts';
import { walkSources } from '../../src/archive/walk-sources.ts';
import { startThreadWalk } from '../../src/archive/walk-thread.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import { ParentTree } from '../../src/ops/parent-tree.ts';
import { diffTrees, entryWithOtherContent, removeDir, tempDir } from '../helpers/tree.ts';

const keys = { mode: 'passphrase', passphrase: 'chains' } as const;
const decryption = { passphrase: 'chains' };
const origin = { host: 'test', user: 'test' };

/**
 * A file written within a clock tick of the backup that reads it is read again by the next
 * one (racily clean, ops/incremental.ts): a tree that is to be carried is left alone this long first.
 */
function quiet(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 100));
}

interface Bench {
  dir: string;
  tree: string;
  store: LocalStore;
  /** a copy of the tree as each snapshot saw it, by id */
  expected: Map<string, string>;
}

async function bench(): Promise<Bench> {
  const dir = await tempDir();
  const tree = path.join(dir, 'tree');
  await fs.mkdir(path.join(tree, 'app/conf'), { recursive: true });
  await fs.mkdir(path.join(tree, 'app/old-dir/deep'), { recursive: true });
  await fs.writeFile(path.join(tree, 'app/conf/a.yaml'), 'a: 1\n');
  await fs.writeFile(path.join(tree, 'app/conf/b.yaml'), 'b: 1\n'.repeat(1000));
  await fs.writeFile(path.join(tree, 'app/old-dir/deep/x'), 'x');
  await fs.writeFile(path.join(tree, 'app/becomes-dir'), 'a file now');
  await fs.writeFile(path.join(tree, 'app/gone.txt'), 'deleted later');
  await fs.symlink('conf/a.yaml', path.join(tree, 'app/link'));
  await fs.writeFile(path.join(tree, 'app/run.sh'), '#!/bin/sh\n', { mode: 0o644 });
  return { dir, tree, store: new LocalStore(path.join(dir, 'repo')), expected: new Map() };
}

async function backUp(b: Bench, request: Partial<BackupRequest> = {}): Promise<SnapshotMetadata> {
  await quiet();
  const { snapshot } = await createBackup({
    store: b.store,
    paths: ['app'],
    cwd: b.tree,
    keys,
    origin,
    parentKeys: async () => decryption,
    ...request,
  });
  const copy = path.join(b.dir, `expected-${b.expected.size}`);
  execFileSync('cp', ['-a', b.tree, copy]);
  b.expected.set(snapshot.id, copy);
  return snapshot;
}

async function manifestOf(b: Bench, snapshot: SnapshotMetadata): Promise<ManifestEntry[]> {
  return withManifest(b.store, snapshot, decryption, async (manifest) => {
    const entries: ManifestEntry[] = [];
    for await (const entry of manifest.entries) entries.push(entry);
    return entries;
  });
}

/** Restore `id` into a new folder and compare it with the tree it was taken of, times included. */
async function restoredMatches(b: Bench, id: string): Promise<void> {
  const target = path.join(b.dir, `restored-${id}`);
  const plan = await planRestore({ store: b.store, reference: id, target, keys: decryption });
  await applyRestore(plan, { store: b.store, keys: decryption, origin });
  const expected = b.expected.get(id)!;
  assert.equal(await diffTrees(expected, target), [], `snapshot ${id} restores its tree`);
  for (const name of ['app/conf/a.yaml', 'app/conf/b.yaml', 'app/run.sh']) {
    const want = lstatSync(path.join(expected, name), { throwIfNoEntry: false });
    if (!want) continue;
    assert.is(
      Math.floor(lstatSync(path.join(target, name)).mtimeMs / 1000),
      Math.floor(want.mtimeMs / 1000),
      `${name} keeps its time`,
    );
  }
  await removeDir(target);
}

test('a chain of full, incremental, incremental and differential restores every snapshot exactly: deletions, type changes, modes and links', async () => {
  const b = await bench();
  try {
    const full = await backUp(b, { level: 'incremental' }); // nothing to build on yet: a full one
    assert.is(full.level, undefined, 'the first snapshot is a full one');

    await fs.writeFile(path.join(b.tree, 'app/conf/a.yaml'), 'a: 2\n');
    await fs.rm(path.join(b.tree, 'app/gone.txt'));
    await fs.rm(path.join(b.tree, 'app/becomes-dir'));
    await fs.mkdir(path.join(b.tree, 'app/becomes-dir'));
    await fs.writeFile(path.join(b.tree, 'app/becomes-dir/inside'), 'inside');
    await fs.rm(path.join(b.tree, 'app/old-dir'), { recursive: true });
    await fs.writeFile(path.join(b.tree, 'app/old-dir'), 'a folder before');
    await fs.chmod(path.join(b.tree, 'app/run.sh'), 0o755);
    const first = await backUp(b, { level: 'incremental' });
    assert.equal(
      { level: first.level, parent: first.parent, base: first.base },
      { level: 'incremental', parent: full.id, base: full.id },
    );
    assert.is(first.parentManifestSha256, full.objects['manifest.json.pgp'].sha256);

    await fs.rm(path.join(b.tree, 'app/link'));
    await fs.symlink('conf/b.yaml', path.join(b.tree, 'app/link'));
    await fs.writeFile(path.join(b.tree, 'app/new.txt'), 'new');
    const second = await backUp(b, { level: 'incremental' });
    assert.equal({ parent: second.parent, base: second.base }, { parent: first.id, base: full.id });

    await fs.rm(path.join(b.tree, 'app/conf/b.yaml'));
    const differential = await backUp(b, { level: 'differential' });
    assert.equal(
      { level: differential.level, parent: differential.parent, base: differential.base },
      { level: 'differential', parent: full.id, base: full.id },
    );

    // what each link stores: an unchanged file names the link that holds it
    const entries = new Map((await manifestOf(b, second)).map((e) => [e.path, e]));
    assert.is(entries.get('app/conf/b.yaml')?.in, full.id, 'unchanged since the full one');
    assert.is(entries.get('app/conf/a.yaml')?.in, first.id, 'changed in the first incremental');
    assert.is(entries.get('app/new.txt')?.in, undefined, 'new in this one: stored here');
    assert.ok(entries.has(REMOVED_RECORD), 'the removal record');
    const differentialEntries = await manifestOf(b, differential);
    assert.ok(
      differentialEntries.every((e) => e.in === undefined || e.in === full.id),
      'a differential names its base alone',
    );

    for (const snapshot of [full, first, second, differential]) await restoredMatches(b, snapshot.id);
  } finally {
    await removeDir(b.dir);
  }
});

test('an incremental of an unchanged tree stores no file content', async () => {
  const b = await bench();
  try {
    await fs.writeFile(path.join(b.tree, 'app/big.bin'), Buffer.alloc(2 << 20, 7));
    const full = await backUp(b);
    const next = await backUp(b, { level: 'incremental' });
    assert.is(next.files, full.files, 'the same tree');
    assert.is(next.inputBytes, full.inputBytes);
    assert.ok(
      next.objects['archive.tar.gz.pgp'].bytes < 4096,
      `${next.objects['archive.tar.gz.pgp'].bytes} bytes stored`,
    );
    const files = (await manifestOf(b, next)).filter((e) => e.type === 'file' && e.path !== REMOVED_RECORD);
    assert.ok(
      files.every((e) => e.in === full.id),
      'every file is carried',
    );
    await restoredMatches(b, next.id);
  } finally {
    await removeDir(b.dir);
  }
});

test('a tree copied with its times (every inode and ctime new, as after a restore) is compared by content: its unchanged files are carried, not stored again; one of the same size and time but other content is stored', async () => {
  const b = await bench();
  try {
    await fs.writeFile(path.join(b.tree, 'app/big.bin'), Buffer.alloc(2 << 20, 7));
    const full = await backUp(b);
    const moved = path.join(b.dir, 'moved');
    execFileSync('cp', ['-a', b.tree, moved]);
    await fs.rm(b.tree, { recursive: true });
    await fs.rename(moved, b.tree);
    // the same size and modification time as before, other bytes
    const other = path.join(b.tree, 'app/conf/b.yaml');
    const was = lstatSync(other);
    await fs.writeFile(other, 'B: 2\n'.repeat(1000));
    await fs.utimes(other, was.atime, was.mtime);
    const next = await backUp(b, { level: 'incremental' });
    const files = (await manifestOf(b, next)).filter((e) => e.type === 'file' && e.path !== REMOVED_RECORD);
    assert.equal(
      files.filter((e) => e.in !== full.id).map((e) => e.path),
      ['app/conf/b.yaml'],
      'only the file whose content differs is stored',
    );
    assert.ok(
      next.objects['archive.tar.gz.pgp'].bytes < 8192,
      `${next.objects['archive.tar.gz.pgp'].bytes} bytes stored (the 2 MiB file is not among them)`,
    );
    await restoredMatches(b, next.id);
    await restoredMatches(b, full.id);
  } finally {
    await removeDir(b.dir);
  }
});

/** The two walks a link compares with its parent: on this thread, or on another (archive/walk-thread.ts). */
const WAYS = ['this thread', 'another thread'] as const;
type Way = (typeof WAYS)[number];

function walkBy(way: Way, roots: SourceRoot[], cwd: string): AsyncIterable<readonly (SourceEntry | SeenEntry)[]> {
  if (way === 'this thread') return inBatches(walkSources(roots, { cwd }));
  const walk = startThreadWalk(roots, { cwd });
  if (!walk) throw new Error('this machine has one processor: the walk on another thread cannot be tested here');
  return walk.batches();
}

/**
 * A parent whose manifest lists `file` with its size, mode, times and inode as they are now,
 * but a SHA-256 that is not its content, taken `afterMs` after the file last changed.
 */
function parentHolding(file: string, name: string, afterMs: number): Parent {
  const stats = lstatSync(file);
  const before: ManifestEntry = entryWithOtherContent(file, name);
  const id = '20260101T000000Z-aaaaaaaa';
  return {
    snapshot: { id, created: new Date(stats.ctimeMs + afterMs).toISOString() } as SnapshotMetadata,
    base: id,
    baseCreated: '2026-01-01T00:00:00.000Z',
    depth: 0,
    tree: ParentTree.of([before]) as ParentTree,
    chain: [],
    keys: {},
  };
}

test('change detection trusts size, mode, times and inode; --force-read hashes instead (a file changed behind its metadata)', async () => {
  const b = await bench();
  try {
    const file = path.join(b.tree, 'app/conf/a.yaml');
    // taken a second after the file last changed: not racily clean
    const parent = parentHolding(file, 'app/conf/a.yaml', 1000);
    const stored = async (forceRead: boolean, way: Way) => {
      const carried: string[] = [];
      const out: string[] = [];
      const walk = walkBy(way, [{ fsPath: file, archivePath: 'app/conf/a.yaml' }], b.tree);
      for await (const source of againstParent(walk, parent, 'incremental', {
        forceRead,
        onCarried: (entry) => carried.push(entry.path),
        onWarning: () => {},
      }))
        out.push(source.archivePath);
      return { carried, out };
    };
    for (const way of WAYS) {
      assert.equal(await stored(false, way), { carried: ['app/conf/a.yaml'], out: [REMOVED_RECORD] }, way);
      assert.equal(await stored(true, way), { carried: [], out: ['app/conf/a.yaml', REMOVED_RECORD] }, way);
    }
  } finally {
    await removeDir(b.dir);
  }
});

test('a chain with a missing link is refused before the target is touched, naming the link', async () => {
  const b = await bench();
  try {
    const full = await backUp(b);
    await fs.writeFile(path.join(b.tree, 'app/conf/a.yaml'), 'a: 3\n');
    const next = await backUp(b, { level: 'incremental' });
    await fs.rm(path.join(b.dir, 'repo', full.id), { recursive: true });
    const target = path.join(b.dir, 'target');
    await fs.mkdir(target);
    await fs.writeFile(path.join(target, 'keep'), 'keep');
    const error = await planRestore({ store: b.store, reference: next.id, target, keys: decryption }).catch(
      (e: unknown) => e as Error,
    );
    assert.instance(error, Error);
    assert.match((error as Error).message, `needs ${full.id}, which is missing`);
    assert.equal(await fs.readdir(target), ['keep']);
  } finally {
    await removeDir(b.dir);
  }
});

test('a file changed in the same clock tick as the parent read it is read again, even with its size, times and inode unchanged', async () => {
  const b = await bench();
  try {
    const file = path.join(b.tree, 'app/conf/a.yaml');
    // the parent started as the file last changed
    const parent = parentHolding(file, 'app/conf/a.yaml', 0);
    for (const way of WAYS) {
      const out: string[] = [];
      const walk = walkBy(way, [{ fsPath: file, archivePath: 'app/conf/a.yaml' }], b.tree);
      for await (const source of againstParent(walk, parent, 'incremental', {
        onCarried: () => {},
        onWarning: () => {},
      }))
        out.push(source.archivePath);
      assert.equal(out, ['app/conf/a.yaml', REMOVED_RECORD], way);
    }
  } finally {
    await removeDir(b.dir);
  }
});

test('a folder named .ripcord-chain at the top of the tree: a full snapshot keeps and restores it; a link skips it with a warning', async () => {
  const b = await bench();
  try {
    await fs.mkdir(path.join(b.tree, '.ripcord-chain'));
    await fs.writeFile(path.join(b.tree, '.ripcord-chain/removed'), 'a user file');
    const full = await backUp(b, { paths: ['.'] });
    await restoredMatches(b, full.id);
    const warned: string[] = [];
    const { snapshot: next } = await createBackup({
      store: b.store,
      paths: ['.'],
      cwd: b.tree,
      keys,
      origin,
      level: 'incremental',
      parentKeys: async () => decryption,
      reporter: { emit: (event) => (event.type === 'warning' ? warned.push(event.message) : undefined) },
    });
    assert.is(next.level, 'incremental');
    assert.match(warned.join('\n'), '.ripcord-chain is the name ripcord keeps its chain records under; skipped');
  } finally {
    await removeDir(b.dir);
  }
});

test('a damaged parent does not fail the backup: it is a full snapshot that says why', async () => {
  const b = await bench();
  try {
    const full = await backUp(b);
    const manifest = path.join(b.dir, 'repo', full.id, 'manifest.json.pgp');
    const bytes = await fs.readFile(manifest);
    bytes[bytes.length >> 1]! ^= 0x01;
    await fs.writeFile(manifest, bytes);
    const result = await createBackup({
      store: b.store,
      paths: ['app'],
      cwd: b.tree,
      keys,
      origin,
      level: 'incremental',
      parentKeys: async () => decryption,
    });
    assert.is(result.snapshot.level, undefined);
    assert.match(result.fullBecause ?? '', `${full.id} cannot be read`);
  } finally {
    await removeDir(b.dir);
  }
});

test('a parent whose manifest is not the one its child was made on is refused as foreign, before the target is touched', async () => {
  const b = await bench();
  try {
    const full = await backUp(b);
    await fs.writeFile(path.join(b.tree, 'app/conf/a.yaml'), 'a: 5\n');
    const next = await backUp(b, { level: 'incremental' });
    // the parent's snapshot.json rewritten, self-checksum and all, to name another manifest
    const file = path.join(b.dir, 'repo', full.id, 'snapshot.json');
    const { metadataSha256: _sum, ...rest } = JSON.parse(await fs.readFile(file, 'utf8')) as SnapshotMetadata;
    rest.objects['manifest.json.pgp'].sha256 = 'f'.repeat(64);
    await fs.writeFile(file, serializeMetadata(sealMetadata(rest)));
    const target = path.join(b.dir, 'target');
    const error = await planRestore({ store: b.store, reference: next.id, target, keys: decryption }).catch(
      (e: unknown) => e as Error,
    );
    assert.instance(error, Error);
    assert.match((error as Error).message, `${full.id} is not the parent ${next.id} was made on`);
    assert.not.ok(lstatSync(target, { throwIfNoEntry: false }), 'no target made');
  } finally {
    await removeDir(b.dir);
  }
});

test('rolling back onto a changed tree: an incremental restored with --delete over the live folder, a pre-restore snapshot first', async () => {
  const b = await bench();
  try {
    await backUp(b);
    await fs.writeFile(path.join(b.tree, 'app/conf/a.yaml'), 'a: 4\n');
    await fs.rm(path.join(b.tree, 'app/gone.txt'));
    const next = await backUp(b, { level: 'incremental' });
    // the deploy that goes wrong
    await fs.writeFile(path.join(b.tree, 'app/conf/a.yaml'), 'broken\n');
    await fs.writeFile(path.join(b.tree, 'app/stray'), 'stray');
    await fs.rm(path.join(b.tree, 'app/conf/b.yaml'));
    const plan = await planRestore({
      store: b.store,
      reference: next.id,
      target: b.tree,
      keys: decryption,
      delete: true,
    });
    const result = await applyRestore(plan, { store: b.store, keys: decryption, encryptionKeys: keys, origin });
    assert.ok(result.preRestoreSnapshot, 'a pre-restore snapshot was taken');
    assert.equal(await diffTrees(b.expected.get(next.id)!, b.tree), []);
  } finally {
    await removeDir(b.dir);
  }
});

test.run();
