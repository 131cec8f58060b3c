import { countOf } from '../../domain/wording.ts';
import { listSnapshots, matchesFilter } from '../../ops/repository.ts';
import type { ActionContext } from '../context.ts';
import { outputSnapshot, summarize } from '../context.ts';
import { Inputs } from '../names.ts';
import { summaryTable } from '../summary.ts';

export async function runList({ io, inputs, log, env, store }: ActionContext): Promise<void> {
  const { snapshots, damaged } = await listSnapshots(store);
  for (const bad of damaged)
    log.warning(`snapshot ${bad.id} is not listed: ${bad.problem} (run ripcord verify ${bad.id})`);
  const shown = snapshots.filter((s) =>
    matchesFilter(s, { kind: inputs.text(Inputs.kind) || undefined, tags: inputs.list(Inputs.tags) }),
  );
  for (const s of shown)
    log.info(`${s.id}  ${s.kind}  ${countOf(s.files, 'file')}  ${countOf(s.inputBytes, 'byte')}  ${s.tags.join(',')}`);
  if (shown[0]) outputSnapshot(io, shown[0]);
  await summarize(
    { io, env },
    `ripcord list: ${countOf(shown.length, 'snapshot')}`,
    summaryTable(
      shown
        .slice(0, 50)
        .map((s) => [
          s.id,
          `${s.kind}, ${countOf(s.files, 'file')}, ${countOf(s.archiveBytes, 'byte')} stored${s.tags.length ? `, tags ${s.tags.join(',')}` : ''}`,
        ]),
    ),
  );
}
