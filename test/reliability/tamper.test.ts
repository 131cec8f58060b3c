/**
 * Tamper detection, CI-sized: random bytes flipped in each object of a real snapshot, with
 * and without recomputed checksums; the long version (100+ trials) is `npm run stress`.
 */
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeViolations, explain, removeDir, Rng, sumOutcomes, tempDir } from './harness.ts';
import type { TrialOutcome } from './harness.ts';
import { prepareTamper, tamperPlan, tamperTrial } from './tamper-trials.ts';
import type { TamperContext } from './tamper-trials.ts';

const SEED = process.env.RIPCORD_RELIABILITY_SEED ?? 'ripcord-ci-1';

async function withTamper(body: (ctx: TamperContext, rng: Rng) => Promise<void>): Promise<void> {
  const dir = await tempDir('ripcord-reliability-tamper-');
  try {
    const rng = new Rng(`${SEED}/tamper`);
    await body(await prepareTamper(path.join(dir), rng.child('prepare')), rng);
  } finally {
    await removeDir(dir);
  }
}

function assertAllDetected(total: TrialOutcome): void {
  explain(total);
  assert.is(describeViolations(total), '', `tampering not detected (seed ${SEED})`);
  assert.is(total.detected, total.faults, `detected ${total.detected} of ${total.faults} (seed ${SEED})`);
  assert.is(total.lost, 0);
}

test(`verify detects every random byte flip in archive.tar.gz.pgp, manifest.json.pgp and snapshot.json, verify --read-data every flip whose checksums were recomputed, and restore refuses all of them before touching the target (seed ${SEED})`, async () => {
  await withTamper(async (ctx, rng) => {
    const outcomes: TrialOutcome[] = [];
    // plans 0-4: raw flips in each object, re-checksummed flips in the two encrypted ones
    for (let i = 0; i < 10; i++)
      outcomes.push(await tamperTrial(ctx, tamperPlan(i % 5), rng.child(i), { cliVerify: i % 3 === 0 }));
    assertAllDetected(sumOutcomes('tamper', outcomes));
  });
});

test(`restore refuses a snapshot.json whose fields were edited and re-sealed (kind, tags, host...): it checks snapshot.json against the copy authenticated inside the manifest before touching the target (seed ${SEED})`, async () => {
  await withTamper(async (ctx, rng) => {
    const outcomes: TrialOutcome[] = [];
    // kind manual -> another kind (pre-restore implies --delete), a tag added, the host changed
    for (const edit of [0, 1, 2])
      outcomes.push(
        await tamperTrial(ctx, { object: 'snapshot.json', mode: 'edited', edit }, rng.child(`edited-${edit}`), {
          cliVerify: true,
        }),
      );
    assertAllDetected(sumOutcomes('tamper (edited snapshot.json)', outcomes));
  });
});

test.run();
