/**
 * bench/README.md is the benchmark of record: it must be exactly what bench/lib/report.mjs
 * writes from the one run it links to, and a target that a run misses must show as NOT MET.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computeTargets, renderReadme } from '../../bench/lib/report.mjs';
import { PROJECT_ROOT } from '../helpers/cli.ts';

const BENCH = path.join(PROJECT_ROOT, 'bench');

interface Target {
  name: string;
  status: string;
  ratio: number | null;
  measured: string;
}

interface Run {
  jsonPath: string;
  // biome-ignore lint/suspicious/noExplicitAny: the benchmark's JSON record, read field by field
  report: any;
}

/** The page of record and the runs it links to, in its order (one per Node version). */
async function recordOfRuns(): Promise<{ page: string; runs: Run[] }> {
  const page = await fs.readFile(path.join(BENCH, 'README.md'), 'utf8');
  const links = [...page.matchAll(/Raw results: \[`bench\/(results\/[^`]+\.json)`\]/g)].map((m) => m[1] as string);
  assert.ok(links.length > 0, 'bench/README.md links to the JSON of its runs');
  const runs = await Promise.all(
    links.map(async (jsonPath) => ({
      jsonPath,
      report: JSON.parse(await fs.readFile(path.join(BENCH, jsonPath), 'utf8')),
    })),
  );
  return { page, runs };
}

const byName = (targets: Target[], prefix: string): Target => {
  const found = targets.find((t) => t.name.startsWith(prefix));
  assert.ok(found, `a target named "${prefix}..."`);
  return found;
};

test("bench/README.md is exactly the page of the full runs it links to, Node 24 (the Action's runtime) first and Node 20 too (re-render with npm run bench -- --render when this fails)", async () => {
  const { page, runs } = await recordOfRuns();
  assert.equal(
    runs.map((r) => r.report.machine.node.split('.')[0]),
    ['v24', 'v20'],
    'runs on Node 24, then Node 20',
  );
  for (const { jsonPath, report } of runs) {
    assert.is(report.kind, 'full', `${jsonPath}: the page of record comes from a full run, not --quick or --only`);
    assert.ok(report.options.runs >= 3, `${jsonPath}: at least three repetitions`);
    const targets: Target[] = computeTargets(report);
    const verdicts = (list: Target[]) => list.map((t) => `${t.name}: ${t.ratio} ${t.status}`);
    assert.equal(
      verdicts(targets),
      verdicts(report.targets),
      `${jsonPath}: the verdicts stored in the run are what its measurements give`,
    );
    report.targets = targets;
  }
  const rendered = renderReadme(runs);
  assert.ok(
    page === rendered,
    'the page differs from what its runs render: figures edited by hand, or report.mjs changed since',
  );
});

test('a target the run misses is NOT MET on the page, and one it could not measure says why', async () => {
  const report = (await recordOfRuns()).runs[0]?.report;
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
  const page = renderReadme([{ report: slower, jsonPath: 'results/x.json' }]);
  assert.match(page, /\| backup wall time <= restic first backup \|[^\n]*\| 1\.010 \| \*\*NOT MET\*\* \|/);

  const withoutRestic = structuredClone(report);
  delete withoutRestic.measurements['restic.backup'];
  withoutRestic.tools.restic.status = 'skipped: not installable here';
  const missing = byName(computeTargets(withoutRestic), 'backup wall time');
  assert.is(missing.status, 'not measured');
  assert.is(missing.measured, 'restic skipped: not installable here');
});

test.run();
