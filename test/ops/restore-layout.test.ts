/** Where a restore stages its entries, on real folders: the tree layout makes each folder as its first entry arrives. */
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ManifestEntry } from '../../src/domain/manifest.ts';
import { stagingLayout } from '../../src/ops/restore-layout.ts';
import type { RestorePlan } from '../../src/ops/restore-plan.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const entry = (p: string, type: ManifestEntry['type']) => ({ path: p, type }) as ManifestEntry;

/** The parts of a plan a layout reads: a target that holds only the staging folder, these entries all selected. */
async function planIn(dir: string, entries: ManifestEntry[]) {
  const target = path.join(dir, 'target');
  const staging = path.join(target, '.ripcord-staging-test');
  await fs.mkdir(staging, { recursive: true });
  const plan = { target, entries, removals: [], selected: new Set(entries.keys()) } as unknown as RestorePlan;
  return { plan, staging };
}

test('a tree layout makes a folder when the first entry goes into it, outermost first, and the rest at the end', async () => {
  const dir = await tempDir();
  try {
    const entries = [
      entry('a', 'directory'),
      entry('a/b', 'directory'),
      entry('a/b/f', 'file'),
      entry('c', 'directory'),
      entry('c/d', 'directory'),
    ];
    const { plan, staging } = await planIn(dir, entries);
    const layout = await stagingLayout(plan, staging);
    assert.ok(layout.tree, 'a target that holds nothing stages a tree');
    for (const index of [0, 1, 3, 4]) layout.addFolder(index);
    assert.equal(await fs.readdir(layout.tree!), [], 'no folder is made when it is added');
    layout.makeParents(layout.pathOf(2));
    assert.ok((await fs.stat(layout.pathOf(1))).isDirectory(), 'a/b is made for a/b/f');
    assert.equal(await fs.readdir(layout.tree!), ['a'], 'c is not made yet: nothing went into it');
    layout.makeParents(layout.pathOf(2));
    layout.makeFolders();
    assert.ok((await fs.stat(layout.pathOf(4))).isDirectory(), 'c/d, into which nothing went, is made at the end');
    assert.equal(
      ((await fs.stat(layout.pathOf(3))).mode & 0o777).toString(8),
      '700',
      'folders are private until moved into place',
    );
  } finally {
    await removeDir(dir);
  }
});

test('a layout by index (a target that holds something) makes no folder', async () => {
  const dir = await tempDir();
  try {
    const { plan, staging } = await planIn(dir, [entry('a', 'directory'), entry('a/f', 'file')]);
    await fs.writeFile(path.join(plan.target, 'already-here'), '');
    const layout = await stagingLayout(plan, staging);
    assert.is(layout.tree, undefined);
    assert.is(layout.pathOf(1), path.join(staging, '1'));
    layout.makeParents(layout.pathOf(1));
    layout.makeFolders();
    assert.not.ok(existsSync(path.join(staging, 'a')));
    assert.throws(() => layout.addFolder(0), /only a tree layout/);
  } finally {
    await removeDir(dir);
  }
});

test.run();
