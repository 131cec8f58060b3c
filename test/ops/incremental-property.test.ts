/**
 * Property: for random trees, random sequences of edits (add, delete, modify, truncate, chmod,
 * file <-> directory <-> symlink, bytes inserted, rewritten or cut in a file large enough for
 * block deltas) and random levels, restoring every snapshot of the chain
 * gives exactly the tree as it was when that snapshot was taken. Real files, real backups
 * and restores; each edit may land within a clock tick of the backup before it, which is what
 * change detection must not be fooled by.
 */
import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Level } from '../../src/domain/chain.ts';
import { createBackup } from '../../src/ops/backup.ts';
import { applyRestore, planRestore } from '../../src/ops/restore.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import { diffTrees, removeDir, tempDir } from '../helpers/tree.ts';

const keys = { mode: 'passphrase', passphrase: 'property' } as const;
const decryption = { passphrase: 'property' };
const origin = { host: 'test', user: 'test' };

/** A handful of names two levels deep, so that edits collide with each other often. */
const NAMES = ['a', 'b', 'c/d', 'c/e', 'f/g', 'f/h/i'];

type Edit =
  | { op: 'write'; name: string; content: string }
  | { op: 'append'; name: string; content: string }
  | { op: 'truncate'; name: string }
  | { op: 'delete'; name: string }
  | { op: 'chmod'; name: string; mode: number }
  | { op: 'mkdir'; name: string }
  | { op: 'symlink'; name: string; target: string }
  | { op: 'large'; name: string; change: 'insert' | 'overwrite' | 'cut'; at: number; seed: number };

const name = fc.constantFrom(...NAMES, 'c', 'f', 'f/h');
const edit: fc.Arbitrary<Edit> = fc.oneof(
  {
    arbitrary: fc.record({ op: fc.constant('write' as const), name, content: fc.string({ maxLength: 40 }) }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('append' as const),
      name,
      content: fc.string({ minLength: 1, maxLength: 10 }),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ op: fc.constant('truncate' as const), name }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('delete' as const), name }), weight: 3 },
  {
    arbitrary: fc.record({ op: fc.constant('chmod' as const), name, mode: fc.constantFrom(0o600, 0o644, 0o755) }),
    weight: 3,
  },
  { arbitrary: fc.record({ op: fc.constant('mkdir' as const), name }), weight: 3 },
  {
    arbitrary: fc.record({
      op: fc.constant('symlink' as const),
      name,
      target: fc.constantFrom('a', '../b', 'missing'),
    }),
    weight: 3,
  },
  // a file large enough to be stored as a block delta, made or changed in place: rarer, as it
  // costs each backup and restore 2.5 MiB (the examples below always have one)
  {
    arbitrary: fc.record({
      op: fc.constant('large' as const),
      name: fc.constantFrom('a', 'c/d'),
      change: fc.constantFrom('insert' as const, 'overwrite' as const, 'cut' as const),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      seed: fc.nat(),
    }),
    weight: 1,
  },
);

/** `length` bytes that look random, the same for the same seed (AES-256-CTR keystream). */
function noise(seed: number, length: number): Buffer {
  const key = createHash('sha256').update(`property-${seed}`).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length));
}

/**
 * Large files: the backups here are told to cut files of 2 MiB and more into blocks (the
 * default is 8 MiB), so that each large-file edit costs its run 2.5 MiB rather than 8.5.
 */
const BLOCKED = 2 << 20;
const LARGE = BLOCKED + (512 << 10);
const step = fc.record({
  edits: fc.array(edit, { maxLength: 5 }),
  level: fc.constantFrom<Level>('full', 'incremental', 'incremental', 'differential'),
});

/** Apply an edit to the tree as a user would: replacing whatever is at the name (and making its folders). */
async function apply(root: string, e: Edit): Promise<void> {
  const file = path.join(root, e.name);
  const stats = await fs.lstat(file).catch(() => undefined);
  const replace = async () => {
    if (stats) await fs.rm(file, { recursive: true });
    await fs.mkdir(path.dirname(file), { recursive: true }).catch(async () => {
      // a file where a folder is needed: it goes, as `mkdir -p` would need
      for (let up = path.dirname(file); up !== root; up = path.dirname(up)) {
        const s = await fs.lstat(up).catch(() => undefined);
        if (s && !s.isDirectory()) await fs.rm(up);
      }
      await fs.mkdir(path.dirname(file), { recursive: true });
    });
  };
  switch (e.op) {
    case 'write':
      if (!stats?.isFile()) await replace();
      await fs.writeFile(file, e.content);
      return;
    case 'append':
      if (stats?.isFile()) await fs.appendFile(file, e.content);
      return;
    case 'truncate':
      if (stats?.isFile()) await fs.truncate(file, 0);
      return;
    case 'delete':
      if (stats) await fs.rm(file, { recursive: true });
      return;
    case 'chmod':
      if (stats && !stats.isSymbolicLink()) await fs.chmod(file, stats.isDirectory() ? e.mode | 0o700 : e.mode);
      return;
    case 'mkdir':
      if (!stats?.isDirectory()) {
        await replace();
        await fs.mkdir(file);
      }
      return;
    case 'symlink':
      await replace();
      await fs.symlink(e.target, file);
      return;
    case 'large': {
      if (!stats?.isFile() || stats.size < BLOCKED) {
        if (!stats?.isFile()) await replace();
        await fs.writeFile(file, noise(e.seed, LARGE));
        return;
      }
      const at = Math.floor(e.at * stats.size);
      const before = await fs.readFile(file);
      const bytes = noise(e.seed, e.change === 'overwrite' ? 4096 : 100_000);
      if (e.change === 'overwrite') bytes.copy(before, Math.min(at, stats.size - bytes.length));
      await fs.writeFile(
        file,
        e.change === 'overwrite'
          ? before
          : e.change === 'insert'
            ? Buffer.concat([before.subarray(0, at), bytes, before.subarray(at)])
            : Buffer.concat([before.subarray(0, at), before.subarray(Math.min(at + 100_000, stats.size))]),
      );
      return;
    }
  }
}

test('restoring every snapshot of a random chain gives the tree exactly as it was at that backup', async () => {
  let deltas = 0; // block deltas among the entries restored
  await fc.assert(
    fc.asyncProperty(
      fc.array(edit, { minLength: 1, maxLength: 6 }),
      fc.array(step, { minLength: 1, maxLength: 4 }),
      async (initial, steps) => {
        const dir = await tempDir('ripcord-chain-property-');
        try {
          const tree = path.join(dir, 'tree');
          await fs.mkdir(path.join(tree, 'data'), { recursive: true });
          const store = new LocalStore(path.join(dir, 'repo'));
          const taken: { id: string; copy: string; level: string }[] = [];
          const backUp = async (level: Level) => {
            const { snapshot } = await createBackup({
              store,
              paths: ['data'],
              cwd: tree,
              keys,
              origin,
              level,
              parentKeys: async () => decryption,
              blockedFileMin: BLOCKED,
            });
            const copy = path.join(dir, `expected-${taken.length}`);
            execFileSync('cp', ['-a', tree, copy]);
            taken.push({ id: snapshot.id, copy, level: snapshot.level ?? 'full' });
          };
          for (const e of initial) await apply(path.join(tree, 'data'), e);
          await backUp('full');
          for (const s of steps) {
            for (const e of s.edits) await apply(path.join(tree, 'data'), e);
            await backUp(s.level);
          }
          for (const { id, copy, level } of taken) {
            const target = path.join(dir, `restored-${id}`);
            // links that loop or leave the tree are refused by default for any snapshot: not this test's subject
            const plan = await planRestore({
              store,
              reference: id,
              target,
              keys: decryption,
              allowOutsideSymlinks: true,
            });
            deltas += plan.entries.filter((entry) => entry.delta).length;
            await applyRestore(plan, { store, keys: decryption, origin });
            const problems = await diffTrees(copy, target);
            assert.equal(problems, [], `${level} snapshot ${id}`);
          }
        } finally {
          await removeDir(dir);
        }
      },
    ),
    {
      numRuns: Number(process.env.CHAIN_PROPERTY_RUNS ?? 6),
      // one chain that surely holds block deltas (the random ones may not): a large file
      // changed by each kind of edit, on an incremental and a differential
      examples: [
        [
          [{ op: 'large', name: 'a', change: 'insert', at: 0, seed: 1 }],
          [
            { edits: [{ op: 'large', name: 'a', change: 'insert', at: 0.5, seed: 2 }], level: 'incremental' },
            { edits: [{ op: 'large', name: 'a', change: 'overwrite', at: 0.9, seed: 3 }], level: 'differential' },
            { edits: [{ op: 'large', name: 'a', change: 'cut', at: 0.1, seed: 4 }], level: 'incremental' },
          ],
        ],
      ],
    },
  );
  assert.ok(deltas >= 3, `the chains restored held block deltas (${deltas})`);
});

test.run();
