import { parseDuration } from '../../domain/duration.ts';
import { formatAge } from '../../domain/wording.ts';
import { checkFreshness } from '../../ops/check.ts';
import type { ActionContext } from '../context.ts';
import { outputSnapshot } from '../context.ts';
import { Inputs } from '../names.ts';

export async function runCheck({ io, inputs, log, store }: ActionContext): Promise<void> {
  const result = await checkFreshness({
    store,
    maxAgeMs: parseDuration(inputs.text(Inputs.maxAge) || '26h'),
    filter: { kind: inputs.text(Inputs.kind) || undefined, tags: inputs.list(Inputs.tags) },
  });
  outputSnapshot(io, result.snapshot);
  log.info(`ok: newest snapshot ${result.snapshot.id} is ${formatAge(result.ageMs)} old and verifies`);
}
