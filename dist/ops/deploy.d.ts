/**
 * Guarded deploys: snapshot, deploy, validate; on failure restore the pre-deploy state,
 * run the rollback hook and validate again. The outcome is recorded next to the
 * pre-deploy snapshot (outcome.json, a new object: committed files are never rewritten),
 * and until it is, prune keeps that snapshot.
 *
 * Exit codes: 0 deployed and valid; 10 deploy or validation failed and the rollback
 * succeeded; 20 the rollback failed or post-rollback validation failed (a human must act);
 * 1 the deploy failed and --no-rollback left it as it is.
 */
import type { Writable } from 'node:stream';
import type { DecryptionKeys, EncryptionKeys } from '../domain/keys.ts';
import { UsageError } from '../domain/errors.ts';
import type { Reporter } from '../domain/events.ts';
import type { Store } from '../storage/store.ts';
import type { CaptureCommand } from './captures.ts';
import type { AutoPolicy } from './incremental.ts';
import type { BackupLevel } from '../domain/chain.ts';
import type { Origin } from './origin.ts';
import type { ValidationPlan, ValidationResult } from './validate.ts';
export declare const OUTCOME_OBJECT = "outcome.json";
export type DeployResult = 'deployed' | 'rolled-back' | 'rollback-failed' | 'failed';
export interface DeployOutcome {
    result: DeployResult;
    at: string;
    exitCode: number;
    /** the pre-restore snapshot holding the broken state, when rolled back */
    brokenStateSnapshot?: string;
    detail?: string;
}
export interface GuardContext {
    store: Store;
    /** where the deploy runs and what paths are relative to */
    cwd: string;
    keys: EncryptionKeys;
    /** needed to roll back */
    decryptionKeys?: DecryptionKeys | undefined;
    origin: Origin;
    env?: NodeJS.ProcessEnv | undefined;
    /** deploy, validation and hook output is streamed here */
    output?: Writable | undefined;
    reporter?: Reporter | undefined;
    /** absolute paths never touched (the local repository) */
    protect?: readonly string[];
}
export interface DeployRequest extends GuardContext {
    paths: readonly string[];
    exclude?: readonly string[];
    tags?: readonly string[];
    captures?: readonly CaptureCommand[];
    restoreCaptures?: readonly CaptureCommand[];
    /** the deploy command, as argv */
    command: readonly string[];
    validation: ValidationPlan;
    onRollback?: string | undefined;
    noRollback?: boolean;
    /** take the pre-deploy snapshot with a key other than the repository's (see BackupRequest.newKey) */
    newKey?: boolean;
    /**
     * the pre-deploy snapshot's level (default full); anything but full builds on an earlier
     * snapshot of the same paths, so it needs decryptionKeys, and without them is a full one
     */
    level?: BackupLevel;
    auto?: AutoPolicy;
}
export interface RollbackReport {
    restoredSnapshot: string;
    brokenStateSnapshot?: string;
    onRollback?: {
        command: string;
        ok: boolean;
        detail?: string;
        outputTail?: string;
    };
    validation?: ValidationResult;
    /** why the rollback itself failed */
    error?: string;
    durationMs: number;
}
export interface DeployReport {
    result: DeployResult;
    exitCode: number;
    preDeploySnapshot: string;
    /** an incremental or differential pre-deploy snapshot: its level and the snapshot it builds on */
    preDeployParent?: {
        level: string;
        parent: string;
    };
    /** paths that did not exist before the deploy: a rollback removes them */
    absent?: string[];
    failure?: {
        stage: 'deploy' | 'validation';
        detail: string;
        outputTail: string;
    };
    validation?: ValidationResult;
    rollback?: RollbackReport;
    /** what a human must do now, for result rollback-failed */
    action?: string;
    timings: {
        snapshotMs: number;
        deployMs: number;
        validationMs: number;
        rollbackMs?: number;
        totalMs: number;
    };
}
export declare function runGuardedDeploy(request: DeployRequest): Promise<DeployReport>;
export interface RollbackRequest extends GuardContext {
    /** a snapshot id, or undefined for the newest pre-deploy snapshot */
    reference?: string | undefined;
    /** restore only these paths (globs) of the snapshot */
    include?: readonly string[];
    validation: ValidationPlan;
    onRollback?: string | undefined;
    restoreCaptures?: readonly CaptureCommand[];
    captures?: readonly CaptureCommand[];
    /** restore the files even though captured state in the snapshot has no restore command */
    skipCaptures?: boolean;
}
export interface StandaloneRollbackReport {
    result: 'rolled-back' | 'rollback-failed';
    exitCode: number;
    rollback: RollbackReport;
    action?: string;
}
/** For a separate rollback job: restore the newest pre-deploy snapshot (or the one named). */
export declare function runRollback(request: RollbackRequest): Promise<StandaloneRollbackReport>;
/** A rollback asked to leave captured state as it is, without --skip-captures. */
export declare class UnrestoredCapturesError extends UsageError {
    constructor(snapshotId: string, names: readonly string[]);
}
export declare function recordOutcome(store: Store, id: string, outcome: DeployOutcome): Promise<void>;
export declare function readOutcome(store: Store, id: string): Promise<DeployOutcome | undefined>;
