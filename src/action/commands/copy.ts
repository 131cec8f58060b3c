import { RipcordError } from '../../domain/errors.ts';
import { applyCopy, planCopy } from '../../ops/copy.ts';
import type { ActionContext } from '../context.ts';
import { actionReporter, openRepository, summarize } from '../context.ts';
import { Inputs } from '../names.ts';
import { summaryTable } from '../summary.ts';

export async function runCopy({ io, inputs, log, env, store, note }: ActionContext): Promise<void> {
  const destination = await openRepository(inputs, inputs.required(Inputs.to, 'copy'), env);
  try {
    const reference = inputs.text(Inputs.snapshot) || 'all';
    const plan = await planCopy({
      source: store,
      destination,
      references: reference === 'all' ? [] : [reference],
      all: reference === 'all',
    });
    const result = await io.group('Copy', () => applyCopy(plan, { reporter: actionReporter(log) }));
    note?.(result.snapshots.filter((s) => s.status === 'copied').map((s) => s.id));
    log.info(`${result.copied} copied, ${result.present} already present, ${result.bytes} bytes transferred`);
    await summarize(
      { io, env },
      'ripcord copy',
      summaryTable(result.snapshots.map((s) => [s.id, s.status + (s.problem ? `: ${s.problem}` : '')])),
    );
    if (result.failed > 0)
      throw new RipcordError(
        `${result.failed} snapshot(s) failed to copy: ${result.snapshots.find((s) => s.problem)?.problem ?? ''}`,
      );
  } finally {
    await destination.close();
  }
}
