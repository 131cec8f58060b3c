/**
 * Chains through the CLI: backup --level, show, verify (checksums and --read-data), dump of a
 * file an incremental did not store again, prune that keeps what a kept snapshot needs, copy
 * that brings the chain along, and the messages for a missing link.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI, ripcordInProcess, runCommand } from '../helpers/cli.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const env = { RIPCORD_PASSPHRASE: 'cli chains' };

interface Setup {
  dir: string;
  repo: string;
  run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  backUp(...args: string[]): Promise<string>;
}

async function setup(): Promise<Setup> {
  const dir = await tempDir();
  await fs.mkdir(path.join(dir, 'config'));
  await fs.writeFile(path.join(dir, 'config/app.yaml'), 'replicas: 1\n');
  await fs.writeFile(path.join(dir, 'config/db.yaml'), 'pool: 5\n');
  // written well before the first backup, so that an incremental carries what did not change since
  await new Promise((resolve) => setTimeout(resolve, 100));
  const repo = path.join(dir, 'repo');
  const run = (args: string[]) => ripcordInProcess([...args, '--repo', repo], { cwd: dir, env });
  return {
    dir,
    repo,
    run,
    async backUp(...args) {
      const result = await run(['backup', 'config', '-q', ...args]);
      assert.is(result.code, 0, result.stderr);
      return result.stdout.trim();
    },
  };
}

test('backup --level incremental: says what it built on, show names level, parent and base, verify --read-data passes', async () => {
  const s = await setup();
  try {
    const full = await s.backUp();
    await fs.writeFile(path.join(s.dir, 'config/app.yaml'), 'replicas: 2\n');
    const said = await s.run(['backup', 'config', '--level', 'incremental']);
    assert.is(said.code, 0, said.stderr);
    assert.match(said.stdout, /^incremental snapshot \S+ saved to /m);
    assert.match(said.stdout, `parent ${full}, chain base ${full}`);
    const id = /snapshot (\S+) saved/.exec(said.stdout)![1]!;

    const show = await s.run(['show', id]);
    assert.match(show.stdout, /level:\s+incremental/);
    assert.match(show.stdout, new RegExp(`parent:\\s+${full}`));
    assert.match(show.stdout, new RegExp(`chain base:\\s+${full}`));

    const verify = await s.run(['verify', '--read-data', id]);
    assert.is(verify.code, 0, verify.stdout + verify.stderr);

    // db.yaml is in the full snapshot's archive only
    const listed = await s.run(['ls', id, '--json']);
    assert.match(listed.stdout, `{"path":"config/db.yaml"`);
    assert.match(listed.stdout, `"in":"${full}"`, 'db.yaml is carried from the full snapshot');
    const dump = await s.run(['dump', id, 'config/db.yaml']);
    assert.is(dump.code, 0, dump.stderr);
    assert.is(dump.stdout, 'pool: 5\n');
    const ls = await s.run(['ls', id]);
    assert.not.match(ls.stdout, '.ripcord-chain', 'the chain record is not part of the tree');
  } finally {
    await removeDir(s.dir);
  }
});

test('the bundled command (dist/, its own process): an incremental with its walk and key derivation on a second thread, verified with --read-data', async () => {
  // What the tests above run from the source, run as users get it: the worker programs are
  // dist/'s own bundles here (a pooled buffer transferred between threads failed only there).
  const s = await setup();
  try {
    const cli = (args: string[]) => runCommand(process.execPath, [CLI, ...args, '--repo', s.repo], { cwd: s.dir, env });
    const full = await cli(['backup', 'config', '-q']);
    assert.is(full.code, 0, full.stderr);
    await fs.writeFile(path.join(s.dir, 'config/app.yaml'), 'replicas: 3\n');
    const next = await cli(['backup', 'config', '--level', 'incremental']);
    assert.is(next.code, 0, next.stderr);
    assert.match(next.stdout, `parent ${full.stdout.trim()}`);
    const id = /snapshot (\S+) saved/.exec(next.stdout)?.[1] ?? next.stdout.split(/\s+/)[2]!;
    const verified = await cli(['verify', '--read-data', id]);
    assert.is(verified.code, 0, verified.stderr);
  } finally {
    await removeDir(s.dir);
  }
});

test('with nothing to build on, an incremental is a full snapshot and says why', async () => {
  const s = await setup();
  try {
    const said = await s.run(['backup', 'config', '--level', 'differential']);
    assert.is(said.code, 0, said.stderr);
    assert.match(said.stdout, 'a full snapshot, not differential: no earlier full snapshot');
    assert.match(said.stdout, /^snapshot \S+ saved/m);
    const bad = await s.run(['backup', 'config', '--level', 'weekly']);
    assert.is(bad.code, 2);
    assert.match(bad.stderr, '--level weekly: give one of full, incremental, differential');
  } finally {
    await removeDir(s.dir);
  }
});

test('prune keeps a link that a kept snapshot needs, and says so; copy brings the chain along', async () => {
  const s = await setup();
  try {
    const full = await s.backUp();
    await fs.writeFile(path.join(s.dir, 'config/app.yaml'), 'replicas: 3\n');
    const first = await s.backUp('--level', 'incremental');
    await fs.writeFile(path.join(s.dir, 'config/app.yaml'), 'replicas: 4\n');
    const second = await s.backUp('--level', 'incremental');

    const plan = await s.run(['prune', '--keep-last', '1', '--dry-run']);
    assert.is(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, new RegExp(`${first}.*kept because ${second} depends on it`), plan.stdout);
    assert.match(plan.stdout, new RegExp(`${full}.*kept because ${second} depends on it`));
    const pruned = await s.run(['prune', '--keep-last', '1']);
    assert.is(pruned.code, 0, pruned.stderr);
    assert.equal((await fs.readdir(s.repo)).filter((n) => /^\d/.test(n)).sort(), [full, first, second].sort());

    const other = path.join(s.dir, 'other');
    const copied = await s.run(['copy', second, '--to', other]);
    assert.is(copied.code, 0, copied.stderr);
    assert.equal((await fs.readdir(other)).filter((n) => /^\d/.test(n)).sort(), [full, first, second].sort());
    const restored = await ripcordInProcess(
      ['restore', second, '--repo', other, '--target', path.join(s.dir, 'out'), '--yes'],
      { cwd: s.dir, env },
    );
    assert.is(restored.code, 0, restored.stderr);
    assert.is(await fs.readFile(path.join(s.dir, 'out/config/app.yaml'), 'utf8'), 'replicas: 4\n');
    assert.is(await fs.readFile(path.join(s.dir, 'out/config/db.yaml'), 'utf8'), 'pool: 5\n');
  } finally {
    await removeDir(s.dir);
  }
});

test('--level auto: an incremental until the chain reaches --max-chain links, then a full one; a set of the configuration file takes level auto', async () => {
  const s = await setup();
  try {
    const auto = async (...args: string[]) => {
      const run = await s.run(['backup', 'config', '--level', 'auto', '--max-chain', '2', ...args]);
      assert.is(run.code, 0, run.stderr);
      return run.stdout;
    };
    assert.match(await auto(), 'a full snapshot: no earlier snapshot of this set with this key');
    for (const n of [1, 2]) {
      await fs.writeFile(path.join(s.dir, 'config/app.yaml'), `replicas: ${n + 10}\n`);
      assert.match(await auto(), /^incremental snapshot /m);
    }
    assert.match(await auto(), /a full snapshot: the chain of \S+ has its max-chain of 2 links/);
    assert.match(await auto(), /^incremental snapshot /m, 'and the next one starts on the new full one');

    await fs.writeFile(
      path.join(s.dir, 'ripcord.config.json'),
      JSON.stringify({ sets: { app: { paths: ['config'], level: 'auto', 'full-every': '7d', 'max-chain': 5 } } }),
    );
    const first = await s.run(['backup', '--set', 'app']);
    assert.is(first.code, 0, first.stderr);
    assert.match(first.stdout, /^snapshot /m, 'the set starts its own chain: a full one');
    const second = await s.run(['backup', '--set', 'app']);
    assert.match(second.stdout, /^incremental snapshot /m);
    const bad = await s.run(['backup', 'config', '--level', 'auto', '--max-chain', '0']);
    assert.is(bad.code, 2);
    assert.match(bad.stderr, '--max-chain 0: give a whole number from 1 to 999');
  } finally {
    await removeDir(s.dir);
  }
});

test('merge writes a full snapshot of a link from the repository alone; the old chain can then be pruned, and the next incremental builds on the merged one', async () => {
  const s = await setup();
  try {
    const full = await s.backUp('--capture', 'release=echo v1');
    await fs.writeFile(path.join(s.dir, 'config/app.yaml'), 'replicas: 7\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const link = await s.backUp('--level', 'incremental', '--capture', 'release=echo v2');
    const refused = await s.run(['merge', full]);
    assert.is(refused.code, 2);
    assert.match(refused.stderr, `snapshot ${full} is a full snapshot already`);

    const merged = await s.run(['merge', link]);
    assert.is(merged.code, 0, merged.stderr);
    const id = /^snapshot (\S+) saved: a full snapshot of the state of incremental /.exec(merged.stdout)?.[1] ?? '';
    assert.ok(id, merged.stdout);
    // LEVEL, and STORED as merge printed it (every object of the folder, as backup and list count)
    const rows = new Map(
      (await s.run(['list'])).stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.trim().split(/\s{2,}/))
        .map((cells) => [cells[0], cells] as const),
    );
    assert.equal(
      [full, link, id].map((i) => rows.get(i)?.[3]),
      ['full', 'incremental', 'full'],
    );
    assert.match(merged.stdout, `, ${rows.get(id)?.[6]} stored\n`);
    const shown = JSON.parse((await s.run(['show', id, '--json'])).stdout) as Record<string, unknown>;
    const linkShown = JSON.parse((await s.run(['show', link, '--json'])).stdout) as Record<string, unknown>;
    assert.is(shown.level, undefined, 'a full snapshot');
    assert.is(shown.mergedFrom, link);
    assert.is(Date.parse(shown.created as string), Date.parse(linkShown.created as string) + 1);
    assert.equal([shown.files, shown.inputBytes], [linkShown.files, linkShown.inputBytes]);
    const dumped = await s.run(['dump', id, '.ripcord-captured/release']);
    assert.is(dumped.stdout, 'v2\n', 'captured state is merged too');

    const pruned = await s.run(['prune', '--keep-last', '1']);
    assert.is(pruned.code, 0, pruned.stderr);
    assert.equal(
      (await fs.readdir(s.repo)).filter((n) => /^\d/.test(n)),
      [id],
      'the old chain is gone',
    );
    const out = path.join(s.dir, 'out');
    const restored = await s.run(['restore', id, '--target', out, '--yes']);
    assert.is(restored.code, 0, restored.stderr);
    assert.is(await fs.readFile(path.join(out, 'config/app.yaml'), 'utf8'), 'replicas: 7\n');
    assert.is(await fs.readFile(path.join(out, 'config/db.yaml'), 'utf8'), 'pool: 5\n');

    const next = await s.run(['backup', 'config', '--level', 'incremental', '--json', '--capture', 'release=echo v3']);
    assert.is(next.code, 0, next.stderr);
    assert.is((JSON.parse(next.stdout) as { snapshot: { parent: string } }).snapshot.parent, id);
    const listed = await s.run(['ls', (JSON.parse(next.stdout) as { snapshot: { id: string } }).snapshot.id, '--json']);
    assert.match(listed.stdout, `"in":"${id}"`, 'unchanged files are carried from the merged snapshot, not read again');
  } finally {
    await removeDir(s.dir);
  }
});

test('a missing link: verify names it and what it makes unrestorable; restore refuses in one line', async () => {
  const s = await setup();
  try {
    const full = await s.backUp();
    await fs.writeFile(path.join(s.dir, 'config/app.yaml'), 'replicas: 5\n');
    const next = await s.backUp('--level', 'incremental');
    await fs.rm(path.join(s.repo, full), { recursive: true });
    const verify = await s.run(['verify', next]);
    assert.is.not(verify.code, 0);
    assert.match(verify.stdout + verify.stderr, `snapshot ${next} needs ${full}, which is missing`);
    const restore = await s.run(['restore', next, '--target', path.join(s.dir, 'out'), '--yes']);
    assert.is.not(restore.code, 0);
    assert.is(restore.stderr.trim().split('\n').length, 1, restore.stderr);
    assert.match(restore.stderr, `needs ${full}, which is missing`);
  } finally {
    await removeDir(s.dir);
  }
});

test.run();
