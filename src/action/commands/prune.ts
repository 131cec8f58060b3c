import { parseDuration } from '../../domain/duration.ts';
import { countOf } from '../../domain/wording.ts';
import { lockOwner, withLock } from '../../ops/lock.ts';
import { describeOrigin } from '../../ops/origin.ts';
import { applyPrune, planPrune } from '../../ops/prune.ts';
import type { ActionContext } from '../context.ts';
import { actionReporter, summarize } from '../context.ts';
import { Inputs } from '../names.ts';
import { summaryTable } from '../summary.ts';

export async function runPrune({ io, inputs, log, env, store, note }: ActionContext): Promise<void> {
  const within = inputs.text(Inputs.keepWithin);
  const policy = {
    last: inputs.count(Inputs.keepLast),
    hourly: inputs.count(Inputs.keepHourly),
    daily: inputs.count(Inputs.keepDaily),
    weekly: inputs.count(Inputs.keepWeekly),
    monthly: inputs.count(Inputs.keepMonthly),
    yearly: inputs.count(Inputs.keepYearly),
    within: within ? parseDuration(within) : undefined,
  };
  const owner = lockOwner('prune', await describeOrigin(process.cwd(), env));
  const { plan, result } = await withLock(store, 'prune', owner, { waitMs: 10 * 60_000 }, async () => {
    const plan = await planPrune(store, {
      policy: Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== undefined)),
      scope: { kind: inputs.text(Inputs.kind) || undefined, tags: inputs.list(Inputs.tags) },
      now: new Date(),
    });
    return { plan, result: await io.group('Prune', () => applyPrune(store, plan, actionReporter(log))) };
  });
  note?.(result.removedSnapshots);
  log.info(
    `removed ${countOf(result.removedSnapshots.length, 'snapshot')} and ${countOf(result.removedUnfinished.length, 'unfinished folder')}, ${countOf(result.bytesFreed, 'byte')} freed`,
  );
  await summarize(
    { io, env },
    'ripcord prune',
    summaryTable(
      plan.snapshots.map((d) => [d.snapshot.id, d.action === 'keep' ? `kept (${d.reasons.join(', ')})` : 'removed']),
    ),
  );
}
