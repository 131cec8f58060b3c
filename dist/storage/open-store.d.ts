import type { RetryPolicy } from './retry-store.ts';
import type { Store } from './store.ts';
export interface StoreOptions {
    /** options for s3:// repositories; ignored by the others */
    s3?: Record<string, unknown>;
    /** where s3:// repositories read the AWS variables (default: this process's environment) */
    env?: Readonly<Record<string, string | undefined>>;
    /** how failed calls are retried (retry-store.ts) */
    retry?: RetryPolicy;
}
/** The repository's store, wrapped in the retries every store gets. */
export declare function openStore(repository: string, options?: StoreOptions): Promise<Store>;
/** A repository URL for messages: local paths made absolute, nothing else touched. */
export declare function describeRepository(repository: string): string;
