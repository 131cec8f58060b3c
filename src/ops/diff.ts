/**
 * diff: what differs between two snapshots (from their manifests alone), or between a
 * snapshot and a folder on disk. "added" means present in the second side only.
 */
import { isChainRecordOf } from './incremental.ts';
import type { DecryptionKeys } from '../domain/keys.ts';
import type { ManifestEntry } from '../domain/manifest.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
import { readManifest } from './read-snapshot.ts';
import { resolveSnapshot } from './repository.ts';
import { planRestore } from './restore.ts';
import { DEFAULT_EXCLUDES } from './backup.ts';

export interface DiffLine {
  path: string;
  change: 'added' | 'removed' | 'changed';
  /** for changed: type, content, mode, link target */
  what?: string;
}

export interface DiffResult {
  from: string;
  to: string;
  lines: DiffLine[];
  counts: { added: number; removed: number; changed: number };
}

async function manifestEntries(
  store: Store,
  snapshot: SnapshotMetadata,
  keys: DecryptionKeys,
): Promise<Map<string, ManifestEntry>> {
  const { entries } = await readManifest(store, snapshot, keys);
  return new Map(entries.filter((entry) => !isChainRecordOf(snapshot, entry.path)).map((entry) => [entry.path, entry]));
}

function entryDifference(a: ManifestEntry, b: ManifestEntry): string | undefined {
  if (a.type !== b.type) return `type ${a.type} -> ${b.type}`;
  if (a.type === 'file' && (a.size !== b.size || a.sha256 !== b.sha256)) return 'content';
  if (a.type === 'symlink' && a.target !== b.target) return 'link target';
  if (a.mode !== b.mode) return `mode ${a.mode} -> ${b.mode}`;
  return undefined;
}

function summarize(from: string, to: string, lines: DiffLine[]): DiffResult {
  lines.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  const counts = { added: 0, removed: 0, changed: 0 };
  for (const line of lines) counts[line.change] += 1;
  return { from, to, lines, counts };
}

export async function diffSnapshots(
  store: Store,
  fromRef: string,
  toRef: string,
  keys: DecryptionKeys,
): Promise<DiffResult> {
  const from = await resolveSnapshot(store, fromRef);
  const to = await resolveSnapshot(store, toRef);
  const a = await manifestEntries(store, from, keys);
  const b = await manifestEntries(store, to, keys);
  const lines: DiffLine[] = [];
  for (const [name, entry] of a) {
    const other = b.get(name);
    if (!other) lines.push({ path: name, change: 'removed' });
    else {
      const what = entryDifference(entry, other);
      if (what) lines.push({ path: name, change: 'changed', what });
    }
  }
  for (const name of b.keys()) if (!a.has(name)) lines.push({ path: name, change: 'added' });
  return summarize(from.id, to.id, lines);
}

/** Compare a snapshot with a folder: what restoring it with --delete would undo. */
export async function diffWithFolder(
  store: Store,
  reference: string,
  folder: string,
  keys: DecryptionKeys,
  protect: string[] = [],
): Promise<DiffResult> {
  // backup's default excludes are not compared either: right after `ripcord backup`, .git
  // and node_modules are not "added"
  const plan = await planRestore({
    store,
    reference,
    target: folder,
    delete: true,
    keys,
    allowOutsideSymlinks: true,
    protect,
    exclude: DEFAULT_EXCLUDES,
  });
  const lines: DiffLine[] = [];
  for (const change of plan.changes) {
    if (change.action === 'add') lines.push({ path: change.path, change: 'removed' });
    else if (change.action === 'remove') lines.push({ path: change.path, change: 'added' });
    else if (change.action === 'change')
      lines.push({ path: change.path, change: 'changed', ...(change.what ? { what: change.what } : {}) });
  }
  return summarize(plan.snapshot.id, plan.target, lines);
}
