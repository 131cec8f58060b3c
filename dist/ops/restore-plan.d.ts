import type { DecryptionKeys } from '../archive/openpgp-keys.ts';
import type { ManifestEntry, ManifestTrailer } from '../domain/manifest.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
import type { CaptureCommand } from './captures.ts';
export interface RestoreRequest {
    store: Store;
    /** id, unique id prefix, or "latest" */
    reference: string;
    target: string;
    include?: readonly string[];
    exclude?: readonly string[];
    /** remove what the snapshot does not have under its roots (implied for pre-restore snapshots) */
    delete?: boolean;
    keys: DecryptionKeys;
    /** restore symlinks whose target lies outside the restore target (they are still never followed) */
    allowOutsideSymlinks?: boolean;
    /** absolute paths never touched nor snapshotted (the local repository) */
    protect?: readonly string[];
    /** commands that receive captured state (.ripcord-captured/NAME) on stdin */
    restoreCaptures?: readonly CaptureCommand[];
    /**
     * compare every file of the target by content; otherwise one whose size, mode, times and
     * inode are what the snapshot recorded reading it is taken as unchanged, without a read
     */
    checksum?: boolean;
}
export type ChangeAction = 'add' | 'change' | 'remove' | 'unchanged';
export interface RestoreChange {
    path: string;
    action: ChangeAction;
    /** what the snapshot has, or what is removed */
    type: ManifestEntry['type'] | 'other';
    /** for changes: content, mode, type, target */
    what?: string;
}
export interface RestorePlan {
    snapshot: SnapshotMetadata;
    /** the snapshots whose archives hold its content, base first and `snapshot` last (itself alone for a full one) */
    chain: SnapshotMetadata[];
    target: string;
    /** every manifest entry, archive order */
    entries: ManifestEntry[];
    /** the archive's checksum, index and key, from the authenticated manifest (ranged reads) */
    archive: Pick<ManifestTrailer, 'archive' | 'index' | 'archiveKey'>;
    /**
     * indexes into entries that will be written: every selected entry the target does not
     * already have as it is (directories always, for their modes and times)
     */
    selected: Set<number>;
    changes: RestoreChange[];
    counts: Record<ChangeAction, number>;
    /** target-relative paths the pre-restore snapshot covers: what the restore changes (may not exist yet) */
    scope: string[];
    /** the pre-restore snapshot will hold a link out of the target, so undoing needs --allow-outside-symlinks */
    undoNeedsOutsideLinks: boolean;
    /** target-relative paths removed by --delete, deepest first */
    removals: string[];
    deleteExtras: boolean;
    protect: string[];
    /** captured state to hand to restore commands, with the entry index that holds it */
    captures: {
        capture: CaptureCommand;
        index: number;
    }[];
    /** captured names in the snapshot that no --restore-capture restores */
    unrestoredCaptures: string[];
    /** the target does not exist: the restore creates it, needs no pre-restore snapshot, and removing it undoes it */
    newTarget: boolean;
}
export declare function planRestore(request: RestoreRequest): Promise<RestorePlan>;
/**
 * How the target differs from one manifest entry. With `trust`, a file whose size, mode,
 * times and inode are what the snapshot (started at `trust.started`) recorded is unchanged
 * without being read.
 */
export declare function compareWithTarget(target: string, entry: ManifestEntry, trust?: {
    started: number;
}): Promise<RestoreChange>;
export declare function sha256File(file: string): Promise<string>;
