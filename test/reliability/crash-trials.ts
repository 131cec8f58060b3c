/**
 * Crash consistency: backups and restores killed with SIGKILL at a random moment, then
 * the invariants the format promises:
 *
 * backup  no unfinished snapshot is listed or chosen as latest; a snapshot that is listed
 *         verifies with --read-data and restores to the tree it was taken of; every
 *         snapshot committed before the kill still does (checked by the sweep after the
 *         kills, which callers end with restoreAll); the next backup succeeds; prune keeps
 *         the leftovers within the grace period and removes them after it.
 * restore if the pre-restore snapshot was committed, restoring it gives back the original
 *         tree byte for byte; if it was not, the target was not touched; either way the
 *         next restore succeeds.
 *
 * "lost" counts snapshots and trees that could not be brought back exactly; it is computed
 * by restoring and comparing with trees recorded before the trial, never assumed.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { listFolders, resolveSnapshot } from '../../src/ops/repository.ts';
import { SNAPSHOT_OBJECT } from '../../src/domain/snapshot.ts';
import type { Store } from '../../src/storage/store.ts';
import type { Bundle, CliExit, Repo, Rng, RunningCli, Tree, TreeShape, TrialOutcome } from './harness.ts';
import { count, median, newOutcome, violate } from './harness.ts';
import { PASSPHRASE, runAndKill, runCli, startCli } from './harness.ts';
import { backUpNewTree, listing, restoredTree, verifyIds, withStore } from './harness.ts';
import { compareTrees, copyTree, isStaging, mutateTree, readTree, writeSourceTree } from './harness.ts';

const HOUR = 60 * 60 * 1000;

/**
 * Many small files rather than one big one: packing is fast per byte and slow per file, so
 * files keep the writing phase long enough (about a second here) for kills to land in it.
 * The CI-sized suite uses the smaller shapes, the stress run the larger ones.
 */
export const CRASH_BACKUP_SHAPE: TreeShape = { dirs: 10, filesPerDir: 50, blobBytes: 2 << 20 };
export const CRASH_RESTORE_SHAPE: TreeShape = { dirs: 12, filesPerDir: 15, blobBytes: 512 << 10 };
export const STRESS_CRASH_BACKUP_SHAPE: TreeShape = { dirs: 20, filesPerDir: 100, blobBytes: 3 << 20 };
export const STRESS_CRASH_RESTORE_SHAPE: TreeShape = { dirs: 20, filesPerDir: 40, blobBytes: 1 << 20 };

const keyEnv = (repo: Repo) => ({ RIPCORD_PASSPHRASE: PASSPHRASE, ...repo.env });

// ---------------------------------------------------------------------------------------
// Backups

export interface CrashBackupContext {
  repo: Repo;
  /** the folder backed up (as ".") */
  source: string;
  /** every snapshot known to be committed, with the tree it was taken of */
  committed: Map<string, Tree>;
  /** how long an uninterrupted backup takes here */
  normalMs: number;
  /** when an uninterrupted backup starts writing to the repository */
  firstWriteMs: number;
  bundle?: Bundle | undefined;
}

function backupArgs(ctx: { repo: Repo; source: string }, level: 'full' | 'incremental' = 'full'): string[] {
  return ['backup', ...ctx.repo.args, '-q', '--level', level, '-C', ctx.source, '.'];
}

/**
 * A source tree, and two uninterrupted backups of it: their duration sets the kill window,
 * and the moment the first object appeared in the repository marks where writing starts.
 */
export async function prepareCrashBackup(
  repo: Repo,
  dir: string,
  rng: Rng,
  shape = CRASH_BACKUP_SHAPE,
  bundle?: Bundle,
): Promise<CrashBackupContext> {
  const source = path.join(dir, `source-${repo.kind}`);
  await writeSourceTree(source, rng, shape);
  const ctx: CrashBackupContext = { repo, source, committed: new Map(), normalMs: 0, firstWriteMs: 0, bundle };
  const durations: number[] = [];
  const firstWrites: number[] = [];
  for (let i = 0; i < 2; i++) {
    const tree = await readTree(source);
    const known = new Set([...(await listing(repo)).snapshots.map((s) => s.id)]);
    const running = await startCli(backupArgs(ctx), { env: keyEnv(repo), bundle });
    firstWrites.push(await firstFolderAppears(repo, known, running));
    const run = await running.done;
    if (run.code !== 0) throw new Error(`the baseline backup failed: ${run.stderr}`);
    ctx.committed.set(run.stdout.trim(), tree);
    durations.push(run.ms);
    await mutateTree(source, rng);
  }
  // the faster run: a kill window longer than the run mostly kills nothing
  ctx.normalMs = Math.min(...durations);
  ctx.firstWriteMs = Math.min(median(firstWrites), ctx.normalMs);
  return ctx;
}

/** Milliseconds from start until a new snapshot folder shows up in the repository. */
async function firstFolderAppears(repo: Repo, known: Set<string>, running: RunningCli): Promise<number> {
  return whenRepository(repo, running, (now) => [...now.folders].some((id) => !known.has(id)));
}

/** The snapshot folders in a repository (empty ones too) and those holding snapshot.json. */
interface FolderLook {
  folders: Set<string>;
  committed: Set<string>;
}

/** Folder names only, without reading any snapshot.json: the look repeated while a command runs. */
async function lookAtFolders(store: Store): Promise<FolderLook> {
  const byId = await listFolders(store);
  const folders = new Set(byId.keys());
  for await (const empty of store.listEmptyFolders?.() ?? []) folders.add(empty.key);
  const committed = new Set(
    [...byId.values()].filter((f) => f.objects.some((o) => o.key === `${f.id}/${SNAPSHOT_OBJECT}`)).map((f) => f.id),
  );
  return { folders, committed };
}

/** Milliseconds from start until the repository's folders satisfy `test` (or the run ends). */
async function whenRepository(repo: Repo, running: RunningCli, test: (now: FolderLook) => boolean): Promise<number> {
  let finished = false;
  void running.done.then(() => (finished = true));
  // one store for the whole wait: opening one per look costs more than the look itself on S3
  return withStore(repo, async (store) => {
    while (!finished) {
      if (test(await lookAtFolders(store))) return Date.now() - running.started;
      await sleep(10);
    }
    return Date.now() - running.started;
  });
}

/**
 * Where to kill: uniform over the whole run for some trials, and over the part of the
 * run that writes for most, so that kills land in every phase and not mostly in startup.
 */
function killDelay(rng: Rng, normalMs: number, writesFromMs: number): number {
  const from = rng.bool(0.35) ? 20 : Math.max(20, writesFromMs);
  return rng.int(from, Math.max(from + 20, normalMs));
}

/**
 * One backup of the mutated tree, SIGKILLed at a random moment. `incremental`: the backup is
 * an incremental on the newest committed snapshot (which the sweep after the kills restores
 * with its whole chain).
 */
export async function crashBackupTrial(
  ctx: CrashBackupContext,
  rng: Rng,
  level: 'full' | 'incremental' = 'full',
): Promise<TrialOutcome> {
  const { repo } = ctx;
  await mutateTree(ctx.source, rng);
  const tree = await readTree(ctx.source);
  const before = await listing(repo);
  const beforeIds = new Set(before.snapshots.map((s) => s.id));
  const delay = killDelay(rng, ctx.normalMs, ctx.firstWriteMs);
  const outcome = newOutcome(
    `${repo.kind} ${level === 'full' ? '' : `${level} `}backup, SIGKILL after ${delay} ms (uninterrupted: writes from ${ctx.firstWriteMs} ms, done at ${ctx.normalMs} ms)`,
  );

  const exit = await runAndKill(backupArgs(ctx, level), delay, { env: keyEnv(repo), bundle: ctx.bundle });
  const after = await listing(repo);
  const fresh = after.snapshots.filter((s) => !beforeIds.has(s.id));
  const unfinishedBefore = new Set(before.unfinished.map((f) => f.id));
  const newUnfinished = after.unfinished.filter((f) => !unfinishedBefore.has(f.id));

  if (!exit.killed) {
    count(outcome, 'finished before the kill');
    // The machine got faster than the baseline: aim the next kills inside the run.
    ctx.normalMs = Math.max(40, Math.min(ctx.normalMs, exit.ms - 10));
    ctx.firstWriteMs = Math.min(ctx.firstWriteMs, Math.floor(ctx.normalMs * 0.8));
    if (exit.code !== 0) violate(outcome, 'uninterrupted-backup-failed', `exit ${exit.code}: ${exit.stderr}`);
    else if (fresh.length !== 1 || fresh[0]!.id !== exit.stdout.trim()) {
      violate(
        outcome,
        'listing-after-backup',
        `printed ${exit.stdout.trim()}, listed new: ${fresh.map((s) => s.id).join(', ') || 'none'}`,
      );
    }
  } else {
    outcome.faults = 1;
    if (fresh.length === 1) count(outcome, 'killed after snapshot.json was written');
    else if (newUnfinished.length > 0) {
      const objects = newUnfinished.flatMap((f) => f.objects.map((o) => o.key.slice(f.id.length + 1)));
      count(outcome, 'killed mid-write (unfinished folder left)');
      outcome.notes.push(`unfinished folder holds: ${objects.join(', ') || 'nothing'}`);
    } else count(outcome, 'killed before anything was written');
    if (fresh.length > 1)
      violate(outcome, 'one-kill-one-snapshot', `${fresh.length} new snapshots after one killed backup`);
  }

  // Nothing unfinished or damaged is ever listed, and latest is the newest committed snapshot.
  if (after.damaged.length > 0) {
    violate(outcome, 'damaged-snapshot-listed', after.damaged.map((d) => `${d.id}: ${d.problem}`).join('; '));
  }
  const unfinishedIds = new Set(after.unfinished.map((f) => f.id));
  for (const s of after.snapshots) if (unfinishedIds.has(s.id)) violate(outcome, 'unfinished-listed', s.id);
  const latest = await withStore(repo, (store) => resolveSnapshot(store, 'latest')).catch((e: Error) => e);
  const newest = after.snapshots.find((s) => s.kind !== 'pre-restore');
  if (latest instanceof Error) violate(outcome, 'latest-resolves', latest.message);
  else if (latest.id !== newest?.id || unfinishedIds.has(latest.id))
    violate(outcome, 'latest-is-newest-committed', `latest is ${latest.id}`);

  // A snapshot that became visible is whole: it verifies and restores to the tree taken.
  for (const s of fresh) {
    const verified = await verifyIds(repo, [s.id]);
    const bad = verified.filter((v) => !v.ok);
    if (bad.length > 0) {
      violate(outcome, 'half-written-snapshot-visible', bad.flatMap((v) => v.problems).join('; '));
      continue;
    }
    const diff = compareTrees(tree, await restoredTree(repo, s.id));
    if (diff.lost.length + diff.extra.length > 0) {
      violate(
        outcome,
        'visible-snapshot-restores-exactly',
        [...diff.lost, ...diff.extra.map((e) => `extra ${e}`)].slice(0, 5).join('; '),
      );
    } else {
      ctx.committed.set(s.id, tree);
    }
  }

  // Snapshots committed before the trial are left to the sweep after the kills, which verifies
  // them all with --read-data and restores every one (restoreAll): damage a kill did to one
  // stays until then, and checking the newest few after every kill as well doubled the work.

  // The next backup succeeds.
  const next = await runCli(backupArgs(ctx), { env: keyEnv(repo), bundle: ctx.bundle });
  if (next.code !== 0) violate(outcome, 'next-backup-succeeds', `exit ${next.code}: ${next.stderr}`);
  else ctx.committed.set(next.stdout.trim(), tree);

  if (outcome.faults > 0 && !outcome.violations.some((v) => v.invariant !== 'uninterrupted-backup-failed'))
    outcome.detected = 1;
  count(outcome, 'unfinished folders left', newUnfinished.length);
  return outcome;
}

// ---------------------------------------------------------------------------------------
// The sweep after a batch of kills: listing, verify --all --read-data, prune, restores

export interface SweepOptions {
  /** restore every committed snapshot and compare it with its tree (the final audit) */
  restoreAll?: boolean;
  bundle?: Bundle | undefined;
}

/**
 * Through the CLI: list shows exactly the committed snapshots; verify --all --read-data
 * passes; a prune within the grace period keeps every unfinished folder and one after it
 * removes them all (and nothing committed).
 */
export async function crashSweep(
  repo: Repo,
  committed: ReadonlySet<string>,
  label: string,
  options: SweepOptions = {},
  trees?: ReadonlyMap<string, Tree>,
): Promise<TrialOutcome> {
  const outcome = newOutcome(
    `${repo.kind} ${label}: list, verify --all --read-data, prune within and after the grace period`,
  );
  const env = { RIPCORD_PASSPHRASE: PASSPHRASE, ...repo.env };
  const bundle = options.bundle;

  const list = await runCli(['list', '--json', ...repo.args], { env, bundle });
  if (list.code !== 0) violate(outcome, 'list-succeeds', list.stderr);
  else {
    const listed = new Set((JSON.parse(list.stdout) as { id: string }[]).map((s) => s.id));
    const missing = [...committed].filter((id) => !listed.has(id));
    const unexpected = [...listed].filter((id) => !committed.has(id));
    if (missing.length) {
      outcome.lost += missing.length;
      violate(outcome, 'committed-snapshot-listed', `not listed: ${missing.join(', ')}`);
    }
    if (unexpected.length)
      violate(outcome, 'only-committed-listed', `listed but never committed: ${unexpected.join(', ')}`);
  }

  const verify = await runCli(['verify', '--all', '--read-data', ...repo.args], { env, bundle });
  if (verify.code !== 0) {
    const failed = verify.stdout.split('\n').filter((l) => l.startsWith('FAILED')).length || 1;
    outcome.lost += failed;
    violate(
      outcome,
      'verify-all-read-data',
      `${verify.stdout
        .split('\n')
        .filter((l) => l.startsWith('FAILED'))
        .join('; ')} ${verify.stderr}`,
    );
  }

  const leftovers = (await listing(repo)).unfinished.map((f) => f.id);
  count(outcome, 'unfinished folders before prune', leftovers.length);
  const within = await runCli(['prune', '--keep-last', 'unlimited', '--json', ...repo.args], {
    env,
    bundle,
    clockOffsetMs: 50 * 60 * 1000,
  });
  if (within.code !== 0) violate(outcome, 'prune-succeeds', within.stderr);
  const kept = new Set((await listing(repo)).unfinished.map((f) => f.id));
  const removedYoung = leftovers.filter((id) => !kept.has(id));
  if (removedYoung.length)
    violate(outcome, 'prune-keeps-young-unfinished', `removed within the grace period: ${removedYoung.join(', ')}`);

  const afterGrace = await runCli(['prune', '--keep-last', 'unlimited', '--json', ...repo.args], {
    env,
    bundle,
    clockOffsetMs: 2 * HOUR,
  });
  if (afterGrace.code !== 0) violate(outcome, 'prune-succeeds', afterGrace.stderr);
  const swept = await listing(repo);
  if (swept.unfinished.length > 0)
    violate(outcome, 'prune-removes-leftovers', `still there: ${swept.unfinished.map((f) => f.id).join(', ')}`);
  const stillCommitted = new Set(swept.snapshots.map((s) => s.id));
  const prunedCommitted = [...committed].filter((id) => !stillCommitted.has(id));
  if (prunedCommitted.length) {
    outcome.lost += prunedCommitted.length;
    violate(outcome, 'prune-keeps-committed', `removed: ${prunedCommitted.join(', ')}`);
  }
  if (repo.dir) {
    const partials = await findPartials(repo.dir);
    if (partials.length) violate(outcome, 'no-partial-files-after-prune', partials.slice(0, 5).join(', '));
  }
  count(outcome, 'unfinished folders removed by prune', leftovers.length - swept.unfinished.length);

  if (options.restoreAll && trees) {
    for (const [id, tree] of trees) {
      const diff = compareTrees(tree, await restoredTree(repo, id));
      if (diff.lost.length + diff.extra.length > 0) {
        outcome.lost += 1;
        violate(
          outcome,
          'committed-snapshot-restores',
          `${id}: ${[...diff.lost, ...diff.extra].slice(0, 5).join('; ')}`,
        );
      }
    }
    count(outcome, 'snapshots restored and compared', trees.size);
  }
  return outcome;
}

async function findPartials(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.name.includes('.partial-')) found.push(path.join(entry.parentPath ?? '', entry.name));
  }
  return found;
}

// ---------------------------------------------------------------------------------------
// Restores

export interface CrashRestoreContext {
  repo: Repo;
  /** the snapshot restored in every trial, and the tree it holds */
  snapshotId: string;
  snapshotTree: Tree;
  /** the restore target, and a pristine copy of what it holds before each trial */
  target: string;
  original: string;
  originalTree: Tree;
  /** how long an uninterrupted restore takes here */
  normalMs: number;
  /** when an uninterrupted restore creates its staging folder */
  stagingMs: number;
  /** when an uninterrupted restore starts writing its pre-restore snapshot */
  preRestoreMs: number;
  /** when its pre-restore snapshot is committed: moving files into place follows */
  applyMs: number;
  /** snapshots known to be committed (the restored one and pre-restore snapshots) */
  committed: Set<string>;
  bundle?: Bundle | undefined;
}

function restoreArgs(ctx: CrashRestoreContext, id = ctx.snapshotId, extra: string[] = ['--delete']): string[] {
  return ['restore', id, ...ctx.repo.args, '--target', ctx.target, '--yes', ...extra];
}

/**
 * A snapshot of a tree, and a target that has drifted from it (edits, additions,
 * deletions), so that a restore adds, changes and removes; one uninterrupted restore
 * measures the kill window.
 */
export async function prepareCrashRestore(
  repo: Repo,
  dir: string,
  rng: Rng,
  shape = CRASH_RESTORE_SHAPE,
  bundle?: Bundle,
): Promise<CrashRestoreContext> {
  const source = path.join(dir, `restore-source-${repo.kind}`);
  const snapshotId = await backUpNewTree(repo, source, rng, shape, bundle);
  const original = path.join(dir, `restore-original-${repo.kind}`);
  await copyTree(source, original);
  for (let i = 0; i < 6; i++) await mutateTree(original, rng);
  await fs.writeFile(path.join(original, 'only-in-target.txt'), 'the restore removes this (--delete)\n');
  const target = path.join(dir, `restore-target-${repo.kind}`);
  const ctx: CrashRestoreContext = {
    repo,
    snapshotId,
    snapshotTree: await readTree(source),
    target,
    original,
    originalTree: await readTree(original),
    normalMs: 0,
    stagingMs: 0,
    preRestoreMs: 0,
    applyMs: 0,
    committed: new Set([snapshotId]),
    bundle,
  };
  await copyTree(original, target);
  const known = new Set((await listing(repo)).snapshots.map((s) => s.id));
  const running = await startCli(restoreArgs(ctx), { env: keyEnv(repo), bundle });
  let finished = false;
  void running.done.then(() => (finished = true));
  while (!finished && !(await fs.readdir(target)).some(isStaging)) await sleep(10);
  ctx.stagingMs = Date.now() - running.started;
  ctx.preRestoreMs = await firstFolderAppears(repo, known, running);
  ctx.applyMs = await whenRepository(repo, running, (now) => [...now.committed].some((id) => !known.has(id)));
  const normal = await running.done;
  if (normal.code !== 0) throw new Error(`the baseline restore failed: ${normal.stderr}`);
  ctx.normalMs = normal.ms;
  ctx.stagingMs = Math.min(ctx.stagingMs, ctx.normalMs);
  ctx.preRestoreMs = Math.max(ctx.stagingMs, Math.min(ctx.preRestoreMs, ctx.normalMs));
  ctx.applyMs = Math.max(ctx.preRestoreMs, Math.min(ctx.applyMs, ctx.normalMs));
  for (const s of (await listing(repo)).snapshots) ctx.committed.add(s.id);
  return ctx;
}

export async function crashRestoreTrial(ctx: CrashRestoreContext, rng: Rng): Promise<TrialOutcome> {
  const { repo } = ctx;
  await copyTree(ctx.original, ctx.target);
  // A quarter each: anywhere, from staging on, from the pre-restore snapshot on (timed from
  // the start), and while files are moved into place: timed from the moment the pre-restore
  // snapshot is committed, seen in the repository, since a run's phases drift from the baseline.
  const mode = rng.pick(['any', 'staging', 'pre-restore', 'apply'] as const);
  const from = mode === 'any' ? 20 : mode === 'staging' ? ctx.stagingMs : ctx.preRestoreMs;
  const delay =
    mode === 'apply'
      ? rng.int(0, Math.max(10, ctx.normalMs - ctx.applyMs))
      : rng.int(from, Math.max(from + 20, ctx.normalMs));
  const when = mode === 'apply' ? `${delay} ms after its pre-restore snapshot was committed` : `after ${delay} ms`;
  const outcome = newOutcome(
    `${repo.kind} restore --delete, SIGKILL ${when} (uninterrupted: stages from ${ctx.stagingMs} ms, pre-restore snapshot from ${ctx.preRestoreMs} ms, applies from ${ctx.applyMs} ms, done at ${ctx.normalMs} ms)`,
  );
  const env = keyEnv(repo);
  const before = new Set((await listing(repo)).snapshots.map((s) => s.id));

  let exit: CliExit & { killed: boolean };
  if (mode === 'apply') {
    const running = await startCli(restoreArgs(ctx), { env, bundle: ctx.bundle });
    await whenRepository(repo, running, (now) => [...now.committed].some((id) => !before.has(id)));
    await sleep(delay);
    running.kill('SIGKILL');
    const done = await running.done;
    exit = { ...done, killed: done.signal === 'SIGKILL' };
  } else {
    exit = await runAndKill(restoreArgs(ctx), delay, { env, bundle: ctx.bundle });
  }
  const after = await listing(repo);
  const fresh = after.snapshots.filter((s) => !before.has(s.id));
  for (const s of fresh) ctx.committed.add(s.id);
  const preRestore = fresh.filter((s) => s.kind === 'pre-restore' && s.restoredFrom === ctx.snapshotId);
  if (fresh.length !== preRestore.length || preRestore.length > 1) {
    violate(
      outcome,
      'one-restore-one-pre-restore-snapshot',
      `new snapshots: ${fresh.map((s) => `${s.id} (${s.kind})`).join(', ')}`,
    );
  }
  const staged = (await fs.readdir(ctx.target)).filter((n) => isStaging(n));

  if (!exit.killed) {
    count(outcome, 'finished before the kill');
    ctx.normalMs = Math.max(40, Math.min(ctx.normalMs, exit.ms - 10));
    ctx.applyMs = Math.min(ctx.applyMs, Math.floor(ctx.normalMs * 0.95));
    ctx.preRestoreMs = Math.min(ctx.preRestoreMs, ctx.applyMs);
    ctx.stagingMs = Math.min(ctx.stagingMs, ctx.preRestoreMs);
    if (exit.code !== 0) violate(outcome, 'uninterrupted-restore-failed', `exit ${exit.code}: ${exit.stderr}`);
    const diff = compareTrees(ctx.snapshotTree, await readTree(ctx.target));
    if (diff.lost.length + diff.extra.length > 0)
      violate(outcome, 'restore-gives-snapshot', [...diff.lost, ...diff.extra].slice(0, 5).join('; '));
  } else {
    outcome.faults = 1;
    count(
      outcome,
      preRestore.length
        ? 'killed after the pre-restore snapshot'
        : 'killed before the pre-restore snapshot was committed',
    );
  }
  // SIGKILL leaves the staging folder (nothing can clean up after it); the next restore
  // into the target must remove it, and no snapshot may archive it.
  if (staged.length > 0) count(outcome, 'staging folder left by the kill');

  // Bring the target back: with the pre-restore snapshot when there is one (what the user
  // is told to do), otherwise it must not have been touched.
  let recovered: Tree;
  if (preRestore.length >= 1) {
    const undo = await runCli(restoreArgs(ctx, preRestore[0]!.id, []), { env, bundle: ctx.bundle });
    if (undo.code !== 0) violate(outcome, 'undo-restore-succeeds', `restore ${preRestore[0]!.id}: ${undo.stderr}`);
    for (const s of (await listing(repo)).snapshots) ctx.committed.add(s.id);
    recovered = await readTree(ctx.target);
  } else {
    recovered = await readTree(ctx.target);
  }
  const diff = compareTrees(ctx.originalTree, recovered, preRestore.length ? () => false : isStaging);
  if (preRestore.length && diff.extra.some(isStaging))
    violate(
      outcome,
      'no-staging-folder-left',
      `the undo restore left ${diff.extra.filter(isStaging).join(', ')} in the target`,
    );
  if (diff.lost.length > 0) {
    outcome.lost += 1;
    violate(
      outcome,
      preRestore.length ? 'undo-gives-original-exactly' : 'target-untouched-before-pre-restore',
      diff.lost.slice(0, 5).join('; '),
    );
  }
  const extra = diff.extra.filter((e) => !isStaging(e));
  if (extra.length > 0) {
    violate(
      outcome,
      preRestore.length ? 'undo-gives-original-exactly' : 'target-untouched-before-pre-restore',
      `extra: ${extra.slice(0, 5).join(', ')}`,
    );
  }
  if (outcome.faults > 0 && outcome.lost === 0) outcome.detected = 1;

  // What the kill left in the repository verifies (pre-restore snapshots are snapshots too).
  for (const v of await verifyIds(
    repo,
    fresh.map((s) => s.id),
  )) {
    if (!v.ok) violate(outcome, 'half-written-snapshot-visible', `${v.id}: ${v.problems.join('; ')}`);
  }

  // The next restore succeeds (the killed one's lock does not block it) and removes a
  // staging folder the kill left; the target is reset first, keeping such a folder.
  const leftover = (await fs.readdir(ctx.target)).filter(isStaging);
  await copyTree(ctx.original, ctx.target);
  for (const name of leftover)
    await fs
      .mkdir(path.join(ctx.target, name), { recursive: true })
      .then(() => fs.writeFile(path.join(ctx.target, name, '0'), 'staged by a killed restore\n'));
  const next = await runCli(restoreArgs(ctx), { env, bundle: ctx.bundle });
  if (next.code !== 0) violate(outcome, 'next-restore-succeeds', `exit ${next.code}: ${next.stderr}`);
  else {
    const d = compareTrees(ctx.snapshotTree, await readTree(ctx.target));
    if (d.extra.some(isStaging))
      violate(
        outcome,
        'no-staging-folder-left',
        `the next restore left ${d.extra.filter(isStaging).join(', ')} in the target`,
      );
    const rest = [...d.lost, ...d.extra.filter((e) => !isStaging(e))];
    if (rest.length > 0) violate(outcome, 'next-restore-succeeds', rest.slice(0, 5).join('; '));
  }
  for (const s of (await listing(repo)).snapshots) ctx.committed.add(s.id);
  return outcome;
}
