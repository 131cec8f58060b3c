/** Options and report shared by `deploy` and `rollback`. */
import * as path from 'node:path';
import { UsageError } from '../../domain/errors.ts';
import { parseDuration } from '../../domain/duration.ts';
import { repositorySkip } from '../../ops/backup.ts';
import type { CaptureCommand } from '../../ops/captures.ts';
import { parseCaptureSpec } from '../../ops/captures.ts';
import type { GuardContext, RollbackReport } from '../../ops/deploy.ts';
import { describeOrigin } from '../../ops/origin.ts';
import type { ValidationPlan, ValidationResult } from '../../ops/validate.ts';
import { compileBodyPattern, parseExpectedStatus } from '../../ops/validate.ts';
import type { CliContext, OptionSpecs, OptionValues } from '../command.ts';
import { listOption, stringOption } from '../command.ts';
import { formatDuration, terminalText } from '../format.ts';
import { countOf } from '../../domain/wording.ts';

export const VALIDATION_OPTIONS: OptionSpecs = {
  validate: { type: 'string', value: 'CMD', multiple: true, description: 'a check that must exit 0 (run with sh -c)' },
  'health-url': {
    type: 'string',
    value: 'URL',
    multiple: true,
    description: 'a URL that must answer with --expect-status',
  },
  'expect-status': {
    type: 'string',
    value: 'STATUS',
    description: 'expected HTTP status: 200, 2xx, 200-399 or a list',
    default: '2xx',
  },
  'expect-body': {
    type: 'string',
    value: 'REGEX',
    description: 'the health URL body must match this regular expression',
  },
  'validate-retries': {
    type: 'string',
    value: 'N',
    description: 'extra validation attempts before giving up',
    default: '0',
  },
  'validate-interval': {
    type: 'string',
    value: 'DURATION',
    description: 'wait between attempts (5s, 1m)',
    default: '5s',
  },
  'validate-timeout': { type: 'string', value: 'DURATION', description: 'limit per check per attempt', default: '60s' },
  'on-rollback': {
    type: 'string',
    value: 'CMD',
    description: 'run after the files are restored (e.g. restart the service)',
  },
  'restore-capture': {
    type: 'string',
    value: "NAME='CMD'",
    multiple: true,
    description: 'on rollback, feed captured state NAME to CMD on stdin',
  },
};

/** Where a deploy or rollback runs (--directory) and where its output and events go. */
export async function guardSurroundings(
  context: CliContext,
  values: OptionValues,
): Promise<Pick<GuardContext, 'cwd' | 'origin' | 'env' | 'output' | 'reporter' | 'protect'>> {
  const cwd = path.resolve(context.cwd, stringOption(values, 'directory') ?? '.');
  return {
    cwd,
    origin: await describeOrigin(cwd, context.env),
    env: context.env,
    output: context.stderr,
    reporter: context.reporter,
    protect: repositorySkip(context.repository, context.cwd),
  };
}

function specs(value: unknown): string[] {
  return Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];
}

export function captureOptions(values: OptionValues, name: 'capture' | 'restore-capture'): CaptureCommand[] {
  return specs(values[name]).map((spec) => parseCaptureSpec(spec, `--${name}`));
}

export function validationPlan(values: OptionValues): ValidationPlan {
  const retriesText = stringOption(values, 'validate-retries') ?? '0';
  if (!/^\d+$/.test(retriesText)) throw new UsageError(`--validate-retries ${retriesText}: give a whole number`);
  const plan: ValidationPlan = {
    commands: specs(values.validate),
    healthUrls: listOption(values, 'health-url'),
    expectStatus: stringOption(values, 'expect-status') ?? '2xx',
    retries: Number(retriesText),
    intervalMs: parseDuration(stringOption(values, 'validate-interval') ?? '5s'),
    timeoutMs: parseDuration(stringOption(values, 'validate-timeout') ?? '60s'),
  };
  const body = stringOption(values, 'expect-body');
  if (body !== undefined) {
    compileBodyPattern(body);
    plan.expectBody = body;
  }
  parseExpectedStatus(plan.expectStatus!);
  for (const url of plan.healthUrls) {
    if (!/^https?:\/\//.test(url)) throw new UsageError(`--health-url ${url}: give an http:// or https:// URL`);
  }
  return plan;
}

function describeValidation(result: ValidationResult): string {
  return result.ok
    ? `passed (${result.attempts} attempt${result.attempts === 1 ? '' : 's'})`
    : `FAILED after ${countOf(result.attempts, 'attempt')}: ${result.failures.map((f) => `${f.check}: ${f.detail}`).join('; ')}`;
}

export function rollbackLines(rollback: RollbackReport): [string, string][] {
  const rows: [string, string][] = [
    ['restored', rollback.error ? `NOT restored: ${terminalText(rollback.error)}` : rollback.restoredSnapshot],
  ];
  if (rollback.brokenStateSnapshot)
    rows.push([
      'broken state',
      `${rollback.brokenStateSnapshot} (kept for forensics: ripcord ls ${rollback.brokenStateSnapshot})`,
    ]);
  if (rollback.onRollback) {
    rows.push([
      'rollback hook',
      rollback.onRollback.ok
        ? `ok (${rollback.onRollback.command})`
        : `FAILED: ${rollback.onRollback.command} ${rollback.onRollback.detail ?? ''}`,
    ]);
    if (!rollback.onRollback.ok && rollback.onRollback.outputTail)
      rows.push(['hook output', indent(rollback.onRollback.outputTail)]);
  }
  if (rollback.validation) rows.push(['after rollback', `validation ${describeValidation(rollback.validation)}`]);
  return rows;
}

export function indent(text: string): string {
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? `| ${line}` : `${' '.repeat(18)}| ${line}`))
    .join('\n');
}

export function formatRows(title: string, rows: [string, string][]): string {
  return [title, ...rows.map(([label, value]) => `  ${label.padEnd(16)}${value}`)].join('\n');
}

export { describeValidation, formatDuration };
