import type { Reporter } from '../domain/events.ts';
import type { KeepReason, RetentionPolicy } from '../domain/retention.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store, StoredObject } from '../storage/store.ts';
import type { RepositoryListing, SnapshotFolder } from './repository.ts';
/** An unfinished folder is removed only when its id time and every object are older than this. */
export declare const UNFINISHED_GRACE_MS: number;
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
    scope: {
        kind?: string;
        tags: string[];
    };
    now: Date;
    /** every snapshot in scope: group by group (the group with the newest snapshot first), newest first in each */
    snapshots: SnapshotDecision[];
    /** every unfinished folder, newest first, whatever the scope (they belong to no group) */
    unfinished: UnfinishedDecision[];
    /** snapshot.json present but unusable: never removed, reported */
    damaged: {
        id: string;
        problem: string;
    }[];
    /** committed snapshots outside the scope, left untouched */
    outOfScope: number;
}
export interface PruneResult {
    removedSnapshots: string[];
    removedUnfinished: string[];
    /** unfinished folders that changed after planning and were left in place */
    skippedUnfinished: {
        id: string;
        reason: string;
    }[];
    /** partial files of interrupted writes outside snapshot folders (audit records, locks) */
    removedPartials: string[];
    /** bytes of every object removed */
    bytesFreed: number;
}
/** How long a pre-deploy snapshot without a recorded outcome stays pinned. */
export declare const PIN_LIMIT_MS: number;
/**
 * Pinned snapshots are never removed: a pre-deploy snapshot whose deploy has no recorded
 * outcome (outcome.json) yet, because the deploy is still running or its job died before
 * it could roll back; `ripcord deploy` and `ripcord rollback` record one. A pin lapses after
 * seven days: no deploy runs that long, and a guard whose job succeeded records nothing
 * (the Action's post step runs only for failed jobs), so it must not be kept forever.
 */
export declare function isPinned(snapshot: SnapshotMetadata, folder: SnapshotFolder | undefined, now: Date): boolean;
/** List the repository and decide what prune keeps and removes. Reads only. */
export declare function planPrune(store: Store, request: PruneRequest): Promise<PrunePlan>;
/**
 * The pure half of planPrune: the decisions for a listing (snapshot sizes come from
 * `folders`, as listed). Throws RetentionPolicyError for an unusable policy.
 */
export declare function decidePrune(listing: RepositoryListing, folders: ReadonlyMap<string, SnapshotFolder>, request: PruneRequest, location: string): PrunePlan;
/**
 * Remove what the plan removes, and return what was removed. Unfinished folders are
 * listed again first and left alone if they gained snapshot.json or a recent write since
 * planning. Stops at the first storage failure with an error that says how far it got;
 * running prune again finishes the job (a half-removed snapshot is an unfinished folder).
 */
export declare function applyPrune(store: Store, plan: PrunePlan, reporter?: Reporter): Promise<PruneResult>;
