import { deployRequestFrom } from '../../ops/backup-request.ts';
import { runGuardedDeploy } from '../../ops/deploy.ts';
import type { DeployReport } from '../../ops/deploy.ts';
import type { Command } from '../command.ts';
import { FOLDER_OPTION, flag, listOption, PATHS_OPTION, stringOption, TAG_OPTION } from '../command.ts';
import {
  captureOptions,
  describeValidation,
  formatDuration,
  formatRows,
  guardSurroundings,
  indent,
  rollbackLines,
  validationPlan,
  VALIDATION_OPTIONS,
} from './guard-options.ts';
import { MAX_TAG_LENGTH, TAG_CHARACTERS } from '../../domain/snapshot.ts';
import { escapeControlsKeepingLines } from '../../domain/untrusted-text.ts';
import { levelFrom, levelOptions } from './level-options.ts';

export const deployCommand: Command = {
  name: 'deploy',
  summary: 'Snapshot, run a deploy, validate it, and roll back by itself when it fails.',
  usage: 'ripcord deploy [options] -- <deploy command...>',
  description: [
    '1. takes a pre-deploy snapshot of --paths (and of --capture state); a path that does not',
    '   exist yet is recorded as absent, and a rollback removes it;',
    '   with --level auto (the default) it is an incremental on the newest snapshot of the same',
    '   paths, which reads and stores only what changed since (a full one every 7 days);',
    '2. runs the deploy command, streaming its output;',
    '3. validates: every --validate command must exit 0 and every --health-url must answer;',
    '4. if the deploy or the validation fails: restores the pre-deploy snapshot over the paths',
    '   (files the deploy added are removed; the broken state is kept as a pre-restore snapshot),',
    '   feeds captured state to --restore-capture, runs --on-rollback, and validates again.',
    '',
    'Exit codes: 0 deployed and valid; 10 the deploy failed and the rollback succeeded;',
    '20 the rollback itself or its validation failed: a human must act now;',
    '1 the deploy failed and --no-rollback left it as it is. A report goes to stderr (--json: stdout).',
  ].join('\n'),
  options: {
    paths: {
      ...PATHS_OPTION,
      description: 'what the deploy changes (default: the working directory without .git and node_modules)',
    },
    directory: { ...FOLDER_OPTION, description: 'run the deploy in DIR; paths are relative to it' },
    exclude: {
      type: 'string',
      short: 'e',
      value: 'GLOB',
      multiple: true,
      description: 'leave matching paths out of the snapshot',
    },
    tag: {
      ...TAG_OPTION,
      description: `label the pre-deploy snapshot: 1-${MAX_TAG_LENGTH} characters of ${TAG_CHARACTERS}`,
    },
    capture: {
      type: 'string',
      value: "NAME='CMD'",
      multiple: true,
      description: 'capture state that is not a file (stdout of CMD) into the snapshot',
    },
    ...VALIDATION_OPTIONS,
    ...levelOptions('auto'),
    'no-rollback': { type: 'boolean', description: 'only report a failure, do not roll back' },
    'new-key': {
      type: 'boolean',
      description:
        "take the pre-deploy snapshot with a passphrase or recipients other than the repository's (otherwise refused)",
    },
  },
  examples: [
    "ripcord deploy --paths config,releases --health-url http://127.0.0.1:8080/health --validate-retries 5 --on-rollback 'systemctl restart app' -- ./deploy.sh",
    "ripcord deploy --paths app.db --capture db='sqlite3 app.db .dump' --restore-capture db='rm -f app.db && sqlite3 app.db' -- ./migrate.sh",
  ],
  async run(context, values, positionals) {
    const validation = validationPlan(values);
    const { level, auto } = levelFrom(values, 'auto');
    const keys = await context.encryptionKeys();
    const decryptionKeys = flag(values, 'no-rollback') ? undefined : await context.decryptionKeys();
    const store = await context.openRepository();
    const report = await runGuardedDeploy({
      store,
      keys,
      decryptionKeys,
      ...(await guardSurroundings(context, values)),
      ...deployRequestFrom({
        paths: listOption(values, 'paths'),
        exclude: listOption(values, 'exclude'),
        tags: listOption(values, 'tag'),
        captures: captureOptions(values, 'capture'),
        restoreCaptures: captureOptions(values, 'restore-capture'),
        command: positionals,
        validation,
        onRollback: stringOption(values, 'on-rollback'),
        noRollback: flag(values, 'no-rollback'),
        newKey: flag(values, 'new-key'),
        level,
        auto,
      }),
    });
    context.record({
      snapshots: [
        report.preDeploySnapshot,
        ...(report.rollback?.brokenStateSnapshot ? [report.rollback.brokenStateSnapshot] : []),
      ],
      rolledBack: report.result === 'rolled-back',
      timings: { ...report.timings },
      details: {
        result: report.result,
        ...(report.failure ? { failure: report.failure.detail } : {}),
        ...(report.action ? { action: report.action } : {}),
      },
    });
    context.reporter.finish();
    if (context.json) context.printJson(report);
    context.stderr.write(`${escapeControlsKeepingLines(formatDeployReport(report))}\n`);
    return report.exitCode;
  },
};

const HEADLINE: Record<DeployReport['result'], string> = {
  deployed: 'DEPLOYED',
  'rolled-back': 'ROLLED BACK',
  'rollback-failed': 'ROLLBACK FAILED: a human must act now',
  failed: 'FAILED (not rolled back)',
};

export function formatDeployReport(report: DeployReport): string {
  const parent = report.preDeployParent;
  const rows: [string, string][] = [
    ['pre-deploy', `${report.preDeploySnapshot}${parent ? ` (${parent.level} on ${parent.parent})` : ''}`],
  ];
  if (report.absent)
    rows.push([
      'absent before',
      `${report.absent.map((name) => JSON.stringify(name)).join(', ')} (a rollback removes ${report.absent.length === 1 ? 'it' : 'them'})`,
    ]);
  if (report.validation?.ok) rows.push(['validation', describeValidation(report.validation)]);
  if (report.failure) {
    rows.push(['what failed', report.failure.detail]);
    if (report.failure.outputTail) rows.push(['output tail', indent(report.failure.outputTail)]);
  }
  if (report.rollback) rows.push(...rollbackLines(report.rollback));
  if (report.action) rows.push(['ACTION', report.action]);
  const t = report.timings;
  rows.push([
    'timings',
    [
      `snapshot ${formatDuration(t.snapshotMs)}`,
      `deploy ${formatDuration(t.deployMs)}`,
      `validation ${formatDuration(t.validationMs)}`,
      ...(t.rollbackMs !== undefined ? [`rollback ${formatDuration(t.rollbackMs)}`] : []),
      `total ${formatDuration(t.totalMs)}`,
    ].join(', '),
  ]);
  return formatRows(`ripcord deploy: ${HEADLINE[report.result]} (exit ${report.exitCode})`, rows);
}
