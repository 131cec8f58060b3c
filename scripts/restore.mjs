#!/usr/bin/env node
// @ts-check
// Pick a snapshot, see how it differs from the folder now, confirm, restore (a pre-restore
// snapshot is taken first), and get the command that undoes it.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { argv, chalk, question, quote } from 'zx';
import {
  applyRestore,
  decryptionKeysFrom,
  describeOrigin,
  describeRepository,
  diffWithFolder,
  listSnapshots,
  openStore,
  planRestore,
  preRestoreKeysFrom,
  repositorySkip,
  RipcordError,
} from 'ripcord-backup';
import { commandLine, usage } from 'ripcord-backup/scripts/lib/command-line.mjs';

const CHOICES = 20; // snapshots offered on a terminal, newest first
const MARK = { removed: chalk.red('-'), added: chalk.green('+'), changed: chalk.yellow('~') };

const USAGE = `Usage: ripcord-restore [--snapshot ID|latest] [options]    (in a clone: npx zx scripts/restore.mjs ...)

Without --snapshot, offers the newest snapshots to choose from (on a terminal only).
Shows how the snapshot differs from the target, asks, then restores; the pre-restore
snapshot it takes first is printed with the command that undoes the restore.

Options:
  --snapshot ID|latest   the snapshot to restore (an id, a unique id prefix, or latest)
  --target DIR           folder to restore into (default: the working directory)
  --include GLOB         restore only matching paths (repeatable)
  --exclude GLOB         leave matching paths alone (repeatable)
  --delete               also remove files the snapshot does not have
  --repo URL             repository (default: $RIPCORD_REPO, else ./.ripcord)
  --passphrase-file FILE read the passphrase from FILE instead of $RIPCORD_PASSPHRASE
  --yes                  restore without asking (needed without a terminal)
  --dry-run              show the differences and the plan, change nothing
  --debug                print stack traces on failure
  --help                 show this help

Keys: RIPCORD_PASSPHRASE, or RIPCORD_IDENTITY (its public half encrypts the pre-restore snapshot).
`;

const { answerHelp, text, list, flag, repository, keyInputsFrom, exitWith } = commandLine('restore', argv);

answerHelp(USAGE);

try {
  const target = path.resolve(text('target') ?? '.');
  const repo = repository(process.env);
  const interactive = process.stdin.isTTY && process.env.CI !== 'true';
  const protect = repositorySkip(repo, process.cwd());
  let reference = text('snapshot');
  if (argv._.length) throw usage(`unexpected argument ${argv._[0]}: name the snapshot with --snapshot`);
  if (!reference && !interactive)
    throw usage('which snapshot? give --snapshot ID or --snapshot latest (there is no terminal to choose on)');

  // Preflight: both keys before anything is read.
  const keyInputs = keyInputsFrom(process.env);
  const keys = await decryptionKeysFrom(keyInputs);
  const preRestoreKeys = await preRestoreKeysFrom(keyInputs);
  const store = await openStore(describeRepository(repo));
  try {
    if (!reference) {
      const shown = (await listSnapshots(store)).snapshots.slice(0, CHOICES);
      if (!shown.length) throw new RipcordError(`no snapshots in ${store.properties.location}`);
      for (const [i, s] of shown.entries())
        console.log(
          `${String(i + 1).padStart(3)}  ${s.id}  ${s.kind.padEnd(11)} ${s.files} files  ${s.tags.join(',')}`,
        );
      const answer =
        (
          await question(`Restore which snapshot? [1-${shown.length}, Enter: 1] `, { choices: shown.map((s) => s.id) })
        ).trim() || '1';
      reference = shown[Number(answer) - 1]?.id ?? answer;
    }

    // The differences, then the plan.
    const diff = await diffWithFolder(store, reference, target, keys, protect);
    console.log(
      `snapshot ${diff.from} against ${target} now:  - only in the snapshot, + only in the folder, ~ changed`,
    );
    for (const line of diff.lines)
      console.log(`  ${MARK[line.change]} ${line.path}${line.what ? chalk.dim(`  (${line.what})`) : ''}`);
    const plan = await planRestore({
      store,
      target,
      keys,
      protect,
      reference: diff.from,
      include: list('include'),
      exclude: list('exclude'),
      delete: flag('delete'),
    });
    const { add, change, remove } = plan.counts;
    if (add + change + remove === 0) {
      console.log('nothing to do: the target already matches the snapshot');
      process.exit(0);
    }
    console.log(
      `restore will add ${add}, change ${change} and remove ${remove} entries${diff.counts.added && !plan.deleteExtras ? ' (files only in the folder are kept; --delete removes them)' : ''}`,
    );
    if (flag('dry-run')) process.exit(0);
    if (!flag('yes')) {
      if (!interactive) throw usage(`no terminal to confirm on: add --yes to restore ${diff.from} into ${target}`);
      if (!/^y(es)?$/i.test((await question(`Restore ${diff.from} into ${target}? [y/N] `)).trim())) process.exit(1);
    }

    const result = await applyRestore(plan, {
      store,
      keys,
      encryptionKeys: preRestoreKeys,
      origin: await describeOrigin(target, process.env),
      env: process.env,
      reporter: { emit: (e) => e.type === 'warning' && console.error(chalk.yellow(`warning: ${e.message}`)) },
    });
    console.log(chalk.green(`restored ${diff.from} into ${target}`));
    const script = fileURLToPath(import.meta.url);
    const self = path.relative(process.cwd(), script).startsWith('..') ? script : path.relative(process.cwd(), script);
    if (result.preRestoreSnapshot) {
      const undo = result.preRestoreSnapshot.id;
      console.log(
        `to undo: node ${quote(self)} --repo ${quote(describeRepository(repo))} --snapshot ${undo} --target ${quote(target)} --yes`,
      );
    } else {
      console.log(
        `${target} did not exist before, so no pre-restore snapshot was needed; to undo: rm -r ${quote(target)}`,
      );
    }
  } finally {
    await store.close();
  }
} catch (error) {
  exitWith(error);
}
