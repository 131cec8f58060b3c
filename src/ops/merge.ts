/**
 * merge: a full snapshot equal to a chain link's state, from the repository alone (no access
 * to the tree it was taken of), so that the link's chain can be pruned.
 *
 * The link is restored into a private scratch folder, captured state included, and backed up
 * from there as a full snapshot of the same roots, kind and tags. Its time is the link's plus
 * one millisecond: it stands where the link stands for `latest` and retention, never newer
 * than what was taken after it. Its files keep the inode and times the link recorded, so the
 * next incremental of the live tree still skips what did not change.
 */
import * as path from 'node:path';
import type { DecryptionKeys, EncryptionKeys } from '../domain/keys.ts';
import { IntegrityError, UsageError } from '../domain/errors.ts';
import type { Reporter } from '../domain/events.ts';
import { silentReporter } from '../domain/events.ts';
import type { ManifestEntry } from '../domain/manifest.ts';
import { shellQuote } from '../domain/shell-quote.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
import { createBackup } from './backup.ts';
import { CAPTURED_DIR } from './captures.ts';
import type { CaptureCommand } from './captures.ts';
import { isChainRecordOf } from './incremental.ts';
import type { Origin } from './origin.ts';
import { makeScratchFolder } from './private-folder.ts';
import { readManifest } from './read-snapshot.ts';
import { resolveSnapshot } from './repository.ts';
import { applyRestore, planRestore } from './restore.ts';

export interface MergeRequest {
  store: Store;
  /** id, unique prefix or latest: a chain link */
  reference: string;
  keys: DecryptionKeys;
  encryptionKeys: EncryptionKeys;
  origin: Origin;
  reporter?: Reporter;
}

export interface MergeResult {
  /** the link merged */
  from: SnapshotMetadata;
  /** the new full snapshot */
  snapshot: SnapshotMetadata;
}

export async function mergeSnapshot(request: MergeRequest): Promise<MergeResult> {
  const reporter = request.reporter ?? silentReporter;
  const from = await resolveSnapshot(request.store, request.reference);
  if (!from.level) throw new UsageError(`snapshot ${from.id} is a full snapshot already: there is no chain to merge`);
  const { roots, entries } = await readManifest(request.store, from, request.keys);
  const scratch = await makeScratchFolder('merge');
  try {
    const tree = path.join(scratch.dir, 'tree');
    const spool = path.join(scratch.dir, 'captured');
    const captured = entries
      .filter((e) => e.type === 'file' && e.path.startsWith(`${CAPTURED_DIR}/`))
      .map((e) => e.path.slice(CAPTURED_DIR.length + 1));
    // captured state goes to a command on restore, and comes from one on backup: through files here
    const spoolOf = (name: string) => shellQuote(path.join(spool, name));
    const restoreCaptures: CaptureCommand[] = captured.map((name) => ({
      name,
      command: `mkdir -p ${shellQuote(spool)} && cat > ${spoolOf(name)}`,
    }));
    reporter.emit({ type: 'phase', phase: 'stage', message: `restoring ${from.id} into a private scratch folder` });
    const plan = await planRestore({
      store: request.store,
      reference: from.id,
      target: tree,
      keys: request.keys,
      allowOutsideSymlinks: true, // restored into scratch and never followed: the merge keeps them as they are
      restoreCaptures,
    });
    await applyRestore(plan, { store: request.store, keys: request.keys, origin: request.origin, noPreRestore: true });

    reporter.emit({ type: 'phase', phase: 'pack', message: `writing a full snapshot of ${from.id}'s state` });
    const stats = new Map<string, Pick<ManifestEntry, 'ino' | 'ctimeMs' | 'mtimeMs'>>();
    for (const e of entries)
      if (e.type === 'file' && !isChainRecordOf(from, e.path))
        stats.set(e.path, { ino: e.ino, ctimeMs: e.ctimeMs, mtimeMs: e.mtimeMs });
    const { snapshot } = await createBackup({
      store: request.store,
      paths: roots.filter((r) => r !== CAPTURED_DIR),
      cwd: tree,
      allowMissing: true, // a root the link recorded as absent stays absent
      kind: from.kind,
      tags: from.tags,
      keys: request.encryptionKeys,
      origin: request.origin,
      captures: captured.map((name) => ({ name, command: `cat ${spoolOf(name)}` })),
      at: new Date(Date.parse(from.created) + 1),
      mergedFrom: from.id,
      keepStats: stats,
      reporter: {
        emit: (event) => (event.type === 'progress' || event.type === 'warning' ? reporter.emit(event) : undefined),
      },
    });
    if (snapshot.files !== from.files || snapshot.inputBytes !== from.inputBytes) {
      throw new IntegrityError(
        `merging ${from.id} made ${snapshot.id} with ${snapshot.files} files and ${snapshot.inputBytes} bytes, not ${from.files} and ${from.inputBytes}: remove ${snapshot.id} and report this`,
      );
    }
    return { from, snapshot };
  } finally {
    await scratch.remove();
  }
}
