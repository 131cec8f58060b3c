import { IntegrityError, KeyError } from '../../domain/errors.ts';
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
    '',
    'Prints one verdict per snapshot: ok, FAILED (damaged or altered), or cannot decrypt (intact, but the',
    'keys given do not open it). Every snapshot is checked; the exit status is 1 if any is not ok.',
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
    context.record({
      snapshots: outcomes.map((o) => o.id),
      details: { verified: outcomes.length, failed: failed.length, readData },
    });
    if (context.json) {
      context.printJson(outcomes);
    } else {
      for (const outcome of outcomes) {
        if (outcome.ok) context.print(`ok      ${outcome.id}${outcome.readData ? ' (data read and checked)' : ''}`);
        else if (outcome.verdict === 'cannot-decrypt')
          context.print(`cannot decrypt  ${terminalText(outcome.problems[0] ?? '')}`);
        else for (const problem of outcome.problems) context.print(`FAILED  ${terminalText(problem)}`);
      }
    }
    const problems = failed.flatMap((o) => o.problems);
    if (problems.length === 1)
      throw failed[0]!.verdict === 'cannot-decrypt' ? new KeyError(problems[0]!) : new IntegrityError(problems[0]!);
    if (problems.length > 1) {
      const undecryptable = failed.filter((o) => o.verdict === 'cannot-decrypt').length;
      const counts = [
        failed.length - undecryptable && `${failed.length - undecryptable} failed`,
        undecryptable && `${undecryptable} cannot be decrypted with the keys given`,
      ]
        .filter(Boolean)
        .join(', ');
      throw new IntegrityError(
        `${failed.length} of ${outcomes.length} snapshot(s) did not verify (${counts}): ${problems[0]} (and ${problems.length - 1} more problem(s) listed above)`,
      );
    }
    return 0;
  },
};
