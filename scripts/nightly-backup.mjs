#!/usr/bin/env node
// @ts-check
// The nightly job: back up, verify, prune the scheduled snapshots by a retention policy,
// and copy the new snapshot to a second repository when --copy-to names one.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { $, argv, chalk, spinner } from 'zx';
import {
  createBackup,
  decryptionKeysFrom,
  DEFAULT_EXCLUDES,
  describeOrigin,
  describeRepository,
  encryptionKeysFrom,
  ExitCode,
  openStore,
  repositorySkip,
  RipcordError,
  verifySnapshots,
} from 'ripcord-backup';

// Used when no --keep-* flag is given. Prune touches only snapshots of kind "scheduled".
const DEFAULT_POLICY = { 'keep-daily': 7, 'keep-weekly': 4, 'keep-monthly': 12 };
const KEEP_FLAGS = [
  'keep-last',
  'keep-hourly',
  'keep-daily',
  'keep-weekly',
  'keep-monthly',
  'keep-yearly',
  'keep-within',
];
// Prune and copy run through the CLI, found next to the library (dist/), so a copy of this
// script in any project that depends on ripcord-backup finds it as well.
const CLI = path.join(path.dirname(createRequire(import.meta.url).resolve('ripcord-backup')), 'cli.cjs');

const USAGE = `Usage: ripcord-nightly-backup [options]    (in a clone: npx zx scripts/nightly-backup.mjs ...)

Backs up (kind "scheduled"), verifies, prunes scheduled snapshots, copies the new one to --copy-to.
Meant for cron: it never asks anything. Exits non-zero, with one line on stderr, if any step fails.

Options:
  --paths P1,P2          what to back up (default: the directory without ${DEFAULT_EXCLUDES.join(', ')})
  --directory DIR, -C    paths are relative to DIR (default: the working directory)
  --exclude GLOB         leave matching paths out (repeatable)
  --tag TAG              label the snapshot (repeatable); retention applies per kind + tags
  --read-data            verify by decrypting and checking every file (default: checksums only)
  --keep-last N, --keep-hourly N, --keep-daily N, --keep-weekly N, --keep-monthly N,
  --keep-yearly N, --keep-within DURATION
                         retention, as ripcord prune (default: ${Object.entries(DEFAULT_POLICY)
                           .map(([k, v]) => `--${k} ${v}`)
                           .join(' ')})
  --copy-to REPO         also copy the new snapshot to this repository (checksums verified there)
  --repo URL             repository (default: $RIPCORD_REPO, else ./.ripcord)
  --passphrase-file FILE read the passphrase from FILE instead of $RIPCORD_PASSPHRASE
  --dry-run              show what would run, write and delete nothing
  --debug                print stack traces on failure
  --help                 show this help
`;

if (argv.help || argv.h) {
  process.stdout.write(USAGE);
  process.exit(0);
}
$.quiet ||= !process.stderr.isTTY; // no spinner frames in cron mail or CI logs

try {
  const cwd = path.resolve(text('directory') ?? text('C') ?? '.');
  const repo = describeRepository(text('repo') ?? (process.env.RIPCORD_REPO || '.ripcord'));
  const paths = list('paths');
  const readData = flag('read-data');
  const copyTo = text('copy-to');
  const given = KEEP_FLAGS.filter((name) => argv[name] !== undefined);
  const policy = given.length ? Object.fromEntries(given.map((name) => [name, text(name)])) : DEFAULT_POLICY;
  const pruneArgs = [
    'prune',
    '--repo',
    repo,
    '--kind',
    'scheduled',
    ...list('tag').flatMap((t) => ['--tag', t]),
    ...Object.entries(policy).flatMap(([k, v]) => [`--${k}`, String(v)]),
  ];
  if (argv._.length) throw usage(`unexpected argument ${argv._[0]}: give paths with --paths (see --help)`);

  // Preflight: keys, and the policy through prune --dry-run (a bad --keep-* fails here).
  const { RIPCORD_PASSPHRASE, RIPCORD_RECIPIENTS, RIPCORD_IDENTITY, RIPCORD_IDENTITY_PASSPHRASE } = process.env;
  const { RIPCORD_SIGNING_KEY, RIPCORD_SIGNING_KEY_PASSPHRASE, RIPCORD_TRUSTED_SIGNERS } = process.env;
  const keyInputs = {
    passphrase: RIPCORD_PASSPHRASE,
    passphraseFile: text('passphrase-file'),
    recipients: RIPCORD_RECIPIENTS,
    identity: RIPCORD_IDENTITY,
    identityPassphrase: RIPCORD_IDENTITY_PASSPHRASE,
    signingKey: RIPCORD_SIGNING_KEY,
    signingKeyPassphrase: RIPCORD_SIGNING_KEY_PASSPHRASE,
    trustedSigners: RIPCORD_TRUSTED_SIGNERS,
    warn: (/** @type {string} */ message) => console.error(`warning: ${message}`),
  }; // as the CLI reads them
  const keys = await encryptionKeysFrom(keyInputs);
  const readKeys = readData ? await decryptionKeysFrom(keyInputs) : undefined;
  const prunePreview = await ripcord('prune', [...pruneArgs, '--dry-run']);

  console.log(`nightly backup of ${paths.length ? paths.join(', ') : '.'} in ${cwd} into ${repo}`);
  console.log(
    `  verify${readData ? ' --read-data' : ''}; prune scheduled snapshots: ${Object.entries(policy)
      .map(([k, v]) => `--${k} ${v}`)
      .join(' ')}`,
  );
  if (copyTo) console.log(`  copy the new snapshot to ${describeRepository(copyTo)}`);
  if (flag('dry-run')) {
    console.log(chalk.yellow('dry run: nothing is written; prune as it stands now:'));
    console.log(prunePreview);
    process.exit(0);
  }

  const store = await openStore(repo);
  /** @type {import('ripcord-backup').SnapshotMetadata} */
  let snapshot;
  try {
    ({ snapshot } = await spinner('backing up', async () =>
      createBackup({
        store,
        cwd,
        keys,
        paths: paths.length ? paths : ['.'],
        exclude: [...list('exclude'), ...(paths.length ? [] : DEFAULT_EXCLUDES)],
        skip: repositorySkip(repo, process.cwd()),
        kind: 'scheduled',
        tags: list('tag'),
        origin: await describeOrigin(cwd, process.env),
        reporter: { emit: (e) => e.type === 'warning' && console.error(chalk.yellow(`warning: ${e.message}`)) },
      }),
    ));
    console.log(`backed up  ${snapshot.id}: ${snapshot.files} files, ${snapshot.archiveBytes} bytes stored`);
    const [outcome] = await spinner('verifying', () =>
      verifySnapshots({ store, references: [snapshot.id], readData, keys: readKeys }),
    );
    if (!outcome?.ok) throw new RipcordError(outcome?.problems[0] ?? `${snapshot.id} was not verified`);
    console.log(`verified   ${snapshot.id}${readData ? ' (every file decrypted and checked)' : ' (checksums)'}`);
  } finally {
    await store.close();
  }
  console.log(`pruned     ${await ripcord('prune', [...pruneArgs, '--quiet'])}`);
  if (copyTo)
    console.log(
      `copied     ${(await ripcord('copy', ['copy', snapshot.id, '--repo', repo, '--to', describeRepository(copyTo)])).split('\n').pop()}`,
    );
} catch (error) {
  exitWith(error);
}

/**
 * Run the ripcord CLI; its one-line error becomes this script's.
 * @param {string} step @param {string[]} args
 */
async function ripcord(step, args) {
  const run = await $({ nothrow: true, quiet: true })`${process.execPath} ${CLI} ${args}`;
  if (!run.ok)
    throw new RipcordError(`${step}: ${(run.stderr.trim().split('\n').pop() ?? '').replace(/^ripcord: /, '')}`, {
      exitCode: run.exitCode ?? 1,
    });
  return run.stdout.trim();
}
/** @param {string} name @param {string} [fallback] @returns {string | undefined} */
function text(name, fallback) {
  const value = argv[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' && typeof value !== 'number') throw usage(`--${name} needs one value`);
  return String(value);
}
/** @param {string} name @returns {string[]} */
function list(name) {
  const values = [argv[name] ?? []].flat();
  if (values.some((v) => typeof v === 'boolean')) throw usage(`--${name} needs a value`);
  return values
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}
/** @param {string} name */
function flag(name) {
  if (typeof argv[name] === 'string') throw usage(`--${name} takes no value (got ${argv[name]})`);
  return Boolean(argv[name]);
}
/** @param {string} message */
function usage(message) {
  return new RipcordError(message, { exitCode: ExitCode.usage });
}
/** @param {any} error anything thrown @returns {never} */
function exitWith(error) {
  const known = error instanceof RipcordError; // one line, with the library's exit code; anything else is a bug
  console.error(
    `nightly-backup: ${known ? error.message : `internal error: ${error?.message ?? error} (--debug shows the stack)`}`,
  );
  if (argv.debug) console.error(error?.stack);
  process.exit(known ? error.exitCode : 1);
}
