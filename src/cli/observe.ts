/**
 * The one place where the CLI reports on a run, after the command has finished or failed
 * (main.ts calls observeRun in its finally): the audit record in the repository, the
 * JSON report (--report), Prometheus metrics (--metrics-file, --pushgateway) and the
 * webhook (--notify-webhook). Commands only note what they did (context.record).
 *
 * None of this may hide the operation's own result: every failure here is a warning on
 * stderr, and the exit code stays the operation's.
 */
import * as fs from 'node:fs/promises';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { setTag } from '../domain/config.ts';
import { isRipcordError, StorageError, UsageError } from '../domain/errors.ts';
import type { Sample } from '../domain/metrics.ts';
import {
  formatExposition,
  mergeSamples,
  parseExposition,
  RESERVED_LABELS,
  runLabels,
  runSamples,
} from '../domain/metrics.ts';
import type { RunRecord } from '../domain/run-record.ts';
import { durationMs, notificationEvent, runReport, slackMessage } from '../domain/run-record.ts';
import { AUDITED_OPERATIONS, appendRunAudit, isAuditable } from '../ops/audit.ts';
import { lockOwner, withLock } from '../ops/lock.ts';
import { describeActor } from '../ops/origin.ts';
import { listSnapshots, matchesFilter } from '../ops/repository.ts';
import type { SnapshotFilter } from '../ops/repository.ts';
import { VERSION } from '../ops/version.ts';
import { LocalStore } from '../storage/local-store.ts';
import { writeFileAtomically } from '../storage/replace-file.ts';
import type { Store } from '../storage/store.ts';
import type { Command, OptionSpecs, OptionValues } from './command.ts';
import { listOption, stringOption } from './command.ts';
import type { CliContext } from './context.ts';
import { terminalText } from './format.ts';

/** The commands that take the monitoring options. */
export const OBSERVED_COMMANDS: readonly string[] = [
  'backup',
  'restore',
  'prune',
  'copy',
  'deploy',
  'rollback',
  'check',
  'verify',
];

export const MONITORING_OPTIONS: OptionSpecs = {
  report: {
    type: 'string',
    value: 'FILE',
    group: 'Monitoring',
    description: 'write a JSON report of this run (result, snapshot ids, timings, sizes, throughput, warnings) to FILE',
  },
  'metrics-file': {
    type: 'string',
    value: 'FILE',
    group: 'Monitoring',
    description: "update this run's Prometheus metrics in FILE (node_exporter textfile format, replaced atomically)",
  },
  pushgateway: {
    type: 'string',
    value: 'URL',
    group: 'Monitoring',
    description: 'push this run\'s Prometheus metrics to a Pushgateway (group job="ripcord", operation, set)',
  },
  'metrics-label': {
    type: 'string',
    value: 'NAME=VALUE',
    multiple: true,
    group: 'Monitoring',
    description: 'add this label to every metric (and to the Pushgateway group), e.g. repository=acme/app',
  },
  'notify-webhook': {
    type: 'string',
    value: 'URL',
    group: 'Monitoring',
    description: 'post a Slack-compatible message when the run fails or rolls back (default: $RIPCORD_NOTIFY_WEBHOOK)',
  },
  'notify-on': {
    type: 'string',
    value: 'success',
    group: 'Monitoring',
    description: 'post on success too (failures and rollbacks always post)',
  },
};

/** The command with the monitoring options, when it is one of the observed commands. */
export function withMonitoring(command: Command): Command {
  return OBSERVED_COMMANDS.includes(command.name)
    ? { ...command, options: { ...command.options, ...MONITORING_OPTIONS } }
    : command;
}

const NOTIFY_EVENTS = ['failure', 'rollback', 'success'];
const NETWORK_TIMEOUT_MS = 10_000;
/** Runs wait their turn for the metrics file (a few milliseconds each); a holder whose process is gone holds nothing. */
const METRICS_LOCK = { waitMs: 15_000, pollMs: 50, sameMachine: true };

/** Reject a bad monitoring option before the operation runs, not after. */
export function checkMonitoringOptions(command: Command, values: OptionValues, env: NodeJS.ProcessEnv): void {
  if (!OBSERVED_COMMANDS.includes(command.name)) return;
  for (const name of ['pushgateway', 'notify-webhook']) {
    const url = stringOption(values, name);
    if (url !== undefined && !/^https?:\/\/\S+$/.test(url))
      throw new UsageError(`--${name} ${redactUrl(url)}: give an http:// or https:// URL`);
  }
  if (env.RIPCORD_NOTIFY_WEBHOOK && !/^https?:\/\/\S+$/.test(env.RIPCORD_NOTIFY_WEBHOOK))
    throw new UsageError('RIPCORD_NOTIFY_WEBHOOK is not an http:// or https:// URL');
  metricLabels(values);
  for (const event of listOption(values, 'notify-on')) {
    if (!NOTIFY_EVENTS.includes(event))
      throw new UsageError(`--notify-on ${event}: give success (failures and rollbacks always post)`);
  }
}

/** --metrics-label NAME=VALUE, checked: a Prometheus label name that ripcord does not set itself. */
export function metricLabels(values: OptionValues): Record<string, string> {
  const labels: Record<string, string> = {};
  const given = values['metrics-label'];
  for (const spec of Array.isArray(given) ? given.map(String) : typeof given === 'string' ? [given] : []) {
    const eq = spec.indexOf('=');
    const name = spec.slice(0, Math.max(0, eq));
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) || name.startsWith('__'))
      throw new UsageError(
        `--metrics-label ${spec}: write NAME=VALUE with a Prometheus label name (letters, digits, _)`,
      );
    if (RESERVED_LABELS.includes(name))
      throw new UsageError(`--metrics-label ${spec}: ripcord sets the label ${name} itself`);
    labels[name] = spec.slice(eq + 1);
  }
  return labels;
}

export interface RunEnd {
  startedAt: Date;
  exitCode: number;
  /** what the command threw, if it threw */
  error?: unknown;
}

/** Report on a finished run. Never throws; problems are warnings on stderr. */
export async function observeRun(
  context: CliContext,
  command: Command,
  values: OptionValues,
  end: RunEnd,
): Promise<void> {
  const warn = (what: string, error: unknown) => {
    context.stderr.write(
      `warning: ${terminalText(what)}: ${terminalText(error instanceof Error ? error.message : String(error))} (the ${command.name} result and exit code are unchanged)\n`,
    );
  };
  try {
    const run = assembleRun(context, command, values, end);
    const metricsFile = stringOption(values, 'metrics-file');
    const pushgateway = stringOption(values, 'pushgateway');
    const webhook = stringOption(values, 'notify-webhook') ?? (context.env.RIPCORD_NOTIFY_WEBHOOK || undefined);
    const report = stringOption(values, 'report');
    // Dry runs changed nothing; a failure before the repository was opened never reached it.
    const audited =
      (AUDITED_OPERATIONS as readonly string[]).includes(run.operation) &&
      !run.dryRun &&
      isAuditable(end.error) &&
      (run.result === 'success' || context.run.repository !== undefined);
    if (!audited && !metricsFile && !pushgateway && !webhook && !report) return;

    // The repository again, as the command named it (a failed command may never have opened it).
    let store: Store | undefined;
    const repository = async () => (store ??= await context.openRepository());
    if (audited) {
      await repository()
        .then((store) => writeAudit(run, store))
        .catch((error) => warn('the audit record was not written', error));
    }
    if ((metricsFile || pushgateway) && !(end.error instanceof StorageError)) {
      run.repositoryState = await repository()
        .then((store) => repositoryState(store, runScope(run, values)))
        .catch((error) => {
          warn('cannot count the snapshots for ripcord_snapshots', error);
          return undefined;
        });
    }
    if (report)
      await writeReport(path.resolve(context.cwd, report), run).catch((error) =>
        warn(`the report ${report} was not written`, error),
      );
    const labels = metricLabels(values);
    if (metricsFile)
      await updateMetricsFile(path.resolve(context.cwd, metricsFile), run, labels).catch((error) =>
        warn(`the metrics file ${metricsFile} was not updated`, error),
      );
    if (pushgateway)
      await pushMetrics(pushgateway, run, labels).catch((error) =>
        warn(`the metrics were not pushed to ${redactUrl(pushgateway)}`, error),
      );
    if (webhook) {
      const events = new Set(['failure', 'rollback', ...listOption(values, 'notify-on')]);
      if (events.has(notificationEvent(run)))
        await postWebhook(webhook, run).catch((error) =>
          warn(`the notification to ${redactUrl(webhook)} was not sent`, error),
        );
    }
  } catch (error) {
    warn('reporting on this run failed', error);
  }
}

function assembleRun(context: CliContext, command: Command, values: OptionValues, end: RunEnd): RunRecord {
  const { notes } = context.run;
  const set = stringOption(values, 'set');
  const error =
    end.error === undefined
      ? undefined
      : isRipcordError(end.error)
        ? end.error.message
        : `internal error: ${end.error instanceof Error ? end.error.message : String(end.error)}`;
  return {
    operation: command.name,
    ...(set !== undefined ? { set } : {}),
    ...(context.run.repository !== undefined ? { repository: context.run.repository } : {}),
    result: end.exitCode === 0 && end.error === undefined ? 'success' : 'failure',
    exitCode: end.exitCode,
    ...(error !== undefined ? { error } : {}),
    startedAt: end.startedAt,
    finishedAt: new Date(),
    snapshots: notes.snapshots ?? [],
    ...(notes.snapshot ? { snapshot: notes.snapshot } : {}),
    ...(notes.bytesProcessed !== undefined ? { bytesProcessed: notes.bytesProcessed } : {}),
    dryRun: notes.dryRun ?? false,
    rolledBack: notes.rolledBack ?? false,
    timings: notes.timings ?? {},
    details: notes.details ?? {},
    warnings: notes.warnings ?? [],
    origin: describeActor(context.env),
    tool: `ripcord ${VERSION}`,
  };
}

async function writeAudit(run: RunRecord, store: Store): Promise<void> {
  await appendRunAudit(store, {
    time: run.finishedAt.toISOString(),
    operation: run.operation,
    result: run.result,
    snapshots: run.snapshots,
    ...(run.set !== undefined ? { set: run.set } : {}),
    actor: run.origin.actor,
    host: run.origin.host,
    ...(run.origin.ciRunUrl ? { ciRunUrl: run.origin.ciRunUrl } : {}),
    exitCode: run.exitCode,
    ...(run.error !== undefined ? { error: run.error } : {}),
    ...(run.rolledBack ? { rolledBack: true } : {}),
    durationMs: durationMs(run),
    tool: run.tool,
  });
}

/**
 * The snapshots a run is about: those of the backup's kind and tags (its group), the
 * --kind/--tag scope of check and prune (--set adds its set:NAME tag to it), else the set's.
 */
function runScope(run: RunRecord, values: OptionValues): SnapshotFilter {
  if (run.operation === 'backup' && run.snapshot) return { kind: run.snapshot.kind, tags: run.snapshot.tags };
  if (run.operation === 'check' || run.operation === 'prune')
    return { kind: stringOption(values, 'kind'), tags: listOption(values, 'tag') };
  return { tags: run.set !== undefined ? [setTag(run.set)] : [] };
}

/** How many snapshots are in scope now, and when the newest was taken. */
async function repositoryState(store: Store, scope: SnapshotFilter): Promise<RunRecord['repositoryState']> {
  const { snapshots } = await listSnapshots(store);
  const inScope = snapshots.filter((s) => matchesFilter(s, scope));
  const newest = scope.kind ? inScope[0] : inScope.find((s) => s.kind !== 'pre-restore');
  return { snapshots: inScope.length, ...(newest ? { newestCreated: newest.created } : {}) };
}

async function writeReport(file: string, run: RunRecord): Promise<void> {
  await writeFileAtomically(file, `${JSON.stringify(runReport(run), null, 2)}\n`, 0o644);
}

/**
 * Read, update and replace the textfile. A lock beside it (locks/<name>/ in its folder, the
 * repository lock of ops/lock.ts) serializes concurrent runs, so that no run's series or
 * counter increment is lost; node_exporter only ever sees a whole file, because the new one
 * is renamed over the old. The file is 0644: node_exporter usually runs as another user.
 */
async function updateMetricsFile(file: string, run: RunRecord, labels: Record<string, string>): Promise<void> {
  // the folder is the operator's to make (it is node_exporter's textfile directory): say so, not "cannot lock X.lock"
  const folder = path.dirname(file);
  if (
    !(await fs.stat(folder).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  )
    throw new Error(`the folder ${folder} does not exist: create it (node_exporter's --collector.textfile.directory)`);
  const folderStore = new LocalStore(folder);
  const owner = lockOwner('metrics-file', { host: hostname() });
  await withLock(folderStore, path.basename(file), owner, METRICS_LOCK, async () => {
    const old = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const previous = parseExposition(old);
    const samples = mergeSamples(previous.samples, runSamples(run, previous.samples, labels));
    await writeFileAtomically(file, formatExposition(samples, previous.info), 0o644);
  });
}

/**
 * POST to the group job="ripcord", operation, set (and the --metrics-label labels): a POST
 * replaces only the metrics it carries, so a failed run leaves the last success time and
 * sizes of the group as they were. The counter continues from the value the Pushgateway holds.
 */
async function pushMetrics(gateway: string, run: RunRecord, labels: Record<string, string>): Promise<void> {
  const { url: base, headers } = splitCredentials(gateway.replace(/\/+$/, ''));
  const page = await fetch(`${base}/metrics`, { headers, signal: AbortSignal.timeout(NETWORK_TIMEOUT_MS) });
  if (!page.ok) throw new Error(`GET /metrics answered ${page.status} ${page.statusText}`);
  const previous = parseExposition(await page.text()).samples.filter((s) => s.labels.job === 'ripcord');
  const grouping = runLabels(run, labels);
  // the grouping key gives the pushed series these labels; they must not be in the body too
  const samples: Sample[] = runSamples(run, previous, labels).map((sample) => ({
    ...sample,
    labels: Object.fromEntries(Object.entries(sample.labels).filter(([name]) => !(name in grouping))),
  }));
  const group = `${base}/metrics/job/ripcord${Object.entries(grouping)
    .map(([name, value]) => `/${name}@base64/${value === '' ? '=' : base64url(value)}`)
    .join('')}`;
  const response = await fetch(group, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
    body: formatExposition(samples),
    signal: AbortSignal.timeout(NETWORK_TIMEOUT_MS),
  });
  if (!response.ok)
    throw new Error(
      `the Pushgateway answered ${response.status} ${response.statusText}: ${(await response.text()).trim().slice(0, 300)}`,
    );
}

async function postWebhook(webhook: string, run: RunRecord): Promise<void> {
  const { url, headers } = splitCredentials(webhook);
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(slackMessage(run)),
    signal: AbortSignal.timeout(NETWORK_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`the webhook answered ${response.status} ${response.statusText}`);
}

/** fetch refuses URLs with user:password@; send them as Basic authentication instead. */
function splitCredentials(text: string): { url: string; headers: Record<string, string> } {
  const url = new URL(text);
  if (!url.username && !url.password) return { url: text, headers: {} };
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = '';
  url.password = '';
  return {
    url: url.toString().replace(/\/$/, text.endsWith('/') ? '/' : ''),
    headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` },
  };
}

/** Webhook paths are secrets (Slack's are the credential), and URLs may carry a password: show the origin only. */
export function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    return `${url.protocol}//${url.host}${url.pathname !== '/' ? '/…' : ''}`;
  } catch {
    return '(an invalid URL)';
  }
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
