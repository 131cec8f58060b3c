import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store, StoredObject } from '../storage/store.ts';
export interface SnapshotFolder {
    id: string;
    objects: StoredObject[];
    /** for a folder without any object (listEmptyFolders): its own time */
    emptySince?: Date;
}
export interface RepositoryListing {
    /** committed snapshots, newest first */
    snapshots: SnapshotMetadata[];
    /** folders with no snapshot.json */
    unfinished: SnapshotFolder[];
    /** committed folders whose snapshot.json cannot be trusted */
    damaged: {
        id: string;
        problem: string;
    }[];
    /** every snapshot folder as listed, by id (sizes: see storedBytes) */
    folders: ReadonlyMap<string, SnapshotFolder>;
}
/**
 * What a snapshot takes up in the repository: every object in its folder as listed (archive,
 * manifest, checksums, signature, outcome, snapshot.json), or, without a listing, the objects
 * snapshot.json records. The one figure that backup, list, show and prune print.
 */
export declare function storedBytes(snapshot: SnapshotMetadata, folder?: SnapshotFolder): number;
/** storedBytes of one snapshot, its folder listed now. */
export declare function readStoredBytes(store: Store, snapshot: SnapshotMetadata): Promise<number>;
/** Every snapshot folder, by id. Keys outside snapshot folders (audit/, locks/) are ignored. */
export declare function listFolders(store: Store): Promise<Map<string, SnapshotFolder>>;
export declare function readText(store: Store, key: string): Promise<string>;
export declare function readMetadata(store: Store, id: string): Promise<{
    metadata: SnapshotMetadata;
} | {
    problem: string;
}>;
export declare function listSnapshots(store: Store): Promise<RepositoryListing>;
export interface SnapshotFilter {
    kind?: string | undefined;
    tags?: readonly string[] | undefined;
}
export declare function matchesFilter(snapshot: SnapshotMetadata, filter: SnapshotFilter): boolean;
/**
 * "latest" (the newest snapshot that is not a pre-restore snapshot, narrowed by the
 * filter; with kind "pre-restore" it is the newest pre-restore snapshot), a full id,
 * or a unique prefix of one.
 */
export declare function resolveSnapshot(store: Store, reference: string, filter?: SnapshotFilter): Promise<SnapshotMetadata>;
export declare function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void>;
