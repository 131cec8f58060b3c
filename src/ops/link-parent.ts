/**
 * The parent a chain link builds on, chosen for a backup (ops/incremental.ts has the chain
 * itself): whether one is wanted, which one, or why the snapshot is a full one instead; and
 * where the link reads the parent's versions of large files from.
 */
import type { BackupLevel, Level } from '../domain/chain.ts';
import { KeyError, UsageError } from '../domain/errors.ts';
import type { DecryptionKeys } from '../domain/keys.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { SourceRoot } from '../archive/walk-sources.ts';
import type { Store } from '../storage/store.ts';
import type { DeltaSource } from './delta-read.ts';
import type { AutoPolicy, Parent } from './incremental.ts';
import { autoWantsFull, DEFAULT_AUTO_POLICY, findParent } from './incremental.ts';
import { listSnapshots } from './repository.ts';
import type { RepositoryListing } from './repository.ts';

/** What of a backup's request choosing its parent reads (ops/backup.ts BackupRequest). */
export interface ParentRequest {
  store: Store;
  level?: BackupLevel;
  newKey?: boolean;
  tags?: readonly string[];
  keys: { mode: SnapshotMetadata['encryption']['mode'] };
  auto?: AutoPolicy;
  parentKeys?: () => Promise<DecryptionKeys>;
}

/** Does this backup look for a parent (and so compare its walk with the parent's manifest)? */
export function wantsParent(request: ParentRequest): boolean {
  return (request.level ?? 'full') !== 'full' && !request.newKey && request.parentKeys !== undefined;
}

/** The parent of an incremental or differential, or why the snapshot is a full one (no reason: one was asked for). */
export async function chooseParent(
  request: ParentRequest,
  roots: readonly SourceRoot[],
  started: number,
  /** the repository's listing, when the caller has made it already */
  listing?: Promise<RepositoryListing>,
): Promise<{ parent: Parent; level: Exclude<Level, 'full'> } | { reason: string }> {
  const asked = request.level ?? 'full';
  if (asked === 'full') return { reason: '' };
  if (request.newKey) {
    if (asked === 'auto') return { reason: 'a new key starts a new chain' };
    throw new UsageError(
      `a new key starts a new chain: an ${asked} snapshot cannot use one (take a full one with --new-key)`,
    );
  }
  if (!request.parentKeys)
    throw new UsageError(
      `an ${asked} snapshot reads its parent's manifest: it needs a key that decrypts the repository`,
    );
  const keys = await request.parentKeys().catch((error: unknown) => {
    throw error instanceof KeyError
      ? new KeyError(
          `an ${asked} snapshot reads its parent's manifest, so it needs a key that decrypts: ${error.message}; or take a full one (--level full)`,
        )
      : error;
  });
  const level = asked === 'auto' ? 'incremental' : asked;
  const { snapshots } = await (listing ?? listSnapshots(request.store));
  const found = await findParent(request.store, snapshots, {
    level,
    tags: request.tags ?? [],
    roots: roots.map((r) => r.archivePath || '.'),
    mode: request.keys.mode,
    keys,
  });
  if ('reason' in found) return found;
  if (asked === 'auto') {
    const reason = autoWantsFull(found.parent, request.auto ?? DEFAULT_AUTO_POLICY, new Date(started));
    if (reason) return { reason };
  }
  return { parent: found.parent, level };
}

/**
 * Where a link's backup reads the parent's version of a large file that the parent lists no
 * blocks for: the parent's chain, each link's manifest read once for all such files.
 */
export function parentSource(store: Store, parent: Parent, blockedFileMin: number): DeltaSource {
  const also: string[] = [];
  for (const entry of parent.tree.entries())
    if (entry.type === 'file' && !entry.blocks && (entry.size ?? 0) >= blockedFileMin) also.push(entry.path);
  return { store, keys: parent.keys, chain: parent.chain, also, cache: new Map() };
}
