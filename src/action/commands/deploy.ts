import { BACKUP_LEVELS, isBackupLevel } from '../../domain/chain.ts';
import { RipcordError } from '../../domain/errors.ts';
import { InputError } from '../inputs.ts';
import { deployRequestFrom } from '../../ops/backup-request.ts';
import { runGuardedDeploy } from '../../ops/deploy.ts';
import { encryptionKeysFrom } from '../../ops/keys.ts';
import type { ActionContext } from '../context.ts';
import { summarize } from '../context.ts';
import { Inputs, Outputs } from '../names.ts';
import { summaryTable } from '../summary.ts';
import { capturesFromInput, guardContext, validationFromInputs } from './guard.ts';

export async function runDeploy(context: ActionContext): Promise<void> {
  const { io, inputs, note } = context;
  const deployCommand = inputs.required(Inputs.deploy, 'deploy');
  // full unless asked: a runner's fresh checkout has new inodes and times, so change
  // detection would find every file changed and an incremental would only add a dependency
  const level = inputs.text(Inputs.level) || 'full';
  if (!isBackupLevel(level))
    throw new InputError(Inputs.level, `${JSON.stringify(level)} is not one of ${BACKUP_LEVELS.join(', ')}`);
  const report = await runGuardedDeploy({
    ...(await guardContext(context, await encryptionKeysFrom(inputs.keys()))),
    ...deployRequestFrom({
      paths: inputs.list(Inputs.paths),
      exclude: inputs.list(Inputs.exclude),
      tags: inputs.list(Inputs.tags),
      captures: capturesFromInput(inputs, Inputs.capture),
      restoreCaptures: capturesFromInput(inputs, Inputs.restoreCapture),
      command: ['bash', '-c', deployCommand],
      validation: validationFromInputs(inputs),
      onRollback: inputs.text(Inputs.onRollback) || undefined,
      newKey: inputs.bool(Inputs.newKey),
      level,
    }),
  });
  note?.(
    [report.preDeploySnapshot, ...(report.rollback?.brokenStateSnapshot ? [report.rollback.brokenStateSnapshot] : [])],
    report.rollback !== undefined,
  );
  io.setOutput(Outputs.snapshotId, report.preDeploySnapshot);
  io.setOutput(Outputs.result, report.result);
  io.setOutput(Outputs.rolledBack, String(report.result === 'rolled-back'));
  if (report.rollback) {
    io.setOutput(Outputs.restoredSnapshotId, report.rollback.restoredSnapshot);
    io.setOutput(Outputs.preRestoreSnapshotId, report.rollback.brokenStateSnapshot ?? '');
  }
  await summarize(
    context,
    `ripcord deploy: ${report.result}`,
    summaryTable([
      ['result', report.result],
      ['pre-deploy snapshot', report.preDeploySnapshot],
      ...(report.failure ? [['what failed', report.failure.detail] as [string, string]] : []),
      ...(report.rollback
        ? [
            ['restored', report.rollback.restoredSnapshot] as [string, string],
            ['broken state', report.rollback.brokenStateSnapshot ?? '-'] as [string, string],
            [
              'validation after rollback',
              report.rollback.validation ? (report.rollback.validation.ok ? 'passed' : 'FAILED') : 'no checks',
            ] as [string, string],
          ]
        : []),
      ...(report.action ? [['ACTION', report.action] as [string, string]] : []),
      ['total time', `${(report.timings.totalMs / 1000).toFixed(1)} s`],
    ]),
  );
  if (report.exitCode !== 0) {
    throw new RipcordError(
      report.result === 'rolled-back'
        ? `deploy failed (${report.failure?.detail}); rolled back to ${report.preDeploySnapshot}`
        : `deploy failed (${report.failure?.detail}); ${report.action ?? ''}`,
      { exitCode: report.exitCode },
    );
  }
}
