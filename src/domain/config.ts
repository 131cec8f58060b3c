/**
 * The configuration file (ripcord.config.json): named backup sets, each with its paths,
 * repository and retention, and where runs are reported (metrics, webhook). The file is
 * checked against schema/ripcord.config.schema.json — the same schema editors use to
 * complete it — and then for what a schema cannot say (durations that parse, a retention
 * that keeps something). Every problem names the file, the line and the key.
 * Pure: the adapter reads the file and decides what is relative to what.
 */
import schema from '../../schema/ripcord.config.schema.json' with { type: 'json' };
import { parseDuration } from './duration.ts';
import { UsageError } from './errors.ts';
import type { JsonPath, PositionedJson } from './json-source.ts';
import { JsonSyntaxError, parseJsonWithPositions, positionOf } from './json-source.ts';
import type { JsonSchema, SchemaProblem } from './json-schema.ts';
import { validateAgainstSchema } from './json-schema.ts';
import type { RetentionPolicy } from './retention.ts';
import { hasKeepRule, parseKeepCount } from './retention.ts';
import type { SnapshotKind } from './snapshot.ts';

export const CONFIG_FILE_NAME = 'ripcord.config.json';
export const CONFIG_SCHEMA = schema as JsonSchema;

export const KEEP_COUNT_KEYS = [
  'keep-last',
  'keep-hourly',
  'keep-daily',
  'keep-weekly',
  'keep-monthly',
  'keep-yearly',
] as const;
export type KeepCountKey = (typeof KEEP_COUNT_KEYS)[number];

/** As written in the file; flags of the same name override each key. */
export type RetentionConfig = { [K in KeepCountKey]?: number | 'unlimited' } & {
  'keep-within'?: string;
  'keep-tag'?: string[];
};

export interface BackupSetConfig {
  description?: string;
  paths: string[];
  excludes?: string[];
  /** NAME -> shell command, as --capture NAME='CMD' */
  captures?: Record<string, string>;
  directory?: string;
  repository?: string;
  'copy-to'?: string;
  tags?: string[];
  kind?: Exclude<SnapshotKind, 'pre-restore'>;
  level?: 'full' | 'incremental' | 'differential' | 'auto';
  'full-every'?: string;
  'max-chain'?: number;
  'max-age'?: string;
  retention?: RetentionConfig;
}

export interface RipcordConfig {
  /** the schema editors complete the file with; ripcord itself ignores it */
  $schema?: string;
  repository?: string;
  /** a file holding the armored signing key */
  'signing-key'?: string;
  /** fingerprints, or files holding armored public keys */
  'trusted-signers'?: string[];
  sets?: Record<string, BackupSetConfig>;
  metrics?: { file?: string; pushgateway?: string; labels?: Record<string, string> };
  notify?: { webhook?: string; on?: ('failure' | 'rollback' | 'success')[] };
}

/** The kind of a set's snapshots when the set names none: sets are what cron runs. */
export const DEFAULT_SET_KIND: SnapshotKind = 'scheduled';

/** Every snapshot of a set carries this tag: prune, check and list find the set's snapshots by it. */
export function setTag(name: string): string {
  return `set:${name}`;
}

/** A configuration file that cannot be used. Exit code: usage (2). */
export class ConfigError extends UsageError {}

/**
 * Parse and check a configuration file's text. `source` names the file in messages.
 * Throws a ConfigError naming "<source>:<line>: <key path>: <problem>" for the first
 * problem (and how many more there are).
 */
export function parseConfig(text: string, source: string): RipcordConfig {
  let parsed: PositionedJson;
  try {
    parsed = parseJsonWithPositions(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError)
      throw new ConfigError(
        `${source}:${error.position.line}:${error.position.column}: not valid JSON: ${error.message}`,
      );
    throw error;
  }
  const problems = validateAgainstSchema(parsed.value, CONFIG_SCHEMA);
  if (problems.length === 0) problems.push(...semanticProblems(parsed.value as RipcordConfig));
  if (problems.length > 0) throw configError(problems, parsed, source);
  return parsed.value as RipcordConfig;
}

/** The retention policy a set's configuration describes (already checked by parseConfig). */
export function retentionPolicyOf(retention: RetentionConfig): RetentionPolicy {
  const policy: RetentionPolicy = {};
  const rules = {
    'keep-last': 'last',
    'keep-hourly': 'hourly',
    'keep-daily': 'daily',
    'keep-weekly': 'weekly',
    'keep-monthly': 'monthly',
    'keep-yearly': 'yearly',
  } as const;
  for (const key of KEEP_COUNT_KEYS) {
    const count = retention[key];
    if (count !== undefined) policy[rules[key]] = parseKeepCount(String(count), key);
  }
  if (retention['keep-within'] !== undefined) policy.within = parseDuration(retention['keep-within']);
  if (retention['keep-tag'] !== undefined) policy.tags = [...retention['keep-tag']];
  return policy;
}

/** A path for messages: "sets.data.retention.keep-daily", "sets.data.paths[0]". */
export function describePath(path: JsonPath): string {
  return (
    path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('') ||
    '(the whole file)'
  );
}

function semanticProblems(config: RipcordConfig): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const duration = (path: JsonPath, text: string | undefined) => {
    if (text === undefined) return;
    try {
      parseDuration(text);
    } catch (error) {
      problems.push({ path, message: (error as Error).message });
    }
  };
  for (const [name, set] of Object.entries(config.sets ?? {})) {
    duration(['sets', name, 'max-age'], set['max-age']);
    duration(['sets', name, 'full-every'], set['full-every']);
    if (set.retention) {
      duration(['sets', name, 'retention', 'keep-within'], set.retention['keep-within']);
      if (problems.length === 0 && !hasKeepRule(retentionPolicyOf(set.retention))) {
        problems.push({
          path: ['sets', name, 'retention'],
          message: 'keeps nothing (every rule is 0): give at least one rule that keeps snapshots',
        });
      }
    }
  }
  return problems;
}

function configError(problems: SchemaProblem[], parsed: PositionedJson, source: string): ConfigError {
  const describeOne = (problem: SchemaProblem) =>
    `${source}:${positionOf(parsed, problem.path).line}: ${describePath(problem.path)}: ${problem.message}`;
  const [first, ...rest] = problems;
  const more =
    rest.length === 0
      ? ''
      : ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'}: ${rest.slice(0, 2).map(describeOne).join('; ')}${rest.length > 2 ? '; ...' : ''})`;
  return new ConfigError(`${describeOne(first!)}${more}`);
}
