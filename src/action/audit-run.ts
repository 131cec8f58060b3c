/** The audit record of a step's operation (docs/format.md#audit-log), for main and post alike. */
import { isRipcordError } from '../domain/errors.ts';
import { AUDITED_OPERATIONS, appendRunAudit, isAuditable } from '../ops/audit.ts';
import { describeActor } from '../ops/origin.ts';
import { VERSION } from '../ops/version.ts';
import type { Store } from '../storage/store.ts';
import type { ActionContext } from './context.ts';
import { openRepository } from './context.ts';
import type { ActionLog } from './log.ts';

interface AuditNotes {
  snapshots: string[];
  rolledBack?: boolean;
}

/**
 * Run one operation of a step with the repository at `step.url` open, then record it in the
 * repository's audit log, success or failure, and close the repository.
 */
export async function runAudited<T>(
  step: Omit<ActionContext, 'store' | 'note'>,
  operation: string,
  command: (context: ActionContext) => Promise<T>,
): Promise<T> {
  const store = await openRepository(step.inputs, step.url, step.env);
  const started = new Date();
  const noted: AuditNotes = { snapshots: [] };
  let failure: unknown;
  try {
    return await command({ ...step, store, note: (snapshots, rolledBack) => recordNote(noted, snapshots, rolledBack) });
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    await auditRun(store, operation, step.env, started, noted, failure, step.log);
    await store.close();
  }
}

function recordNote(notes: AuditNotes, snapshots: readonly string[], rolledBack?: boolean): void {
  notes.snapshots.push(...snapshots.filter((id) => id && !notes.snapshots.includes(id)));
  if (rolledBack) notes.rolledBack = true;
}

/** A failure to write the record is a warning. */
async function auditRun(
  store: Store,
  operation: string,
  env: NodeJS.ProcessEnv,
  started: Date,
  notes: AuditNotes,
  error: unknown,
  log: ActionLog,
): Promise<void> {
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
  }).catch((problem: unknown) =>
    log.warning(`the audit record was not written: ${problem instanceof Error ? problem.message : String(problem)}`),
  );
}
