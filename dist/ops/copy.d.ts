import type { Reporter } from '../domain/events.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
export interface CopyRequest {
    source: Store;
    destination: Store;
    /** snapshot ids, unique id prefixes or "latest"; ignored with all */
    references: readonly string[];
    /** every committed snapshot of the source */
    all?: boolean;
}
/**
 * copy: not in the destination yet. present: the destination has it, byte-identical.
 * conflict: the destination has a different snapshot.json under the same id.
 * damaged: the source snapshot fails its own checks and is not copied.
 */
export type CopyDecision = 'copy' | 'present' | 'conflict' | 'damaged';
export interface PlannedSnapshot {
    id: string;
    decision: CopyDecision;
    /** bytes of the four objects (0 when damaged) */
    bytes: number;
    /** one line, for conflict and damaged */
    problem?: string;
    /** the source's snapshot.json, parsed and exactly as stored (copy and present) */
    metadata?: SnapshotMetadata;
    record?: string;
}
export interface CopyPlan {
    source: Store;
    destination: Store;
    /** newest first: an interrupted run has copied the most recent snapshots */
    snapshots: PlannedSnapshot[];
}
export interface CopyOutcome {
    id: string;
    status: 'copied' | 'present' | 'failed';
    /** bytes written to the destination */
    bytes: number;
    problem?: string;
}
export interface CopyResult {
    snapshots: CopyOutcome[];
    copied: number;
    present: number;
    failed: number;
    /** bytes written to the destination */
    bytes: number;
}
export declare function planCopy(request: CopyRequest): Promise<CopyPlan>;
export interface ApplyCopyOptions {
    reporter?: Reporter;
}
/**
 * Copy what the plan decided. A snapshot that fails its checksums (in the source or on
 * arrival) is removed from the destination and reported in the result, and the others are
 * still copied; any other failure (a store unreachable, a disk full) removes what was
 * written for that snapshot and stops the run with one line naming the snapshot and object.
 */
export declare function applyCopy(plan: CopyPlan, options?: ApplyCopyOptions): Promise<CopyResult>;
