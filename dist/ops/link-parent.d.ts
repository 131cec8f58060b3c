/**
 * The parent a chain link builds on, chosen for a backup (ops/incremental.ts has the chain
 * itself): whether one is wanted, which one, or why the snapshot is a full one instead; and
 * where the link reads the parent's versions of large files from.
 */
import type { BackupLevel, Level } from '../domain/chain.ts';
import type { DecryptionKeys } from '../domain/keys.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { SourceRoot } from '../archive/walk-sources.ts';
import type { Store } from '../storage/store.ts';
import type { DeltaSource } from './delta-read.ts';
import type { AutoPolicy, Parent } from './incremental.ts';
import type { RepositoryListing } from './repository.ts';
/** What of a backup's request choosing its parent reads (ops/backup.ts BackupRequest). */
export interface ParentRequest {
    store: Store;
    level?: BackupLevel;
    newKey?: boolean;
    tags?: readonly string[];
    keys: {
        mode: SnapshotMetadata['encryption']['mode'];
    };
    auto?: AutoPolicy;
    parentKeys?: () => Promise<DecryptionKeys>;
}
/** Does this backup look for a parent (and so compare its walk with the parent's manifest)? */
export declare function wantsParent(request: ParentRequest): boolean;
/** The parent of an incremental or differential, or why the snapshot is a full one (no reason: one was asked for). */
export declare function chooseParent(request: ParentRequest, roots: readonly SourceRoot[], started: number, 
/** the repository's listing, when the caller has made it already */
listing?: Promise<RepositoryListing>): Promise<{
    parent: Parent;
    level: Exclude<Level, 'full'>;
} | {
    reason: string;
}>;
/**
 * Where a link's backup reads the parent's version of a large file that the parent lists no
 * blocks for: the parent's chain, each link's manifest read once for all such files.
 */
export declare function parentSource(store: Store, parent: Parent, blockedFileMin: number): DeltaSource;
