import { IntegrityError, UsageError } from '../../domain/errors.ts';
import { applyCopy, planCopy } from '../../ops/copy.ts';
import type { CopyOutcome, CopyPlan } from '../../ops/copy.ts';
import type { Command } from '../command.ts';
import { flag, stringOption } from '../command.ts';
import { createContext } from '../context.ts';
import type { CliContext } from '../context.ts';
import { formatBytes, terminalText } from '../format.ts';

export const copyCommand: Command = {
  name: 'copy',
  summary: 'Copy snapshots to another repository, checksums verified on arrival (no key needed).',
  usage: 'ripcord copy [options] <id|latest...|--all> --to REPO',
  description: [
    'Copies the encrypted objects byte for byte, from any repository to any other (local, s3://).',
    'Every object is checked against the source snapshot.json while it streams and read back from',
    'the destination before snapshot.json is written there, last, to commit the copy. A snapshot',
    'the destination already has (identical snapshot.json) is skipped; a different snapshot under',
    'the same id is never overwritten. A damaged source snapshot is reported, not copied.',
    '--to takes the same URLs as --repo (relative paths from the working directory); the --s3-*',
    'options apply to both repositories.',
  ].join('\n'),
  options: {
    to: { type: 'string', value: 'REPO', description: 'destination repository: a local path or s3://bucket/prefix' },
    all: { type: 'boolean', short: 'a', description: 'copy every snapshot of the repository' },
    'dry-run': { type: 'boolean', short: 'n', description: 'show what would be copied and write nothing' },
  },
  examples: [
    'ripcord copy latest --to s3://offsite-bucket/app',
    'ripcord copy --all --repo s3://offsite-bucket/app --to /mnt/usb/ripcord',
    'ripcord copy --all --to ../second-disk/.ripcord --dry-run',
  ],
  async run(context, values, positionals) {
    const to = stringOption(values, 'to');
    if (!to) throw new UsageError('copy needs a destination: --to REPO (a local path or s3://bucket/prefix)');
    const all = flag(values, 'all');
    if (all && positionals.length > 0) throw new UsageError('give snapshot ids or --all, not both');
    if (!all && positionals.length === 0)
      throw new UsageError('which snapshots? give ids, latest, or --all (see ripcord copy --help)');
    const dryRun = flag(values, 'dry-run');

    const source = await context.openRepository();
    // The destination opens like --repo would, with the same --s3-* options.
    const destinationContext = createContext(context, { ...values, repo: to });
    try {
      const destination = await destinationContext.openRepository();
      const plan = await planCopy({ source, destination, references: positionals, all });
      if (dryRun) {
        context.record({ dryRun: true });
        printDryRun(context, plan);
        return finish(
          plan.snapshots.flatMap((s) => (s.problem ? [s.problem] : [])),
          plan.snapshots.length,
        );
      }
      const result = await applyCopy(plan, { reporter: context.reporter });
      context.record({
        snapshots: result.snapshots.filter((o) => o.status === 'copied').map((o) => o.id),
        bytesProcessed: result.bytes,
        details: {
          to: destination.properties.location,
          copied: result.copied,
          present: result.present,
          failed: result.failed,
        },
      });
      context.reporter.finish();
      const from = source.properties.location;
      const into = destination.properties.location;
      if (context.json) {
        context.printJson({ dryRun: false, from, to: into, ...result });
      } else {
        for (const outcome of result.snapshots) context.print(describeOutcome(outcome, into));
        context.print(
          `${result.copied} copied, ${result.present} already present${result.failed ? `, ${result.failed} failed` : ''}, ${formatBytes(result.bytes)} transferred from ${from} to ${into}`,
        );
      }
      return finish(
        result.snapshots.flatMap((o) => (o.problem ? [o.problem] : [])),
        result.snapshots.length,
      );
    } finally {
      await destinationContext.close();
    }
  },
};

function describeOutcome(outcome: CopyOutcome, into: string): string {
  switch (outcome.status) {
    case 'copied':
      return `copied   ${outcome.id}  ${formatBytes(outcome.bytes)}, checksums verified on arrival`;
    case 'present':
      return `present  ${outcome.id}  already in ${into}`;
    case 'failed':
      return `FAILED   ${terminalText(outcome.problem ?? '')}`;
  }
}

function printDryRun(context: CliContext, plan: CopyPlan): void {
  const into = plan.destination.properties.location;
  const pending = plan.snapshots.filter((s) => s.decision === 'copy');
  const present = plan.snapshots.filter((s) => s.decision === 'present').length;
  const bytes = pending.reduce((sum, s) => sum + s.bytes, 0);
  if (context.json) {
    context.printJson({
      dryRun: true,
      from: plan.source.properties.location,
      to: into,
      snapshots: plan.snapshots.map((s) => ({
        id: s.id,
        decision: s.decision,
        bytes: s.bytes,
        ...(s.problem ? { problem: s.problem } : {}),
      })),
      wouldCopy: pending.length,
      present,
      bytes,
    });
    return;
  }
  for (const s of plan.snapshots) {
    if (s.decision === 'copy') context.print(`would copy  ${s.id}  ${formatBytes(s.bytes)}`);
    else if (s.decision === 'present') context.print(`present     ${s.id}  already in ${into}`);
    else context.print(`FAILED      ${terminalText(s.problem ?? '')}`);
  }
  context.print(
    `dry run: ${pending.length} would be copied (${formatBytes(bytes)}), ${present} already present; nothing was written to ${into}`,
  );
}

/** Exit 0, or one line on stderr for the failures (each was printed on stdout). */
function finish(problems: string[], total: number): number {
  if (problems.length === 1) throw new IntegrityError(problems[0]!);
  if (problems.length > 1) {
    throw new IntegrityError(
      `${problems.length} of ${total} snapshot(s) were not copied: ${problems[0]} (and ${problems.length - 1} more listed above)`,
    );
  }
  return 0;
}
