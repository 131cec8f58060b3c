/**
 * Resource exhaustion: real small tmpfs mounts where the machine allows mounting, the
 * ENOSPC test double store otherwise (the test names say which).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  backupIntoEnospcTestStore,
  backupIntoFullDisk,
  canMountTmpfs,
  preRestoreIntoEnospcTestStore,
  preRestoreIntoFullDisk,
  restoreOntoFullDisk,
} from './disk-full-trials.ts';
import { describeViolations, explain, removeDir, Rng, tempDir } from './harness.ts';
import type { TrialOutcome } from './harness.ts';

const SEED = process.env.RIPCORD_RELIABILITY_SEED ?? 'ripcord-ci-1';
const MOUNT = canMountTmpfs();

/** Each trial runs once; the tests of one trial share its outcome. */
const runs = new Map<string, Promise<TrialOutcome>>();
function outcomeOf(trial: (dir: string, rng: Rng) => Promise<TrialOutcome>): Promise<TrialOutcome> {
  let run = runs.get(trial.name);
  if (!run) {
    run = (async () => {
      const dir = await tempDir('ripcord-reliability-full-');
      try {
        const outcome = await trial(dir, new Rng(`${SEED}/disk-full`));
        explain(outcome);
        return outcome;
      } finally {
        await removeDir(dir);
      }
    })();
    runs.set(trial.name, run);
  }
  return run;
}

async function check(
  trial: (dir: string, rng: Rng) => Promise<TrialOutcome>,
  only?: (invariant: string) => boolean,
): Promise<void> {
  const outcome = await outcomeOf(trial);
  assert.is(describeViolations(outcome, only), '');
  assert.is(outcome.lost, 0);
}

const exceptMessage = (invariant: string) => invariant !== 'error-says-the-disk-is-full';
const onlyMessage = (invariant: string) => invariant === 'error-says-the-disk-is-full';

if (MOUNT) {
  test('a backup into a repository whose file system fills up (a real 6 MiB tmpfs) fails with one line saying the disk is full, commits nothing, leaves no snapshot folder behind, leaves earlier snapshots intact, and the next backup succeeds', () =>
    check(backupIntoFullDisk));
  test('a restore into a target whose file system fills up (a real 4 MiB tmpfs) fails with one line and leaves the target exactly as it was', () =>
    check(restoreOntoFullDisk, exceptMessage));
  test('a restore into a target whose file system fills up says the disk is full, not that the archive is damaged or was tampered with', () =>
    check(restoreOntoFullDisk, onlyMessage));
  test('a restore whose pre-restore snapshot does not fit in the repository (a real tmpfs with 1 MiB left) refuses before touching the target and commits no pre-restore snapshot', () =>
    check(preRestoreIntoFullDisk));
} else {
  test('a backup into a repository that runs out of space (ENOSPC test double store: this machine cannot mount a tmpfs) fails with one error saying the disk is full, commits nothing, leaves no snapshot folder behind, leaves earlier snapshots intact, and the next backup succeeds', () =>
    check(backupIntoEnospcTestStore));
  test('a restore whose pre-restore snapshot runs out of space (ENOSPC test double store: this machine cannot mount a tmpfs; a full restore target needs a real file system and is not tested here) leaves the target untouched', () =>
    check(preRestoreIntoEnospcTestStore));
}

test('the ENOSPC test double store (used where no tmpfs can be mounted) reports a full disk as the real file system does', () =>
  check(backupIntoEnospcTestStore));

test.run();
