/**
 * Prometheus metrics of ripcord runs, in the text exposition format (version 0.0.4) that
 * node_exporter's textfile collector reads and a Pushgateway accepts.
 *
 * Every series is labelled with `operation` and `set` ("" without --set). A run replaces
 * the series it emits and leaves every other series alone, as a Pushgateway POST does:
 * a failed run emits no `ripcord_last_success_timestamp_seconds` and no sizes, so those
 * keep describing the last success, and `time() - ripcord_last_success_timestamp_seconds`
 * keeps growing until a backup succeeds again. `ripcord_runs_total` is a counter carried
 * over from the previous values (the old file, or what the Pushgateway holds).
 * Pure, no I/O.
 */
import type { RunRecord } from './run-record.ts';
import { durationMs } from './run-record.ts';

export type MetricType = 'counter' | 'gauge' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricInfo {
  help: string;
  type: MetricType;
}

export const RIPCORD_METRICS = {
  ripcord_last_success_timestamp_seconds: { type: 'gauge', help: 'Unix time at which the operation last succeeded.' },
  ripcord_last_run_timestamp_seconds: {
    type: 'gauge',
    help: 'Unix time at which the operation last finished, successfully or not.',
  },
  ripcord_last_run_success: {
    type: 'gauge',
    help: '1 when the last run of the operation succeeded, 0 when it failed.',
  },
  ripcord_runs_total: { type: 'counter', help: 'Runs of the operation, by result (success or failure).' },
  ripcord_duration_seconds: { type: 'gauge', help: 'Wall time of the last run of the operation.' },
  ripcord_archive_bytes: {
    type: 'gauge',
    help: 'Stored (compressed, encrypted) size of the snapshot the last successful run made or checked.',
  },
  ripcord_input_bytes: {
    type: 'gauge',
    help: 'Bytes of file content in the snapshot the last successful run made or checked.',
  },
  ripcord_files: { type: 'gauge', help: 'Regular files in the snapshot the last successful run made or checked.' },
  ripcord_snapshots: {
    type: 'gauge',
    help: "Snapshots in the run's scope after the run: the backup's kind and tags, the --kind/--tag/--set of check and prune, else the set's (all without --set).",
  },
  ripcord_newest_snapshot_timestamp_seconds: {
    type: 'gauge',
    help: "Creation time of the newest snapshot in the run's scope after the run (pre-restore snapshots excluded unless --kind asks for them).",
  },
} as const satisfies Record<string, MetricInfo>;

export type RipcordMetric = keyof typeof RIPCORD_METRICS;

/** Labels ripcord sets itself; --metrics-label cannot use them. */
export const RESERVED_LABELS = ['operation', 'set', 'result', 'job', 'instance'];

/** The labels every series of this run carries: operation, set, and the extra ones (--metrics-label). */
export function runLabels(
  run: Pick<RunRecord, 'operation' | 'set'>,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return { ...extra, operation: run.operation, set: run.set ?? '' };
}

/**
 * The series one run emits. `previous` holds what was there before (to carry the
 * counter over); only series with this run's labels are looked at.
 */
export function runSamples(
  run: RunRecord,
  previous: readonly Sample[],
  extra: Readonly<Record<string, string>> = {},
): Sample[] {
  const labels = runLabels(run, extra);
  const seconds = (date: Date | string) => new Date(date).getTime() / 1000;
  const mine = (sample: Sample) =>
    Object.entries(labels).every(([name, value]) => (sample.labels[name] ?? '') === value);
  const count = (result: string) =>
    previous.find((s) => s.name === 'ripcord_runs_total' && mine(s) && s.labels.result === result)?.value ?? 0;
  const samples: Sample[] = [];
  const add = (name: RipcordMetric, value: number, extra: Record<string, string> = {}) =>
    samples.push({ name, labels: { ...labels, ...extra }, value });

  add('ripcord_last_run_timestamp_seconds', seconds(run.finishedAt));
  add('ripcord_last_run_success', run.result === 'success' ? 1 : 0);
  for (const result of ['success', 'failure'] as const)
    add('ripcord_runs_total', count(result) + (run.result === result ? 1 : 0), { result });
  add('ripcord_duration_seconds', durationMs(run) / 1000);
  if (run.result === 'success') {
    add('ripcord_last_success_timestamp_seconds', seconds(run.finishedAt));
    if (run.snapshot) {
      add('ripcord_archive_bytes', run.snapshot.archiveBytes);
      add('ripcord_input_bytes', run.snapshot.inputBytes);
      add('ripcord_files', run.snapshot.files);
    }
  }
  if (run.repositoryState) {
    add('ripcord_snapshots', run.repositoryState.snapshots);
    if (run.repositoryState.newestCreated)
      add('ripcord_newest_snapshot_timestamp_seconds', seconds(run.repositoryState.newestCreated));
  }
  return samples;
}

/** `previous` with every series that `next` emits replaced by its new value, in a stable order. */
export function mergeSamples(previous: readonly Sample[], next: readonly Sample[]): Sample[] {
  const key = (s: Sample) => `${s.name}${formatLabels(s.labels)}`;
  const replaced = new Set(next.map(key));
  return [...previous.filter((s) => !replaced.has(key(s))), ...next];
}

/**
 * The exposition text: for each metric a # HELP and a # TYPE line, then its samples,
 * ripcord's metrics first in a fixed order, sorted by labels; a trailing newline.
 * `known` describes metrics that are not ripcord's (kept from a previous file).
 */
export function formatExposition(
  samples: readonly Sample[],
  known: ReadonlyMap<string, MetricInfo> = new Map(),
): string {
  const names = [...new Set(samples.map((s) => s.name))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const lines: string[] = [];
  for (const name of names) {
    const info: MetricInfo = (RIPCORD_METRICS as Record<string, MetricInfo>)[name] ??
      known.get(name) ?? { help: name, type: 'untyped' };
    lines.push(
      `# HELP ${name} ${info.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`,
      `# TYPE ${name} ${info.type}`,
    );
    const series = samples
      .filter((s) => s.name === name)
      .map((s) => `${name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
    lines.push(...series.sort());
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export interface ParsedExposition {
  samples: Sample[];
  info: Map<string, MetricInfo>;
  /** lines that could not be read ("line 7: ..."); they are dropped */
  problems: string[];
}

/** Read exposition text (a previous metrics file, a Pushgateway's /metrics page). */
export function parseExposition(text: string): ParsedExposition {
  const samples: Sample[] = [];
  const info = new Map<string, MetricInfo>();
  const problems: string[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const comment = /^#\s*(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)\s?(.*)$/.exec(line);
    if (comment) {
      const [, what, name, rest] = comment as unknown as [string, string, string, string];
      const current = info.get(name) ?? { help: name, type: 'untyped' as MetricType };
      if (what === 'HELP') current.help = rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
      else current.type = (['counter', 'gauge'].includes(rest.trim()) ? rest.trim() : 'untyped') as MetricType;
      info.set(name, current);
      return;
    }
    if (line.startsWith('#')) return;
    const sample = parseSampleLine(line);
    if (sample) samples.push(sample);
    else problems.push(`line ${index + 1}: cannot read ${JSON.stringify(line.slice(0, 80))}`);
  });
  return { samples, info, problems };
}

function parseSampleLine(line: string): Sample | undefined {
  const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!head) return undefined;
  const name = head[1]!;
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at += 1;
    const label = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,?)/y;
    for (;;) {
      if (line[at] === '}') break;
      label.lastIndex = at;
      const m = label.exec(line);
      if (!m) return undefined;
      labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      at = label.lastIndex;
      if (m[3] !== ',' && line[at] !== '}') return undefined;
    }
    at += 1;
  }
  const rest = line.slice(at).trim().split(/\s+/);
  if (rest.length < 1 || rest.length > 2 || rest[0] === '') return undefined;
  const value = parseValue(rest[0]!);
  if (value === undefined) return undefined;
  return { name, labels, value };
}

function parseValue(text: string): number | undefined {
  if (text === 'NaN') return NaN;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function formatLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function rank(name: string): number {
  const index = Object.keys(RIPCORD_METRICS).indexOf(name);
  return index < 0 ? Number.MAX_SAFE_INTEGER : index;
}
