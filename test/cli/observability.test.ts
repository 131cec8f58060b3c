/**
 * Watching scheduled backups, end to end through the bundled CLI: Prometheus metrics
 * pushed to a real Pushgateway (the Debian prometheus-pushgateway binary, started here on
 * 127.0.0.1) and written as a node_exporter textfile; check --max-age on fixture
 * repositories whose clock is set through snapshot metadata; the audit log under
 * concurrent writers; --report; Slack-compatible webhooks received by a local HTTP server.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { RIPCORD_METRICS } from '../../src/domain/metrics.ts';
import type { SnapshotMetadata } from '../../src/domain/snapshot.ts';
import { runAction } from '../helpers/action-runner.ts';
import { PROJECT_ROOT, ripcord } from '../helpers/cli.ts';
import type { RunResult } from '../helpers/cli.ts';
import { createFixtureRepo } from '../helpers/fixture-repo.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const exec = promisify(execFile);
const env = { RIPCORD_PASSPHRASE: 'observability tests' };

// ---------------------------------------------------------------------------------------
// helpers

interface Sandbox {
  dir: string;
  repo: string;
}

async function sandbox(): Promise<Sandbox> {
  const dir = await tempDir();
  await fs.mkdir(path.join(dir, 'config'));
  await fs.writeFile(path.join(dir, 'config/app.yaml'), 'port: 8080\n'.repeat(100));
  await fs.writeFile(path.join(dir, 'config/limits.conf'), 'max=10\n');
  return { dir, repo: path.join(dir, 'repo') };
}

function idOf(run: RunResult): string {
  assert.is(run.code, 0, run.stderr);
  const id = /snapshot (\S+) saved/.exec(run.stdout)?.[1] ?? run.stdout.trim();
  assert.match(id, /^\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{4}$/);
  return id;
}

async function snapshotJson(repo: string, id: string): Promise<SnapshotMetadata> {
  return JSON.parse(await fs.readFile(path.join(repo, id, 'snapshot.json'), 'utf8')) as SnapshotMetadata;
}

function stderrLines(run: RunResult): string[] {
  return run.stderr.split('\n').filter(Boolean);
}

async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Pushgateway {
  url: string;
  stop(): Promise<void>;
}

/** The real thing: Debian's prometheus-pushgateway on a free port of 127.0.0.1, metrics in memory only. */
async function startPushgateway(): Promise<Pushgateway> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined = spawn(
    'prometheus-pushgateway',
    [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file=', '--log.level=error'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
  child.once('error', (error) => (stderr += String(error)));
  const stop = async () => {
    if (!child) return;
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000).then(() => child?.kill('SIGKILL'))]);
    child = undefined;
  };
  for (let i = 0; i < 200; i++) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, stop };
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  await stop();
  throw new Error(
    `prometheus-pushgateway did not start (is the Debian package prometheus-pushgateway installed?): ${stderr}`,
  );
}

interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Sample lines of an exposition page, read with this test's own strict pattern (not
 * ripcord's parser): name{label="value",...} value. Comments are skipped.
 */
function seriesOf(page: string): Series[] {
  const series: Series[] = [];
  for (const line of page.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? (\S+)$/.exec(
      line,
    );
    assert.ok(m, `a well-formed sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const l of m![2]?.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g) ?? []) labels[l[1]!] = l[2]!;
    series.push({ name: m![1]!, labels, value: Number(m![3]) });
  }
  return series;
}

/** The value of the one series with this name whose labels include `labels`. */
function seriesValue(page: string, name: string, labels: Record<string, string>): number | undefined {
  const found = seriesOf(page).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => (s.labels[k] ?? '') === v),
  );
  assert.ok(found.length <= 1, `one series ${name}${JSON.stringify(labels)}, found ${found.length}`);
  return found[0]?.value;
}

async function gatewayPage(gateway: Pushgateway): Promise<string> {
  const response = await fetch(`${gateway.url}/metrics`);
  assert.is(response.status, 200);
  return response.text();
}

interface Webhook {
  url: string;
  received: { method: string; url: string; contentType: string; body: string }[];
  stop(): Promise<void>;
}

/** A local HTTP server standing in for Slack: records every request, answers `status`. */
async function startWebhook(status = 200): Promise<Webhook> {
  const received: Webhook['received'] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        contentType: String(request.headers['content-type'] ?? ''),
        body,
      });
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(status === 200 ? 'ok' : 'invalid_token');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T0000/B0000/very-secret-token`,
    received,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// ---------------------------------------------------------------------------------------
// Prometheus

test('a real Pushgateway receives the push: its /metrics page shows the last success time, sizes, snapshot count and run counters of operation "backup", set "nightly"', async () => {
  const gateway = await startPushgateway();
  const s = await sandbox();
  try {
    await fs.writeFile(
      path.join(s.dir, 'ripcord.config.json'),
      JSON.stringify({ repository: 'repo', sets: { nightly: { paths: ['config'] } } }),
    );
    const before = Date.now() / 1000;
    const id = idOf(await ripcord(['backup', '--set', 'nightly', '--pushgateway', gateway.url], { cwd: s.dir, env }));
    const after = Date.now() / 1000;
    const snapshot = await snapshotJson(s.repo, id);
    let page = await gatewayPage(gateway);
    const group = { job: 'ripcord', operation: 'backup', set: 'nightly' };
    const lastSuccess = seriesValue(page, 'ripcord_last_success_timestamp_seconds', group)!;
    assert.ok(
      lastSuccess >= before && lastSuccess <= after,
      `last success ${lastSuccess} within the run (${before}..${after})`,
    );
    assert.is(seriesValue(page, 'ripcord_archive_bytes', group), snapshot.archiveBytes);
    assert.is(seriesValue(page, 'ripcord_input_bytes', group), snapshot.inputBytes);
    assert.is(seriesValue(page, 'ripcord_files', group), 2);
    assert.is(seriesValue(page, 'ripcord_snapshots', group), 1);
    assert.is(
      seriesValue(page, 'ripcord_newest_snapshot_timestamp_seconds', group),
      Date.parse(snapshot.created) / 1000,
    );
    assert.is(seriesValue(page, 'ripcord_runs_total', { ...group, result: 'success' }), 1);
    assert.is(seriesValue(page, 'ripcord_runs_total', { ...group, result: 'failure' }), 0);
    assert.is(seriesValue(page, 'ripcord_last_run_success', group), 1);
    const duration = seriesValue(page, 'ripcord_duration_seconds', group)!;
    assert.ok(duration > 0 && duration < after - before + 1, `duration ${duration}`);

    // a failed backup of the same set: counted as a failure; the last success and sizes stay
    const failed = await ripcord(['backup', '--set', 'nightly', '--pushgateway', gateway.url, 'no-such-folder'], {
      cwd: s.dir,
      env,
    });
    assert.is(failed.code, 1);
    assert.equal(stderrLines(failed).length, 1, failed.stderr);
    page = await gatewayPage(gateway);
    assert.is(seriesValue(page, 'ripcord_runs_total', { ...group, result: 'failure' }), 1);
    assert.is(seriesValue(page, 'ripcord_runs_total', { ...group, result: 'success' }), 1);
    assert.is(seriesValue(page, 'ripcord_last_run_success', group), 0);
    assert.is(
      seriesValue(page, 'ripcord_last_success_timestamp_seconds', group),
      lastSuccess,
      'a failure does not move the last success',
    );
    assert.is(seriesValue(page, 'ripcord_archive_bytes', group), snapshot.archiveBytes);

    // the counter carries on from what the Pushgateway holds
    idOf(await ripcord(['backup', '--set', 'nightly', '--pushgateway', gateway.url], { cwd: s.dir, env }));
    page = await gatewayPage(gateway);
    assert.is(seriesValue(page, 'ripcord_runs_total', { ...group, result: 'success' }), 2);
    assert.is(seriesValue(page, 'ripcord_snapshots', group), 2);
    assert.ok(seriesValue(page, 'ripcord_last_success_timestamp_seconds', group)! > lastSuccess);

    // --metrics-label: one more label on every series, and its own group in the gateway
    const check = await ripcord(
      ['check', '--set', 'nightly', '--pushgateway', gateway.url, '--metrics-label', 'repository=acme/app'],
      { cwd: s.dir },
    );
    assert.is(check.code, 0, check.stderr);
    page = await gatewayPage(gateway);
    const labelled = { job: 'ripcord', operation: 'check', set: 'nightly', repository: 'acme/app' };
    assert.is(seriesValue(page, 'ripcord_runs_total', { ...labelled, result: 'success' }), 1);
    assert.is(seriesValue(page, 'ripcord_snapshots', labelled), 2);
    assert.is(
      seriesValue(page, 'ripcord_runs_total', { ...group, result: 'success' }),
      2,
      'the backup group is untouched',
    );
  } finally {
    await gateway.stop();
    await removeDir(s.dir);
  }
});

test('--metrics-file writes the node_exporter textfile format: HELP and TYPE before every metric, well-formed sample lines, series of each operation kept; the Pushgateway parser accepts it', async () => {
  const gateway = await startPushgateway();
  const s = await sandbox();
  try {
    const file = path.join(s.dir, 'textfile', 'ripcord.prom');
    await fs.mkdir(path.dirname(file));
    idOf(await ripcord(['backup', '--repo', s.repo, '--metrics-file', file, 'config'], { cwd: s.dir, env }));
    const prune = await ripcord(['prune', '--repo', s.repo, '--keep-last', '5', '--metrics-file', file], {
      cwd: s.dir,
    });
    assert.is(prune.code, 0, prune.stderr);
    const text = await fs.readFile(file, 'utf8');
    assert.ok(text.endsWith('\n'), 'ends with a newline');

    const help = new Map<string, number>();
    const type = new Map<string, { at: number; type: string }>();
    const seen: string[] = [];
    text
      .split('\n')
      .slice(0, -1)
      .forEach((line, at) => {
        const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
        if (comment) {
          const map = comment[1] === 'HELP' ? help : type;
          assert.not.ok(map.has(comment[2]!), `one ${comment[1]} line for ${comment[2]}`);
          if (comment[1] === 'HELP') help.set(comment[2]!, at);
          else {
            assert.ok(['counter', 'gauge'].includes(comment[3]!), line);
            type.set(comment[2]!, { at, type: comment[3]! });
          }
          return;
        }
        const [sample] = seriesOf(line);
        assert.ok(sample, `line ${at + 1} is a sample: ${line}`);
        assert.ok(
          (help.get(sample!.name) ?? Infinity) < at && (type.get(sample!.name)?.at ?? Infinity) < at,
          `HELP and TYPE come before ${line}`,
        );
        assert.ok(
          seen.at(-1) === sample!.name || !seen.includes(sample!.name),
          `the samples of ${sample!.name} are together`,
        );
        seen.push(sample!.name);
        assert.ok(Number.isFinite(sample!.value), line);
        assert.ok('operation' in sample!.labels && 'set' in sample!.labels, `labelled with operation and set: ${line}`);
      });
    for (const name of [
      'ripcord_last_success_timestamp_seconds',
      'ripcord_duration_seconds',
      'ripcord_archive_bytes',
      'ripcord_input_bytes',
      'ripcord_files',
      'ripcord_runs_total',
      'ripcord_snapshots',
    ]) {
      assert.ok(help.has(name) && type.has(name), `${name} is documented in the file`);
    }
    assert.is(type.get('ripcord_runs_total')!.type, 'counter');
    assert.is(type.get('ripcord_archive_bytes')!.type, 'gauge');
    assert.is(seriesValue(text, 'ripcord_runs_total', { operation: 'backup', set: '', result: 'success' }), 1);
    assert.is(
      seriesValue(text, 'ripcord_runs_total', { operation: 'prune', set: '', result: 'success' }),
      1,
      'the prune added its series',
    );
    assert.ok(
      seriesValue(text, 'ripcord_archive_bytes', { operation: 'backup', set: '' })! > 0,
      'and the backup series are still there',
    );

    // Prometheus' own text parser, in the Pushgateway, takes the file as it is
    const pushed = await fetch(`${gateway.url}/metrics/job/textfile_check`, {
      method: 'PUT',
      body: text,
      headers: { 'content-type': 'text/plain; version=0.0.4' },
    });
    assert.is(pushed.status, 200, await pushed.text());
    assert.is(
      seriesValue(await gatewayPage(gateway), 'ripcord_runs_total', {
        job: 'textfile_check',
        operation: 'prune',
        result: 'success',
      }),
      1,
    );
  } finally {
    await gateway.stop();
    await removeDir(s.dir);
  }
});

test('the metrics file is replaced atomically: concurrent readers only ever see whole files, the old file is never written in place, no increment is lost, no temporary file is left', async () => {
  const s = await sandbox();
  try {
    const file = path.join(s.dir, 'ripcord.prom');
    idOf(await ripcord(['backup', '--repo', s.repo, '--metrics-file', file, '-q', 'config'], { cwd: s.dir, env }));
    const original = await fs.readFile(file, 'utf8');
    await fs.link(file, path.join(s.dir, 'first.prom')); // the same inode as the first file

    let reading = true;
    let reads = 0;
    const partial: string[] = [];
    const reader = (async () => {
      while (reading) {
        const text = await fs.readFile(file, 'utf8');
        try {
          assert.ok(
            text.endsWith('\n') &&
              text.includes('# TYPE ripcord_runs_total counter') &&
              text.includes('ripcord_snapshots{'),
          );
          seriesOf(text);
        } catch {
          partial.push(`read ${reads}: ${JSON.stringify(text.slice(-60))}`);
        }
        reads += 1;
        await sleep(1);
      }
    })();
    const runs = await Promise.all([
      ...Array.from({ length: 4 }, () =>
        ripcord(['backup', '--repo', s.repo, '--metrics-file', file, '-q', 'config'], { cwd: s.dir, env }),
      ),
      ...Array.from({ length: 2 }, () =>
        ripcord(['check', '--repo', s.repo, '--max-age', '1h', '--metrics-file', file], { cwd: s.dir }),
      ),
    ]);
    reading = false;
    await reader;
    for (const run of runs) assert.is(run.code, 0, run.stderr);
    assert.ok(reads > 10, `the reader read ${reads} times`);
    assert.equal(partial, [], 'every read saw a whole file');

    assert.is(
      await fs.readFile(path.join(s.dir, 'first.prom'), 'utf8'),
      original,
      'the first file was replaced, not rewritten',
    );
    const [now, first] = await Promise.all([fs.stat(file), fs.stat(path.join(s.dir, 'first.prom'))]);
    assert.is.not(now.ino, first.ino);
    const text = await fs.readFile(file, 'utf8');
    assert.is(
      seriesValue(text, 'ripcord_runs_total', { operation: 'backup', result: 'success' }),
      5,
      'five backups counted, none lost',
    );
    assert.is(seriesValue(text, 'ripcord_runs_total', { operation: 'check', result: 'success' }), 2);
    assert.equal((await fs.readdir(s.dir)).sort(), ['config', 'first.prom', 'repo', 'ripcord.prom']);
  } finally {
    await removeDir(s.dir);
  }
});

test('the alert rules, the Grafana dashboard and docs/observability.md use only metrics and labels that ripcord writes, and document all of them', async () => {
  const written = Object.keys(RIPCORD_METRICS);
  const recorded = new Set<string>();
  const used = (expr: string) => [...expr.matchAll(/\b(ripcord_[a-z_]+)\b/g)].map((m) => m[1]!);
  const labelsOf = (expr: string) =>
    [...expr.matchAll(/\bby \(([^)]*)\)|\{([^}]*)\}/g)]
      .flatMap((m) => (m[1] ?? m[2] ?? '').split(',').map((l) => l.trim().split(/[=!~]/)[0]!))
      .filter(Boolean);
  const allowedLabels = ['operation', 'set', 'result', 'job', 'instance'];

  const rules = parseYaml(await fs.readFile(path.join(PROJECT_ROOT, 'docs/alerts.yml'), 'utf8')) as {
    groups: { name: string; rules: { record?: string; alert?: string; expr: string }[] }[];
  };
  const alerts = rules.groups
    .flatMap((g) => g.rules)
    .filter((r) => r.alert)
    .map((r) => r.alert);
  assert.equal(alerts, [
    'RipcordNoRecentBackup',
    'RipcordBackupMetricsMissing',
    'RipcordRunFailing',
    'RipcordBackupSizeGrowth',
  ]);
  for (const rule of rules.groups.flatMap((g) => g.rules)) {
    assert.ok(typeof rule.expr === 'string' && rule.expr.length > 0, JSON.stringify(rule));
    if (rule.record) recorded.add(rule.record);
    for (const name of used(rule.expr))
      assert.ok(written.includes(name), `${rule.alert ?? rule.record} uses ${name}, which ripcord does not write`);
    for (const label of labelsOf(rule.expr))
      assert.ok(allowedLabels.includes(label), `${rule.alert ?? rule.record} uses the label ${label}`);
  }
  for (const name of [
    'backup_success_total',
    'backup_duration_seconds',
    'backup_size_bytes',
    'backup_timestamp_seconds',
  ])
    assert.ok(recorded.has(name), `a recording rule gives ${name}`);

  const dashboard = JSON.parse(await fs.readFile(path.join(PROJECT_ROOT, 'docs/grafana-dashboard.json'), 'utf8')) as {
    uid: string;
    panels: { title: string; targets: { expr: string }[] }[];
  };
  assert.ok(dashboard.uid && dashboard.panels.length >= 6);
  const panelMetrics = new Set<string>();
  for (const panel of dashboard.panels) {
    assert.ok(panel.targets.length > 0, panel.title);
    for (const { expr } of panel.targets) {
      for (const name of used(expr)) {
        assert.ok(written.includes(name), `panel "${panel.title}" uses ${name}, which ripcord does not write`);
        panelMetrics.add(name);
      }
      for (const label of labelsOf(expr))
        assert.ok(allowedLabels.includes(label), `panel "${panel.title}" uses the label ${label}`);
    }
  }
  for (const name of written.filter((n) => n !== 'ripcord_last_run_timestamp_seconds'))
    assert.ok(panelMetrics.has(name), `the dashboard shows ${name}`);

  const docs = await fs.readFile(path.join(PROJECT_ROOT, 'docs/observability.md'), 'utf8');
  for (const [name, info] of Object.entries(RIPCORD_METRICS)) {
    assert.ok(
      new RegExp(`^\\| \`${name}(\\{[^|]*)?\` \\| ${info.type} \\|`, 'm').test(docs),
      `docs/observability.md documents ${name} as a ${info.type}`,
    );
  }
});

// ---------------------------------------------------------------------------------------
// check --max-age

test('check --max-age passes right after a backup and fails, with one line, for a repository whose newest snapshot is older', async () => {
  const s = await sandbox();
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
  const f = await createFixtureRepo([
    { created: hoursAgo(27), kind: 'scheduled', tags: ['nightly'] },
    { created: hoursAgo(51), kind: 'scheduled', tags: ['nightly'] },
    { created: hoursAgo(2), kind: 'pre-restore' }, // never counts as a backup
  ]);
  try {
    const id = idOf(await ripcord(['backup', '--repo', s.repo, '--kind', 'scheduled', 'config'], { cwd: s.dir, env }));
    const fresh = await ripcord(['check', '--repo', s.repo, '--max-age', '26h'], { cwd: s.dir });
    assert.is(fresh.code, 0, fresh.stderr);
    assert.match(fresh.stdout, new RegExp(`^ok: newest snapshot ${id} is \\d+ seconds? old and verifies\\n$`));

    const file = path.join(f.dir, 'ripcord.prom');
    const stale = await ripcord(['check', '--repo', f.repo, '--max-age', '26h', '--metrics-file', file]);
    assert.is(stale.code, 1);
    assert.equal(stderrLines(stale), [
      `ripcord: the newest snapshot in ${f.repo} is ${f.ids[0]}, 27 hours old (limit 26 hours): the backups have stopped`,
    ]);
    const scoped = await ripcord([
      'check',
      '--repo',
      f.repo,
      '--max-age',
      '28h',
      '--kind',
      'scheduled',
      '--tag',
      'nightly',
      '--json',
    ]);
    assert.is(scoped.code, 0, scoped.stderr);
    assert.is((JSON.parse(scoped.stdout) as { snapshot: string }).snapshot, f.ids[0]);

    const metrics = await fs.readFile(file, 'utf8');
    assert.is(seriesValue(metrics, 'ripcord_runs_total', { operation: 'check', result: 'failure' }), 1);
    assert.is(seriesValue(metrics, 'ripcord_last_run_success', { operation: 'check' }), 0);
    assert.is(
      seriesValue(metrics, 'ripcord_last_success_timestamp_seconds', { operation: 'check' }),
      undefined,
      'never succeeded',
    );
    const newest = await snapshotJson(f.repo, f.ids[0]!);
    assert.is(
      seriesValue(metrics, 'ripcord_newest_snapshot_timestamp_seconds', { operation: 'check' }),
      Date.parse(newest.created) / 1000,
      'pre-restore snapshots are not backups',
    );
    assert.is(seriesValue(metrics, 'ripcord_snapshots', { operation: 'check' }), 3);
  } finally {
    await removeDir(s.dir);
    await f.remove();
  }
});

test('check fails with one line when the newest snapshot does not pass a quick verify, even though it is fresh', async () => {
  const f = await createFixtureRepo([
    { created: new Date(Date.now() - 3_600_000).toISOString(), kind: 'scheduled' },
    { created: new Date(Date.now() - 7_200_000).toISOString(), kind: 'scheduled' },
  ]);
  try {
    const ok = await ripcord(['check', '--repo', f.repo, '--max-age', '26h']);
    assert.is(ok.code, 0, ok.stderr);
    await fs.truncate(path.join(f.repo, f.ids[0]!, 'archive.tar.gz.pgp'), 100);
    const run = await ripcord(['check', '--repo', f.repo, '--max-age', '26h']);
    assert.is(run.code, 1);
    const lines = stderrLines(run);
    assert.is(lines.length, 1, run.stderr);
    assert.match(
      lines[0]!,
      new RegExp(`^ripcord: the newest snapshot ${f.ids[0]} does not verify: .*archive\\.tar\\.gz\\.pgp`),
    );
  } finally {
    await f.remove();
  }
});

// ---------------------------------------------------------------------------------------
// audit log

interface AuditJson {
  time: string;
  operation: string;
  result: string;
  snapshots: string[];
  actor: string;
  host: string;
  ciRunUrl?: string;
  rolledBack?: boolean;
  error?: string;
}

async function auditFiles(repo: string): Promise<string[]> {
  const files: string[] = [];
  for (const month of await fs.readdir(path.join(repo, 'audit'))) {
    for (const name of await fs.readdir(path.join(repo, 'audit', month)))
      files.push(path.join(repo, 'audit', month, name));
  }
  return files.sort();
}

test('8 concurrent backups to one repository leave 8 well-formed audit records, with the actor from GITHUB_ACTOR and the CI run URL', async () => {
  const s = await sandbox();
  try {
    const ci = {
      GITHUB_ACTOR: 'octocat',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_RUN_ID: '4242',
    };
    const runs = await Promise.all(
      Array.from({ length: 8 }, () =>
        ripcord(['backup', '--repo', s.repo, '-q', 'config'], { cwd: s.dir, env: { ...env, ...ci } }),
      ),
    );
    const ids = runs.map(idOf).sort();
    assert.is(new Set(ids).size, 8);

    const files = await auditFiles(s.repo);
    assert.is(files.length, 8);
    const records: AuditJson[] = [];
    for (const file of files) {
      const text = await fs.readFile(file, 'utf8');
      assert.ok(/^\{.*\}\n$/.test(text), `one JSON object on one line: ${file}`);
      records.push(JSON.parse(text) as AuditJson);
    }
    assert.equal(records.map((r) => r.snapshots[0]).sort(), ids);
    for (const r of records) {
      assert.is(r.operation, 'backup');
      assert.is(r.result, 'success');
      assert.is(r.snapshots.length, 1);
      assert.is(r.actor, 'octocat');
      assert.is(r.ciRunUrl, 'https://github.com/acme/app/actions/runs/4242');
      assert.ok(r.host.length > 0 && !Number.isNaN(Date.parse(r.time)));
    }

    const audit = await ripcord(['audit', '--repo', s.repo, '--since', '1h', '--json']);
    assert.is(audit.code, 0, audit.stderr);
    assert.equal((JSON.parse(audit.stdout) as AuditJson[]).map((r) => r.snapshots[0]).sort(), ids);
  } finally {
    await removeDir(s.dir);
  }
});

test('restore, copy, prune, deploy and rollback each append an audit record, failures included; dry runs append none; ripcord audit prints them oldest first', async () => {
  const s = await sandbox();
  try {
    const id = idOf(await ripcord(['backup', '--repo', s.repo, 'config'], { cwd: s.dir, env }));
    await fs.writeFile(path.join(s.dir, 'config/app.yaml'), 'port: 9090\n');
    const dry = await ripcord(['restore', id, '--repo', s.repo, '--dry-run'], { cwd: s.dir, env });
    assert.is(dry.code, 0, dry.stderr);
    const restore = await ripcord(['restore', id, '--repo', s.repo, '--yes', '--json'], { cwd: s.dir, env });
    assert.is(restore.code, 0, restore.stderr);
    const preRestore = (JSON.parse(restore.stdout) as { preRestoreSnapshot: string }).preRestoreSnapshot;
    assert.is(
      (await ripcord(['copy', id, '--repo', s.repo, '--to', path.join(s.dir, 'offsite')], { cwd: s.dir })).code,
      0,
    );
    assert.is(
      (
        await ripcord(['copy', '--all', '--repo', s.repo, '--to', path.join(s.dir, 'offsite'), '--dry-run'], {
          cwd: s.dir,
        })
      ).code,
      0,
    );
    assert.is((await ripcord(['prune', '--repo', s.repo, '--keep-last', '5'], { cwd: s.dir })).code, 0);
    const deploy = await ripcord(
      ['deploy', '--repo', s.repo, '--paths', 'config', '--', 'sh', '-c', 'echo broken > config/app.yaml; exit 3'],
      { cwd: s.dir, env },
    );
    assert.is(deploy.code, 10, deploy.stderr);
    const rollback = await ripcord(['rollback', '--repo', s.repo], { cwd: s.dir, env });
    assert.is(rollback.code, 0, rollback.stderr);
    const missing = await ripcord(['restore', '20200101T000000.000Z-dead', '--repo', s.repo, '--yes'], {
      cwd: s.dir,
      env,
    });
    assert.is(missing.code, 1);

    const audit = await ripcord(['audit', '--repo', s.repo, '--json']);
    assert.is(audit.code, 0, audit.stderr);
    const records = JSON.parse(audit.stdout) as AuditJson[];
    assert.equal(
      records.map((r) => [r.operation, r.result, r.rolledBack ?? false]),
      [
        ['backup', 'success', false],
        ['restore', 'success', false],
        ['copy', 'success', false],
        ['prune', 'success', false],
        ['deploy', 'failure', true],
        ['rollback', 'success', true],
        ['restore', 'failure', false],
      ],
    );
    assert.equal(records[1]!.snapshots, [id, preRestore], 'the restored snapshot and the pre-restore snapshot');
    assert.equal(records[2]!.snapshots, [id]);
    assert.match(records[6]!.error!, /snapshot 20200101T000000\.000Z-dead does not exist/);
    const sorted = [...records].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    assert.equal(records, sorted, 'oldest first');

    const table = await ripcord(['audit', '--repo', s.repo, '--operation', 'restore']);
    assert.is(table.code, 0, table.stderr);
    const rows = table.stdout.trim().split('\n');
    assert.match(rows[0]!, /^TIME \(UTC\)\s+OPERATION\s+SET\s+RESULT\s+SNAPSHOTS\s+ACTOR\s+HOST/);
    assert.is(rows.length, 3);
    assert.match(rows[1]!, /restore\s+ok\s+/);
    assert.match(rows[2]!, /restore\s+FAILED\s+-\s+.*does not exist/);
    const none = await ripcord(['audit', '--repo', s.repo, '--since', '2999-01-01']);
    assert.match(none.stdout, /^no audit records in .* since 2999-01-01T00:00:00\.000Z\n$/);
  } finally {
    await removeDir(s.dir);
  }
});

test("the Action audits too: its backup step and the post step's automatic rollback append records with the GitHub actor and run URL", async () => {
  const dir = await tempDir();
  try {
    const ws = path.join(dir, 'ws');
    const temp = path.join(dir, 'runner-temp');
    await fs.mkdir(path.join(ws, 'config'), { recursive: true });
    await fs.mkdir(temp);
    await fs.writeFile(path.join(ws, 'config/app.yaml'), 'replicas: 2\n');
    const inputs = {
      command: 'backup',
      paths: 'config',
      passphrase: env.RIPCORD_PASSPHRASE,
      'rollback-on-failure': 'true',
    };
    const main = await runAction('main', { workspace: ws, runnerTemp: temp, inputs });
    assert.is(main.code, 0, main.stdout + main.stderr);
    await fs.writeFile(path.join(ws, 'config/app.yaml'), 'replicas: 0\n');
    const post = await runAction('post', { workspace: ws, runnerTemp: temp, inputs, state: main.state });
    assert.is(post.code, 0, post.stdout + post.stderr);

    const audit = await ripcord(['audit', '--repo', path.join(ws, '.ripcord'), '--json']);
    assert.is(audit.code, 0, audit.stderr);
    const records = JSON.parse(audit.stdout) as AuditJson[];
    assert.equal(
      records.map((r) => [r.operation, r.result, r.rolledBack ?? false]),
      [
        ['backup', 'success', false],
        ['rollback', 'success', true],
      ],
    );
    assert.equal(records[0]!.snapshots, [main.outputs['snapshot-id']]);
    assert.equal(records[1]!.snapshots, [main.outputs['snapshot-id'], post.outputs['pre-restore-snapshot-id']]);
    for (const r of records) {
      assert.is(r.actor, 'octo');
      assert.is(r.ciRunUrl, 'https://github.example/example/app/actions/runs/4242');
    }
  } finally {
    await removeDir(dir);
  }
});

test('a command that fails against a repository that does not exist does not create it to hold an audit record', async () => {
  const s = await sandbox();
  try {
    const typo = path.join(s.dir, 'no-such-repo');
    const run = await ripcord(['restore', 'latest', '--repo', typo, '--yes'], { cwd: s.dir, env });
    assert.is(run.code, 1);
    assert.equal(stderrLines(run), [`ripcord: no snapshots in ${typo}: run ripcord backup first, or check --repo`]);
    assert.is(await fs.stat(typo).catch(() => undefined), undefined);
  } finally {
    await removeDir(s.dir);
  }
});

// ---------------------------------------------------------------------------------------
// report and notifications

test('--report writes one JSON document: operation, snapshot id, timings, sizes, throughput, warnings and result; and on failure the error', async () => {
  const s = await sandbox();
  try {
    await exec('mkfifo', [path.join(s.dir, 'config/a-fifo')]); // skipped with a warning
    const report = path.join(s.dir, 'report.json');
    const id = idOf(await ripcord(['backup', '--repo', s.repo, '--report', report, 'config'], { cwd: s.dir, env }));
    const snapshot = await snapshotJson(s.repo, id);
    // biome-ignore lint/suspicious/noExplicitAny: the report as parsed JSON, read field by field
    const doc = JSON.parse(await fs.readFile(report, 'utf8')) as Record<string, any>;
    assert.is(doc.format, 'ripcord-report/1');
    assert.is(doc.operation, 'backup');
    assert.is(doc.result, 'success');
    assert.is(doc.exitCode, 0);
    assert.is(doc.error, null);
    assert.equal(doc.snapshots, [id]);
    assert.equal(doc.sizes, { files: 2, inputBytes: snapshot.inputBytes, archiveBytes: snapshot.archiveBytes });
    assert.ok(doc.timings.durationMs > 0 && Date.parse(doc.timings.finishedAt) >= Date.parse(doc.timings.startedAt));
    assert.is(doc.timings.phasesMs.backup, snapshot.durationMs);
    assert.is(doc.throughput.bytes, snapshot.inputBytes);
    assert.ok(doc.throughput.bytesPerSecond > 0);
    assert.is(doc.warnings.length, 1);
    assert.match(doc.warnings[0], /a-fifo/);
    assert.is(doc.repository, s.repo);

    const failed = await ripcord(['backup', '--repo', s.repo, '--report', report, 'missing'], { cwd: s.dir, env });
    assert.is(failed.code, 1);
    // biome-ignore lint/suspicious/noExplicitAny: the report as parsed JSON, read field by field
    const failure = JSON.parse(await fs.readFile(report, 'utf8')) as Record<string, any>;
    assert.is(failure.result, 'failure');
    assert.is(failure.exitCode, 1);
    assert.is(`ripcord: ${failure.error}`, stderrLines(failed)[0]);
    assert.equal(failure.snapshots, []);
  } finally {
    await removeDir(s.dir);
  }
});

test('a failed backup posts a Slack-compatible message to the webhook; a success posts only with --notify-on success; a deploy that rolls back posts too', async () => {
  const webhook = await startWebhook();
  const s = await sandbox();
  try {
    const without = await ripcord(['backup', '--repo', s.repo, 'missing'], { cwd: s.dir, env });
    const failed = await ripcord(['backup', '--repo', s.repo, 'missing', '--notify-webhook', webhook.url], {
      cwd: s.dir,
      env,
    });
    assert.is(failed.code, 1);
    assert.is(failed.code, without.code);
    assert.equal(stderrLines(failed), stderrLines(without), 'the webhook changes nothing the user sees');
    assert.is(webhook.received.length, 1);
    const [message] = webhook.received;
    assert.is(message!.method, 'POST');
    assert.is(message!.url, '/services/T0000/B0000/very-secret-token');
    assert.match(message!.contentType, /^application\/json/);
    const body = JSON.parse(message!.body) as { text: string; blocks: { type: string }[] };
    assert.match(body.text, /^:red_circle: ripcord backup FAILED on \S+\nerror: /);
    assert.ok(
      body.text.includes(stderrLines(failed)[0]!.replace(/^ripcord: /, '')),
      'the message carries the error line',
    );
    assert.equal(
      body.blocks.map((b) => b.type),
      ['section', 'section'],
    );

    idOf(await ripcord(['backup', '--repo', s.repo, 'config', '--notify-webhook', webhook.url], { cwd: s.dir, env }));
    assert.is(webhook.received.length, 1, 'no message on success by default');
    idOf(
      await ripcord(['backup', '--repo', s.repo, 'config', '--notify-on', 'success'], {
        cwd: s.dir,
        env: { ...env, RIPCORD_NOTIFY_WEBHOOK: webhook.url },
      }),
    );
    assert.is(webhook.received.length, 2);
    assert.match(
      (JSON.parse(webhook.received[1]!.body) as { text: string }).text,
      /^:large_green_circle: ripcord backup succeeded on /,
    );

    const deploy = await ripcord(
      ['deploy', '--repo', s.repo, '--paths', 'config', '--notify-webhook', webhook.url, '--', 'false'],
      { cwd: s.dir, env },
    );
    assert.is(deploy.code, 10, deploy.stderr);
    assert.is(webhook.received.length, 3);
    assert.match(
      (JSON.parse(webhook.received[2]!.body) as { text: string }).text,
      /^:warning: ripcord deploy ROLLED BACK on \S+\n/,
    );
  } finally {
    await webhook.stop();
    await removeDir(s.dir);
  }
});

test('a webhook that fails, an unreachable Pushgateway or an unwritable metrics file never hide the result: a warning on stderr, the exit code of the operation', async () => {
  const webhook = await startWebhook(500);
  const s = await sandbox();
  try {
    const failed = await ripcord(['backup', '--repo', s.repo, 'missing', '--notify-webhook', webhook.url], {
      cwd: s.dir,
      env,
    });
    assert.is(failed.code, 1);
    const lines = stderrLines(failed);
    assert.is(lines.length, 2, failed.stderr);
    assert.match(lines[0]!, /^ripcord: /);
    assert.match(
      lines[1]!,
      /^warning: the notification to http:\/\/127\.0\.0\.1:\d+\/… was not sent: the webhook answered 500 /,
    );
    assert.not.match(failed.stderr, /very-secret-token/, 'the webhook path is a secret');
    assert.is(webhook.received.length, 1);

    const closed = `http://127.0.0.1:${await freePort()}`;
    const run = await ripcord(
      [
        'backup',
        '--repo',
        s.repo,
        '-q',
        'config',
        '--pushgateway',
        closed,
        '--metrics-file',
        path.join(s.dir, 'no-such-dir', 'ripcord.prom'),
      ],
      { cwd: s.dir, env },
    );
    assert.is(run.code, 0);
    assert.match(run.stdout, /^\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{4}\n$/);
    const warnings = stderrLines(run);
    assert.is(warnings.length, 2, run.stderr);
    assert.match(
      warnings[0]!,
      /^warning: the metrics file .*ripcord\.prom was not updated: the folder .*no-such-dir does not exist: create it .*\(the backup result and exit code are unchanged\)$/,
    );
    assert.not.match(warnings[0]!, /\.lock/, 'the folder is named, not a lock file beside the metrics file');
    assert.match(warnings[1]!, /^warning: the metrics were not pushed to http:\/\/127\.0\.0\.1:\d+: /);
  } finally {
    await webhook.stop();
    await removeDir(s.dir);
  }
});

test.run();
