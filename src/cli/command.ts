/**
 * A command is data (name, usage, options with their help) plus a run function that
 * parses nothing itself: main.ts parses argv against the options and hands over values.
 */
import { parseArgs } from 'node:util';
import type { DecryptionKeys, EncryptionKeys } from '../archive/openpgp-keys.ts';
import { UsageError } from '../domain/errors.ts';
import type { Reporter } from '../domain/events.ts';
import type { RunNotes } from '../domain/run-record.ts';
import { closeMatches } from '../domain/suggest.ts';
import type { Store } from '../storage/store.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** shown in help as --name VALUE */
  value?: string;
  description: string;
  default?: string;
  /** shown under its own heading in help */
  group?: 'S3' | 'Monitoring';
}

export type OptionSpecs = Record<string, OptionSpec>;
export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** paragraphs after the usage line */
  description?: string;
  options: OptionSpecs;
  examples?: string[];
  run(context: CliContext, values: OptionValues, positionals: string[]): Promise<number>;
}

/** What a command is given to reach the outside world (context.ts makes one). */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** where a question to the user is answered (only when it is a terminal) */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** the time now: when prune's grace periods and retention windows end */
  now(): Date;
  json: boolean;
  quiet: boolean;
  /** the repository URL in effect */
  repository: string;
  openRepository(): Promise<Store>;
  encryptionKeys(): Promise<EncryptionKeys>;
  decryptionKeys(): Promise<DecryptionKeys>;
  /** keys for the pre-restore snapshot: the configured ones, or the identity's own public key */
  preRestoreKeys(): Promise<EncryptionKeys>;
  reporter: Reporter & { finish(): void };
  /** note what this run did, for the audit log, --report, metrics and notifications (observe.ts) */
  record(notes: RunNotes): void;
  /** what was noted (warnings the reporter saw included), and the repository the run opened */
  readonly run: { notes: RunNotes; repository?: string };
  print(line?: string): void;
  printJson(value: unknown): void;
  /** close every repository opened */
  close(): Promise<void>;
}

/**
 * Flags several commands have, each command giving its own description (and default): the
 * same flag takes the same value, the same way, in every command.
 */
export const FOLDER_OPTION: Omit<OptionSpec, 'description'> = { type: 'string', short: 'C', value: 'DIR' };
export const PATHS_OPTION: Omit<OptionSpec, 'description'> = {
  type: 'string',
  short: 'p',
  value: 'P1,P2',
  multiple: true,
};
export const TAG_OPTION: Omit<OptionSpec, 'description'> = { type: 'string', short: 't', value: 'TAG', multiple: true };

/** Options every command accepts. */
export const GLOBAL_OPTIONS: OptionSpecs = {
  repo: {
    type: 'string',
    short: 'r',
    value: 'URL',
    description:
      'repository: a local path, s3://bucket/prefix or actions-cache://name (default: $RIPCORD_REPO, else ./.ripcord)',
  },
  json: { type: 'boolean', description: 'print machine-readable JSON on stdout' },
  quiet: { type: 'boolean', short: 'q', description: 'print only results and warnings, no progress' },
  debug: { type: 'boolean', description: 'print stack traces and internal details on failure' },
  'passphrase-file': {
    type: 'string',
    value: 'FILE',
    description: 'read the passphrase from FILE instead of $RIPCORD_PASSPHRASE',
  },
  'signing-key': {
    type: 'string',
    value: 'FILE',
    description:
      'armored private key that signs every snapshot written, public-key mode above all (default: $RIPCORD_SIGNING_KEY; its passphrase: $RIPCORD_SIGNING_KEY_PASSPHRASE; docs/security.md)',
  },
  'trusted-signer': {
    type: 'string',
    value: 'KEY',
    multiple: true,
    description:
      'a fingerprint, or a file with an armored public key, whose signatures are trusted; public-key snapshots are used only when signed by one (default: $RIPCORD_TRUSTED_SIGNERS)',
  },
  'allow-unsigned': {
    type: 'boolean',
    description:
      'use snapshots that are not signed (made before signing was set up), with a warning naming each: anyone holding the public key could have made them',
  },
  config: {
    type: 'string',
    value: 'FILE',
    description:
      'configuration file: backup sets, repository, monitoring (default: ./ripcord.config.json when there is one)',
  },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  's3-endpoint': {
    type: 'string',
    value: 'URL',
    group: 'S3',
    description:
      'S3-compatible endpoint (MinIO, Ceph, R2...); path-style addressing is used with it (default: $AWS_ENDPOINT_URL)',
  },
  's3-region': {
    type: 'string',
    value: 'REGION',
    group: 'S3',
    description: 'region (default: $AWS_REGION, the profile, else us-east-1)',
  },
  's3-sse': {
    type: 'string',
    value: 'AES256|aws:kms',
    group: 'S3',
    description: 'server-side encryption for every object written',
  },
  's3-kms-key-id': {
    type: 'string',
    value: 'KEY',
    group: 'S3',
    description: 'KMS key for --s3-sse aws:kms (default: the AWS-managed key)',
  },
  's3-storage-class': {
    type: 'string',
    value: 'CLASS',
    group: 'S3',
    description: 'storage class, e.g. STANDARD_IA (archive classes need a thaw before restore)',
  },
  's3-object-lock-days': {
    type: 'string',
    value: 'N',
    group: 'S3',
    description:
      'Object Lock retention in days for every object written (immutable backups; the bucket needs Object Lock enabled)',
  },
  's3-object-lock-mode': {
    type: 'string',
    value: 'MODE',
    group: 'S3',
    description: 'GOVERNANCE or COMPLIANCE',
    default: 'GOVERNANCE',
  },
};

export function parseCommandLine(command: Command, argv: string[]): { values: OptionValues; positionals: string[] } {
  const specs = { ...GLOBAL_OPTIONS, ...command.options };
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [
      name,
      { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) },
    ]),
  );
  try {
    const parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: parsed.values as OptionValues, positionals: parsed.positionals };
  } catch (error) {
    const message = (error as Error).message
      .replace(/\. To specify a positional argument.*$/s, '')
      .replace(/\s+/g, ' ');
    const unknown = /^Unknown option '--([^'=]+)'/.exec(message)?.[1];
    const close = unknown === undefined ? [] : closeMatches(unknown, Object.keys(specs));
    const hint = close.length > 0 ? `did you mean ${close.map((name) => `--${name}`).join(' or ')}? ` : '';
    throw new UsageError(`${message} (${hint}see ripcord ${command.name} --help)`);
  }
}

export function formatHelp(command: Command): string {
  const lines = [`Usage: ${command.usage}`, '', command.summary];
  if (command.description) lines.push('', command.description);
  if (/<id\|latest/.test(command.usage)) {
    lines.push(
      '',
      'A snapshot is named by its id, a unique start of it, or latest: the newest snapshot that is',
      'not a pre-restore snapshot (so that restoring latest twice does the same thing twice).',
    );
  }
  const section = (title: string, specs: OptionSpecs) => {
    const rows = Object.entries(specs).map(([name, spec]) => {
      const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`;
      const more = [spec.multiple ? '(repeatable)' : '', spec.default ? `(default: ${spec.default})` : '']
        .filter(Boolean)
        .join(' ');
      return [flag, `${spec.description}${more ? ` ${more}` : ''}`] as const;
    });
    if (rows.length === 0) return;
    const width = Math.max(...rows.map(([flag]) => flag.length));
    lines.push('', `${title}:`, ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`));
  };
  section('Options', Object.fromEntries(Object.entries(command.options).filter(([, spec]) => !spec.group)));
  section(
    'Monitoring options (docs/observability.md)',
    Object.fromEntries(Object.entries(command.options).filter(([, spec]) => spec.group === 'Monitoring')),
  );
  section('Common options', Object.fromEntries(Object.entries(GLOBAL_OPTIONS).filter(([, spec]) => !spec.group)));
  section(
    'S3 options (for s3:// repositories)',
    Object.fromEntries(Object.entries(GLOBAL_OPTIONS).filter(([, spec]) => spec.group === 'S3')),
  );
  if (command.examples?.length) lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function listOption(values: OptionValues, name: string): string[] {
  const value = values[name];
  if (value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  return items
    .flatMap((v) => String(v).split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}
