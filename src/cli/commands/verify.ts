import { IntegrityError } from '../../domain/errors.ts';
import { verifySnapshots } from '../../ops/verify.ts';
import type { Command } from '../command.ts';
import { flag } from '../command.ts';
import { terminalText } from '../format.ts';

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Check that stored snapshots are intact.',
  usage: 'ripcord verify [options] [<id|latest>...|--all]',
  description: [
    'Without a key: checks snapshot.json, SHA256SUMS and the SHA-256 of every stored byte.',
    'With --read-data (needs a key): also decrypts, authenticates and decompresses the archive',
    'and checks every file against the manifest.',
  ].join('\n'),
  options: {
    all: { type: 'boolean', short: 'a', description: 'verify every snapshot in the repository' },
    'read-data': { type: 'boolean', description: 'decrypt and check every file against the manifest' },
  },
  examples: ['ripcord verify latest', 'ripcord verify --all --read-data'],
  async run(context, values, positionals) {
    const readData = flag(values, 'read-data');
    const store = await context.openRepository();
    const outcomes = await verifySnapshots({
      store,
      references: positionals,
      all: flag(values, 'all'),
      readData,
      ...(readData ? { keys: await context.decryptionKeys() } : {}),
      reporter: context.reporter,
    });
    context.reporter.finish();
    const failed = outcomes.filter((o) => !o.ok);
    context.record({ snapshots: outcomes.map((o) => o.id), details: { verified: outcomes.length, failed: failed.length, readData } });
    if (context.json) {
      context.printJson(outcomes);
    } else {
      for (const outcome of outcomes) {
        if (outcome.ok) context.print(`ok      ${outcome.id}${outcome.readData ? ' (data read and checked)' : ''}`);
        else for (const problem of outcome.problems) context.print(`FAILED  ${terminalText(problem)}`);
      }
    }
    const problems = failed.flatMap((o) => o.problems);
    if (problems.length === 1) throw new IntegrityError(problems[0]!);
    if (problems.length > 1) {
      throw new IntegrityError(`${failed.length} of ${outcomes.length} snapshot(s) failed verification: ${problems[0]} (and ${problems.length - 1} more problem(s) listed above)`);
    }
    return 0;
  },
};
