/**
 * Hostile input, CI-sized: a fast-check fuzz of hand-built tar streams inside fully valid
 * snapshots, hostile manifest roots, and fixed cases (wrong keys, truncated and empty
 * objects, snapshot.json that is not JSON or names another id). The long fuzz is
 * `npm run stress`.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeViolations, explain, sumOutcomes } from './harness.ts';
import { PASSPHRASE, runCli } from './harness.ts';
import { readTree, removeDir, Rng, tempDir } from './harness.ts';
import type { TrialOutcome } from './harness.ts';
import {
  buildTar,
  encrypt,
  FIXED_CASES,
  fixedCaseTrial,
  fuzzTrial,
  honestManifest,
  plainCase,
  plainMember,
  prepareFixedCases,
  prepareFuzz,
  MALFORMED_MANIFEST_CASE,
  sampleCases,
  UNBOUND_MANIFEST_CASE,
  writeForgedSnapshot,
} from './hostile-trials.ts';

const SEED = process.env.RIPCORD_RELIABILITY_SEED ?? 'ripcord-ci-1';
const FUZZ_SEED = Number.parseInt(new Rng(`${SEED}/hostile`).hex(7), 16);
const CASES = { entries: 50, roots: 25 };

/** Run the fuzz once per generator; both tests of a generator read the same outcomes. */
const runs = new Map<boolean, Promise<{ outcome: TrialOutcome; discarded: number }>>();
function fuzz(hostileRoots: boolean): Promise<{ outcome: TrialOutcome; discarded: number }> {
  let run = runs.get(hostileRoots);
  if (!run) {
    run = (async () => {
      const dir = await tempDir('ripcord-reliability-fuzz-');
      try {
        const ctx = await prepareFuzz(dir);
        const { cases, discarded } = sampleCases(
          FUZZ_SEED + (hostileRoots ? 1 : 0),
          hostileRoots,
          hostileRoots ? CASES.roots : CASES.entries,
          ctx.places,
        );
        const outcomes: TrialOutcome[] = [];
        for (const [i, c] of cases.entries()) outcomes.push(await fuzzTrial(ctx, c, `case ${i}`));
        return { outcome: sumOutcomes(hostileRoots ? 'hostile roots' : 'hostile entries', outcomes), discarded };
      } finally {
        await removeDir(dir);
      }
    })();
    runs.set(hostileRoots, run);
  }
  return run;
}

const SAFETY = ['never-writes-outside-the-target', 'refusal-leaves-target-untouched', 'restores-a-safe-tree'];

test(`restore of a random hostile tar stream (.., absolute paths, NUL and control characters, huge sizes, links in every direction, devices, duplicates, truncated headers) reproduces a safe tree exactly or refuses, and never writes outside the target (fast-check seed ${FUZZ_SEED}, ${CASES.entries} cases)`, async () => {
  const { outcome } = await fuzz(false);
  explain(outcome);
  assert.is(outcome.lost, 0, describeViolations(outcome));
  assert.is(
    describeViolations(outcome, (i) => SAFETY.includes(i)),
    '',
    `fast-check seed ${FUZZ_SEED}`,
  );
  assert.ok(
    (outcome.counts.refused ?? 0) > 0 && (outcome.counts.restored ?? 0) > 0,
    `the fuzz should both refuse and restore some cases: ${JSON.stringify(outcome.counts)}`,
  );
});

test(`restore never reports success having restored only part of a hostile snapshot (fast-check seed ${FUZZ_SEED})`, async () => {
  const { outcome } = await fuzz(false);
  assert.is(
    describeViolations(outcome, (i) => i === 'restores-every-manifest-entry'),
    '',
    `fast-check seed ${FUZZ_SEED}`,
  );
});

test(`hostile tar streams are refused with ripcord's own one-line errors, never an internal error (fast-check seed ${FUZZ_SEED})`, async () => {
  const { outcome } = await fuzz(false);
  assert.is(
    describeViolations(outcome, (i) => i === 'refuses-with-its-own-error'),
    '',
    `fast-check seed ${FUZZ_SEED}`,
  );
});

test(`a manifest whose roots name paths outside the target (.., absolute, through a symlink in the target): restore removes or changes nothing outside the target, with or without --delete and the pre-restore snapshot (fast-check seed ${FUZZ_SEED + 1}, ${CASES.roots} cases)`, async () => {
  const { outcome } = await fuzz(true);
  explain(outcome);
  assert.is(
    describeViolations(outcome, (i) => SAFETY.includes(i)),
    '',
    `fast-check seed ${FUZZ_SEED + 1}`,
  );
  assert.is(outcome.lost, 0);
});

/** A valid snapshot of one file, a.txt, whose manifest also lists the root `extraRoot`. */
async function forgeOneFileSnapshot(dir: string, extraRoot: string, preRestore: boolean) {
  const ctx = await prepareFuzz(dir);
  const c = plainCase([plainMember('a.txt', 'file', 'hello\n')], {
    roots: ['a.txt', extraRoot],
    delete: true,
    preRestore,
  });
  const repo = path.join(dir, 'repo');
  const archive = await encrypt(gzipSync(buildTar(c, ctx.places)));
  const id = await writeForgedSnapshot(repo, {
    archive,
    manifestEntries: honestManifest(c, ctx.places),
    roots: c.roots,
  });
  return { ctx, repo, id };
}

test('restore --delete of a snapshot whose manifest lists the root "link/dir", where link is a symlink in the target to a folder outside, deletes nothing through the link (with the pre-restore snapshot)', async () => {
  const dir = await tempDir('ripcord-reliability-roots-');
  try {
    const { ctx, repo, id } = await forgeOneFileSnapshot(dir, 'link/dir', true);
    const outside = path.join(dir, 'elsewhere');
    await fs.mkdir(path.join(outside, 'dir'), { recursive: true });
    await fs.writeFile(path.join(outside, 'dir', 'precious.txt'), 'outside the target\n');
    await fs.mkdir(ctx.places.target, { recursive: true });
    await fs.symlink(outside, path.join(ctx.places.target, 'link'));
    const run = await runCli(['restore', id, '--repo', repo, '--target', ctx.places.target, '--yes', '--delete'], {
      env: { RIPCORD_PASSPHRASE: PASSPHRASE },
    });
    const left = await fs.readdir(path.join(outside, 'dir')).catch(() => [] as string[]);
    assert.equal(
      left,
      ['precious.txt'],
      `restore deleted ${outside}/dir through the symlink ${ctx.places.target}/link (exit ${run.code}):\n${run.stdout}${run.stderr}`,
    );
  } finally {
    await removeDir(dir);
  }
});

test('restore --delete --no-pre-restore of a snapshot whose manifest lists the root "../victim" leaves ../victim alone', async () => {
  const dir = await tempDir('ripcord-reliability-roots-');
  try {
    const { ctx, repo, id } = await forgeOneFileSnapshot(dir, '../victim', false);
    const victim = path.join(path.dirname(ctx.places.target), 'victim');
    await fs.mkdir(ctx.places.target, { recursive: true });
    await fs.mkdir(victim, { recursive: true });
    await fs.writeFile(path.join(victim, 'precious.txt'), 'outside the target\n');
    const before = await readTree(path.dirname(ctx.places.target));
    const run = await runCli(
      ['restore', id, '--repo', repo, '--target', ctx.places.target, '--yes', '--delete', '--no-pre-restore'],
      { env: { RIPCORD_PASSPHRASE: PASSPHRASE } },
    );
    const after = await readTree(path.dirname(ctx.places.target));
    assert.ok(
      after.has('victim/precious.txt'),
      `restore removed ${victim}, outside its target (exit ${run.code}):\n${run.stdout}`,
    );
    assert.is(run.code, 1, `a root outside the target is refused: ${run.stdout}`);
    for (const [name, entry] of before) if (!name.startsWith('target')) assert.equal(after.get(name), entry, name);
  } finally {
    await removeDir(dir);
  }
});

test(`restore refuses wrong keys, truncated and empty objects, an archive or manifest that is not what it claims, a snapshot.json that is not JSON or names another id: exit 1, one line on stderr, target untouched (seed ${SEED})`, async () => {
  const dir = await tempDir('ripcord-reliability-fixed-');
  try {
    const rng = new Rng(`${SEED}/fixed`);
    const ctx = await prepareFixedCases(dir, rng.child('prepare'));
    const outcomes: TrialOutcome[] = [];
    for (const c of FIXED_CASES) outcomes.push(await fixedCaseTrial(ctx, c, rng.child(c.name)));
    const total = sumOutcomes('fixed hostile cases', outcomes);
    explain(total);
    assert.is(describeViolations(total), '');
    assert.is(total.detected, FIXED_CASES.length);
    assert.is(total.lost, 0);
  } finally {
    await removeDir(dir);
  }
});

test('restore refuses, before touching the target, a manifest in which one path is both a file and the parent of another entry (config, then config/b)', async () => {
  const dir = await tempDir('ripcord-reliability-conflict-');
  try {
    const ctx = await prepareFuzz(dir);
    const c = plainCase([plainMember('config', 'file', 'a file\n'), plainMember('config/b', 'dir', '', 0o755)], {
      delete: true,
    });
    const outcome = await fuzzTrial(ctx, c, 'file and parent');
    explain(outcome);
    assert.is(outcome.lost, 0, 'the pre-restore snapshot must at least make it recoverable');
    assert.is(describeViolations(outcome), '');
  } finally {
    await removeDir(dir);
  }
});

for (const [name, c] of [
  [
    'restore refuses an authenticated manifest that lacks its trailer (the binding to snapshot.json and the archive), before touching the target',
    UNBOUND_MANIFEST_CASE,
  ],
  [
    'restore refuses an authenticated manifest that is not JSON with one line naming the snapshot, not an internal error',
    MALFORMED_MANIFEST_CASE,
  ],
] as const) {
  test(name, async () => {
    const dir = await tempDir('ripcord-reliability-manifest-');
    try {
      const rng = new Rng(`${SEED}/${c.name}`);
      const ctx = await prepareFixedCases(dir, rng.child('prepare'));
      const outcome = await fixedCaseTrial(ctx, c, rng);
      explain(outcome);
      assert.is(describeViolations(outcome), '');
    } finally {
      await removeDir(dir);
    }
  });
}

test.run();
