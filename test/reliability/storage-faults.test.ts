/**
 * Storage faults, CI-sized: the CLI against a real S3 server through the fault proxy.
 * Random fault plans run in `npm run stress`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeViolations, explain, removeDir, Rng, startS3World, sumOutcomes, tempDir } from './harness.ts';
import type { TrialOutcome } from './harness.ts';
import { isMidBodyCut, prepareStorage, STORAGE_PLANS, storageFaultTrial } from './storage-trials.ts';
import type { StorageFaultPlan } from './storage-trials.ts';

const SEED = process.env.RIPCORD_RELIABILITY_SEED ?? 'ripcord-ci-1';

// One server, proxy and prepared repository for the three tests: each trial lists the
// repository before and after itself, so what an earlier plan committed does not count.
const dir = await tempDir('ripcord-reliability-storage-');
const s3 = await startS3World();
const ctx = await prepareStorage(s3, dir, new Rng(`${SEED}/storage`));

test.after(async () => {
  await s3.stop();
  await removeDir(dir);
});

async function runPlans(plans: StorageFaultPlan[]): Promise<TrialOutcome> {
  const outcomes: TrialOutcome[] = [];
  for (const plan of plans) outcomes.push(await storageFaultTrial(ctx, plan));
  const total = sumOutcomes('storage faults', outcomes);
  explain(total);
  return total;
}

test('uploads and downloads through a faulty connection to S3 (500/503 answers, connections reset mid-upload, slow answers) are retried to success; permanent faults (403, a fault on every attempt) fail with one line; no half-written snapshot ever becomes visible', async () => {
  const plans = STORAGE_PLANS.filter((p) => !isMidBodyCut(p) && !p.partRefused);
  const total = await runPlans(plans);
  assert.is(describeViolations(total), '');
  assert.is(total.lost, 0);
  assert.ok(total.faults >= plans.length, `every plan injected a fault: ${total.faults}`);
  assert.is(total.detected, total.faults);
});

test('a download cut off mid-body is retried (a transient fault like any other): restore and verify --read-data succeed', async () => {
  const total = await runPlans(STORAGE_PLANS.filter(isMidBodyCut));
  assert.is(describeViolations(total), '');
  assert.is(total.lost, 0);
});

test('a multipart upload whose first part is refused (403) fails the backup with one line: the upload is never completed without that part, and no snapshot is committed', async () => {
  const total = await runPlans(STORAGE_PLANS.filter((p) => p.partRefused));
  assert.is(describeViolations(total), '');
  assert.is(total.lost, 0);
});

test.run();
