/**
 * check: for cron monitors and scheduled workflows. Passes when the newest snapshot (of a
 * kind / with tags) is younger than the limit and its stored objects verify.
 */
import { RipcordError } from '../domain/errors.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
import type { SnapshotFilter } from './repository.ts';
export interface CheckRequest {
    store: Store;
    maxAgeMs: number;
    filter?: SnapshotFilter;
    now?: Date;
}
export interface CheckResult {
    snapshot: SnapshotMetadata;
    ageMs: number;
}
export declare class StaleSnapshotError extends RipcordError {
}
export declare function checkFreshness(request: CheckRequest): Promise<CheckResult>;
