/** What an Action command needs: the runtime, the inputs, the log, the repository, and how it reports. */
import type { Reporter } from '../domain/events.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import { openStore } from '../storage/open-store.ts';
import type { Store } from '../storage/store.ts';
import type { ActionIo } from './action-io.ts';
import type { ActionInputs } from './inputs.ts';
import type { ActionLog } from './log.ts';
import { Inputs, Outputs } from './names.ts';
import type { SummaryRow } from './summary.ts';
import { writeSummary } from './summary.ts';

export interface ActionContext {
  io: ActionIo;
  inputs: ActionInputs;
  log: ActionLog;
  env: NodeJS.ProcessEnv;
  cwd: string;
  store: Store;
  /** the repository, as resolved from the inputs */
  url: string;
  /** snapshots the operation made, restored, copied or removed, for the audit record */
  note?(snapshots: readonly string[], rolledBack?: boolean): void;
}

/** Progress as log lines; phases as plain lines, warnings as annotations. */
export function actionReporter(log: ActionLog): Reporter {
  let lastProgress = Date.now();
  return {
    wantsTotals: true,
    emit(event) {
      if (event.type === 'warning') log.warning(event.message);
      else if (event.type === 'phase' || event.type === 'info') log.info(event.message);
      else if (Date.now() - lastProgress >= 10_000) {
        lastProgress = Date.now();
        const total = event.total ? ` of ${event.total.files} files, ${event.total.bytes} bytes` : '';
        log.info(`${event.phase}: ${event.done.files} files, ${event.done.bytes} bytes${total}`);
      }
    },
  };
}

/** The repository at `url`, with the s3-endpoint input for s3:// ones. */
export async function openRepository(inputs: ActionInputs, url: string, env: NodeJS.ProcessEnv): Promise<Store> {
  const endpoint = inputs.text(Inputs.s3Endpoint);
  return openStore(url, { s3: endpoint ? { endpoint } : {}, env });
}

export function outputSnapshot(io: ActionIo, snapshot: SnapshotMetadata): void {
  io.setOutput(Outputs.snapshotId, snapshot.id);
  io.setOutput(Outputs.archiveSha256, snapshot.objects['archive.tar.gz.pgp'].sha256);
  io.setOutput(Outputs.archiveBytes, String(snapshot.archiveBytes));
  io.setOutput(Outputs.fileCount, String(snapshot.files));
}

export function summarize(
  { io, env }: Pick<ActionContext, 'io' | 'env'>,
  heading: string,
  rows: SummaryRow[],
): Promise<void> {
  return writeSummary(io, heading, rows, env);
}
