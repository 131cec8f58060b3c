/**
 * bench/README.md is the benchmark of record: it must be exactly what bench/lib/report.mjs
 * writes from the one run it links to, and a target that a run misses must show as NOT MET.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
// @ts-expect-error: the benchmark is plain JavaScript without type declarations
import { computeTargets, renderReadme } from '../../bench/lib/report.mjs';
import { PROJECT_ROOT } from '../helpers/cli.ts';

const BENCH = path.join(PROJECT_ROOT, 'bench');

interface Target {
  name: string;
  status: string;
  ratio: number | null;
  measured: string;
}

async function recordOfRun(): Promise<{ page: string; jsonPath: string; report: any }> {
  const page = await fs.readFile(path.join(BENCH, 'README.md'), 'utf8');
  const link = /Raw results: \[`bench\/(results\/[^`]+\.json)`\]/.exec(page);
  assert.ok(link, 'bench/README.md links to the JSON of its run');
  const jsonPath = link[1]!;
  const report = JSON.parse(await fs.readFile(path.join(BENCH, jsonPath), 'utf8'));
  return { page, jsonPath, report };
}

const byName = (targets: Target[], prefix: string): Target => {
  const found = targets.find((t) => t.name.startsWith(prefix));
  assert.ok(found, `a target named "${prefix}..."`);
  return found;
};

test('bench/README.md is exactly the page of the full run it links to (re-render with npm run bench -- --render when this fails)', async () => {
  const { page, jsonPath, report } = await recordOfRun();
  assert.is(report.kind, 'full', 'the page of record comes from a full run, not --quick or --only');
  assert.ok(report.options.runs >= 3, 'at least three repetitions');
  const targets: Target[] = computeTargets(report);
  const verdicts = (list: Target[]) => list.map((t) => `${t.name}: ${t.ratio} ${t.status}`);
  assert.equal(verdicts(targets), verdicts(report.targets), 'the verdicts stored in the run are what its measurements give');
  const rendered = renderReadme({ ...report, targets }, jsonPath);
  assert.ok(page === rendered, 'the page differs from what its run renders: figures edited by hand, or report.mjs changed since');
});

test('a target the run misses is NOT MET on the page, and one it could not measure says why', async () => {
  const { report } = await recordOfRun();
  const slower = structuredClone(report);
  slower.measurements['ripcord.backup'].median.wallS = slower.measurements['restic.backup'].median.wallS * 1.01;
  slower.startup.medianMs = 150;
  slower.measurements['ripcord.restore'].median.peakRssMiB = 128.5;
  slower.targets = computeTargets(slower);
  const backup = byName(slower.targets, 'backup wall time');
  assert.is(backup.status, 'NOT MET');
  assert.is(backup.ratio, 1.01);
  assert.is(byName(slower.targets, 'ripcord --version').status, 'NOT MET', '150 ms is not under 150 ms');
  assert.is(byName(slower.targets, 'restore peak RSS').status, 'NOT MET');
  const page = renderReadme(slower, 'results/x.json');
  assert.match(page, /\| backup wall time <= restic first backup \|[^\n]*\| 1\.010 \| \*\*NOT MET\*\* \|/);

  const withoutRestic = structuredClone(report);
  delete withoutRestic.measurements['restic.backup'];
  withoutRestic.tools.restic.status = 'skipped: not installable here';
  const missing = byName(computeTargets(withoutRestic), 'backup wall time');
  assert.is(missing.status, 'not measured');
  assert.is(missing.measured, 'restic skipped: not installable here');
});

test.run();
