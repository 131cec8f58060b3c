import { UsageError } from '../../domain/errors.ts';
import { summarizeSnapshot } from '../../domain/run-record.ts';
import { mergeSnapshot } from '../../ops/merge.ts';
import { describeOrigin } from '../../ops/origin.ts';
import { readStoredBytes, storedBytes } from '../../ops/repository.ts';
import type { Command } from '../command.ts';
import { formatBytes, formatCount } from '../format.ts';

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'Write a full snapshot equal to an incremental or differential one, from the repository alone.',
  usage: 'ripcord merge [options] <id|latest>',
  description: [
    "The snapshot's chain is restored into a private scratch folder under $TMPDIR (it needs room for the",
    'tree), captured state included, and written back as a full snapshot of the same paths, kind and tags,',
    'dated 1 ms after the snapshot it holds the state of. Nothing outside the repository is read. Once',
    'merged, the old links can go: prune keeps them only while a kept snapshot still needs them.',
    'Needs the key that decrypts the repository and the one that encrypts it (the same passphrase, or',
    'RIPCORD_IDENTITY and RIPCORD_RECIPIENTS). Prints the new snapshot id (only the id with --quiet).',
  ].join('\n'),
  options: {},
  examples: ['ripcord merge latest', 'ripcord merge 20261122T143022.123Z-7f3a && ripcord prune --keep-last 1'],
  async run(context, _values, positionals) {
    const [reference, extra] = positionals;
    if (!reference) throw new UsageError('merge needs a snapshot: ripcord merge latest (see ripcord list)');
    if (extra !== undefined) throw new UsageError(`merge takes one snapshot, not also ${extra}`);
    const keys = await context.decryptionKeys();
    const encryptionKeys = await context.encryptionKeys();
    const store = await context.openRepository();
    const { from, snapshot } = await mergeSnapshot({
      store,
      reference,
      keys,
      encryptionKeys,
      origin: await describeOrigin(context.cwd, context.env),
      reporter: context.reporter,
    });
    context.record({ snapshots: [snapshot.id], snapshot: summarizeSnapshot(snapshot) });
    context.reporter.finish();
    if (context.json) context.printJson({ mergedFrom: from.id, snapshot });
    else if (context.quiet) context.print(snapshot.id);
    else {
      context.print(`snapshot ${snapshot.id} saved: a full snapshot of the state of ${from.level} ${from.id}`);
      // stored as backup counts it: every object in the snapshot's folder, manifest included
      const stored = store.properties.listable ? await readStoredBytes(store, snapshot) : storedBytes(snapshot);
      context.print(
        `  ${formatCount(snapshot.files)} ${snapshot.files === 1 ? 'file' : 'files'}, ${formatBytes(snapshot.inputBytes)}, ${formatBytes(stored)} stored`,
      );
      context.print(
        `  ${from.id} and the links before it are needed by nothing new: prune removes what its rules do not keep`,
      );
    }
    return 0;
  },
};
