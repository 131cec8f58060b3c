/**
 * The Action's main step: inputs -> one operation -> outputs, job summary, state for the
 * post step. A failure is one `::error::` line with the same message the CLI prints, and
 * the step fails: a backup that fails must fail loudly.
 */
import * as core from '@actions/core';
import * as path from 'node:path';
import { parseDuration } from '../domain/duration.ts';
import { isRipcordError, RipcordError } from '../domain/errors.ts';
import type { Reporter } from '../domain/events.ts';
import type { SnapshotKind, SnapshotMetadata } from '../domain/snapshot.ts';
import { SNAPSHOT_KINDS } from '../domain/snapshot.ts';
import { createBackup, DEFAULT_EXCLUDES, repositorySkip } from '../ops/backup.ts';
import { parseCaptureSpec } from '../ops/captures.ts';
import { checkFreshness } from '../ops/check.ts';
import { applyCopy, planCopy } from '../ops/copy.ts';
import { runGuardedDeploy, runRollback } from '../ops/deploy.ts';
import type { GuardContext } from '../ops/deploy.ts';
import type { EncryptionKeys } from '../archive/openpgp-keys.ts';
import { decryptionKeysFrom, encryptionKeysFrom, preRestoreKeysFrom } from '../ops/keys.ts';
import { checkRollbackPossible } from '../ops/snapshot-signature.ts';
import { AUDITED_OPERATIONS, appendRunAudit, isAuditable } from '../ops/audit.ts';
import { describeActor, describeOrigin } from '../ops/origin.ts';
import { VERSION } from '../ops/version.ts';
import { applyPrune, planPrune } from '../ops/prune.ts';
import { lockOwner, withLock } from '../ops/lock.ts';
import { listSnapshots, matchesFilter } from '../ops/repository.ts';
import { applyRestore, planRestore } from '../ops/restore.ts';
import type { ValidationPlan } from '../ops/validate.ts';
import { verifySnapshots } from '../ops/verify.ts';
import { openStore } from '../storage/open-store.ts';
import type { Store } from '../storage/store.ts';
import { bool, command, count, InputError, keyInputs, list, maskSecrets, repository, required, text, workingDirectory } from './inputs.ts';
import type { ActionCommand } from './names.ts';
import { Inputs, Outputs, State } from './names.ts';
import { summaryTable, writeSummary } from './summary.ts';
import { logFailure, logInfo, logWarning } from './log.ts';
import { countOf, formatAge, formatRate } from '../domain/wording.ts';
import { inActionTerms } from './action-terms.ts';

export interface ActionEnvironment {
  env: NodeJS.ProcessEnv;
}

/** Progress as log lines; phases as plain lines, warnings as annotations. */
export function actionReporter(): Reporter {
  let lastProgress = Date.now();
  return {
    wantsTotals: true,
    emit(event) {
      if (event.type === 'warning') logWarning(event.message);
      else if (event.type === 'phase' || event.type === 'info') logInfo(event.message);
      else if (Date.now() - lastProgress >= 10_000) {
        lastProgress = Date.now();
        const total = event.total ? ` of ${event.total.files} files, ${event.total.bytes} bytes` : '';
        logInfo(`${event.phase}: ${event.done.files} files, ${event.done.bytes} bytes${total}`);
      }
    },
  };
}

export function validationFromInputs(): ValidationPlan {
  const retries = count(Inputs.validateRetries) ?? 0;
  let intervalMs: number;
  try {
    intervalMs = parseDuration(text(Inputs.validateInterval) || '5s');
  } catch (error) {
    throw new InputError(Inputs.validateInterval, (error as Error).message);
  }
  const healthUrls = list(Inputs.healthUrl);
  for (const url of healthUrls) if (!/^https?:\/\//.test(url)) throw new InputError(Inputs.healthUrl, `${url} is not an http:// or https:// URL`);
  return { commands: list(Inputs.validate, { commas: false }), healthUrls, retries, intervalMs };
}

export function capturesFromInput(name: string) {
  return list(name, { commas: false }).map((spec) => parseCaptureSpec(spec, `input ${name}`));
}

export async function openRepository(env: NodeJS.ProcessEnv, cwd: string): Promise<{ store: Store; url: string }> {
  const url = repository(env, cwd);
  const endpoint = text(Inputs.s3Endpoint);
  return { store: await openStore(url, { s3: endpoint ? { endpoint } : {} }), url };
}

function outputSnapshot(snapshot: SnapshotMetadata): void {
  core.setOutput(Outputs.snapshotId, snapshot.id);
  core.setOutput(Outputs.archiveSha256, snapshot.objects['archive.tar.gz.pgp'].sha256);
  core.setOutput(Outputs.archiveBytes, String(snapshot.archiveBytes));
  core.setOutput(Outputs.fileCount, String(snapshot.files));
}

export async function runMain({ env }: ActionEnvironment): Promise<void> {
  try {
    maskSecrets(env);
    const which = command();
    const cwd = workingDirectory(env);
    const { store, url } = await openRepository(env, cwd);
    const started = new Date();
    const noted: AuditNotes = { snapshots: [] };
    let failure: unknown;
    try {
      await COMMAND_RUNNERS[which]({ env, cwd, store, url, note: (snapshots, rolledBack) => recordNote(noted, snapshots, rolledBack) });
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      await auditRun(store, which, env, started, noted, failure);
      await store.close();
    }
  } catch (error) {
    fail(error);
  }
}

export function fail(error: unknown): void {
  if (isRipcordError(error)) {
    logFailure(inActionTerms(error.message));
  } else {
    const message = error instanceof Error ? error.message : String(error);
    logFailure(`internal error: ${message} (re-run with debug logging and please report it)`);
    if (error instanceof Error && error.stack) core.debug(error.stack);
  }
}

export interface AuditNotes {
  snapshots: string[];
  rolledBack?: boolean;
}

export function recordNote(notes: AuditNotes, snapshots: readonly string[], rolledBack?: boolean): void {
  notes.snapshots.push(...snapshots.filter((id) => id && !notes.snapshots.includes(id)));
  if (rolledBack) notes.rolledBack = true;
}

/** The audit record of this step's operation (docs/format.md#audit-log); a failure to write it is a warning. */
export async function auditRun(store: Store, operation: string, env: NodeJS.ProcessEnv, started: Date, notes: AuditNotes, error: unknown): Promise<void> {
  if (!(AUDITED_OPERATIONS as readonly string[]).includes(operation) || !isAuditable(error)) return;
  const finished = new Date();
  const actor = describeActor(env);
  await appendRunAudit(store, {
    time: finished.toISOString(),
    operation,
    result: error === undefined ? 'success' : 'failure',
    snapshots: notes.snapshots,
    actor: actor.actor,
    host: actor.host,
    ...(actor.ciRunUrl ? { ciRunUrl: actor.ciRunUrl } : {}),
    exitCode: error === undefined ? 0 : isRipcordError(error) ? error.exitCode : 1,
    ...(error !== undefined ? { error: error instanceof Error ? error.message : String(error) } : {}),
    ...(notes.rolledBack ? { rolledBack: true } : {}),
    durationMs: finished.getTime() - started.getTime(),
    tool: `ripcord ${VERSION}`,
  }).catch((problem: unknown) => logWarning(`the audit record was not written: ${problem instanceof Error ? problem.message : String(problem)}`));
}

interface RunContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  store: Store;
  url: string;
  /** snapshots the operation made, restored, copied or removed, for the audit record */
  note?(snapshots: readonly string[], rolledBack?: boolean): void;
}

const COMMAND_RUNNERS: Record<ActionCommand, (context: RunContext) => Promise<void>> = {
  async backup({ env, cwd, store, url, note }) {
    const guard = bool(Inputs.rollbackOnFailure);
    const kind = text(Inputs.kind) || (guard ? 'pre-deploy' : 'manual');
    if (!(SNAPSHOT_KINDS as readonly string[]).includes(kind)) throw new InputError(Inputs.kind, `${JSON.stringify(kind)} is not one of ${SNAPSHOT_KINDS.join(', ')}`);
    const keys = await encryptionKeysFrom(keyInputs(env));
    if (guard) {
      // Fail now, not in the post step when it is too late: what the rollback will need must be usable.
      checkRollbackPossible(keys, await decryptionKeysFrom(keyInputs(env)));
      validationFromInputs();
      capturesFromInput(Inputs.restoreCapture);
    }
    const paths = list(Inputs.paths);
    const started = Date.now();
    const origin = await describeOrigin(cwd, env);
    const { snapshot } = await core.group('Backup', () =>
      createBackup({
        store,
        paths: paths.length ? paths : ['.'],
        cwd,
        // a path the guarded job will create is recorded as absent; the post-step rollback removes it
        ...(guard ? { allowMissing: true } : {}),
        exclude: [...list(Inputs.exclude), ...(paths.length ? [] : DEFAULT_EXCLUDES)],
        skip: repositorySkip(url, cwd),
        kind: kind as SnapshotKind,
        tags: list(Inputs.tags),
        keys,
        newKey: bool(Inputs.newKey),
        captures: capturesFromInput(Inputs.capture),
        env,
        origin,
        reporter: actionReporter(),
      }),
    );
    outputSnapshot(snapshot);
    note?.([snapshot.id]);
    if (guard) {
      core.saveState(State.guardSnapshot, snapshot.id);
      core.saveState(State.guardRepository, url);
      logInfo(`if a later step of this job fails, the post step restores ${snapshot.id}`);
    }
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    await writeSummary(`ripcord backup: snapshot ${snapshot.id}`, summaryTable([
      ['snapshot', snapshot.id],
      ['kind', snapshot.kind],
      ['repository', store.properties.location],
      ['files', String(snapshot.files)],
      ['input', `${snapshot.inputBytes} bytes`],
      ['stored', `${snapshot.archiveBytes} bytes`],
      ['archive sha256', snapshot.objects['archive.tar.gz.pgp'].sha256],
      ['encryption', snapshot.encryption.mode === 'passphrase' ? 'passphrase (OpenPGP, AES-256)' : `public keys ${snapshot.encryption.recipients.join(', ')}`],
      ['duration', `${seconds.toFixed(1)} s`],
      ['throughput', formatRate(snapshot.inputBytes / seconds)],
      ['automatic rollback', guard ? 'armed: a failed job restores this snapshot' : 'off'],
    ]), env);
  },

  async restore({ env, cwd, store, url, note }) {
    const reference = text(Inputs.snapshot) || 'latest';
    const keys = await decryptionKeysFrom(keyInputs(env));
    const target = path.resolve(cwd, text(Inputs.target) || '.');
    const result = await core.group('Restore', async () => {
      const plan = await planRestore({
        store,
        reference,
        target,
        delete: bool(Inputs.delete),
        keys,
        protect: repositorySkip(url, cwd),
        restoreCaptures: capturesFromInput(Inputs.restoreCapture),
      });
      logInfo(`restoring ${plan.snapshot.id} into ${target}: ${plan.counts.add} to add, ${plan.counts.change} to change, ${plan.counts.remove} to remove`);
      return applyRestore(plan, {
        store,
        keys,
        encryptionKeys: await preRestoreKeysFrom(keyInputs(env)),
        origin: await describeOrigin(target, env),
        preRestoreCaptures: capturesFromInput(Inputs.capture),
        env,
        reporter: actionReporter(),
      });
    });
    note?.([result.snapshot.id, ...(result.preRestoreSnapshot ? [result.preRestoreSnapshot.id] : [])]);
    core.setOutput(Outputs.restoredSnapshotId, result.snapshot.id);
    core.setOutput(Outputs.preRestoreSnapshotId, result.preRestoreSnapshot?.id ?? '');
    await writeSummary(`ripcord restore: ${result.snapshot.id}`, summaryTable([
      ['restored', result.snapshot.id],
      ['into', target],
      ['added / changed / removed', `${result.counts.add} / ${result.counts.change} / ${result.counts.remove}`],
      ['pre-restore snapshot', result.preRestoreSnapshot ? `${result.preRestoreSnapshot.id} (restore it to undo)` : result.createdTarget ? 'none needed: the target did not exist (remove it to undo)' : 'none'],
      ['duration', `${(result.durationMs / 1000).toFixed(1)} s`],
    ]), env);
  },

  async verify({ env, store }) {
    const readData = bool(Inputs.readData);
    const reference = text(Inputs.snapshot);
    const outcomes = await core.group('Verify', async () =>
      verifySnapshots({
        store,
        references: reference && reference !== 'all' ? [reference] : [],
        all: reference === 'all',
        readData,
        ...(readData ? { keys: await decryptionKeysFrom(keyInputs(env)) } : {}),
        reporter: actionReporter(),
      }),
    );
    const verdicts = { ok: 'ok', failed: 'FAILED', 'cannot-decrypt': 'cannot decrypt' } as const;
    for (const outcome of outcomes) logInfo(`${verdicts[outcome.verdict]} ${outcome.id}${outcome.problems.length ? `: ${outcome.problems.join('; ')}` : ''}`);
    const first = outcomes[0];
    if (first) core.setOutput(Outputs.snapshotId, first.id);
    await writeSummary('ripcord verify', summaryTable(outcomes.map((o) => [o.id, o.ok ? `ok${o.readData ? ' (data read)' : ''}` : `${verdicts[o.verdict]}: ${o.problems.join('; ')}`])), env);
    const failed = outcomes.flatMap((o) => o.problems);
    if (failed.length) throw new RipcordError(failed.length === 1 ? failed[0]! : `${failed[0]} (and ${failed.length - 1} more problems)`);
  },

  async list({ env, store }) {
    const { snapshots, damaged } = await listSnapshots(store);
    for (const bad of damaged) logWarning(`snapshot ${bad.id} is not listed: ${bad.problem} (run ripcord verify ${bad.id})`);
    const shown = snapshots.filter((s) => matchesFilter(s, { kind: text(Inputs.kind) || undefined, tags: list(Inputs.tags) }));
    for (const s of shown) logInfo(`${s.id}  ${s.kind}  ${countOf(s.files, 'file')}  ${countOf(s.inputBytes, 'byte')}  ${s.tags.join(',')}`);
    if (shown[0]) outputSnapshot(shown[0]);
    await writeSummary(`ripcord list: ${countOf(shown.length, 'snapshot')}`, summaryTable(shown.slice(0, 50).map((s) => [s.id, `${s.kind}, ${countOf(s.files, 'file')}, ${countOf(s.archiveBytes, 'byte')} stored${s.tags.length ? `, tags ${s.tags.join(',')}` : ''}`])), env);
  },

  async prune({ env, store, note }) {
    const within = text(Inputs.keepWithin);
    const policy = {
      last: count(Inputs.keepLast),
      hourly: count(Inputs.keepHourly),
      daily: count(Inputs.keepDaily),
      weekly: count(Inputs.keepWeekly),
      monthly: count(Inputs.keepMonthly),
      yearly: count(Inputs.keepYearly),
      within: within ? parseDuration(within) : undefined,
    };
    const owner = lockOwner('prune', await describeOrigin(process.cwd(), env));
    const { plan, result } = await withLock(store, 'prune', owner, { waitMs: 10 * 60_000 }, async () => {
      const plan = await planPrune(store, {
        policy: Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== undefined)),
        scope: { kind: text(Inputs.kind) || undefined, tags: list(Inputs.tags) },
        now: new Date(),
      });
      return { plan, result: await core.group('Prune', () => applyPrune(store, plan, actionReporter())) };
    });
    note?.(result.removedSnapshots);
    logInfo(`removed ${countOf(result.removedSnapshots.length, 'snapshot')} and ${countOf(result.removedUnfinished.length, 'unfinished folder')}, ${countOf(result.bytesFreed, 'byte')} freed`);
    await writeSummary('ripcord prune', summaryTable(plan.snapshots.map((d) => [d.snapshot.id, d.action === 'keep' ? `kept (${d.reasons.join(', ')})` : 'removed'])), env);
  },

  async copy({ env, store, note }) {
    const destinationUrl = required(Inputs.to, 'copy');
    const endpoint = text(Inputs.s3Endpoint);
    const destination = await openStore(destinationUrl, { s3: endpoint ? { endpoint } : {} });
    try {
      const reference = text(Inputs.snapshot) || 'all';
      const plan = await planCopy({ source: store, destination, references: reference === 'all' ? [] : [reference], all: reference === 'all' });
      const result = await core.group('Copy', () => applyCopy(plan, { reporter: actionReporter() }));
      note?.(result.snapshots.filter((s) => s.status === 'copied').map((s) => s.id));
      logInfo(`${result.copied} copied, ${result.present} already present, ${result.bytes} bytes transferred`);
      await writeSummary('ripcord copy', summaryTable(result.snapshots.map((s) => [s.id, s.status + (s.problem ? `: ${s.problem}` : '')])), env);
      if (result.failed > 0) throw new RipcordError(`${result.failed} snapshot(s) failed to copy: ${result.snapshots.find((s) => s.problem)?.problem ?? ''}`);
    } finally {
      await destination.close();
    }
  },

  async deploy({ env, cwd, store, url, note }) {
    const deployCommand = required(Inputs.deploy, 'deploy');
    const paths = list(Inputs.paths);
    const report = await runGuardedDeploy({
      ...(await guardContext({ env, cwd, store, url }, await encryptionKeysFrom(keyInputs(env)))),
      paths: paths.length ? paths : ['.'],
      exclude: [...list(Inputs.exclude), ...(paths.length ? [] : DEFAULT_EXCLUDES)],
      tags: list(Inputs.tags),
      captures: capturesFromInput(Inputs.capture),
      restoreCaptures: capturesFromInput(Inputs.restoreCapture),
      command: ['bash', '-c', deployCommand],
      validation: validationFromInputs(),
      onRollback: text(Inputs.onRollback) || undefined,
      newKey: bool(Inputs.newKey),
    });
    note?.([report.preDeploySnapshot, ...(report.rollback?.brokenStateSnapshot ? [report.rollback.brokenStateSnapshot] : [])], report.rollback !== undefined);
    core.setOutput(Outputs.snapshotId, report.preDeploySnapshot);
    core.setOutput(Outputs.result, report.result);
    core.setOutput(Outputs.rolledBack, String(report.result === 'rolled-back'));
    if (report.rollback) {
      core.setOutput(Outputs.restoredSnapshotId, report.rollback.restoredSnapshot);
      core.setOutput(Outputs.preRestoreSnapshotId, report.rollback.brokenStateSnapshot ?? '');
    }
    await writeSummary(`ripcord deploy: ${report.result}`, summaryTable([
      ['result', report.result],
      ['pre-deploy snapshot', report.preDeploySnapshot],
      ...(report.failure ? [['what failed', report.failure.detail] as [string, string]] : []),
      ...(report.rollback ? [['restored', report.rollback.restoredSnapshot] as [string, string], ['broken state', report.rollback.brokenStateSnapshot ?? '-'] as [string, string], ['validation after rollback', report.rollback.validation ? (report.rollback.validation.ok ? 'passed' : 'FAILED') : 'no checks'] as [string, string]] : []),
      ...(report.action ? [['ACTION', report.action] as [string, string]] : []),
      ['total time', `${(report.timings.totalMs / 1000).toFixed(1)} s`],
    ]), env);
    if (report.exitCode !== 0) {
      throw new RipcordError(
        report.result === 'rolled-back'
          ? `deploy failed (${report.failure?.detail}); rolled back to ${report.preDeploySnapshot}`
          : `deploy failed (${report.failure?.detail}); ${report.action ?? ''}`,
        { exitCode: report.exitCode },
      );
    }
  },

  async rollback({ env, cwd, store, url, note }) {
    const report = await rollbackFromInputs({ env, cwd, store, url, ...(note ? { note } : {}) }, text(Inputs.snapshot) || undefined);
    if (report.exitCode !== 0) throw new RipcordError(`rollback failed: ${report.action ?? report.rollback.error ?? ''}`, { exitCode: report.exitCode });
  },

  async check({ store }) {
    const result = await checkFreshness({
      store,
      maxAgeMs: parseDuration(text(Inputs.maxAge) || '26h'),
      filter: { kind: text(Inputs.kind) || undefined, tags: list(Inputs.tags) },
    });
    outputSnapshot(result.snapshot);
    logInfo(`ok: newest snapshot ${result.snapshot.id} is ${formatAge(result.ageMs)} old and verifies`);
  },
};

/** What deploy and rollback share: where, with which keys, reporting how. */
async function guardContext({ env, cwd, store, url }: Pick<RunContext, 'env' | 'cwd' | 'store' | 'url'>, keys: EncryptionKeys): Promise<GuardContext> {
  return {
    store,
    cwd,
    keys,
    decryptionKeys: await decryptionKeysFrom(keyInputs(env)),
    origin: await describeOrigin(cwd, env),
    env,
    output: process.stdout,
    reporter: actionReporter(),
    protect: repositorySkip(url, cwd),
  };
}

/** Shared by the rollback command and the post step. */
export async function rollbackFromInputs(context: RunContext, reference: string | undefined) {
  const { env } = context;
  const report = await core.group('Rollback', async () =>
    runRollback({
      ...(await guardContext(context, await preRestoreKeysFrom(keyInputs(env)))),
      reference,
      validation: validationFromInputs(),
      onRollback: text(Inputs.onRollback) || undefined,
      restoreCaptures: capturesFromInput(Inputs.restoreCapture),
      captures: capturesFromInput(Inputs.capture),
    }),
  );
  const rolledBack = report.result === 'rolled-back';
  context.note?.([report.rollback.restoredSnapshot, ...(report.rollback.brokenStateSnapshot ? [report.rollback.brokenStateSnapshot] : [])], rolledBack);
  core.setOutput(Outputs.rolledBack, String(rolledBack));
  core.setOutput(Outputs.result, report.result);
  core.setOutput(Outputs.restoredSnapshotId, report.rollback.error ? '' : report.rollback.restoredSnapshot);
  core.setOutput(Outputs.preRestoreSnapshotId, report.rollback.brokenStateSnapshot ?? '');
  await writeSummary(`ripcord rollback: ${report.result}`, summaryTable([
    ['result', report.result],
    ['restored', report.rollback.error ? `NOT restored: ${report.rollback.error}` : report.rollback.restoredSnapshot],
    ['broken state', report.rollback.brokenStateSnapshot ?? '-'],
    ['rollback hook', report.rollback.onRollback ? (report.rollback.onRollback.ok ? 'ok' : `FAILED (${report.rollback.onRollback.detail ?? ''})`) : 'none'],
    ['validation', report.rollback.validation ? (report.rollback.validation.ok ? 'passed' : `FAILED: ${report.rollback.validation.failures.map((f) => `${f.check}: ${f.detail}`).join('; ')}`) : 'no checks'],
    ...(report.action ? [['ACTION', report.action] as [string, string]] : []),
  ]), env);
  return report;
}

export { State };
