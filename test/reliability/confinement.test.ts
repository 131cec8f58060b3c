/**
 * Restore confinement, CI-sized: a fast-check sample of forged snapshots that put entries
 * outside their roots, over the local repository, on staging names, links that resolve out
 * of the target through other links, and files longer than their manifest says. The oracle
 * is in confinement-trials.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { describeViolations, explain, removeDir, Rng, sumOutcomes, tempDir } from './harness.ts';
import type { TrialOutcome } from './harness.ts';
import { confinementCaseArb, confinementTrial, prepareConfinement } from './confinement-trials.ts';

const SEED = process.env.RIPCORD_RELIABILITY_SEED ?? 'ripcord-ci-1';
const FUZZ_SEED = Number.parseInt(new Rng(`${SEED}/confinement`).hex(7), 16);
const CASES = Number(process.env.RIPCORD_CONFINEMENT_CASES ?? 24);

test(`restore of a forged snapshot with entries outside its roots, over the local repository, links that resolve out of the target and oversized files either refuses with the target untouched or restores only what its roots hold, every link resolving inside, with a true undo; nothing outside the target changes (fast-check seed ${FUZZ_SEED}, ${CASES} cases)`, async () => {
  const dir = await tempDir('ripcord-reliability-confine-');
  try {
    const ctx = await prepareConfinement(dir);
    const outcomes: TrialOutcome[] = [];
    for (const [i, c] of fc.sample(confinementCaseArb(), { seed: FUZZ_SEED, numRuns: CASES }).entries())
      outcomes.push(await confinementTrial(ctx, c, `case ${i}`));
    const total = sumOutcomes('confinement', outcomes);
    explain(total);
    assert.is(describeViolations(total), '', `fast-check seed ${FUZZ_SEED}`);
    assert.is(total.lost, 0);
    assert.ok(
      (total.counts.refused ?? 0) > 0 && (total.counts.restored ?? 0) > 0,
      `the sample should both refuse and restore: ${JSON.stringify(total.counts)}`,
    );
    assert.is(total.counts['undone exactly'], total.counts.restored);
  } finally {
    await removeDir(dir);
  }
});

test.run();
