/**
 * Guarded deploys: snapshot, deploy, validate; on failure restore the pre-deploy state,
 * run the rollback hook and validate again. The outcome is recorded next to the
 * pre-deploy snapshot (outcome.json, a new object: committed files are never rewritten),
 * and until it is, prune keeps that snapshot.
 *
 * Exit codes: 0 deployed and valid; 10 deploy or validation failed and the rollback
 * succeeded; 20 the rollback failed or post-rollback validation failed (a human must act);
 * 1 the deploy failed and --no-rollback left it as it is.
 */
import type { Writable } from 'node:stream';
import type { DecryptionKeys, EncryptionKeys } from '../domain/keys.ts';
import { ExitCode, RipcordError, UsageError } from '../domain/errors.ts';
import type { Reporter } from '../domain/events.ts';
import { silentReporter } from '../domain/events.ts';
import { shellQuote } from '../domain/shell-quote.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
import { createBackup } from './backup.ts';
import type { CaptureCommand } from './captures.ts';
import type { AutoPolicy } from './incremental.ts';
import type { BackupLevel } from '../domain/chain.ts';
import type { Origin } from './origin.ts';
import { readText, resolveSnapshot } from './repository.ts';
import { applyRestore, planRestore } from './restore.ts';
import { checkRollbackPossible } from './snapshot-signature.ts';
import type { ValidationPlan, ValidationResult } from './validate.ts';
import { hasChecks, lastLines, runStreaming, validateDeployment } from './validate.ts';
import { countOf } from '../domain/wording.ts';

export const OUTCOME_OBJECT = 'outcome.json';

export type DeployResult = 'deployed' | 'rolled-back' | 'rollback-failed' | 'failed';

export interface DeployOutcome {
  result: DeployResult;
  at: string;
  exitCode: number;
  /** the pre-restore snapshot holding the broken state, when rolled back */
  brokenStateSnapshot?: string;
  detail?: string;
}

export interface GuardContext {
  store: Store;
  /** where the deploy runs and what paths are relative to */
  cwd: string;
  keys: EncryptionKeys;
  /** needed to roll back */
  decryptionKeys?: DecryptionKeys | undefined;
  origin: Origin;
  env?: NodeJS.ProcessEnv | undefined;
  /** deploy, validation and hook output is streamed here */
  output?: Writable | undefined;
  reporter?: Reporter | undefined;
  /** absolute paths never touched (the local repository) */
  protect?: readonly string[];
}

export interface DeployRequest extends GuardContext {
  paths: readonly string[];
  exclude?: readonly string[];
  tags?: readonly string[];
  captures?: readonly CaptureCommand[];
  restoreCaptures?: readonly CaptureCommand[];
  /** the deploy command, as argv */
  command: readonly string[];
  validation: ValidationPlan;
  onRollback?: string | undefined;
  noRollback?: boolean;
  /** take the pre-deploy snapshot with a key other than the repository's (see BackupRequest.newKey) */
  newKey?: boolean;
  /**
   * the pre-deploy snapshot's level (default full); anything but full builds on an earlier
   * snapshot of the same paths, so it needs decryptionKeys, and without them is a full one
   */
  level?: BackupLevel;
  auto?: AutoPolicy;
}

export interface RollbackReport {
  restoredSnapshot: string;
  brokenStateSnapshot?: string;
  onRollback?: { command: string; ok: boolean; detail?: string; outputTail?: string };
  validation?: ValidationResult;
  /** why the rollback itself failed */
  error?: string;
  durationMs: number;
}

export interface DeployReport {
  result: DeployResult;
  exitCode: number;
  preDeploySnapshot: string;
  /** an incremental or differential pre-deploy snapshot: its level and the snapshot it builds on */
  preDeployParent?: { level: string; parent: string };
  /** paths that did not exist before the deploy: a rollback removes them */
  absent?: string[];
  failure?: { stage: 'deploy' | 'validation'; detail: string; outputTail: string };
  validation?: ValidationResult;
  rollback?: RollbackReport;
  /** what a human must do now, for result rollback-failed */
  action?: string;
  timings: { snapshotMs: number; deployMs: number; validationMs: number; rollbackMs?: number; totalMs: number };
}

export async function runGuardedDeploy(request: DeployRequest): Promise<DeployReport> {
  const started = Date.now();
  const reporter = request.reporter ?? silentReporter;
  if (request.command.length === 0)
    throw new UsageError('no deploy command: give it after --, e.g. ripcord deploy -- ./deploy.sh');
  if (!request.noRollback && !request.decryptionKeys) {
    throw new UsageError(
      'a guarded deploy needs a key that can read its snapshot to roll back: set RIPCORD_PASSPHRASE or RIPCORD_IDENTITY (or pass --no-rollback)',
    );
  }
  if (!request.noRollback) checkRollbackPossible(request.keys, request.decryptionKeys!);

  reporter.emit({ type: 'phase', phase: 'snapshot', message: 'taking the pre-deploy snapshot' });
  // A path the deploy will create is recorded as absent: a rollback removes it.
  // Without a key that reads an earlier snapshot (--no-rollback), auto has nothing to build on.
  const level = request.level === 'auto' && !request.decryptionKeys ? 'full' : (request.level ?? 'full');
  const { snapshot, absent, fullBecause } = await createBackup({
    store: request.store,
    paths: request.paths,
    allowMissing: true,
    cwd: request.cwd,
    exclude: request.exclude ?? [],
    skip: request.protect ?? [],
    kind: 'pre-deploy',
    tags: request.tags ?? [],
    keys: request.keys,
    ...(request.newKey ? { newKey: true } : {}),
    level,
    ...(request.auto ? { auto: request.auto } : {}),
    ...(request.decryptionKeys ? { parentKeys: async () => request.decryptionKeys! } : {}),
    origin: request.origin,
    ...(request.captures?.length ? { captures: request.captures } : {}),
    env: request.env,
    reporter,
  });
  reporter.emit({
    type: 'info',
    message: `pre-deploy snapshot ${snapshot.id} saved${snapshot.level ? ` (${snapshot.level} on ${snapshot.parent})` : ''}${fullBecause ? ` (a full one: ${fullBecause})` : ''}`,
  });
  const snapshotMs = Date.now() - started;

  reporter.emit({ type: 'phase', phase: 'deploy', message: `deploying: ${request.command.join(' ')}` });
  const deployStarted = Date.now();
  const deployed = await runStreaming(request.command[0]!, request.command.slice(1), undefined, {
    cwd: request.cwd,
    env: request.env,
    output: request.output,
  });
  const deployMs = Date.now() - deployStarted;

  let failure: DeployReport['failure'];
  let validation: ValidationResult | undefined;
  if (deployed.code !== 0) {
    const why = deployed.signal
      ? `was killed by ${deployed.signal}`
      : deployed.code === 127 && /ENOENT/.test(deployed.tail)
        ? 'could not be started (command not found)'
        : `exited with ${deployed.code}`;
    failure = { stage: 'deploy', detail: `the deploy command ${why}`, outputTail: deployed.tail };
  } else if (hasChecks(request.validation)) {
    validation = await validateDeployment(request.validation, {
      cwd: request.cwd,
      env: request.env,
      output: request.output,
      reporter,
    });
    if (!validation.ok) {
      failure = {
        stage: 'validation',
        detail: `validation failed after ${countOf(validation.attempts, 'attempt')}: ${validation.failures.map((f) => `${f.check}: ${f.detail}`).join('; ')}`,
        outputTail: '',
      };
    }
  }
  const validationMs = validation?.durationMs ?? 0;
  const base = {
    preDeploySnapshot: snapshot.id,
    ...(snapshot.level && snapshot.parent
      ? { preDeployParent: { level: snapshot.level, parent: snapshot.parent } }
      : {}),
    ...(absent.length ? { absent } : {}),
    ...(validation ? { validation } : {}),
  };

  if (!failure) {
    await recordOutcome(request.store, snapshot.id, {
      result: 'deployed',
      at: new Date().toISOString(),
      exitCode: ExitCode.ok,
    });
    return {
      ...base,
      result: 'deployed',
      exitCode: ExitCode.ok,
      timings: { snapshotMs, deployMs, validationMs, totalMs: Date.now() - started },
    };
  }
  if (request.noRollback) {
    await recordOutcome(request.store, snapshot.id, {
      result: 'failed',
      at: new Date().toISOString(),
      exitCode: ExitCode.failure,
      detail: failure.detail,
    });
    return {
      ...base,
      result: 'failed',
      exitCode: ExitCode.failure,
      failure,
      action: `nothing was rolled back (--no-rollback); to roll back: ${rollbackCommandLine(snapshot.id, request.restoreCaptures ?? [])}`,
      timings: { snapshotMs, deployMs, validationMs, totalMs: Date.now() - started },
    };
  }

  reporter.emit({ type: 'phase', phase: 'rollback', message: `${failure.detail}; rolling back to ${snapshot.id}` });
  const rollback = await rollbackTo(snapshot, request);
  const ok = rolledBackCleanly(rollback);
  const result: DeployResult = ok ? 'rolled-back' : 'rollback-failed';
  const exitCode = ok ? ExitCode.rolledBack : ExitCode.rollbackFailed;
  await recordOutcome(request.store, snapshot.id, {
    result,
    at: new Date().toISOString(),
    exitCode,
    ...(rollback.brokenStateSnapshot ? { brokenStateSnapshot: rollback.brokenStateSnapshot } : {}),
    detail: failure.detail,
  }).catch(() => {}); // the report matters more than the record here
  return {
    ...base,
    result,
    exitCode,
    failure,
    rollback,
    ...(ok ? {} : { action: humanAction(snapshot.id, rollback, request.cwd) }),
    timings: { snapshotMs, deployMs, validationMs, rollbackMs: rollback.durationMs, totalMs: Date.now() - started },
  };
}

export interface RollbackRequest extends GuardContext {
  /** a snapshot id, or undefined for the newest pre-deploy snapshot */
  reference?: string | undefined;
  /** restore only these paths (globs) of the snapshot */
  include?: readonly string[];
  validation: ValidationPlan;
  onRollback?: string | undefined;
  restoreCaptures?: readonly CaptureCommand[];
  captures?: readonly CaptureCommand[];
  /** restore the files even though captured state in the snapshot has no restore command */
  skipCaptures?: boolean;
}

export interface StandaloneRollbackReport {
  result: 'rolled-back' | 'rollback-failed';
  exitCode: number;
  rollback: RollbackReport;
  action?: string;
}

/** For a separate rollback job: restore the newest pre-deploy snapshot (or the one named). */
export async function runRollback(request: RollbackRequest): Promise<StandaloneRollbackReport> {
  if (!request.decryptionKeys)
    throw new UsageError('rollback needs a key that can read the snapshot: set RIPCORD_PASSPHRASE or RIPCORD_IDENTITY');
  const snapshot = await resolveSnapshot(
    request.store,
    request.reference ?? 'latest',
    request.reference ? {} : { kind: 'pre-deploy' },
  );
  (request.reporter ?? silentReporter).emit({
    type: 'phase',
    phase: 'rollback',
    message: `rolling back to ${snapshot.id}`,
  });
  const rollback = await rollbackTo(snapshot, request, {
    ...(request.include ? { include: request.include } : {}),
    capturesRequired: !request.skipCaptures,
  });
  const ok = rolledBackCleanly(rollback);
  if (snapshot.kind === 'pre-deploy') {
    await recordOutcome(request.store, snapshot.id, {
      result: ok ? 'rolled-back' : 'rollback-failed',
      at: new Date().toISOString(),
      exitCode: ok ? ExitCode.ok : ExitCode.rollbackFailed,
      ...(rollback.brokenStateSnapshot ? { brokenStateSnapshot: rollback.brokenStateSnapshot } : {}),
    }).catch(() => {});
  }
  return {
    result: ok ? 'rolled-back' : 'rollback-failed',
    exitCode: ok ? ExitCode.ok : ExitCode.rollbackFailed,
    rollback,
    ...(ok ? {} : { action: humanAction(snapshot.id, rollback, request.cwd) }),
  };
}

/** How to roll back (checks, hook, captured state), which a deploy's request and a rollback's request both carry. */
type RollbackSteps = Pick<RollbackRequest, 'validation' | 'onRollback' | 'restoreCaptures' | 'captures'>;

async function rollbackTo(
  snapshot: SnapshotMetadata,
  context: GuardContext & RollbackSteps,
  options: { include?: readonly string[]; capturesRequired?: boolean } = {},
): Promise<RollbackReport> {
  const { include } = options;
  const { validation: validationPlan, onRollback } = context;
  const restoreCaptures = context.restoreCaptures ?? [];
  const captures = context.captures ?? [];
  const started = Date.now();
  const reporter = context.reporter ?? silentReporter;
  const report: RollbackReport = { restoredSnapshot: snapshot.id, durationMs: 0 };
  try {
    const plan = await planRestore({
      store: context.store,
      reference: snapshot.id,
      target: context.cwd,
      delete: true,
      keys: context.decryptionKeys!,
      allowOutsideSymlinks: true,
      ...(include?.length ? { include } : {}),
      protect: context.protect ?? [],
      restoreCaptures,
    });
    // Files back without the state captured beside them (a database at the new schema under
    // the old code) is a rollback in name only: refuse before anything is touched.
    if (options.capturesRequired && plan.unrestoredCaptures.length > 0)
      throw new UnrestoredCapturesError(snapshot.id, plan.unrestoredCaptures);
    const restored = await applyRestore(plan, {
      store: context.store,
      keys: context.decryptionKeys!,
      encryptionKeys: context.keys,
      origin: context.origin,
      preRestoreCaptures: captures.filter((c) => restoreCaptures.some((r) => r.name === c.name)),
      env: context.env,
      reporter,
    });
    if (restored.preRestoreSnapshot) report.brokenStateSnapshot = restored.preRestoreSnapshot.id;
  } catch (error) {
    if (error instanceof UnrestoredCapturesError) throw error;
    report.error = error instanceof Error ? error.message : String(error);
    report.durationMs = Date.now() - started;
    return report;
  }
  if (onRollback) {
    reporter.emit({ type: 'phase', phase: 'on-rollback', message: `running the rollback hook: ${onRollback}` });
    const hook = await runStreaming('sh', ['-c', onRollback], undefined, {
      cwd: context.cwd,
      env: context.env,
      output: context.output,
    });
    report.onRollback =
      hook.code === 0
        ? { command: onRollback, ok: true }
        : {
            command: onRollback,
            ok: false,
            detail: hook.signal ? `killed by ${hook.signal}` : `exited with ${hook.code}`,
            outputTail: lastLines(hook.tail, 10),
          };
  }
  if (hasChecks(validationPlan)) {
    report.validation = await validateDeployment(validationPlan, {
      cwd: context.cwd,
      env: context.env,
      output: context.output,
      reporter,
    });
  }
  report.durationMs = Date.now() - started;
  return report;
}

/** Files restored, hook and checks passed. */
function rolledBackCleanly(rollback: RollbackReport): boolean {
  return !rollback.error && (rollback.onRollback?.ok ?? true) && (rollback.validation?.ok ?? true);
}

/** The rollback command line for this snapshot, with the restore commands the deploy was given. */
function rollbackCommandLine(snapshotId: string, restoreCaptures: readonly CaptureCommand[]): string {
  return [
    'ripcord rollback',
    snapshotId,
    ...restoreCaptures.map((c) => `--restore-capture ${shellQuote(`${c.name}=${c.command}`)}`),
  ].join(' ');
}

/** A rollback asked to leave captured state as it is, without --skip-captures. */
export class UnrestoredCapturesError extends UsageError {
  constructor(snapshotId: string, names: readonly string[]) {
    const flags = names
      .map((name) => `--restore-capture ${name}='COMMAND THAT LOADS ${name.toUpperCase()} FROM STDIN'`)
      .join(' ');
    super(
      `snapshot ${snapshotId} holds captured state (${names.join(', ')}) that this rollback would not restore, and nothing was rolled back: ` +
        `run ripcord rollback ${snapshotId} ${flags} (the deploy's --restore-capture), or add --skip-captures to restore the files alone`,
    );
  }
}

function humanAction(snapshotId: string, rollback: RollbackReport, cwd: string): string {
  if (rollback.error) {
    return `the files could not be restored (${rollback.error}); restore by hand: ripcord restore ${snapshotId} --target ${cwd} --delete --yes (or gpg -d archive.tar.gz.pgp | tar -xz, see docs/format.md)`;
  }
  if (rollback.onRollback && !rollback.onRollback.ok) {
    return `the files are back to ${snapshotId}, but the rollback hook failed: fix and run it by hand (${rollback.onRollback.command}), then check the service`;
  }
  return `the files are back to ${snapshotId}, but the service still fails validation: investigate now; the broken state is in snapshot ${rollback.brokenStateSnapshot ?? '(none)'}`;
}

export async function recordOutcome(store: Store, id: string, outcome: DeployOutcome): Promise<void> {
  await store.put(`${id}/${OUTCOME_OBJECT}`, Buffer.from(`${JSON.stringify(outcome, null, 2)}\n`));
}

export async function readOutcome(store: Store, id: string): Promise<DeployOutcome | undefined> {
  try {
    return JSON.parse(await readText(store, `${id}/${OUTCOME_OBJECT}`)) as DeployOutcome;
  } catch (error) {
    if (error instanceof RipcordError) return undefined;
    throw error;
  }
}
