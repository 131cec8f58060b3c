/**
 * What one run of an operation did, as a fact to report: the JSON report, Prometheus
 * metrics, the audit log and webhook notifications are all renderings of this record.
 * An adapter assembles it (from what the command noted, the clock and the exit code);
 * this module only shapes it. Pure, no I/O.
 */
import { ExitCode } from './errors.ts';
import type { SnapshotMetadata } from './snapshot.ts';
import { slackText } from './untrusted-text.ts';
import { countOf } from './wording.ts';

export type RunResult = 'success' | 'failure';

/** The snapshot a run made (backup, deploy) or looked at (check), by its sizes. */
export interface SnapshotSummary {
  id: string;
  kind: string;
  created: string;
  tags: string[];
  files: number;
  inputBytes: number;
  archiveBytes: number;
}

/** What a command notes while it runs; every field is optional and notes accumulate. */
export interface RunNotes {
  /** snapshot ids made, used, copied or removed, in the order they were noted */
  snapshots?: string[];
  snapshot?: SnapshotSummary;
  /** bytes read or moved by the run (backup input, copy transfer), for throughput */
  bytesProcessed?: number;
  /** nothing was changed on purpose (--dry-run) */
  dryRun?: boolean;
  /** the run restored a pre-deploy snapshot (deploy that failed, rollback) */
  rolledBack?: boolean;
  /** phase durations in ms, e.g. { snapshot: 812, deploy: 4000 } */
  timings?: Record<string, number>;
  /** operation-specific facts for the report: { removed: 3, bytesFreed: 1234 } */
  details?: Record<string, unknown>;
  warnings?: string[];
}

export interface RunOrigin {
  host: string;
  /** GITHUB_ACTOR in GitHub Actions, else the OS user */
  actor: string;
  ciRunUrl?: string;
}

export interface RunRecord {
  operation: string;
  /** the backup set (--set), or undefined */
  set?: string;
  /** where the repository is, credentials stripped */
  repository?: string;
  result: RunResult;
  exitCode: number;
  /** the one line printed on stderr, on failure */
  error?: string;
  startedAt: Date;
  finishedAt: Date;
  snapshots: string[];
  snapshot?: SnapshotSummary;
  bytesProcessed?: number;
  dryRun: boolean;
  rolledBack: boolean;
  timings: Record<string, number>;
  details: Record<string, unknown>;
  warnings: string[];
  origin: RunOrigin;
  /** the repository after the run, in the set's scope (only when someone asked for metrics) */
  repositoryState?: { snapshots: number; newestCreated?: string };
  tool: string;
}

export function summarizeSnapshot(snapshot: SnapshotMetadata): SnapshotSummary {
  return {
    id: snapshot.id,
    kind: snapshot.kind,
    created: snapshot.created,
    tags: [...snapshot.tags],
    files: snapshot.files,
    inputBytes: snapshot.inputBytes,
    archiveBytes: snapshot.archiveBytes,
  };
}

/** Fold notes into what was noted before: lists append, objects merge, the rest is replaced. */
export function mergeNotes(into: RunNotes, notes: RunNotes): RunNotes {
  return {
    ...into,
    ...notes,
    snapshots: [
      ...(into.snapshots ?? []),
      ...(notes.snapshots ?? []).filter((id) => !(into.snapshots ?? []).includes(id)),
    ],
    warnings: [...(into.warnings ?? []), ...(notes.warnings ?? [])],
    timings: { ...into.timings, ...notes.timings },
    details: { ...into.details, ...notes.details },
  };
}

export function durationMs(run: Pick<RunRecord, 'startedAt' | 'finishedAt'>): number {
  return Math.max(0, run.finishedAt.getTime() - run.startedAt.getTime());
}

/** The report written by --report: one JSON document per run. */
export function runReport(run: RunRecord): Record<string, unknown> {
  const ms = durationMs(run);
  const seconds = Math.max(ms, 1) / 1000;
  return {
    format: 'ripcord-report/1',
    operation: run.operation,
    set: run.set ?? null,
    result: run.result,
    exitCode: run.exitCode,
    error: run.error ?? null,
    repository: run.repository ?? null,
    snapshots: run.snapshots,
    snapshot: run.snapshot ?? null,
    dryRun: run.dryRun,
    rolledBack: run.rolledBack,
    timings: {
      startedAt: run.startedAt.toISOString(),
      finishedAt: run.finishedAt.toISOString(),
      durationMs: ms,
      phasesMs: run.timings,
    },
    sizes: run.snapshot
      ? { files: run.snapshot.files, inputBytes: run.snapshot.inputBytes, archiveBytes: run.snapshot.archiveBytes }
      : null,
    throughput:
      run.bytesProcessed !== undefined
        ? { bytes: run.bytesProcessed, bytesPerSecond: Math.round(run.bytesProcessed / seconds) }
        : null,
    warnings: run.warnings,
    details: run.details,
    repositoryState: run.repositoryState ?? null,
    host: run.origin.host,
    actor: run.origin.actor,
    ciRunUrl: run.origin.ciRunUrl ?? null,
    tool: run.tool,
  };
}

/** What a webhook hears about: failures and rollbacks always, successes when asked for. */
export function notificationEvent(run: RunRecord): 'failure' | 'rollback' | 'success' {
  if (run.rolledBack) return 'rollback';
  return run.result;
}

/**
 * A Slack incoming-webhook message (also understood by Mattermost, Rocket.Chat and
 * Discord's /slack endpoint): `text` is the whole message, for clients that show only it;
 * `blocks` lays the same facts out for Slack.
 */
export function slackMessage(run: RunRecord): { text: string; blocks: unknown[] } {
  const event = notificationEvent(run);
  const what = `ripcord ${run.operation}${run.set ? ` (set ${run.set})` : ''}`;
  const headline =
    event === 'failure'
      ? `:red_circle: ${what} FAILED on ${run.origin.host}`
      : event === 'rollback'
        ? `:warning: ${what} ROLLED BACK on ${run.origin.host}${run.exitCode === ExitCode.rollbackFailed ? ': the rollback itself FAILED, a human must act now' : ''}`
        : `:large_green_circle: ${what} succeeded on ${run.origin.host}`;
  const facts: [string, string][] = [];
  if (run.error) facts.push(['error', run.error]);
  if (run.repository) facts.push(['repository', run.repository]);
  if (run.snapshots.length > 0) facts.push(['snapshots', run.snapshots.join(', ')]);
  if (run.snapshot)
    facts.push([
      'size',
      `${countOf(run.snapshot.files, 'file')}, ${countOf(run.snapshot.inputBytes, 'byte')} in, ${countOf(run.snapshot.archiveBytes, 'byte')} stored`,
    ]);
  facts.push(['duration', `${(durationMs(run) / 1000).toFixed(1)} s`]);
  facts.push(['by', run.origin.actor]);
  if (run.origin.ciRunUrl) facts.push(['run', run.origin.ciRunUrl]);
  if (run.warnings.length > 0) facts.push(['warnings', run.warnings.slice(0, 5).join('; ')]);
  // An error or warning may quote the repository: every line is escaped as Slack markup, so
  // that no value can add a line, a link (<url|label>) or a mention (<!channel>).
  const text = [headline, ...facts.map(([k, v]) => `${k}: ${v}`)].map(slackText).join('\n');
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${slackText(headline)}*` } },
      {
        type: 'section',
        fields: facts
          .slice(0, 10)
          .map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${slackText(v).slice(0, 1900)}` })),
      },
    ],
  };
}
