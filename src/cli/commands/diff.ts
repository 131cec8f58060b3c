import { statSync } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../domain/errors.ts';
import { repositorySkip } from '../../ops/backup.ts';
import { diffSnapshots, diffWithFolder } from '../../ops/diff.ts';
import type { Command } from '../command.ts';
import { FOLDER_OPTION, stringOption } from '../command.ts';
import { terminalText } from '../format.ts';

const MARK = { added: '+', removed: '-', changed: '~' } as const;

export const diffCommand: Command = {
  name: 'diff',
  summary: 'Show added, removed and changed files between two snapshots, or a snapshot and a folder.',
  usage: 'ripcord diff [options] <id> [<id2> | --target DIR]',
  description: [
    'Two snapshots are compared from their manifests alone (only manifests are decrypted).',
    'With one snapshot, it is compared with --target (default: the working directory): "+" is',
    'in the folder but not in the snapshot, "-" in the snapshot but not in the folder. A second',
    'argument that names a folder (ripcord diff latest .) is that folder. Like backup, the',
    'comparison leaves .git and node_modules out.',
  ].join('\n'),
  options: {
    target: { ...FOLDER_OPTION, description: 'folder to compare with', default: 'the working directory' },
  },
  examples: ['ripcord diff latest', 'ripcord diff 20261121T020000.000Z-aaaa latest --json'],
  async run(context, values, positionals) {
    const [from, second] = positionals;
    if (!from) throw new UsageError('diff needs a snapshot: ripcord diff <id> [<id2> | --target DIR]');
    // `ripcord diff latest .` means the folder: a second argument that names a folder is one
    const folderArgument =
      second !== undefined && namesFolder(path.resolve(context.cwd, second), second) ? second : undefined;
    const to = folderArgument === undefined ? second : undefined;
    const targetOption = stringOption(values, 'target') ?? folderArgument;
    if (to && targetOption) throw new UsageError('give either a second snapshot or --target, not both');
    const store = await context.openRepository();
    const keys = await context.decryptionKeys();
    const result = to
      ? await diffSnapshots(store, from, to, keys)
      : await diffWithFolder(
          store,
          from,
          path.resolve(context.cwd, targetOption ?? '.'),
          keys,
          repositorySkip(context.repository, context.cwd),
        );
    if (context.json) {
      context.printJson(result);
      return 0;
    }
    for (const line of result.lines)
      context.print(
        `${MARK[line.change]} ${terminalText(line.path)}${line.what ? `  (${terminalText(line.what)})` : ''}`,
      );
    context.print(
      `${result.counts.added} added, ${result.counts.removed} removed, ${result.counts.changed} changed (${result.from} -> ${result.to})`,
    );
    return 0;
  },
};

/** A second argument is a folder when it looks like a path, or is an existing folder that is not a snapshot name. */
function namesFolder(resolved: string, argument: string): boolean {
  if (argument === '.' || argument === '..' || argument.includes('/')) return true;
  if (argument === 'latest' || /^\d{8}T/.test(argument)) return false;
  return statSync(resolved, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
