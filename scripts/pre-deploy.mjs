#!/usr/bin/env node
// @ts-check
// Snapshot what a deploy is about to change (configs, scripts, deploy state), verify the
// snapshot, and print its id on stdout:  ID=$(ripcord-pre-deploy)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { $, argv, chalk, spinner } from 'zx';
import {
  createBackup,
  decryptionKeysFrom,
  describeOrigin,
  describeRepository,
  encryptionKeysFrom,
  openStore,
  parseCaptureSpec,
  repositorySkip,
  RipcordError,
  verifySnapshots,
} from 'ripcord-backup';
import { commandLine, usage } from 'ripcord-backup/scripts/lib/command-line.mjs';

// Taken when --paths is not given: those of these that exist.
const DEFAULT_PATHS = ['config', 'scripts', 'deploy', 'state', '.env'];

const USAGE = `Usage: ripcord-pre-deploy [options]    (in a clone: npx zx scripts/pre-deploy.mjs ...)

Takes a pre-deploy snapshot, verifies it, prints its id on stdout (everything else on stderr).

Options:
  --paths P1,P2          what to snapshot (default: those of ${DEFAULT_PATHS.join(', ')} that exist)
  --directory DIR, -C    paths are relative to DIR (default: the working directory)
  --exclude GLOB         leave matching paths out (repeatable)
  --tag TAG              label the snapshot (repeatable)
  --capture NAME='CMD'   also store the stdout of CMD as .ripcord-captured/NAME (repeatable)
  --read-data            verify by decrypting and checking every file (default: checksums only)
  --repo URL             repository (default: $RIPCORD_REPO, else ./.ripcord)
  --passphrase-file FILE read the passphrase from FILE instead of $RIPCORD_PASSPHRASE
  --dry-run              show what would be snapshotted and write nothing
  --debug                print stack traces on failure
  --help                 show this help

Keys as for ripcord backup: RIPCORD_PASSPHRASE or RIPCORD_RECIPIENTS (--read-data: RIPCORD_IDENTITY).
`;

const { answerHelp, list, commaList, flag, directory, repository, keyInputsFrom, exitWith } = commandLine(
  'pre-deploy',
  argv,
);

$.quiet ||= !process.stderr.isTTY; // no spinner frames in cron mail or CI logs
answerHelp(USAGE);

try {
  const cwd = directory();
  const repo = repository(process.env);
  const named = commaList('paths');
  const paths = named.length ? named : DEFAULT_PATHS.filter((p) => fs.existsSync(path.join(cwd, p)));
  const readData = flag('read-data');
  if (argv._.length) throw usage(`unexpected argument ${argv._[0]}: give paths with --paths (see --help)`);
  if (paths.length === 0)
    throw usage(`none of ${DEFAULT_PATHS.join(', ')} exists in ${cwd}: say what to snapshot with --paths`);

  // Preflight: keys and captures are checked before anything is written.
  const keyInputs = keyInputsFrom(process.env);
  const keys = await encryptionKeysFrom(keyInputs);
  const readKeys = readData ? await decryptionKeysFrom(keyInputs) : undefined;
  const captures = list('capture').map((spec) => parseCaptureSpec(spec, '--capture'));

  console.error(`pre-deploy snapshot of ${chalk.bold(paths.join(', '))} in ${cwd}`);
  console.error(
    `  into ${describeRepository(repo)}, then verify${readData ? ' --read-data' : ''}${flag('dry-run') ? chalk.yellow('  (dry run: nothing is written)') : ''}`,
  );
  if (flag('dry-run')) process.exit(0);

  const origin = await describeOrigin(cwd, process.env);
  const store = await openStore(describeRepository(repo));
  try {
    const { snapshot } = await spinner('taking the snapshot', () =>
      createBackup({
        store,
        paths,
        cwd,
        keys,
        captures,
        origin,
        exclude: commaList('exclude'),
        skip: repositorySkip(repo, process.cwd()),
        kind: 'pre-deploy',
        tags: commaList('tag'),
        env: process.env,
        reporter: { emit: (e) => e.type === 'warning' && console.error(chalk.yellow(`warning: ${e.message}`)) },
      }),
    );
    console.error(`  snapshot ${snapshot.id}: ${snapshot.files} files, ${snapshot.archiveBytes} bytes stored`);
    const [outcome] = await spinner('verifying', () =>
      verifySnapshots({ store, references: [snapshot.id], readData, keys: readKeys }),
    );
    if (!outcome?.ok) throw new RipcordError(outcome?.problems[0] ?? `${snapshot.id} was not verified`);
    console.error(`  ${chalk.green('verified')}${readData ? ' (every file decrypted and checked)' : ' (checksums)'}`);
    console.log(snapshot.id);
  } finally {
    await store.close();
  }
} catch (error) {
  exitWith(error);
}
