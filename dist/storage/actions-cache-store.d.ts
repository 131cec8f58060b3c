import type { Store } from './store.ts';
export interface ActionsCacheStoreOptions {
    /** where the staging folder lives; default $RUNNER_TEMP, else the system temp folder */
    stagingRoot?: string;
}
export declare function createActionsCacheStore(repository: string, options?: ActionsCacheStoreOptions): Promise<Store>;
