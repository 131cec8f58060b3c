import { isChainRecordOf } from '../../ops/incremental.ts';
import { resolveSnapshot } from '../../ops/repository.ts';
import { withManifest } from '../../ops/read-snapshot.ts';
import type { Command } from '../command.ts';
import { jsonText } from '../context.ts';
import { formatBytes, terminalText } from '../format.ts';

export const lsCommand: Command = {
  name: 'ls',
  summary: 'List the files in a snapshot (decrypts only the manifest).',
  usage: 'ripcord ls [options] <id|latest>',
  description:
    'Needs RIPCORD_PASSPHRASE or RIPCORD_IDENTITY. The manifest is authenticated before anything is printed.',
  options: {},
  examples: ['ripcord ls latest', 'ripcord ls latest --json | jq -r .path'],
  async run(context, _values, positionals) {
    const store = await context.openRepository();
    const snapshot = await resolveSnapshot(store, positionals[0] ?? 'latest');
    const keys = await context.decryptionKeys();
    await withManifest(store, snapshot, keys, async (manifest) => {
      for await (const entry of manifest.entries) {
        if (isChainRecordOf(snapshot, entry.path)) continue;
        if (context.json) {
          context.stdout.write(`${jsonText(entry)}\n`);
        } else {
          const size = entry.type === 'file' ? formatBytes(entry.size ?? 0) : '';
          const name =
            entry.type === 'directory'
              ? `${entry.path}/`
              : entry.type === 'symlink'
                ? `${entry.path} -> ${entry.target}`
                : entry.path;
          context.print(
            `${terminalText(String(entry.mode))}  ${new Date(entry.mtime * 1000).toISOString().slice(0, 19).replace('T', ' ')}  ${size.padStart(9)}  ${terminalText(name)}`,
          );
        }
      }
    });
    return 0;
  },
};
