import * as path from 'node:path';
import { repositorySkip } from '../../ops/backup.ts';
import { decryptionKeysFrom, preRestoreKeysFrom } from '../../ops/keys.ts';
import { describeOrigin } from '../../ops/origin.ts';
import { applyRestore, planRestore } from '../../ops/restore.ts';
import type { ActionContext } from '../context.ts';
import { actionReporter, summarize } from '../context.ts';
import { Inputs, Outputs } from '../names.ts';
import { summaryTable } from '../summary.ts';
import { capturesFromInput } from './guard.ts';

export async function runRestore({ io, inputs, log, env, cwd, store, url, note }: ActionContext): Promise<void> {
  const reference = inputs.text(Inputs.snapshot) || 'latest';
  const keys = await decryptionKeysFrom(inputs.keys());
  const target = path.resolve(cwd, inputs.text(Inputs.target) || '.');
  const result = await io.group('Restore', async () => {
    const plan = await planRestore({
      store,
      reference,
      target,
      delete: inputs.bool(Inputs.delete),
      keys,
      protect: repositorySkip(url, cwd),
      restoreCaptures: capturesFromInput(inputs, Inputs.restoreCapture),
    });
    log.info(
      `restoring ${plan.snapshot.id} into ${target}: ${plan.counts.add} to add, ${plan.counts.change} to change, ${plan.counts.remove} to remove`,
    );
    return applyRestore(plan, {
      store,
      keys,
      encryptionKeys: await preRestoreKeysFrom(inputs.keys()),
      origin: await describeOrigin(target, env),
      preRestoreCaptures: capturesFromInput(inputs, Inputs.capture),
      env,
      reporter: actionReporter(log),
    });
  });
  note?.([result.snapshot.id, ...(result.preRestoreSnapshot ? [result.preRestoreSnapshot.id] : [])]);
  io.setOutput(Outputs.restoredSnapshotId, result.snapshot.id);
  io.setOutput(Outputs.preRestoreSnapshotId, result.preRestoreSnapshot?.id ?? '');
  await summarize(
    { io, env },
    `ripcord restore: ${result.snapshot.id}`,
    summaryTable([
      ['restored', result.snapshot.id],
      ['into', target],
      ['added / changed / removed', `${result.counts.add} / ${result.counts.change} / ${result.counts.remove}`],
      [
        'pre-restore snapshot',
        result.preRestoreSnapshot
          ? `${result.preRestoreSnapshot.id} (restore it to undo)`
          : result.createdTarget
            ? 'none needed: the target did not exist (remove it to undo)'
            : 'none',
      ],
      ['duration', `${(result.durationMs / 1000).toFixed(1)} s`],
    ]),
  );
}
