import { runRollback } from '../../ops/deploy.ts';
import type { Command } from '../command.ts';
import { FOLDER_OPTION, listOption, PATHS_OPTION, stringOption } from '../command.ts';
import {
  captureOptions,
  formatRows,
  guardSurroundings,
  rollbackLines,
  validationPlan,
  VALIDATION_OPTIONS,
} from './guard-options.ts';
import { escapeControlsKeepingLines } from '../../domain/untrusted-text.ts';

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'Restore the newest pre-deploy snapshot (or the one named), run the rollback hook, validate.',
  usage: 'ripcord rollback [options] [<id>]',
  description: [
    'For a separate rollback job. Restores with --delete semantics over the snapshot paths (the',
    'current state is kept as a pre-restore snapshot), feeds --restore-capture commands, runs',
    '--on-rollback and the validation checks. Needs no confirmation: running it is the decision.',
    'A snapshot with captured state (deploy --capture) is refused, before anything is touched,',
    'unless each captured NAME has a --restore-capture NAME=CMD, or --skip-captures is given.',
    '',
    'Exit codes: 0 rolled back and valid; 20 the rollback or its validation failed: a human must act now.',
  ].join('\n'),
  options: {
    paths: { ...PATHS_OPTION, description: 'restore only these paths of the snapshot (default: all of it)' },
    directory: { ...FOLDER_OPTION, description: 'the folder the deploy ran in', default: 'the working directory' },
    capture: {
      type: 'string',
      value: "NAME='CMD'",
      multiple: true,
      description: 'capture the current state NAME into the pre-restore snapshot',
    },
    'skip-captures': {
      type: 'boolean',
      description:
        'restore the files even though captured state in the snapshot has no --restore-capture (it stays as it is now)',
    },
    ...VALIDATION_OPTIONS,
  },
  examples: [
    "ripcord rollback --on-rollback 'systemctl restart app' --health-url http://127.0.0.1:8080/health --validate-retries 5",
    "ripcord rollback --restore-capture db='rm -f app.db && sqlite3 app.db'",
  ],
  async run(context, values, positionals) {
    const validation = validationPlan(values);
    const store = await context.openRepository();
    const report = await runRollback({
      store,
      reference: positionals[0],
      include: listOption(values, 'paths'),
      keys: await context.preRestoreKeys(),
      decryptionKeys: await context.decryptionKeys(),
      ...(await guardSurroundings(context, values)),
      validation,
      onRollback: stringOption(values, 'on-rollback'),
      captures: captureOptions(values, 'capture'),
      restoreCaptures: captureOptions(values, 'restore-capture'),
      skipCaptures: values['skip-captures'] === true,
    });
    context.record({
      snapshots: [
        report.rollback.restoredSnapshot,
        ...(report.rollback.brokenStateSnapshot ? [report.rollback.brokenStateSnapshot] : []),
      ],
      rolledBack: report.result === 'rolled-back',
      timings: { rollback: report.rollback.durationMs },
      details: { result: report.result, ...(report.action ? { action: report.action } : {}) },
    });
    context.reporter.finish();
    if (context.json) context.printJson(report);
    const rows = rollbackLines(report.rollback);
    if (report.action) rows.push(['ACTION', report.action]);
    context.stderr.write(
      `${escapeControlsKeepingLines(formatRows(`ripcord rollback: ${report.result === 'rolled-back' ? 'ROLLED BACK' : 'ROLLBACK FAILED: a human must act now'} (exit ${report.exitCode})`, rows))}\n`,
    );
    return report.exitCode;
  },
};
