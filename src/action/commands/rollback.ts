import { RipcordError } from '../../domain/errors.ts';
import type { ActionContext } from '../context.ts';
import { Inputs } from '../names.ts';
import { rollbackFromInputs } from './guard.ts';

export async function runRollback(context: ActionContext): Promise<void> {
  const report = await rollbackFromInputs(context, context.inputs.text(Inputs.snapshot) || undefined);
  if (report.exitCode !== 0)
    throw new RipcordError(`rollback failed: ${report.action ?? report.rollback.error ?? ''}`, {
      exitCode: report.exitCode,
    });
}
