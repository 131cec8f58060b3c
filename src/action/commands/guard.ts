/** What backup's armed rollback, deploy, rollback and the post step share: validation, captures, where and with which keys. */
import type { EncryptionKeys } from '../../domain/keys.ts';
import { parseDuration } from '../../domain/duration.ts';
import { parseCaptureSpec } from '../../ops/captures.ts';
import type { CaptureCommand } from '../../ops/captures.ts';
import { runRollback } from '../../ops/deploy.ts';
import type { GuardContext, StandaloneRollbackReport } from '../../ops/deploy.ts';
import { repositorySkip } from '../../ops/backup.ts';
import { decryptionKeysFrom, preRestoreKeysFrom } from '../../ops/keys.ts';
import { describeOrigin } from '../../ops/origin.ts';
import type { ValidationPlan } from '../../ops/validate.ts';
import type { ActionContext } from '../context.ts';
import { actionReporter, summarize } from '../context.ts';
import type { ActionInputs } from '../inputs.ts';
import { InputError } from '../inputs.ts';
import { Inputs, Outputs } from '../names.ts';
import { summaryTable } from '../summary.ts';

export function validationFromInputs(inputs: ActionInputs): ValidationPlan {
  const retries = inputs.count(Inputs.validateRetries) ?? 0;
  let intervalMs: number;
  try {
    intervalMs = parseDuration(inputs.text(Inputs.validateInterval) || '5s');
  } catch (error) {
    throw new InputError(Inputs.validateInterval, (error as Error).message);
  }
  const healthUrls = inputs.list(Inputs.healthUrl);
  for (const url of healthUrls)
    if (!/^https?:\/\//.test(url)) throw new InputError(Inputs.healthUrl, `${url} is not an http:// or https:// URL`);
  return { commands: inputs.list(Inputs.validate, { commas: false }), healthUrls, retries, intervalMs };
}

export function capturesFromInput(inputs: ActionInputs, name: string): CaptureCommand[] {
  return inputs.list(name, { commas: false }).map((spec) => parseCaptureSpec(spec, `input ${name}`));
}

/** What deploy and rollback share: where, with which keys, reporting how. */
export async function guardContext(
  { inputs, log, env, cwd, store, url }: ActionContext,
  keys: EncryptionKeys,
): Promise<GuardContext> {
  return {
    store,
    cwd,
    keys,
    decryptionKeys: await decryptionKeysFrom(inputs.keys()),
    origin: await describeOrigin(cwd, env),
    env,
    output: process.stdout,
    reporter: actionReporter(log),
    protect: repositorySkip(url, cwd),
  };
}

/** Shared by the rollback command and the post step. */
export async function rollbackFromInputs(
  context: ActionContext,
  reference: string | undefined,
): Promise<StandaloneRollbackReport> {
  const { io, inputs } = context;
  const report = await io.group('Rollback', async () =>
    runRollback({
      ...(await guardContext(context, await preRestoreKeysFrom(inputs.keys()))),
      reference,
      validation: validationFromInputs(inputs),
      onRollback: inputs.text(Inputs.onRollback) || undefined,
      restoreCaptures: capturesFromInput(inputs, Inputs.restoreCapture),
      captures: capturesFromInput(inputs, Inputs.capture),
    }),
  );
  const rolledBack = report.result === 'rolled-back';
  context.note?.(
    [
      report.rollback.restoredSnapshot,
      ...(report.rollback.brokenStateSnapshot ? [report.rollback.brokenStateSnapshot] : []),
    ],
    rolledBack,
  );
  io.setOutput(Outputs.rolledBack, String(rolledBack));
  io.setOutput(Outputs.result, report.result);
  io.setOutput(Outputs.restoredSnapshotId, report.rollback.error ? '' : report.rollback.restoredSnapshot);
  io.setOutput(Outputs.preRestoreSnapshotId, report.rollback.brokenStateSnapshot ?? '');
  await summarize(
    context,
    `ripcord rollback: ${report.result}`,
    summaryTable([
      ['result', report.result],
      ['restored', report.rollback.error ? `NOT restored: ${report.rollback.error}` : report.rollback.restoredSnapshot],
      ['broken state', report.rollback.brokenStateSnapshot ?? '-'],
      [
        'rollback hook',
        report.rollback.onRollback
          ? report.rollback.onRollback.ok
            ? 'ok'
            : `FAILED (${report.rollback.onRollback.detail ?? ''})`
          : 'none',
      ],
      [
        'validation',
        report.rollback.validation
          ? report.rollback.validation.ok
            ? 'passed'
            : `FAILED: ${report.rollback.validation.failures.map((f) => `${f.check}: ${f.detail}`).join('; ')}`
          : 'no checks',
      ],
      ...(report.action ? [['ACTION', report.action] as [string, string]] : []),
    ]),
  );
  return report;
}
