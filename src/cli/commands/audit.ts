import { parseDuration } from '../../domain/duration.ts';
import { ExitCode, UsageError } from '../../domain/errors.ts';
import { AUDITED_OPERATIONS, readAudit } from '../../ops/audit.ts';
import type { Command } from '../command.ts';
import { stringOption } from '../command.ts';
import { formatTable, formatTime, terminalText } from '../format.ts';

export const auditCommand: Command = {
  name: 'audit',
  summary:
    "Print the repository's audit log: every backup, restore, prune, copy, deploy and rollback, by whom, and how it went.",
  usage: 'ripcord audit [options]',
  description: [
    `Every ${AUDITED_OPERATIONS.join(', ')} run (dry runs excepted) leaves one record in the repository, under`,
    'audit/YYYY-MM/ (one object per record, so concurrent writers never clash; docs/format.md), with its',
    'time, operation, result, snapshot ids, set, actor ($GITHUB_ACTOR, else the OS user), host and CI run.',
    'Oldest first. Needs no key.',
  ].join('\n'),
  options: {
    since: {
      type: 'string',
      value: 'DURATION|DATE',
      description: 'only records of the last DURATION (7d, 12h) or since DATE (2026-11-01, UTC)',
    },
    operation: {
      type: 'string',
      value: 'OP',
      description: `only records of this operation (${AUDITED_OPERATIONS.join(' | ')})`,
    },
  },
  examples: ['ripcord audit --since 7d', 'ripcord audit --repo s3://acme-backups/app --operation restore --json'],
  async run(context, values, positionals) {
    if (positionals.length > 0)
      throw new UsageError(`audit takes no arguments (got ${positionals[0]}): see ripcord audit --help`);
    const since = sinceDate(stringOption(values, 'since'), new Date());
    const operation = stringOption(values, 'operation');
    if (operation !== undefined && !(AUDITED_OPERATIONS as readonly string[]).includes(operation)) {
      throw new UsageError(`--operation ${operation} is not one of ${AUDITED_OPERATIONS.join(', ')}`);
    }
    const store = await context.openRepository();
    const { records, damaged } = await readAudit(store, {
      ...(since ? { since } : {}),
      ...(operation ? { operation } : {}),
    });
    for (const bad of damaged)
      context.stderr.write(
        `warning: ${terminalText(bad.key)} in ${store.properties.location} is not a readable audit record: ${terminalText(bad.problem)}\n`,
      );
    if (context.json) {
      context.printJson(records);
    } else if (records.length === 0) {
      context.print(`no audit records in ${store.properties.location}${since ? ` since ${since.toISOString()}` : ''}`);
    } else {
      context.print(
        formatTable(
          ['TIME (UTC)', 'OPERATION', 'SET', 'RESULT', 'SNAPSHOTS', 'ACTOR', 'HOST', 'CI RUN / ERROR'],
          records.map((r) => [
            formatTime(r.time),
            r.operation,
            r.set ?? '',
            r.exitCode === ExitCode.rollbackFailed
              ? 'ROLLBACK FAILED'
              : r.rolledBack
                ? 'rolled back'
                : r.result === 'success'
                  ? 'ok'
                  : 'FAILED',
            r.snapshots.join(',') || '-',
            r.actor,
            r.host,
            r.error ?? r.ciRunUrl ?? '',
          ]),
        ),
      );
    }
    return 0;
  },
};

function sinceDate(text: string | undefined, now: Date): Date | undefined {
  if (text === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/.test(text)) {
    const date = new Date(text.length === 10 ? `${text}T00:00:00Z` : text);
    if (!Number.isNaN(date.getTime())) return date;
  }
  try {
    return new Date(now.getTime() - parseDuration(text));
  } catch (error) {
    throw new UsageError(
      `--since ${text}: give a duration such as 7d or 12h, or a date such as 2026-11-01 (${(error as Error).message})`,
    );
  }
}
