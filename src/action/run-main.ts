/**
 * The Action's main step: inputs -> one operation -> outputs, job summary, state for the
 * post step. A failure is one `::error::` line with the same message the CLI prints, and
 * the step fails: a backup that fails must fail loudly. Each command is one file in commands/.
 */
import type { ActionIo } from './action-io.ts';
import { coreActionIo } from './action-io.ts';
import { runAudited } from './audit-run.ts';
import type { ActionContext } from './context.ts';
import { ActionInputs } from './inputs.ts';
import { actionLog, failStep } from './log.ts';
import type { ActionCommand } from './names.ts';
import { runBackup } from './commands/backup.ts';
import { runCheck } from './commands/check.ts';
import { runCopy } from './commands/copy.ts';
import { runDeploy } from './commands/deploy.ts';
import { runList } from './commands/list.ts';
import { runPrune } from './commands/prune.ts';
import { runRestore } from './commands/restore.ts';
import { runRollback } from './commands/rollback.ts';
import { runVerify } from './commands/verify.ts';

export interface ActionEnvironment {
  env: NodeJS.ProcessEnv;
  /** the runner's by default */
  io?: ActionIo;
}

const COMMAND_RUNNERS: Record<ActionCommand, (context: ActionContext) => Promise<void>> = {
  backup: runBackup,
  restore: runRestore,
  verify: runVerify,
  list: runList,
  prune: runPrune,
  copy: runCopy,
  deploy: runDeploy,
  rollback: runRollback,
  check: runCheck,
};

export async function runMain({ env, io = coreActionIo }: ActionEnvironment): Promise<void> {
  const inputs = new ActionInputs(io, env);
  const log = actionLog(io);
  try {
    inputs.maskSecrets();
    const which = inputs.command();
    const cwd = inputs.workingDirectory();
    const url = inputs.repository(cwd);
    await runAudited({ io, inputs, log, env, cwd, url }, which, COMMAND_RUNNERS[which]);
  } catch (error) {
    failStep(io, error);
  }
}
