/**
 * The post step (post-if: failure() || cancelled()): when the main step armed the automatic
 * rollback and a later step of the job failed, or the job was cancelled (by hand, by
 * concurrency, by timeout-minutes), restore the pre-deploy snapshot, run the rollback hook
 * and validate. It never runs for a successful job, so it never touches a good deploy.
 */
import * as core from '@actions/core';
import { maskSecrets, bool, workingDirectory } from './inputs.ts';
import { Inputs, Outputs, State } from './names.ts';
import { auditRun, fail, recordNote, rollbackFromInputs } from './run-main.ts';
import type { AuditNotes } from './run-main.ts';
import { openStore } from '../storage/open-store.ts';
import { text } from './inputs.ts';
import { RipcordError } from '../domain/errors.ts';
import { logInfo, logNotice, logWarning } from './log.ts';

export async function runPost({ env }: { env: NodeJS.ProcessEnv }): Promise<void> {
  let outputsWritten = false;
  try {
    maskSecrets(env);
    const snapshot = core.getState(State.guardSnapshot);
    if (!snapshot || !bool(Inputs.rollbackOnFailure)) {
      logInfo('ripcord: no automatic rollback armed for this step');
      return;
    }
    logWarning(`the job failed or was cancelled: rolling back to the pre-deploy snapshot ${snapshot}`);
    const cwd = workingDirectory(env);
    const url = core.getState(State.guardRepository);
    const endpoint = text(Inputs.s3Endpoint);
    const store = await openStore(url, { s3: endpoint ? { endpoint } : {} });
    const started = new Date();
    const noted: AuditNotes = { snapshots: [] };
    let failure: unknown;
    try {
      const report = await rollbackFromInputs({ env, cwd, store, url, note: (snapshots, rolledBack) => recordNote(noted, snapshots, rolledBack) }, snapshot);
      outputsWritten = true; // rolled-back is written once, whatever the result
      if (report.exitCode !== 0) throw new RipcordError(`automatic rollback to ${snapshot} failed: ${report.action ?? report.rollback.error ?? ''}`, { exitCode: report.exitCode });
      logNotice(`rolled back to ${snapshot}${report.rollback.brokenStateSnapshot ? `; the broken state is kept as ${report.rollback.brokenStateSnapshot}` : ''}`);
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      await auditRun(store, 'rollback', env, started, noted, failure);
      await store.close();
    }
  } catch (error) {
    if (!outputsWritten) core.setOutput(Outputs.rolledBack, 'false');
    fail(error);
  }
}
