import type { Clock } from '../domain/clock.ts';
import type { Store } from '../storage/store.ts';
export interface LockOwner {
    operation: string;
    host: string;
    pid: number;
    user?: string | undefined;
    /** CI run URL or id, when there is one */
    ciRun?: string | undefined;
}
export interface LockRecord extends LockOwner {
    acquired: string;
    /** the lease: past this time the lock is dead unless renewed */
    expires: string;
}
export interface LockOptions {
    /** how long a lease lasts without renewal (default 5 minutes, at most MAX_LEASE_MS) */
    leaseMs?: number;
    /** how often a held lock renews its lease (default a fifth of the lease) */
    renewMs?: number;
    /** how long to wait for a held lock before failing (default 0: fail at once) */
    waitMs?: number;
    /** how often to look again while waiting (default 2 s) */
    pollMs?: number;
    /**
     * every holder runs on this machine (a lock in a local folder): a holder whose process
     * is gone is dead at once. Never for shared repositories, where host names can repeat.
     */
    sameMachine?: boolean;
    /** the system's unless a test gives one */
    clock?: Clock;
}
export interface HeldLock {
    key: string;
    release(): Promise<void>;
}
/** The longest lease ripcord grants; no lock object stays live longer than this after its last write. */
export declare const MAX_LEASE_MS: number;
export declare function acquireLock(store: Store, name: string, owner: LockOwner, options?: LockOptions): Promise<HeldLock>;
/** Run `work` while holding the lock; the lock is released whatever happens. */
export declare function withLock<T>(store: Store, name: string, owner: LockOwner, options: LockOptions, work: () => Promise<T>): Promise<T>;
/** A lock owner for this process. */
export declare function lockOwner(operation: string, origin: {
    host: string;
    user?: string;
    ci?: {
        runUrl?: string;
        runId?: string;
    };
}): LockOwner;
