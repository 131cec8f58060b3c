/**
 * Resource exhaustion: a backup into, and a restore out to, a file system that fills up.
 *
 * Where the machine allows mounting (root, or passwordless sudo), the file systems are real:
 * small tmpfs mounts, unmounted afterwards. Where it does not, the same invariants are
 * checked in-process against a test double: a local store that reports ENOSPC once a byte
 * budget is spent (EnospcTestStore). Test names and the report say which one ran.
 *
 * Invariants: one clear error line; no committed partial snapshot; snapshots committed
 * before are intact; the next backup succeeds once there is room; the restore target is
 * untouched (or recoverable from the pre-restore snapshot).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { createBackup } from '../../src/ops/backup.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import type { PutOptions } from '../../src/storage/store.ts';
import type { Bundle, CliExit, Rng, TrialOutcome } from './harness.ts';
import { cleanFailure, count, describeError, newOutcome, violate, violateLosing } from './harness.ts';
import { ENCRYPTION_KEYS, ORIGIN, PASSPHRASE, runCli } from './harness.ts';
import { backUpNewTree, listing, localRepo, restoredTree, restoreInProcess, verifyIds } from './harness.ts';
import { compareTrees, isStaging, readTree, writeSourceTree } from './harness.ts';

// ---------------------------------------------------------------------------------------
// Mounting

function runAsRoot(args: string[]): boolean {
  const direct =
    process.getuid?.() === 0
      ? spawnSync(args[0]!, args.slice(1), { stdio: 'ignore' })
      : spawnSync('sudo', ['-n', ...args], { stdio: 'ignore' });
  return direct.status === 0;
}

/** Can this machine mount a tmpfs (as root, or with passwordless sudo)? Checked once, synchronously. */
export function canMountTmpfs(): boolean {
  const dir = mkdtempSync(path.join(tmpdir(), 'ripcord-mount-probe-'));
  try {
    if (!runAsRoot(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir])) return false;
    runAsRoot(['umount', dir]);
    return true;
  } catch {
    return false;
  } finally {
    try {
      rmdirSync(dir);
    } catch {
      // still mounted (umount failed): leave it rather than fail the probe
    }
  }
}

export interface SmallFileSystem {
  dir: string;
  unmount(): Promise<void>;
}

/** A tmpfs of `bytes` at `dir` (created), owned by the current user. */
export async function mountTmpfs(dir: string, bytes: number): Promise<SmallFileSystem> {
  await fs.mkdir(dir, { recursive: true });
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  if (!runAsRoot(['mount', '-t', 'tmpfs', '-o', `size=${bytes},mode=0755,uid=${uid},gid=${gid}`, 'tmpfs', dir])) {
    throw new Error(`cannot mount a tmpfs at ${dir}`);
  }
  return {
    dir,
    async unmount() {
      if (!runAsRoot(['umount', dir])) runAsRoot(['umount', '-l', dir]);
    },
  };
}

async function freeBytes(dir: string): Promise<number> {
  const stats = await fs.statfs(dir);
  return stats.bavail * stats.bsize;
}

/** Fill the file system holding `dir` until about `leave` bytes are free. */
async function fillUntil(dir: string, leave: number): Promise<void> {
  const free = await freeBytes(dir);
  if (free > leave) await fs.writeFile(path.join(dir, 'filler.bin'), Buffer.alloc(free - leave));
}

// ---------------------------------------------------------------------------------------
// The test double

/**
 * A local store on a "disk" with `budget` bytes left: once the objects written (since
 * creation or setBudget) pass the budget, the write fails with ENOSPC, exactly where the
 * real file system would fail it (inside LocalStore's write, which then cleans up).
 */
export class EnospcTestStore extends LocalStore {
  private left: number;

  constructor(root: string, budget: number) {
    super(root);
    this.left = budget;
  }

  setBudget(bytes: number): void {
    this.left = bytes;
  }

  override async put(key: string, body: Readable | Uint8Array, options?: PutOptions): Promise<void> {
    const source = body instanceof Uint8Array ? Readable.from([Buffer.from(body)]) : body;
    const store = this;
    const metered = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        store.left -= chunk.length;
        if (store.left < 0) {
          callback(
            Object.assign(new Error('ENOSPC: no space left on device, write'), {
              code: 'ENOSPC',
              errno: -28,
              syscall: 'write',
            }),
          );
        } else callback(null, chunk);
      },
    });
    // as pipeline() would: an error on either side destroys both
    source.on('error', (error) => metered.destroy(error));
    metered.on('error', (error) => source.destroy(error));
    return super.put(key, source.pipe(metered), options);
  }
}

// ---------------------------------------------------------------------------------------
// Trials on real small file systems

const env = { RIPCORD_PASSPHRASE: PASSPHRASE };

/** A backup into a repository on a 6 MiB tmpfs, of 12 MiB that do not fit. */
export async function backupIntoFullDisk(dir: string, rng: Rng, bundle?: Bundle): Promise<TrialOutcome> {
  const outcome = newOutcome('backup of 12 MiB into a repository on a 6 MiB tmpfs');
  const small = path.join(dir, 'full-small');
  const big = path.join(dir, 'full-big');
  await writeSourceTree(small, rng, { dirs: 2, filesPerDir: 4, blobBytes: 64 << 10 });
  await writeSourceTree(big, rng, { dirs: 1, filesPerDir: 1, blobBytes: 12 << 20 });
  const mounted = await mountTmpfs(path.join(dir, 'full-fs'), 6 << 20);
  try {
    const repo = localRepo(path.join(mounted.dir, 'repo'));
    const first = await runCli(['backup', ...repo.args, '-q', '-C', small, '.'], { env, bundle });
    if (first.code !== 0) throw new Error(`the first backup failed: ${first.stderr}`);
    const firstId = first.stdout.trim();
    const firstTree = await readTree(small);

    const full = await runCli(['backup', ...repo.args, '-q', '-C', big, '.'], { env, bundle });
    failedOnFullDisk(outcome, full);

    const after = await listing(repo);
    const committed = after.snapshots.map((s) => s.id);
    if (committed.length !== 1 || committed[0] !== firstId)
      violate(outcome, 'no-committed-partial-snapshot', `listed: ${committed.join(', ')}`);
    if (after.damaged.length)
      violate(outcome, 'no-committed-partial-snapshot', after.damaged.map((d) => d.id).join(', '));
    if (after.unfinished.length)
      violate(
        outcome,
        'failed-backup-leaves-no-folder',
        `unfinished folders left: ${after.unfinished.map((u) => u.id).join(', ')}`,
      );
    for (const v of await verifyIds(repo, [firstId]))
      if (!v.ok) violateLosing(outcome, 1, 'earlier-snapshot-intact', v.problems.join('; '));
    const diff = compareTrees(firstTree, await restoredTree(repo, firstId));
    if (diff.lost.length + diff.extra.length)
      violateLosing(outcome, 1, 'earlier-snapshot-restores', [...diff.lost, ...diff.extra].join('; '));

    const next = await runCli(['backup', ...repo.args, '-q', '-C', small, '.'], { env, bundle });
    if (next.code !== 0)
      violate(
        outcome,
        'next-backup-succeeds',
        `the disk stayed full after the failed backup: ${next.stderr.trim()} (${await freeBytes(mounted.dir)} bytes free)`,
      );
    if (outcome.violations.length === 0) outcome.detected = 1;
    return outcome;
  } finally {
    await mounted.unmount();
  }
}

/**
 * The fault a command ran into was a full disk: it failed with one clean line that says so
 * (and says nothing `misleading` matches); the line goes into the notes.
 */
function failedOnFullDisk(outcome: TrialOutcome, exit: CliExit, misleading?: RegExp): void {
  outcome.faults = 1;
  const problem = cleanFailure(exit);
  if (problem) violate(outcome, 'one-clear-error', problem);
  else if (!/disk is full|no space/i.test(exit.stderr) || misleading?.test(exit.stderr))
    violate(outcome, 'error-says-the-disk-is-full', exit.stderr.trim());
  outcome.notes.push(exit.stderr.trim());
}

/** A restore of 8 MiB into a target on a 4 MiB tmpfs. */
export async function restoreOntoFullDisk(dir: string, rng: Rng, bundle?: Bundle): Promise<TrialOutcome> {
  const outcome = newOutcome('restore of 8 MiB into a target on a 4 MiB tmpfs (--delete)');
  const source = path.join(dir, 'restore-full-source');
  const repo = localRepo(path.join(dir, 'restore-full-repo'));
  const id = await backUpNewTree(repo, source, rng, { dirs: 3, filesPerDir: 5, blobBytes: 8 << 20 }, bundle);
  const mounted = await mountTmpfs(path.join(dir, 'restore-full-fs'), 4 << 20);
  try {
    const target = path.join(mounted.dir, 'target');
    await writeSourceTree(target, rng, { dirs: 2, filesPerDir: 3, blobBytes: 256 << 10 });
    const before = await readTree(target);
    const known = new Set((await listing(repo)).snapshots.map((s) => s.id));
    const run = await runCli(['restore', id, ...repo.args, '--target', target, '--yes', '--delete'], { env, bundle });
    failedOnFullDisk(outcome, run, /damaged|tampered/);
    const after = await readTree(target);
    const diff = compareTrees(before, after);
    if (diff.lost.length + diff.extra.length > 0) {
      // Touched: it must come back exactly from the pre-restore snapshot it names.
      const fresh = (await listing(repo)).snapshots.filter((s) => !known.has(s.id) && s.kind === 'pre-restore');
      violate(
        outcome,
        'target-untouched',
        [...diff.lost, ...diff.extra.map((e) => `${isStaging(e) ? 'staging ' : 'extra '}${e}`)].slice(0, 5).join('; '),
      );
      if (fresh.length === 1) {
        const undo = await runCli(['restore', fresh[0]!.id, ...repo.args, '--target', target, '--yes'], {
          env,
          bundle,
        });
        const back = compareTrees(before, await readTree(target));
        if (undo.code !== 0 || back.lost.length > 0) outcome.lost += 1;
        else count(outcome, 'recovered from the pre-restore snapshot');
      } else if (diff.lost.length > 0) outcome.lost += 1;
    }
    if (outcome.violations.length === 0) outcome.detected = 1;
    return outcome;
  } finally {
    await mounted.unmount();
  }
}

/** A restore whose pre-restore snapshot does not fit in the repository's file system. */
export async function preRestoreIntoFullDisk(dir: string, rng: Rng, bundle?: Bundle): Promise<TrialOutcome> {
  const outcome = newOutcome(
    'restore whose pre-restore snapshot (4 MiB) does not fit in the repository (tmpfs, 1 MiB left)',
  );
  const source = path.join(dir, 'pre-full-source');
  await writeSourceTree(source, rng, { dirs: 2, filesPerDir: 3, blobBytes: 32 << 10 });
  const mounted = await mountTmpfs(path.join(dir, 'pre-full-fs'), 8 << 20);
  try {
    const repo = localRepo(path.join(mounted.dir, 'repo'));
    const backup = await runCli(['backup', ...repo.args, '-q', '-C', source, '.'], { env, bundle });
    if (backup.code !== 0) throw new Error(`backup failed: ${backup.stderr}`);
    const id = backup.stdout.trim();
    await fillUntil(mounted.dir, 1 << 20);
    const target = path.join(dir, 'pre-full-target');
    await writeSourceTree(target, rng, { dirs: 2, filesPerDir: 3, blobBytes: 4 << 20 });
    const before = await readTree(target);
    const run = await runCli(['restore', id, ...repo.args, '--target', target, '--yes', '--delete'], { env, bundle });
    failedOnFullDisk(outcome, run);
    const diff = compareTrees(before, await readTree(target));
    if (diff.lost.length + diff.extra.length > 0) {
      if (diff.lost.length) outcome.lost += 1;
      violate(outcome, 'target-untouched', [...diff.lost, ...diff.extra].slice(0, 5).join('; '));
    }
    const after = await listing(repo);
    if (after.snapshots.some((s) => s.kind === 'pre-restore'))
      violate(
        outcome,
        'no-committed-partial-snapshot',
        'a pre-restore snapshot was committed although the restore failed',
      );
    if (after.damaged.length)
      violate(outcome, 'no-committed-partial-snapshot', after.damaged.map((d) => d.id).join(', '));
    if (outcome.violations.length === 0) outcome.detected = 1;
    return outcome;
  } finally {
    await mounted.unmount();
  }
}

// ---------------------------------------------------------------------------------------
// The same invariants against the ENOSPC test double (no mounting allowed)

export async function backupIntoEnospcTestStore(dir: string, rng: Rng): Promise<TrialOutcome> {
  const outcome = newOutcome('backup of 2 MiB into an ENOSPC test double store with 256 KiB left');
  const small = path.join(dir, 'double-small');
  const big = path.join(dir, 'double-big');
  await writeSourceTree(small, rng, { dirs: 2, filesPerDir: 3, blobBytes: 16 << 10 });
  await writeSourceTree(big, rng, { dirs: 1, filesPerDir: 1, blobBytes: 2 << 20 });
  const root = path.join(dir, 'double-repo');
  const store = new EnospcTestStore(root, Number.MAX_SAFE_INTEGER);
  const repo = localRepo(root);
  const first = await createBackup({ store, paths: ['.'], cwd: small, keys: ENCRYPTION_KEYS, origin: ORIGIN });
  store.setBudget(256 << 10);
  outcome.faults = 1;
  const error = await createBackup({ store, paths: ['.'], cwd: big, keys: ENCRYPTION_KEYS, origin: ORIGIN }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!error) violate(outcome, 'one-clear-error', 'the backup succeeded');
  else {
    const { message, ripcord } = describeError(error);
    if (!ripcord) violate(outcome, 'one-clear-error', `internal error: ${message}`);
    else if (!/disk is full/.test(message)) violate(outcome, 'error-says-the-disk-is-full', message);
    outcome.notes.push(message);
  }
  const after = await listing(repo);
  if (after.snapshots.length !== 1 || after.snapshots[0]!.id !== first.snapshot.id)
    violate(outcome, 'no-committed-partial-snapshot', after.snapshots.map((s) => s.id).join(', '));
  if (after.unfinished.length)
    violate(
      outcome,
      'failed-backup-leaves-no-folder',
      `unfinished folders left: ${after.unfinished.map((u) => u.id).join(', ')}`,
    );
  for (const v of await verifyIds(repo, [first.snapshot.id]))
    if (!v.ok) violateLosing(outcome, 1, 'earlier-snapshot-intact', v.problems.join('; '));
  store.setBudget(Number.MAX_SAFE_INTEGER);
  await createBackup({ store, paths: ['.'], cwd: small, keys: ENCRYPTION_KEYS, origin: ORIGIN }).catch((e: Error) =>
    violate(outcome, 'next-backup-succeeds', e.message),
  );
  if (outcome.violations.length === 0) outcome.detected = 1;
  return outcome;
}

export async function preRestoreIntoEnospcTestStore(dir: string, rng: Rng): Promise<TrialOutcome> {
  const outcome = newOutcome('restore whose pre-restore snapshot does not fit (ENOSPC test double store)');
  const source = path.join(dir, 'double-restore-source');
  await writeSourceTree(source, rng, { dirs: 2, filesPerDir: 3, blobBytes: 16 << 10 });
  const root = path.join(dir, 'double-restore-repo');
  const store = new EnospcTestStore(root, Number.MAX_SAFE_INTEGER);
  const { snapshot } = await createBackup({ store, paths: ['.'], cwd: source, keys: ENCRYPTION_KEYS, origin: ORIGIN });
  const target = path.join(dir, 'double-restore-target');
  await writeSourceTree(target, rng, { dirs: 2, filesPerDir: 3, blobBytes: 1 << 20 });
  const before = await readTree(target);
  store.setBudget(128 << 10);
  outcome.faults = 1;
  const error = await (async () => {
    await restoreInProcess(store, snapshot.id, target, { delete: true });
  })().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!error) violate(outcome, 'one-clear-error', 'the restore succeeded');
  else if (!describeError(error).ripcord)
    violate(outcome, 'one-clear-error', `internal error: ${describeError(error).message}`);
  const diff = compareTrees(before, await readTree(target));
  if (diff.lost.length + diff.extra.length > 0) {
    if (diff.lost.length) outcome.lost += 1;
    violate(outcome, 'target-untouched', [...diff.lost, ...diff.extra].slice(0, 5).join('; '));
  }
  if ((await listing(localRepo(root))).snapshots.some((s) => s.kind === 'pre-restore'))
    violate(outcome, 'no-committed-partial-snapshot', 'a pre-restore snapshot was committed');
  if (outcome.violations.length === 0) outcome.detected = 1;
  return outcome;
}
