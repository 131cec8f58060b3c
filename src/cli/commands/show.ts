import { readStoredBytes, resolveSnapshot, storedBytes } from '../../ops/repository.ts';
import type { Command } from '../command.ts';
import { formatBytes, formatCount, formatDuration, formatTime, terminalText } from '../format.ts';

export const showCommand: Command = {
  name: 'show',
  summary: "Show a snapshot's metadata (no key needed).",
  usage: 'ripcord show [options] <id|latest>',
  description:
    'Values read from the repository (tags, host, user, git and CI fields) are untrusted text: control characters in them are shown escaped (\\n, \\x1b, \\u{202e}), so each value stays on its line.',
  options: {},
  examples: ['ripcord show latest', 'ripcord show 20261122T143022.123Z-7f3a --json'],
  async run(context, _values, positionals) {
    const store = await context.openRepository();
    const snapshot = await resolveSnapshot(store, positionals[0] ?? 'latest');
    if (context.json) {
      context.printJson(snapshot);
      return 0;
    }
    const rows: [string, string | undefined][] = [
      ['id', snapshot.id],
      ['created', formatTime(snapshot.created)],
      ['kind', snapshot.kind],
      ['tags', snapshot.tags.join(', ') || '-'],
      ['host', snapshot.host],
      ['user', snapshot.user],
      [
        'git',
        snapshot.git
          ? `${snapshot.git.commit}${snapshot.git.branch ? ` (${snapshot.git.branch})` : ''}${snapshot.git.remote ? ` ${snapshot.git.remote}` : ''}`
          : undefined,
      ],
      ['ci run', snapshot.ci ? (snapshot.ci.runUrl ?? snapshot.ci.runId ?? 'github-actions') : undefined],
      ['restored from', snapshot.restoredFrom],
      ['level', snapshot.level ?? 'full'],
      ['parent', snapshot.parent],
      ['chain base', snapshot.base],
      ['files', formatCount(snapshot.files)],
      ['input', formatBytes(snapshot.inputBytes)],
      [
        'stored',
        formatBytes(store.properties.listable ? await readStoredBytes(store, snapshot) : storedBytes(snapshot)),
      ],
      ['duration', formatDuration(snapshot.durationMs)],
      [
        'encryption',
        `${snapshot.encryption.mode} (OpenPGP ${snapshot.encryption.profile})${snapshot.encryption.recipients.length ? `, recipients ${snapshot.encryption.recipients.join(', ')}` : ''}`,
      ],
      ['archive sha256', snapshot.objects['archive.tar.gz.pgp'].sha256],
      ['manifest sha256', snapshot.objects['manifest.json.pgp'].sha256],
      ['ripcord', snapshot.tool.version],
    ];
    for (const [label, value] of rows)
      if (value !== undefined) context.print(`${`${label}:`.padEnd(17)}${terminalText(value)}`);
    return 0;
  },
};
