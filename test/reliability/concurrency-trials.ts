/**
 * Locks and concurrency. Backups take no lock (each writes its own folder under a fresh
 * id); prune holds a repository lock and never removes an unfinished folder younger than
 * its grace period; restore holds a per-target lock.
 *
 * - N backups started at once into one repository, while prunes run in a loop: N distinct
 *   snapshots, each verifying and restoring to its own source; the prunes remove exactly
 *   what their policy says (older snapshots of another group) and nothing being written.
 * - two restores started at once into one target: one of them holds the target; the target
 *   ends up exactly one of the two snapshots, never a mix.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { createBackup } from '../../src/ops/backup.ts';
import type { Bundle, CliExit, Repo, Rng, Tree, TrialOutcome } from './harness.ts';
import { count, newOutcome, violate, violateLosing } from './harness.ts';
import { ENCRYPTION_KEYS, ORIGIN, PASSPHRASE, runCli, startCli } from './harness.ts';
import { backUpNewTree, listing, localRepo, restoredTree, verifyIds, withStore } from './harness.ts';
import { compareTrees, isStaging, readTree, sameTree, writeSourceTree } from './harness.ts';

const env = (repo: Repo) => ({ RIPCORD_PASSPHRASE: PASSPHRASE, ...repo.env });

export async function concurrentBackupsTrial(
  repo: Repo,
  dir: string,
  rng: Rng,
  writers = 8,
  bundle?: Bundle,
): Promise<TrialOutcome> {
  const outcome = newOutcome(
    `${writers} concurrent backups into one ${repo.kind} repository while prune runs in a loop`,
  );
  // An older group for prune to work on: three snapshots tagged "old"; --keep-last 1 removes two.
  const oldSource = path.join(dir, `old-source-${repo.kind}-${rng.hex(4)}`);
  await writeSourceTree(oldSource, rng, { dirs: 1, filesPerDir: 2, blobBytes: 4 << 10 });
  const old: string[] = [];
  await withStore(repo, async (store) => {
    for (let i = 0; i < 3; i++)
      old.push(
        (
          await createBackup({
            store,
            paths: ['.'],
            cwd: oldSource,
            tags: ['old'],
            keys: ENCRYPTION_KEYS,
            origin: ORIGIN,
          })
        ).snapshot.id,
      );
  });
  const before = await listing(repo);

  const sources: { dir: string; tree: Tree }[] = [];
  for (let i = 0; i < writers; i++) {
    const source = path.join(dir, `concurrent-${repo.kind}-${i}-${rng.hex(4)}`);
    await writeSourceTree(source, rng.child(i), { dirs: 2, filesPerDir: 3, blobBytes: rng.int(16, 512) << 10 });
    sources.push({ dir: source, tree: await readTree(source) });
  }
  const backups = await Promise.all(
    sources.map((s) =>
      startCli(['backup', ...repo.args, '-q', '--tag', 'live', '-C', s.dir, '.'], { env: env(repo), bundle }),
    ),
  );
  let running = backups.length;
  const finished = Promise.all(backups.map((b) => b.done.finally(() => (running -= 1))));

  // Prunes, two at a time, for as long as a backup runs (and at least one round).
  const prunes: CliExit[] = [];
  do {
    const round = await Promise.all(
      [0, 1].map(() =>
        runCli(['prune', '--tag', 'old', '--keep-last', '1', '--wait', '60s', '--json', ...repo.args], {
          env: env(repo),
          bundle,
        }),
      ),
    );
    prunes.push(...round);
  } while (running > 0);
  const exits = await finished;
  outcome.faults = writers + prunes.length;

  const ids = exits.map((e) => e.stdout.trim());
  exits.forEach((e, i) => {
    if (e.code !== 0) violate(outcome, 'concurrent-backup-succeeds', `backup ${i}: exit ${e.code}: ${e.stderr.trim()}`);
  });
  if (new Set(ids).size !== ids.length) violate(outcome, 'distinct-snapshot-ids', ids.join(', '));
  for (const prune of prunes) {
    if (prune.code !== 0) violate(outcome, 'prune-succeeds-or-waits', `exit ${prune.code}: ${prune.stderr.trim()}`);
    else {
      const report = JSON.parse(prune.stdout) as { unfinished?: { id: string; action: string }[] };
      const removing = (report.unfinished ?? []).filter((u) => u.action === 'remove').map((u) => u.id);
      if (removing.length)
        violate(
          outcome,
          'prune-spares-snapshots-being-written',
          `prune removed unfinished folders younger than the grace period: ${removing.join(', ')}`,
        );
      count(outcome, 'unfinished folders prune saw and kept', (report.unfinished ?? []).length - removing.length);
    }
  }

  const after = await listing(repo);
  const listed = new Set(after.snapshots.map((s) => s.id));
  const oldLeft = old.filter((id) => listed.has(id));
  if (oldLeft.length !== 1 || oldLeft[0] !== old[2])
    violate(outcome, 'prune-removes-what-its-policy-says', `old snapshots left: ${oldLeft.join(', ') || 'none'}`);
  const others = [...before.snapshots.map((s) => s.id)].filter((id) => !old.includes(id) && !listed.has(id));
  if (others.length) violateLosing(outcome, others.length, 'prune-keeps-other-groups', `removed: ${others.join(', ')}`);
  if (after.unfinished.length > 0) count(outcome, 'unfinished folders after the run', after.unfinished.length);

  const verified = await verifyIds(
    repo,
    ids.filter((id) => listed.has(id)),
  );
  for (const v of verified)
    if (!v.ok) violateLosing(outcome, 1, 'every-snapshot-valid', `${v.id}: ${v.problems.join('; ')}`);
  for (const [i, id] of ids.entries()) {
    if (!listed.has(id)) {
      if (exits[i]!.code === 0) violateLosing(outcome, 1, 'every-snapshot-listed', `${id} succeeded but is not listed`);
      continue;
    }
    const diff = compareTrees(sources[i]!.tree, await restoredTree(repo, id));
    if (diff.lost.length + diff.extra.length > 0)
      violateLosing(
        outcome,
        1,
        'each-snapshot-restores-its-own-source',
        `${id}: ${[...diff.lost, ...diff.extra].slice(0, 4).join('; ')}`,
      );
  }
  count(outcome, 'prunes run alongside', prunes.length);
  if (outcome.violations.length === 0) outcome.detected = outcome.faults;
  return outcome;
}

export async function concurrentRestoresTrial(dir: string, rng: Rng, bundle?: Bundle): Promise<TrialOutcome> {
  const outcome = newOutcome('two restores of different snapshots started at once into one target');
  const repo = localRepo(path.join(dir, `restores-repo-${rng.hex(4)}`));
  const trees: Tree[] = [];
  const ids: string[] = [];
  for (const name of ['a', 'b']) {
    const source = path.join(dir, `restores-source-${name}-${rng.hex(4)}`);
    ids.push(
      await backUpNewTree(repo, source, rng.child(name), { dirs: 6, filesPerDir: 8, blobBytes: 1 << 20 }, bundle),
    );
    trees.push(await readTree(source));
  }
  const target = path.join(dir, `restores-target-${rng.hex(4)}`);
  await fs.mkdir(target);
  await fs.writeFile(path.join(target, 'before.txt'), 'in the target before both restores\n');
  const runs = await Promise.all(
    ids.map((id) =>
      startCli(['restore', id, ...repo.args, '--target', target, '--yes', '--delete'], { env: env(repo), bundle }),
    ),
  );
  const exits = await Promise.all(runs.map((r) => r.done));
  outcome.faults = 2;
  const won = exits.map((e) => e.code === 0);
  exits.forEach((e, i) => {
    if (e.code !== 0 && !/is locked/.test(e.stderr))
      violate(outcome, 'loser-fails-on-the-lock', `restore ${i}: ${e.stderr.trim()}`);
  });
  if (!won.some(Boolean)) violate(outcome, 'one-restore-wins', exits.map((e) => e.stderr.trim()).join(' | '));
  count(outcome, won.every(Boolean) ? 'both ran, one after the other' : 'one refused: the target was locked');
  const final = await readTree(target);
  const matches = trees.map((t) => sameTree(t, new Map([...final].filter(([n]) => !isStaging(n)))));
  if (!matches.some(Boolean)) {
    violate(
      outcome,
      'target-is-exactly-one-snapshot',
      `the target matches neither snapshot: ${compareTrees(trees[0]!, final).lost.slice(0, 3).join('; ')} / ${compareTrees(trees[1]!, final).lost.slice(0, 3).join('; ')}`,
    );
  }
  if ([...final.keys()].some(isStaging))
    violate(outcome, 'no-staging-folder-left', 'a staging folder is left in the target');
  if (outcome.violations.length === 0) outcome.detected = 2;
  return outcome;
}
