import type { DecryptionKeys, EncryptionKeys } from '../archive/openpgp-keys.ts';
import type { Reporter } from '../domain/events.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import { LocalStore } from '../storage/local-store.ts';
import type { Store } from '../storage/store.ts';
import type { CaptureCommand } from './captures.ts';
import type { Origin } from './origin.ts';
import type { ChangeAction, RestorePlan } from './restore-plan.ts';
export { compareWithTarget, planRestore } from './restore-plan.ts';
export type { ChangeAction, RestoreChange, RestorePlan, RestoreRequest } from './restore-plan.ts';
export { STAGING_PREFIX } from './restore-target.ts';
export interface ApplyRestoreOptions {
    store: Store;
    keys: DecryptionKeys;
    /** to encrypt the pre-restore snapshot; required unless noPreRestore */
    encryptionKeys?: EncryptionKeys;
    origin: Origin;
    noPreRestore?: boolean;
    /** state captured into the pre-restore snapshot too (the same names as the restore commands) */
    preRestoreCaptures?: readonly CaptureCommand[];
    /** environment for capture and restore commands (default: this process's) */
    env?: NodeJS.ProcessEnv;
    reporter?: Reporter;
    /** wait this long for another restore into the same target (default: fail at once) */
    lockWaitMs?: number;
    /** test hook: called after each entry is moved into place */
    afterApply?: (applied: number) => void | Promise<void>;
}
export interface RestoreResult {
    snapshot: SnapshotMetadata;
    target: string;
    preRestoreSnapshot?: SnapshotMetadata;
    /** the target did not exist, so no pre-restore snapshot was needed: removing it undoes the restore */
    createdTarget: boolean;
    counts: Record<ChangeAction, number>;
    durationMs: number;
}
/** Where this user's restores keep their per-target locks: a folder nobody else can write (see private-folder.ts). */
export declare function restoreLockStore(): Promise<LocalStore>;
/**
 * Remove staging folders that killed restores left in the target, under the target's lock;
 * for a restore that has nothing to apply (applyRestore does it itself).
 */
export declare function removeStaleStaging(target: string, origin: Origin): Promise<void>;
export declare function applyRestore(plan: RestorePlan, options: ApplyRestoreOptions): Promise<RestoreResult>;
/** The command that undoes a restore of `plan` with its pre-restore snapshot. */
export declare function undoCommand(plan: RestorePlan, preRestoreSnapshot: SnapshotMetadata): string;
