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
  openStore,
  repositorySkip,
  RipcordError,
  verifySnapshots,
} from 'ripcord-backup';
import { commandLine, usage } from 'ripcord-backup/scripts/lib/command-line.mjs';

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
  --level LEVEL          full (default), incremental, differential, or auto: an incremental
                         each night and a full one weekly (as ripcord backup --level auto);
                         prune never removes a snapshot a kept one needs
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

const { answerHelp, text, commaList, flag, directory, repository, keyInputsFrom, exitWith } = commandLine(
  'nightly-backup',
  argv,
);

answerHelp(USAGE);
$.quiet ||= !process.stderr.isTTY; // no spinner frames in cron mail or CI logs

try {
  const cwd = directory();
  const repo = describeRepository(repository(process.env));
  const paths = commaList('paths');
  const readData = flag('read-data');
  const LEVELS = /** @type {const} */ (['full', 'incremental', 'differential', 'auto']);
  const level = LEVELS.find((l) => l === (text('level') ?? 'full'));
  if (!level) throw usage(`--level ${text('level')}: give one of ${LEVELS.join(', ')}`);
  const copyTo = text('copy-to');
  const given = KEEP_FLAGS.filter((name) => argv[name] !== undefined);
  const policy = given.length ? Object.fromEntries(given.map((name) => [name, text(name)])) : DEFAULT_POLICY;
  const pruneArgs = [
    'prune',
    '--repo',
    repo,
    '--kind',
    'scheduled',
    ...commaList('tag').flatMap((t) => ['--tag', t]),
    ...Object.entries(policy).flatMap(([k, v]) => [`--${k}`, String(v)]),
  ];
  if (argv._.length) throw usage(`unexpected argument ${argv._[0]}: give paths with --paths (see --help)`);

  // Preflight: keys, and the policy through prune --dry-run (a bad --keep-* fails here).
  const keyInputs = keyInputsFrom(process.env);
  const keys = await encryptionKeysFrom(keyInputs);
  const readKeys = readData || level !== 'full' ? await decryptionKeysFrom(keyInputs) : undefined;
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
    /** @type {string | undefined} */
    let fullBecause;
    ({ snapshot, fullBecause } = await spinner('backing up', async () =>
      createBackup({
        store,
        cwd,
        keys,
        paths: paths.length ? paths : ['.'],
        exclude: [...commaList('exclude'), ...(paths.length ? [] : DEFAULT_EXCLUDES)],
        skip: repositorySkip(repo, process.cwd()),
        kind: 'scheduled',
        tags: commaList('tag'),
        level,
        ...(readKeys ? { parentKeys: async () => readKeys } : {}),
        origin: await describeOrigin(cwd, process.env),
        reporter: { emit: (e) => e.type === 'warning' && console.error(chalk.yellow(`warning: ${e.message}`)) },
      }),
    ));
    console.log(
      `backed up  ${snapshot.id}${snapshot.level ? ` (${snapshot.level} on ${snapshot.parent})` : fullBecause ? ` (full: ${fullBecause})` : ''}: ${snapshot.files} files, ${snapshot.archiveBytes} bytes stored`,
    );
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
