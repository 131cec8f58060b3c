/**
 * Locks and concurrency, CI-sized: eight backups at once into one local and one S3
 * repository with prunes running alongside, and two restores at once into one target.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'node:path';
import { concurrentBackupsTrial, concurrentRestoresTrial } from './concurrency-trials.ts';
import { describeViolations, explain, localRepo, removeDir, Rng, startS3World, tempDir } from './harness.ts';
import type { TrialOutcome } from './harness.ts';

const SEED = process.env.RIPCORD_RELIABILITY_SEED ?? 'ripcord-ci-1';

function assertClean(outcome: TrialOutcome): void {
  explain(outcome);
  assert.is(describeViolations(outcome), '', `seed ${SEED}`);
  assert.is(outcome.lost, 0);
}

test(`8 backups at once into one local repository give 8 distinct valid snapshots, each restoring its own source; prunes running alongside remove only what their policy says and never a snapshot being written (seed ${SEED})`, async () => {
  const dir = await tempDir('ripcord-reliability-concurrency-');
  try {
    assertClean(
      await concurrentBackupsTrial(localRepo(path.join(dir, 'repo')), dir, new Rng(`${SEED}/concurrency/local`)),
    );
  } finally {
    await removeDir(dir);
  }
});

test(`8 backups at once into one S3 repository give 8 distinct valid snapshots, each restoring its own source; prunes running alongside remove only what their policy says and never a snapshot being written (seed ${SEED})`, async () => {
  const dir = await tempDir('ripcord-reliability-concurrency-');
  const s3 = await startS3World();
  try {
    assertClean(await concurrentBackupsTrial(s3.repo('concurrency'), dir, new Rng(`${SEED}/concurrency/s3`)));
  } finally {
    await s3.stop();
    await removeDir(dir);
  }
});

test(`two restores started at once into one target: the target lock lets one in at a time, and the target ends up exactly one of the two snapshots (seed ${SEED})`, async () => {
  const dir = await tempDir('ripcord-reliability-concurrency-');
  try {
    assertClean(await concurrentRestoresTrial(dir, new Rng(`${SEED}/concurrency/restores`)));
  } finally {
    await removeDir(dir);
  }
});

test.run();
