import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { walkSources } from '../../src/archive/walk-sources.ts';
import type { ManifestEntry } from '../../src/domain/manifest.ts';
import type { SnapshotMetadata } from '../../src/domain/snapshot.ts';
import type { Parent } from '../../src/ops/incremental.ts';
import { againstParent, inBatches } from '../../src/ops/incremental.ts';
import { ParentTree } from '../../src/ops/parent-tree.ts';
import { entryWithOtherContent, removeDir, tempDir } from '../helpers/tree.ts';

const file = (p: string): ManifestEntry => ({ path: p, type: 'file', mode: '0644', mtime: 1 });
const folder = (p: string): ManifestEntry => ({ path: p, type: 'directory', mode: '0755', mtime: 1 });

function tree(entries: ManifestEntry[], lines?: string[]): ParentTree {
  const made = ParentTree.of(entries, lines);
  if (!(made instanceof ParentTree)) throw new Error(`lists ${made.twice} twice`);
  return made;
}

test('a parent tree finds entries in its own order and out of it', () => {
  const t = tree([folder('a'), file('a/x'), file('a/y'), file('b')]);
  assert.equal(
    ['a', 'a/x', 'a/y', 'b'].map((p) => t.find(p)),
    [0, 1, 2, 3],
  );
  assert.equal(
    ['b', 'a/x', 'new', 'a/y'].map((p) => t.find(p)),
    [3, 1, -1, 2],
  );
});

test('a parent tree lists what the walk did not see, or saw as another type, less what a removed folder takes', () => {
  const t = tree([folder('a'), file('a/x'), folder('b'), file('b/x'), file('c'), file('d')]);
  const walked: [string, ManifestEntry['type'] | undefined][] = [
    ['a', 'directory'],
    ['a/x', 'file'],
    ['b', 'file'], // the folder is a file now: b/x goes with it
    ['c', 'directory'],
    ['d', 'file'],
  ];
  for (const [p, type] of walked) t.saw(t.find(p), type);
  assert.equal(t.removed(), ['b', 'c']);
  t.saw(t.find('d'), undefined); // gone between the walk and the look
  assert.equal(t.removed(), ['b', 'c', 'd']);
});

test('a manifest that lists a path twice is no parent tree', () => {
  assert.equal(ParentTree.of([file('a'), file('b'), file('a')]), { twice: 'a' });
});

/**
 * An unchanged file's entry as a parent's manifest lists it, and `line`, what the line says
 * besides (serialised as ripcord writes it, unless `text` writes it otherwise).
 */
async function carried(
  parentLine: (entry: ManifestEntry) => { entry: ManifestEntry; text: string },
  level: 'incremental' | 'differential' = 'incremental',
): Promise<{ entry: ManifestEntry; line: string | undefined }> {
  const dir = await tempDir();
  try {
    await fs.writeFile(path.join(dir, 'f'), 'content');
    const stats = entryWithOtherContent(path.join(dir, 'f'), 'f');
    const { entry, text } = parentLine(stats);
    const id = '20260101T000000Z-aaaaaaaa';
    const parent: Parent = {
      // taken well after the file changed: it is not racily clean
      snapshot: { id, created: new Date(stats.ctimeMs! + 10_000).toISOString() } as SnapshotMetadata,
      base: id,
      baseCreated: '2026-01-01T00:00:00.000Z',
      depth: 0,
      tree: tree([entry], [`,${text}`]),
      chain: [],
      keys: {},
    };
    const seen: { entry: ManifestEntry; line: string | undefined }[] = [];
    const walk = inBatches(walkSources([{ fsPath: path.join(dir, 'f'), archivePath: 'f' }], { cwd: dir }));
    for await (const _ of againstParent(walk, parent, level, {
      onCarried: (e, line) => seen.push({ entry: e, line }),
      onWarning: () => {},
    }));
    assert.is(seen.length, 1, 'the file is carried');
    return seen[0]!;
  } finally {
    await removeDir(dir);
  }
}

const ownLine = (e: ManifestEntry) => {
  const { path: p, type, mode, mtime, size, sha256, ino, ctimeMs, mtimeMs } = e;
  const entry = { path: p, type, mode, mtime, at: 5120, size, sha256, ino, ctimeMs, mtimeMs };
  return { entry, text: JSON.stringify(entry) };
};

test("a carried file's manifest line is its parent's line, less the parent's archive offset, naming the link that holds it", async () => {
  const { entry, line } = await carried(ownLine);
  assert.is(entry.in, '20260101T000000Z-aaaaaaaa');
  assert.is(line, JSON.stringify(entry)); // what serialising it would give, to the byte
  const differential = await carried(ownLine, 'differential');
  assert.is(differential.line, JSON.stringify(differential.entry));
  // a line of a link, which names the link already: as it is
  const linked = await carried((e) => {
    const entry = { ...e, in: '20251231T000000Z-bbbbbbbb' };
    return { entry, text: JSON.stringify(entry) };
  });
  assert.is(linked.entry.in, '20251231T000000Z-bbbbbbbb');
  assert.is(linked.line, JSON.stringify(linked.entry));
});

test("a link lets its parent's lines go before its first stored file: a file carried after that is serialised", async () => {
  const dir = await tempDir();
  try {
    await fs.writeFile(path.join(dir, 'a'), 'changed since');
    await fs.writeFile(path.join(dir, 'b'), 'unchanged');
    const a = entryWithOtherContent(path.join(dir, 'a'), 'a');
    const b = entryWithOtherContent(path.join(dir, 'b'), 'b');
    const id = '20260101T000000Z-aaaaaaaa';
    const run = async (aChanged: boolean) => {
      const aBefore = aChanged ? { ...a, size: a.size! + 1 } : a;
      const lines = [aBefore, b].map((e) => `,${JSON.stringify({ ...e, at: 512 })}`);
      const parent: Parent = {
        snapshot: {
          id,
          created: new Date(Math.max(a.ctimeMs!, b.ctimeMs!) + 10_000).toISOString(),
        } as SnapshotMetadata,
        base: id,
        baseCreated: '2026-01-01T00:00:00.000Z',
        depth: 0,
        tree: tree(
          [
            { ...aBefore, at: 512 },
            { ...b, at: 512 },
          ],
          lines,
        ),
        chain: [],
        keys: {},
      };
      const carried: [string, boolean][] = [];
      const stored: string[] = [];
      const roots = ['a', 'b'].map((name) => ({ fsPath: path.join(dir, name), archivePath: name }));
      const walk = inBatches(walkSources(roots, { cwd: dir }));
      for await (const source of againstParent(walk, parent, 'incremental', {
        onCarried: (e, line) => carried.push([e.path, line !== undefined]),
        onWarning: () => {},
      }))
        if (source.type === 'file') stored.push(source.archivePath);
      return { carried, stored };
    };
    assert.equal(await run(false), {
      carried: [
        ['a', true],
        ['b', true],
      ],
      stored: ['.ripcord-chain/removed'],
    });
    assert.equal(await run(true), { carried: [['b', false]], stored: ['a', '.ripcord-chain/removed'] });
  } finally {
    await removeDir(dir);
  }
});

test('a parent line written otherwise than ripcord writes it is not carried over: the entry is serialised', async () => {
  const odd = [
    (e: ManifestEntry) => ({
      entry: { ...e, at: 512 },
      text: JSON.stringify({ ...e, at: 1 }).replace('"at":1', '"at":5.12e2'),
    }),
    (e: ManifestEntry) => ({
      entry: { ...e, at: 512 },
      text: JSON.stringify({ at: 1, ...e, z: 0 }).replace('"z":0', '"at":512'),
    }),
    (e: ManifestEntry) => ({ entry: { ...e, at: 512 }, text: `${JSON.stringify({ ...e, at: 512 })} ` }),
    (e: ManifestEntry) => ({
      entry: { ...e, at: 512, delta: true as const },
      text: JSON.stringify({ ...e, at: 512, delta: true }),
    }),
    (e: ManifestEntry) => ({
      entry: { ...e, in: '20251231T000000Z-bbbbbbbb', at: 512 },
      text: JSON.stringify({ ...e, in: '20251231T000000Z-bbbbbbbb', at: 512 }),
    }),
  ];
  for (const [i, parentLine] of odd.entries()) {
    const { line } = await carried(parentLine);
    assert.is(line, undefined, `case ${i}`);
  }
});

test.run();
