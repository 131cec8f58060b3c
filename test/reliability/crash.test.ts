/**
 * Crash consistency, CI-sized: a few backups and restores (local and S3) killed with
 * SIGKILL at seeded random moments; the long version is `npm run stress`. The seed is in
 * every test name; RIPCORD_RELIABILITY_SEED replays another one.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  crashBackupTrial,
  crashRestoreTrial,
  crashSweep,
  prepareCrashBackup,
  prepareCrashRestore,
} from './crash-trials.ts';
import type { S3World, TrialOutcome } from './harness.ts';
import { describeViolations, explain, sumOutcomes } from './harness.ts';
import { PASSPHRASE, runCli, startCli } from './harness.ts';
import { backUpNewTree, localRepo, startS3World } from './harness.ts';
import { compareTrees, copyTree, isStaging, readTree, removeDir, Rng, tempDir } from './harness.ts';

const SEED = process.env.RIPCORD_RELIABILITY_SEED ?? 'ripcord-ci-1';
const BACKUP_KILLS = { local: 3, s3: 2 };
const RESTORE_KILLS = { local: 2, s3: 1 };

async function withWorld(body: (dir: string, s3: S3World) => Promise<void>): Promise<void> {
  const dir = await tempDir('ripcord-reliability-crash-');
  const s3 = await startS3World();
  try {
    await body(dir, s3);
  } finally {
    await s3.stop();
    await removeDir(dir);
  }
}

function assertNoViolations(outcome: TrialOutcome, except: string[] = []): void {
  explain(outcome);
  const relevant = (invariant: string) => !except.includes(invariant);
  assert.is(outcome.lost, 0, `data lost (seed ${SEED}):\n${describeViolations(outcome)}`);
  assert.is(describeViolations(outcome, relevant), '', `invariants broken (seed ${SEED})`);
}

test(`a backup (full or incremental) killed with SIGKILL at random moments (local and S3) is never listed half-written; committed snapshots verify and restore; the next backup succeeds; prune removes the leftovers only after the grace period (seed ${SEED})`, async () => {
  await withWorld(async (dir, s3) => {
    const rng = new Rng(`${SEED}/crash-backup`);
    const outcomes: TrialOutcome[] = [];
    for (const repo of [localRepo(path.join(dir, 'repo')), s3.repo('crash-backup')]) {
      const ctx = await prepareCrashBackup(repo, dir, rng.child(repo.kind));
      const kills = BACKUP_KILLS[repo.kind];
      // every second kill lands in an incremental backup, whose sweep restores its whole chain
      for (let i = 0; i < kills; i++) {
        const level = i % 2 === 1 ? 'incremental' : 'full';
        outcomes.push(await crashBackupTrial(ctx, rng.child(`${repo.kind}-${i}`), level));
      }
      outcomes.push(
        await crashSweep(repo, new Set(ctx.committed.keys()), 'after the kills', { restoreAll: true }, ctx.committed),
      );
    }
    const total = sumOutcomes('crash-backup', outcomes);
    assertNoViolations(total);
    assert.ok(
      total.faults >= 1,
      `no kill landed while a backup was running (seed ${SEED}): ${outcomes.map((o) => o.trial).join('; ')}`,
    );
  });
});

test(`a restore killed with SIGKILL at random moments (local and S3) loses nothing: restoring its pre-restore snapshot gives back the original tree byte for byte, or the target was never touched; the next restore succeeds (seed ${SEED})`, async () => {
  await withWorld(async (dir, s3) => {
    const rng = new Rng(`${SEED}/crash-restore`);
    const outcomes: TrialOutcome[] = [];
    for (const repo of [localRepo(path.join(dir, 'repo')), s3.repo('crash-restore')]) {
      const ctx = await prepareCrashRestore(repo, dir, rng.child(repo.kind));
      for (let i = 0; i < RESTORE_KILLS[repo.kind]; i++)
        outcomes.push(await crashRestoreTrial(ctx, rng.child(`${repo.kind}-${i}`)));
      outcomes.push(await crashSweep(repo, ctx.committed, 'after the restore kills'));
    }
    assertNoViolations(sumOutcomes('crash-restore', outcomes));
  });
});

test('a restore killed while staging leaves no .ripcord-restore-* folder behind: after the next restore the target is exactly the snapshot, and no pre-restore snapshot archives the dead staging folder', async () => {
  const dir = await tempDir('ripcord-reliability-staging-');
  try {
    const repo = localRepo(path.join(dir, 'repo'));
    const env = { RIPCORD_PASSPHRASE: PASSPHRASE };
    const source = path.join(dir, 'source');
    const id = await backUpNewTree(repo, source, new Rng(`${SEED}/staging`), {
      dirs: 10,
      filesPerDir: 10,
      blobBytes: 4 << 20,
    });
    const target = path.join(dir, 'target');
    await fs.mkdir(target);
    await fs.writeFile(path.join(target, 'mine.txt'), 'kept\n');

    // Kill the restore as soon as its staging folder exists.
    const running = await startCli(['restore', id, ...repo.args, '--target', target, '--yes'], { env });
    let staged = false;
    for (let waited = 0; waited < 30_000 && !staged; waited += 5) {
      staged = (await fs.readdir(target)).some(isStaging);
      if (!staged) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    running.kill('SIGKILL');
    const killed = await running.done;
    assert.ok(staged, `the restore never created a staging folder: ${killed.stderr}`);

    const next = await runCli(['restore', id, ...repo.args, '--target', target, '--yes', '--json'], { env });
    assert.is(next.code, 0, next.stderr);
    const preRestore = JSON.parse(next.stdout).preRestoreSnapshot as string;
    const ls = await runCli(['ls', preRestore, ...repo.args], { env });
    assert.not.match(
      ls.stdout,
      /\.ripcord-restore-/,
      "the pre-restore snapshot archived the dead restore's staging folder (decrypted copies of snapshot files)",
    );
    const expected = await readTree(source);
    expected.set('mine.txt', (await readTree(target)).get('mine.txt')!);
    const diff = compareTrees(expected, await readTree(target));
    assert.equal(diff.extra.filter(isStaging), [], 'a staging folder of the killed restore is still in the target');
  } finally {
    await removeDir(dir);
  }
});

/** One restore killed right after its pre-restore snapshot is committed, then undone; shared by two tests. */
let applyKill: Promise<{ lost: string[]; extra: string[]; undo: string }> | undefined;
function killDuringApply(): Promise<{ lost: string[]; extra: string[]; undo: string }> {
  applyKill ??= (async () => {
    const dir = await tempDir('ripcord-reliability-apply-');
    try {
      const repo = localRepo(path.join(dir, 'repo'));
      const env = { RIPCORD_PASSPHRASE: PASSPHRASE };
      const rng = new Rng(`${SEED}/apply`);
      const source = path.join(dir, 'source');
      const id = await backUpNewTree(repo, source, rng, { dirs: 30, filesPerDir: 60, blobBytes: 64 << 10 });
      // The target has drifted everywhere, so that moving files into place takes a while.
      const original = path.join(dir, 'original');
      await copyTree(source, original);
      for (const d of await fs.readdir(original)) {
        if (!d.startsWith('dir-')) continue;
        for (const f of await fs.readdir(path.join(original, d)))
          await fs.writeFile(path.join(original, d, f), `drifted ${d}/${f}\n`);
        await fs.writeFile(path.join(original, d, 'only-here.txt'), 'removed by --delete\n');
      }
      const originalTree = await readTree(original);
      const target = path.join(dir, 'target');

      let preRestore: string | undefined;
      for (let attempt = 0; attempt < 4 && !preRestore; attempt++) {
        await copyTree(original, target);
        const known = new Set(await fs.readdir(repo.dir!));
        const running = await startCli(['restore', id, ...repo.args, '--target', target, '--yes', '--delete'], { env });
        let finished = false;
        void running.done.then(() => (finished = true));
        let committed: string | undefined;
        while (!finished && !committed) {
          for (const name of await fs.readdir(repo.dir!)) {
            if (
              !known.has(name) &&
              (await fs.access(path.join(repo.dir!, name, 'snapshot.json')).then(
                () => true,
                () => false,
              ))
            )
              committed = name;
          }
          if (!committed) await new Promise((resolve) => setTimeout(resolve, 2));
        }
        running.kill('SIGKILL');
        const exit = await running.done;
        if (exit.signal === 'SIGKILL' && committed) preRestore = committed;
      }
      if (!preRestore)
        throw new Error(
          'no kill landed after the pre-restore snapshot was committed (the restore finished first every time)',
        );
      const undo = await runCli(['restore', preRestore, ...repo.args, '--target', target, '--yes'], { env });
      if (undo.code !== 0) throw new Error(`the undo failed: ${undo.stderr}`);
      const diff = compareTrees(originalTree, await readTree(target));
      return { ...diff, undo: undo.stdout.trim().split('\n').pop() ?? '' };
    } finally {
      await removeDir(dir);
    }
  })();
  return applyKill;
}

test('a restore killed while it moves files into place (right after its pre-restore snapshot is committed) is undone by restoring that pre-restore snapshot: every original entry comes back byte for byte', async () => {
  const { lost } = await killDuringApply();
  assert.equal(lost, [], 'the undo did not bring the original tree back');
});

test('the undo of a restore killed after its pre-restore snapshot leaves no staging folder of the killed restore, also when the target already matches the pre-restore snapshot ("nothing to do")', async () => {
  const { extra, undo } = await killDuringApply();
  assert.equal(
    extra.filter(isStaging).slice(0, 3),
    [],
    `the undo ("${undo}") left the killed restore's staging folder, with decrypted copies of snapshot files, in the target`,
  );
  assert.equal(
    extra.filter((e) => !isStaging(e)),
    [],
  );
});

test.run();
