import { listSnapshots, matchesFilter, storedBytes } from '../../ops/repository.ts';
import type { Command } from '../command.ts';
import { listOption, stringOption, TAG_OPTION } from '../command.ts';
import { SET_OPTION } from '../config-file.ts';
import { formatBytes, formatCount, formatTable, formatTime, terminalText } from '../format.ts';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { NotFoundError } from '../../domain/errors.ts';
import { countOf } from '../../domain/wording.ts';

export const listCommand: Command = {
  name: 'list',
  summary: 'List snapshots, newest first.',
  usage: 'ripcord list [options]',
  description: [
    'LEVEL is full, incremental or differential (see backup --level); an incremental or differential',
    'snapshot needs the earlier snapshots of its chain, which show names.',
    'SIZE is the file content backed up (for an incremental or differential, the whole tree it restores);',
    'STORED is what the snapshot takes up in the repository (every object in its folder): the figure',
    'backup and show print, and what prune frees when it removes it.',
    'Unfinished snapshots (interrupted backups, no snapshot.json) are never listed; a count of them is printed.',
    'Values read from the repository (tags above all) are untrusted text: control characters in them are shown escaped (\\n, \\x1b, \\u{202e}), so each value stays on its line.',
  ].join('\n'),
  options: {
    kind: { type: 'string', value: 'KIND', description: 'only snapshots of this kind' },
    tag: { ...TAG_OPTION, description: 'only snapshots carrying every one of these tags' },
    set: { ...SET_OPTION, description: `${SET_OPTION.description}: lists only the set's snapshots (tag set:NAME)` },
  },
  examples: ['ripcord list', 'ripcord list --kind pre-deploy --json'],
  async run(context, values) {
    const store = await context.openRepository();
    const listing = await listSnapshots(store);
    const snapshots = listing.snapshots.filter((s) =>
      matchesFilter(s, { kind: stringOption(values, 'kind'), tags: listOption(values, 'tag') }),
    );
    for (const bad of listing.damaged)
      context.stderr.write(
        `warning: snapshot ${bad.id} is not listed: ${terminalText(bad.problem)} (run ripcord verify ${bad.id})\n`,
      );
    if (listing.unfinished.length > 0) {
      context.stderr.write(
        `note: ${countOf(listing.unfinished.length, 'unfinished snapshot folder')} (interrupted backups) ${listing.unfinished.length === 1 ? 'is' : 'are'} not listed; ripcord prune removes ${listing.unfinished.length === 1 ? 'it' : 'them'} once ${listing.unfinished.length === 1 ? 'it is' : 'they are'} an hour old\n`,
      );
    }
    if (context.json) {
      context.printJson(snapshots);
    } else if (snapshots.length === 0) {
      // a mistyped --repo must not read as an empty repository
      const local = !/^[a-z][a-z0-9+.-]*:\/\//i.test(context.repository)
        ? path.resolve(context.cwd, context.repository)
        : undefined;
      if (local !== undefined && !existsSync(local)) {
        throw new NotFoundError(
          `${terminalText(local)}: no repository there (no such folder): check --repo or RIPCORD_REPO; the first backup creates it`,
        );
      }
      context.print(`no snapshots in ${store.properties.location}`);
    } else {
      context.print(
        formatTable(
          ['ID', 'CREATED (UTC)', 'KIND', 'LEVEL', 'FILES', 'SIZE', 'STORED', 'TAGS'],
          snapshots.map((s) => [
            s.id,
            formatTime(s.created),
            s.kind,
            s.level ?? 'full',
            formatCount(s.files),
            formatBytes(s.inputBytes),
            formatBytes(storedBytes(s, listing.folders.get(s.id))),
            s.tags.join(','),
          ]),
          [4, 5, 6],
        ),
      );
    }
    return 0;
  },
};
