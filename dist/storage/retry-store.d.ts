import type { Store } from './store.ts';
export interface RetryPolicy {
    /** calls in all, the first included */
    attempts: number;
    /** the wait before attempt `attempt + 1` */
    delayMs(attempt: number): number;
    /** how to wait (tests pass one that does not) */
    sleep?(ms: number): Promise<void>;
}
export declare const DEFAULT_RETRY_POLICY: RetryPolicy;
/** What a backend does about faults itself. */
export interface BackendRetries {
    /**
     * its client already retries each request (the AWS SDK, @actions/cache): no call is made
     * again on top of that, only reads are resumed
     */
    retriesRequests?: boolean;
    /** get() honours GetOptions.offset, and its streams can fail mid-read with a transient StorageError (a dropped connection) */
    resumableReads?: boolean;
}
export declare function isTransient(error: unknown): boolean;
export declare function withRetries(store: Store, policy?: RetryPolicy, backend?: BackendRetries): Store;
