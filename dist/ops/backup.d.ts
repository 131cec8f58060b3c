import type { EncryptionKeys } from '../archive/openpgp-keys.ts';
import type { CaptureCommand } from './captures.ts';
import type { Reporter } from '../domain/events.ts';
import type { BackupLevel } from '../domain/chain.ts';
import type { DecryptionKeys } from '../domain/keys.ts';
import type { ManifestEntry } from '../domain/manifest.ts';
import type { SnapshotKind, SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
import type { AutoPolicy } from './incremental.ts';
import type { Origin } from './origin.ts';
export interface BackupRequest {
    store: Store;
    paths: readonly string[];
    cwd: string;
    exclude?: readonly string[];
    /** absolute paths never backed up (the local repository itself) */
    skip?: readonly string[];
    kind?: SnapshotKind;
    tags?: readonly string[];
    keys: EncryptionKeys;
    /**
     * Who made it and where. May still be coming (git runs in child processes): it is awaited
     * only when the snapshot's record is written, so that the work does not wait on it.
     */
    origin: Origin | Promise<Origin>;
    restoredFrom?: string;
    /**
     * Start using a key other than the repository's. Without it a backup whose passphrase or
     * recipients differ from the newest snapshot's is refused (pre-restore snapshots are
     * never refused: a restore must not be blocked by its safety net).
     */
    newKey?: boolean;
    /**
     * Record paths that do not exist instead of failing (pre-restore and pre-deploy snapshots):
     * such a path is a manifest root without entries, which a restore with --delete removes.
     */
    allowMissing?: boolean;
    /** gzip level, 0-9 */
    compressionLevel?: number;
    /**
     * full (the default): the whole tree. incremental: what changed since the newest snapshot
     * of the same set and paths; differential: since the newest full one (ops/incremental.ts).
     * With no such snapshot, or its chain broken, the snapshot is a full one and says why.
     */
    level?: BackupLevel;
    /** level auto: when to start a new chain (default DEFAULT_AUTO_POLICY) */
    auto?: AutoPolicy;
    /** read and hash every file instead of trusting size, times and inode (incremental, differential) */
    forceRead?: boolean;
    /**
     * Files of at least this many bytes are stored with their blocks, and as block deltas when
     * they change (BLOCKED_FILE_MIN by default). Not a user setting: tests lower it, so that a
     * chain of deltas costs megabytes rather than tens of them.
     */
    blockedFileMin?: number;
    /** merge: the time the snapshot's id and `created` carry, instead of now */
    at?: Date;
    /** merge: the chain link this full snapshot holds the state of */
    mergedFrom?: string;
    /** merge: the change-detection fields (inode, times) to record for these files instead of what lstat says here */
    keepStats?: ReadonlyMap<string, Pick<ManifestEntry, 'ino' | 'ctimeMs' | 'mtimeMs'>>;
    /** the keys that read the parent's manifest: only asked for by an incremental or differential */
    parentKeys?: () => Promise<DecryptionKeys>;
    /** command output stored as .ripcord-captured/NAME */
    captures?: readonly CaptureCommand[];
    /** environment for capture commands (default: this process's) */
    env?: NodeJS.ProcessEnv;
    reporter?: Reporter;
    /**
     * Stops the backup: what it wrote is removed, and it rejects with the signal's reason
     * when that is a RipcordError (the adapter says why it stopped).
     */
    signal?: AbortSignal;
}
export interface BackupResult {
    snapshot: SnapshotMetadata;
    warnings: string[];
    /** why an incremental or differential that was asked for is a full snapshot */
    fullBecause?: string;
    /** paths recorded as absent (allowMissing), as stored */
    absent: string[];
}
export declare function createBackup(request: BackupRequest): Promise<BackupResult>;
/** Default paths and excludes when the user names none: the working directory. */
export declare const DEFAULT_EXCLUDES: string[];
export declare function repositorySkip(repository: string, cwd: string): string[];
