/**
 * The post step (post-if: failure() || cancelled()): when the main step armed the automatic
 * rollback and a later step of the job failed, or the job was cancelled (by hand, by
 * concurrency, by timeout-minutes), restore the pre-deploy snapshot, run the rollback hook
 * and validate. It never runs for a successful job, so it never touches a good deploy.
 */
import { RipcordError } from '../domain/errors.ts';
import type { ActionIo } from './action-io.ts';
import { coreActionIo } from './action-io.ts';
import { runAudited } from './audit-run.ts';
import { rollbackFromInputs } from './commands/guard.ts';
import { ActionInputs } from './inputs.ts';
import { actionLog, failStep } from './log.ts';
import { Inputs, Outputs, State } from './names.ts';

export async function runPost({ env, io = coreActionIo }: { env: NodeJS.ProcessEnv; io?: ActionIo }): Promise<void> {
  const inputs = new ActionInputs(io, env);
  const log = actionLog(io);
  let outputsWritten = false;
  try {
    inputs.maskSecrets();
    const snapshot = io.getState(State.guardSnapshot);
    if (!snapshot || !inputs.bool(Inputs.rollbackOnFailure)) {
      log.info('ripcord: no automatic rollback armed for this step');
      return;
    }
    log.warning(`the job failed or was cancelled: rolling back to the pre-deploy snapshot ${snapshot}`);
    const cwd = inputs.workingDirectory();
    const url = io.getState(State.guardRepository);
    await runAudited({ io, inputs, log, env, cwd, url }, 'rollback', async (context) => {
      const report = await rollbackFromInputs(context, snapshot);
      outputsWritten = true; // rolled-back is written once, whatever the result
      if (report.exitCode !== 0)
        throw new RipcordError(
          `automatic rollback to ${snapshot} failed: ${report.action ?? report.rollback.error ?? ''}`,
          { exitCode: report.exitCode },
        );
      log.notice(
        `rolled back to ${snapshot}${report.rollback.brokenStateSnapshot ? `; the broken state is kept as ${report.rollback.brokenStateSnapshot}` : ''}`,
      );
    });
  } catch (error) {
    if (!outputsWritten) io.setOutput(Outputs.rolledBack, 'false');
    failStep(io, error);
  }
}
