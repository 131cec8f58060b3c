/**
 * prune: remove the snapshots a retention policy does not keep, and the folders that
 * interrupted backups left behind.
 *
 *   planPrune   list the repository and decide, with domain/retention.ts, which snapshots
 *               in scope to keep (and by which rules) and which to remove, and which
 *               unfinished folders are old enough to remove. Changes nothing.
 *   applyPrune  remove them. In each snapshot folder snapshot.json goes FIRST, so a prune
 *               interrupted half-way leaves an unfinished folder (never listed, removed by the
 *               next prune), never a committed snapshot with missing objects.
 *
 * Never removed: snapshots outside the scope, the newest snapshot of each group, pinned
 * snapshots, damaged snapshots (their snapshot.json cannot be read, so nothing says what
 * they are or whether they are the newest of their group), and unfinished folders started
 * or written to within the last hour (a backup may still be writing them).
 */
import { RipcordError, StorageError, UsageError } from '../domain/errors.ts';
import type { Reporter } from '../domain/events.ts';
import { silentReporter } from '../domain/events.ts';
import { formatDuration } from '../domain/duration.ts';
import type { KeepReason, RetentionPolicy } from '../domain/retention.ts';
import { applyRetention, validatePolicy } from '../domain/retention.ts';
import { snapshotIdTime } from '../domain/snapshot-id.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import { SNAPSHOT_OBJECT } from '../domain/snapshot.ts';
import type { Store, StoredObject } from '../storage/store.ts';
import type { RepositoryListing, SnapshotFilter, SnapshotFolder } from './repository.ts';
import { keepChains } from '../domain/chain.ts';
import { linkOf } from './incremental.ts';
import { listSnapshots, matchesFilter, storedBytes } from './repository.ts';
import { OUTCOME_OBJECT } from './deploy.ts';

/** An unfinished folder is removed only when its id time and every object are older than this. */
export const UNFINISHED_GRACE_MS = 60 * 60 * 1000;

export interface PruneScope {
  /** only snapshots of this kind */
  kind?: string | undefined;
  /** only snapshots carrying every one of these tags (as `list --tag`) */
  tags?: readonly string[] | undefined;
}

export interface PruneRequest {
  policy: RetentionPolicy;
  /** snapshots outside the scope are neither considered nor removed */
  scope?: PruneScope;
  /** the clock: decides which unfinished folders are old enough, and caps the `within` anchor */
  now: Date;
}

export type PruneAction = 'keep' | 'remove';

export interface SnapshotDecision {
  snapshot: SnapshotMetadata;
  action: PruneAction;
  /** every rule that keeps it (empty when removed) */
  reasons: KeepReason[];
  /** no rule keeps it, but this kept snapshot's chain passes through it: removing it would make that one unrestorable */
  neededBy?: string;
  /** the retention group: kind + sorted tags, as JSON (see groupKey) */
  group: string;
  /** bytes stored in its folder */
  bytes: number;
}

export interface UnfinishedDecision {
  id: string;
  action: PruneAction;
  /** one line: why it is kept or removed */
  reason: string;
  objects: StoredObject[];
  bytes: number;
  /** the newest modification time among its objects */
  lastModified: Date;
}

export interface PrunePlan {
  location: string;
  policy: RetentionPolicy;
  scope: { kind?: string; tags: string[] };
  now: Date;
  /** every snapshot in scope: group by group (the group with the newest snapshot first), newest first in each */
  snapshots: SnapshotDecision[];
  /** every unfinished folder, newest first, whatever the scope (they belong to no group) */
  unfinished: UnfinishedDecision[];
  /** snapshot.json present but unusable: never removed, reported */
  damaged: { id: string; problem: string }[];
  /** committed snapshots outside the scope, left untouched */
  outOfScope: number;
}

export interface PruneResult {
  removedSnapshots: string[];
  removedUnfinished: string[];
  /** unfinished folders that changed after planning and were left in place */
  skippedUnfinished: { id: string; reason: string }[];
  /** partial files of interrupted writes outside snapshot folders (audit records, locks) */
  removedPartials: string[];
  /** bytes of every object removed */
  bytesFreed: number;
}

/** How long a pre-deploy snapshot without a recorded outcome stays pinned. */
export const PIN_LIMIT_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Pinned snapshots are never removed: a pre-deploy snapshot whose deploy has no recorded
 * outcome (outcome.json) yet, because the deploy is still running or its job died before
 * it could roll back; `ripcord deploy` and `ripcord rollback` record one. A pin lapses after
 * seven days: no deploy runs that long, and a guard whose job succeeded records nothing
 * (the Action's post step runs only for failed jobs), so it must not be kept forever.
 */
export function isPinned(snapshot: SnapshotMetadata, folder: SnapshotFolder | undefined, now: Date): boolean {
  return (
    snapshot.kind === 'pre-deploy' &&
    now.getTime() - Date.parse(snapshot.created) < PIN_LIMIT_MS &&
    !folder?.objects.some((o) => o.key === `${snapshot.id}/${OUTCOME_OBJECT}`)
  );
}

/** List the repository and decide what prune keeps and removes. Reads only. */
export async function planPrune(store: Store, request: PruneRequest): Promise<PrunePlan> {
  validatePolicy(request.policy); // before any I/O: no keep rule is a usage error
  if (!store.properties.listable) {
    throw new UsageError(
      `${store.properties.location} cannot list its contents, so prune cannot see which snapshots exist`,
    );
  }
  const listing = await listSnapshots(store);
  return decidePrune(listing, listing.folders, request, store.properties.location);
}

/**
 * The pure half of planPrune: the decisions for a listing (snapshot sizes come from
 * `folders`, as listed). Throws RetentionPolicyError for an unusable policy.
 */
export function decidePrune(
  listing: RepositoryListing,
  folders: ReadonlyMap<string, SnapshotFolder>,
  request: PruneRequest,
  location: string,
): PrunePlan {
  const now = request.now;
  if (Number.isNaN(now.getTime())) throw new RangeError('prune needs a valid "now"');
  const scope = {
    ...(request.scope?.kind ? { kind: request.scope.kind } : {}),
    tags: [...(request.scope?.tags ?? [])],
  };
  const filter: SnapshotFilter = scope;
  const inScope = listing.snapshots.filter((snapshot) => matchesFilter(snapshot, filter));

  const candidates = inScope.map((snapshot) => ({
    id: snapshot.id,
    created: new Date(snapshot.created),
    kind: snapshot.kind,
    tags: snapshot.tags,
    pinned: isPinned(snapshot, folders.get(snapshot.id), now),
    metadata: snapshot,
  }));
  const decisions = applyRetention(candidates, request.policy, { now });

  // Keep each group's rows together so that "last" and "newest" read sensibly.
  const byGroup = new Map<string, SnapshotDecision[]>();
  for (const decision of decisions) {
    const rows = byGroup.get(decision.group) ?? [];
    if (rows.length === 0) byGroup.set(decision.group, rows);
    rows.push({
      snapshot: decision.snapshot.metadata,
      action: decision.keep ? 'keep' : 'remove',
      reasons: decision.reasons,
      group: decision.group,
      bytes: storedBytes(decision.snapshot.metadata, folders.get(decision.snapshot.id)),
    });
  }

  const snapshots = [...byGroup.values()].flat();
  keepWhatChainsNeed(snapshots, listing.snapshots);
  return {
    location,
    policy: request.policy,
    scope,
    now,
    snapshots,
    unfinished: listing.unfinished.map((folder) => decideUnfinished(folder, now)),
    damaged: [...listing.damaged].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)),
    outOfScope: listing.snapshots.length - inScope.length,
  };
}

/**
 * A snapshot no rule keeps stays when a kept one (or one outside the scope, which prune never
 * removes) needs it to be restored: a link of its chain (domain/chain.ts).
 */
function keepWhatChainsNeed(decisions: SnapshotDecision[], all: readonly SnapshotMetadata[]): void {
  const removing = new Set(decisions.filter((d) => d.action === 'remove').map((d) => d.snapshot.id));
  const kept = new Set(all.map((s) => s.id).filter((id) => !removing.has(id)));
  const neededBy = keepChains(kept, new Map(all.map((s) => [s.id, linkOf(s)])));
  for (const decision of decisions) {
    const by = neededBy.get(decision.snapshot.id);
    if (decision.action === 'remove' && by !== undefined) {
      decision.action = 'keep';
      decision.neededBy = by;
    }
  }
}

function folderBytes(folder: SnapshotFolder | undefined): number | undefined {
  return folder?.objects.reduce((sum, object) => sum + object.size, 0);
}

function decideUnfinished(folder: SnapshotFolder, now: Date): UnfinishedDecision {
  const started = snapshotIdTime(folder.id);
  const times = [...folder.objects, ...(folder.emptySince ? [{ modified: folder.emptySince }] : [])].map((object) =>
    object.modified.getTime(),
  );
  const lastModified = new Date(times.length > 0 ? Math.max(...times) : started.getTime());
  const base = { id: folder.id, objects: folder.objects, bytes: folderBytes(folder) ?? 0, lastModified };
  if (!isOlderThanGrace(started, now)) {
    return { ...base, action: 'keep', reason: `started ${age(started, now)}: a backup may still be writing it` };
  }
  if (!isOlderThanGrace(lastModified, now)) {
    return {
      ...base,
      action: 'keep',
      reason: `written to ${age(lastModified, now)}: a backup may still be writing it`,
    };
  }
  return { ...base, action: 'remove', reason: `interrupted backup, last written ${age(lastModified, now)}` };
}

function isOlderThanGrace(time: Date, now: Date): boolean {
  return now.getTime() - time.getTime() > UNFINISHED_GRACE_MS;
}

/** "2h5m ago", "40s ago", "3m in the future (clock skew?)": whole seconds, two units at most. */
function age(time: Date, now: Date): string {
  const ms = now.getTime() - time.getTime();
  const text = formatDuration(Math.floor(Math.abs(ms) / 1000) * 1000, { maxParts: 2 });
  return ms < 0 ? `${text} in the future (clock skew?)` : `${text} ago`;
}

/**
 * Remove what the plan removes, and return what was removed. Unfinished folders are
 * listed again first and left alone if they gained snapshot.json or a recent write since
 * planning. Stops at the first storage failure with an error that says how far it got;
 * running prune again finishes the job (a half-removed snapshot is an unfinished folder).
 */
export async function applyPrune(
  store: Store,
  plan: PrunePlan,
  reporter: Reporter = silentReporter,
): Promise<PruneResult> {
  const result: PruneResult = {
    removedSnapshots: [],
    removedUnfinished: [],
    skippedUnfinished: [],
    removedPartials: [],
    bytesFreed: 0,
  };
  if (store.properties.deletable) {
    // A run killed while writing its audit record or lock leaves "<key>.partial-<random>"
    // beside it (snapshot folders are handled as unfinished folders below).
    for (const prefix of ['audit/', 'locks/']) {
      const stale: StoredObject[] = [];
      for await (const object of store.list(prefix)) {
        if (object.key.includes('.partial-') && plan.now.getTime() - object.modified.getTime() > UNFINISHED_GRACE_MS)
          stale.push(object);
      }
      if (stale.length === 0) continue;
      await store.delete(stale.map((object) => object.key));
      result.removedPartials.push(...stale.map((object) => object.key));
      result.bytesFreed += stale.reduce((sum, object) => sum + object.size, 0);
    }
  }
  const snapshots = plan.snapshots.filter((decision) => decision.action === 'remove');
  const unfinished = plan.unfinished.filter((decision) => decision.action === 'remove');
  if (snapshots.length + unfinished.length === 0) return result;
  if (!store.properties.deletable) {
    throw new UsageError(
      `${store.properties.location} does not allow deleting objects, so prune cannot remove snapshots from it`,
    );
  }
  try {
    for (const [index, decision] of snapshots.entries()) {
      const id = decision.snapshot.id;
      reporter.emit({
        type: 'phase',
        phase: 'prune',
        message: `removing snapshot ${id} (${index + 1}/${snapshots.length})`,
      });
      await store.delete([`${id}/${SNAPSHOT_OBJECT}`]); // uncommits the snapshot before any object goes
      const rest = await listFolder(store, id);
      if (rest.length > 0) await store.delete(rest.map((object) => object.key));
      result.removedSnapshots.push(id);
      result.bytesFreed += decision.bytes;
    }
    for (const [index, decision] of unfinished.entries()) {
      reporter.emit({
        type: 'phase',
        phase: 'prune',
        message: `removing unfinished folder ${decision.id} (${index + 1}/${unfinished.length})`,
      });
      const objects = await listFolder(store, decision.id);
      if (objects.length === 0) {
        // an empty folder (a write killed before its first file), or already gone (another prune)
        if (decision.objects.length === 0 && (await store.removeEmptyFolder?.(decision.id)))
          result.removedUnfinished.push(decision.id);
        continue;
      }
      const changed = changedSincePlanning(decision.id, objects, plan.now);
      if (changed) {
        result.skippedUnfinished.push({ id: decision.id, reason: changed });
        reporter.emit({ type: 'warning', message: `left unfinished folder ${decision.id} in place: ${changed}` });
        continue;
      }
      await store.delete(objects.map((object) => object.key));
      result.removedUnfinished.push(decision.id);
      result.bytesFreed += objects.reduce((sum, object) => sum + object.size, 0);
    }
  } catch (error) {
    if (!(error instanceof RipcordError)) throw error;
    const done =
      `removed ${result.removedSnapshots.length} of ${snapshots.length} snapshot(s) and ` +
      `${result.removedUnfinished.length} of ${unfinished.length} unfinished folder(s) before that; run ripcord prune again to finish`;
    throw new StorageError(`prune stopped: ${error.message} (${done})`, {
      transient: error instanceof StorageError && error.transient,
      cause: error,
    });
  }
  return result;
}

async function listFolder(store: Store, id: string): Promise<StoredObject[]> {
  const objects: StoredObject[] = [];
  for await (const object of store.list(`${id}/`)) objects.push(object);
  return objects;
}

/** Why an unfinished folder must now be left alone, or undefined when it may go. */
function changedSincePlanning(id: string, objects: readonly StoredObject[], now: Date): string | undefined {
  if (objects.some((object) => object.key === `${id}/${SNAPSHOT_OBJECT}`))
    return 'it was committed (snapshot.json appeared) after planning';
  const fresh = objects.find((object) => !isOlderThanGrace(object.modified, now));
  if (!fresh) return undefined;
  const when = fresh.modified.getTime() > now.getTime() ? 'after planning' : age(fresh.modified, now);
  return `${fresh.key} was written to ${when}: a backup may still be writing it`;
}
