import { RipcordError } from '../../domain/errors.ts';
import { decryptionKeysFrom } from '../../ops/keys.ts';
import { verifySnapshots } from '../../ops/verify.ts';
import type { ActionContext } from '../context.ts';
import { actionReporter, summarize } from '../context.ts';
import { Inputs, Outputs } from '../names.ts';
import { summaryTable } from '../summary.ts';

export async function runVerify({ io, inputs, log, env, store }: ActionContext): Promise<void> {
  const readData = inputs.bool(Inputs.readData);
  const reference = inputs.text(Inputs.snapshot);
  const outcomes = await io.group('Verify', async () =>
    verifySnapshots({
      store,
      references: reference && reference !== 'all' ? [reference] : [],
      all: reference === 'all',
      readData,
      ...(readData ? { keys: await decryptionKeysFrom(inputs.keys()) } : {}),
      reporter: actionReporter(log),
    }),
  );
  const verdicts = { ok: 'ok', failed: 'FAILED', 'cannot-decrypt': 'cannot decrypt' } as const;
  for (const outcome of outcomes)
    log.info(
      `${verdicts[outcome.verdict]} ${outcome.id}${outcome.problems.length ? `: ${outcome.problems.join('; ')}` : ''}`,
    );
  const first = outcomes[0];
  if (first) io.setOutput(Outputs.snapshotId, first.id);
  await summarize(
    { io, env },
    'ripcord verify',
    summaryTable(
      outcomes.map((o) => [
        o.id,
        o.ok ? `ok${o.readData ? ' (data read)' : ''}` : `${verdicts[o.verdict]}: ${o.problems.join('; ')}`,
      ]),
    ),
  );
  const failed = outcomes.flatMap((o) => o.problems);
  if (failed.length)
    throw new RipcordError(failed.length === 1 ? failed[0]! : `${failed[0]} (and ${failed.length - 1} more problems)`);
}
