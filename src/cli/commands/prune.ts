import { UsageError } from '../../domain/errors.ts';
import { parseDuration } from '../../domain/duration.ts';
import type { RetentionPolicy } from '../../domain/retention.ts';
import { describePolicy, parseKeepCount } from '../../domain/retention.ts';
import { SNAPSHOT_KINDS } from '../../domain/snapshot.ts';
import { applyPrune, planPrune } from '../../ops/prune.ts';
import { lockOwner, withLock } from '../../ops/lock.ts';
import { describeOrigin } from '../../ops/origin.ts';
import type { PrunePlan, PruneResult } from '../../ops/prune.ts';
import type { Command, OptionValues } from '../command.ts';
import { flag, listOption, stringOption, TAG_OPTION } from '../command.ts';
import { SET_OPTION } from '../config-file.ts';
import type { CliContext } from '../context.ts';
import { formatBytes, formatTable, formatTime, terminalText } from '../format.ts';

const COUNT_FLAGS = [
  ['keep-last', 'last'],
  ['keep-hourly', 'hourly'],
  ['keep-daily', 'daily'],
  ['keep-weekly', 'weekly'],
  ['keep-monthly', 'monthly'],
  ['keep-yearly', 'yearly'],
] as const;

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'Remove old snapshots by keep rules, and folders of interrupted backups.',
  usage: 'ripcord prune --keep-... [options]',
  description: [
    'Snapshots are grouped by kind + tags (never by host); the keep rules apply to each group on',
    'its own, and a snapshot is kept when any rule keeps it. N is a whole number or "unlimited".',
    'At least one keep rule is required. Never removed: the newest snapshot of each group,',
    'snapshots outside --kind/--tag, and damaged snapshots (a warning names them). Unfinished',
    'folders (interrupted backups, no snapshot.json) are removed once their start and every',
    'object are more than an hour old, whatever the scope.',
    '',
    'Rules, groups, time zones and a worked example: docs/retention.md',
  ].join('\n'),
  options: {
    'keep-last': { type: 'string', value: 'N', description: 'keep the N newest snapshots of each group' },
    'keep-hourly': {
      type: 'string',
      value: 'N',
      description: 'keep the newest snapshot of each of the N most recent hours (UTC) that have one',
    },
    'keep-daily': {
      type: 'string',
      value: 'N',
      description: 'keep the newest snapshot of each of the N most recent days (UTC) that have one',
    },
    'keep-weekly': {
      type: 'string',
      value: 'N',
      description: 'keep the newest snapshot of each of the N most recent ISO weeks (UTC) that have one',
    },
    'keep-monthly': {
      type: 'string',
      value: 'N',
      description: 'keep the newest snapshot of each of the N most recent months (UTC) that have one',
    },
    'keep-yearly': {
      type: 'string',
      value: 'N',
      description: 'keep the newest snapshot of each of the N most recent years (UTC) that have one',
    },
    'keep-within': {
      type: 'string',
      value: 'DURATION',
      description:
        'keep every snapshot taken less than DURATION (30d, 12h, 1d12h; m = minutes) before the newest of its group',
    },
    'keep-tag': {
      type: 'string',
      value: 'TAG',
      multiple: true,
      description: 'keep every snapshot carrying TAG; with several, a snapshot carrying any of them is kept',
    },
    kind: {
      type: 'string',
      value: 'KIND',
      description: `prune only snapshots of this kind (${SNAPSHOT_KINDS.join(' | ')}); others are untouched`,
    },
    tag: {
      ...TAG_OPTION,
      description:
        'prune only snapshots carrying every one of these tags (comma-separated or repeated); others are untouched',
    },
    'dry-run': { type: 'boolean', short: 'n', description: 'print what would be removed and delete nothing' },
    wait: {
      type: 'string',
      value: 'DURATION',
      description:
        'when another prune holds the repository lock, wait up to DURATION for it (default: fail at once, naming the holder)',
    },
    set: {
      ...SET_OPTION,
      description: `${SET_OPTION.description}: prunes only the set's snapshots (tag set:NAME) by the set's retention`,
    },
  },
  examples: [
    'ripcord prune --keep-last 5 --keep-daily 7 --keep-weekly 8 --dry-run',
    'ripcord prune --kind pre-deploy --keep-last 10 --keep-within 30d',
    'ripcord prune --keep-monthly unlimited --keep-tag release --json',
  ],
  async run(context, values, positionals) {
    if (positionals.length > 0)
      throw new UsageError(`prune takes no arguments (got ${positionals[0]}): see ripcord prune --help`);
    const policy = policyFrom(values);
    const kind = stringOption(values, 'kind');
    if (kind !== undefined && !(SNAPSHOT_KINDS as readonly string[]).includes(kind)) {
      throw new UsageError(`--kind ${kind} is not one of ${SNAPSHOT_KINDS.join(', ')}`);
    }
    const dryRun = flag(values, 'dry-run');
    const store = await context.openRepository();
    const waitText = stringOption(values, 'wait');
    const waitMs = waitText === undefined ? 0 : parseDuration(waitText);
    const prune = async () => {
      const plan = await planPrune(store, {
        policy,
        scope: { kind, tags: listOption(values, 'tag') },
        now: context.now(),
      });
      for (const bad of plan.damaged) {
        context.stderr.write(
          `warning: snapshot ${bad.id} is damaged and was left in place: ${terminalText(bad.problem)} (run ripcord verify ${bad.id})\n`,
        );
      }
      if (!context.json && !context.quiet) printPlan(context, plan, dryRun);
      return { plan, result: dryRun ? undefined : await applyPrune(store, plan, context.reporter) };
    };
    // Two prunes must not interleave; a dry run changes nothing and takes no lock.
    const owner = lockOwner('prune', await describeOrigin(context.cwd, context.env));
    const { plan, result } = dryRun ? await prune() : await withLock(store, 'prune', owner, { waitMs }, prune);
    context.record({
      dryRun,
      snapshots: result?.removedSnapshots ?? [],
      details: {
        kept: plan.snapshots.length - (result?.removedSnapshots.length ?? 0),
        removed: result?.removedSnapshots.length ?? 0,
        bytesFreed: result?.bytesFreed ?? 0,
      },
    });
    context.reporter.finish();
    if (context.json) context.printJson(jsonReport(plan, result, dryRun));
    else context.print(summary(plan, result));
    return 0;
  },
};

function policyFrom(values: OptionValues): RetentionPolicy {
  const policy: RetentionPolicy = {};
  for (const [name, rule] of COUNT_FLAGS) {
    const text = stringOption(values, name);
    if (text !== undefined) policy[rule] = parseKeepCount(text, `--${name}`);
  }
  const within = stringOption(values, 'keep-within');
  if (within !== undefined) {
    try {
      policy.within = parseDuration(within);
    } catch (error) {
      throw new UsageError(`--keep-within: ${(error as Error).message}`);
    }
  }
  const keepTags = values['keep-tag'];
  if (keepTags !== undefined) {
    const tags = (Array.isArray(keepTags) ? keepTags : [keepTags]).map((tag) => String(tag).trim());
    const listed = tags.find((tag) => tag.includes(','));
    if (listed !== undefined) {
      // restic reads "a,b" as "both a and b"; ripcord has no tag lists, so neither guess is safe.
      throw new UsageError(
        `--keep-tag ${listed}: give one tag per flag (--keep-tag a --keep-tag b keeps snapshots with a or b)`,
      );
    }
    policy.tags = tags;
  }
  return policy;
}

function printPlan(context: CliContext, plan: PrunePlan, dryRun: boolean): void {
  const scope = [
    plan.scope.kind && `kind ${plan.scope.kind}`,
    plan.scope.tags.length > 0 && `tags ${terminalText(plan.scope.tags.join(' and '))}`,
  ]
    .filter(Boolean)
    .join(', ');
  context.print(`policy: ${describePolicy(plan.policy)} (applied to each group of kind + tags)`);
  if (scope) context.print(`scope: ${scope} (${plural(plan.outOfScope, 'snapshot')} outside it left untouched)`);
  context.print();
  if (plan.snapshots.length === 0) {
    context.print(plan.outOfScope > 0 ? 'no snapshot matches the scope' : `no snapshots in ${plan.location}`);
  } else {
    context.print(
      formatTable(
        ['ID', 'CREATED (UTC)', 'KIND', 'TAGS', 'ACTION', 'REASONS'],
        plan.snapshots.map((d) => [
          d.snapshot.id,
          formatTime(d.snapshot.created),
          d.snapshot.kind,
          d.snapshot.tags.join(','),
          d.action === 'keep' ? 'keep' : dryRun ? 'would remove' : 'remove',
          d.neededBy ? `kept because ${d.neededBy} depends on it` : d.reasons.join(', '),
        ]),
      ),
    );
  }
  if (plan.unfinished.length > 0) {
    context.print();
    context.print('Unfinished folders (interrupted backups, no snapshot.json):');
    context.print(
      formatTable(
        ['ID', 'ACTION', 'WHY'],
        plan.unfinished.map((u) => [u.id, u.action === 'keep' ? 'keep' : dryRun ? 'would remove' : 'remove', u.reason]),
      ),
    );
  }
  context.print();
}

function summary(plan: PrunePlan, result: PruneResult | undefined): string {
  const kept = plan.snapshots.filter((d) => d.action === 'keep').length;
  if (result === undefined) {
    const removed = plan.snapshots.filter((d) => d.action === 'remove');
    const unfinished = plan.unfinished.filter((u) => u.action === 'remove');
    const bytes = removed.reduce((sum, d) => sum + d.bytes, 0);
    return (
      `dry run, nothing deleted: would keep ${kept}, would remove ${plural(removed.length, 'snapshot')} ` +
      `(${formatBytes(bytes)} would be freed), would remove ${plural(unfinished.length, 'unfinished folder')}`
    );
  }
  const snapshotBytes = plan.snapshots
    .filter((d) => result.removedSnapshots.includes(d.snapshot.id))
    .reduce((sum, d) => sum + d.bytes, 0);
  const unfinishedBytes = result.bytesFreed - snapshotBytes;
  const skipped =
    result.skippedUnfinished.length > 0
      ? `; left ${plural(result.skippedUnfinished.length, 'unfinished folder')} that changed since planning`
      : '';
  return (
    `kept ${kept}, removed ${plural(result.removedSnapshots.length, 'snapshot')} (${formatBytes(snapshotBytes)} freed), ` +
    `removed ${plural(result.removedUnfinished.length, 'unfinished folder')}${unfinishedBytes > 0 ? ` (${formatBytes(unfinishedBytes)} freed)` : ''}${skipped}`
  );
}

function jsonReport(plan: PrunePlan, result: PruneResult | undefined, dryRun: boolean): unknown {
  const removed = plan.snapshots.filter((d) => d.action === 'remove');
  const unfinished = plan.unfinished.filter((u) => u.action === 'remove');
  return {
    repository: plan.location,
    dryRun,
    now: plan.now.toISOString(),
    policy: { ...plan.policy, description: describePolicy(plan.policy) },
    scope: plan.scope,
    snapshots: plan.snapshots.map((d) => ({
      id: d.snapshot.id,
      created: d.snapshot.created,
      kind: d.snapshot.kind,
      tags: d.snapshot.tags,
      host: d.snapshot.host,
      group: JSON.parse(d.group) as unknown,
      action: d.action,
      reasons: d.reasons,
      ...(d.neededBy ? { neededBy: d.neededBy } : {}),
      bytes: d.bytes,
    })),
    unfinished: plan.unfinished.map((u) => ({
      id: u.id,
      action: u.action,
      reason: u.reason,
      objects: u.objects.length,
      bytes: u.bytes,
      lastModified: u.lastModified.toISOString(),
    })),
    damaged: plan.damaged,
    outOfScope: plan.outOfScope,
    summary: result
      ? {
          kept: plan.snapshots.length - result.removedSnapshots.length,
          removed: result.removedSnapshots.length,
          removedUnfinished: result.removedUnfinished.length,
          skippedUnfinished: result.skippedUnfinished,
          bytesFreed: result.bytesFreed,
        }
      : {
          kept: plan.snapshots.length - removed.length,
          removed: removed.length,
          removedUnfinished: unfinished.length,
          skippedUnfinished: [],
          bytesFreed: removed.reduce((sum, d) => sum + d.bytes, 0) + unfinished.reduce((sum, u) => sum + u.bytes, 0),
        },
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
