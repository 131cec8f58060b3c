import type { DecryptionKeys } from '../archive/openpgp-keys.ts';
import type { Reporter } from '../domain/events.ts';
import type { Store } from '../storage/store.ts';
import type { RestorePlan } from './restore-plan.ts';
import type { StagingLayout } from './restore-layout.ts';
/** What staging needs of the restore's options. */
export interface StageOptions {
    store: Store;
    keys: DecryptionKeys;
}
/**
 * Extract the selected entries into the staging folder, checking all against the manifest.
 * A chain link's archive comes first: it holds every directory (so a tree layout has each
 * folder before any file goes in) and symlink; then each earlier link whose archive holds a
 * file this one did not store again.
 */
export declare function stage(plan: RestorePlan, layout: StagingLayout, options: StageOptions, reporter: Reporter): Promise<void>;
/** A symlink's own time; not every file system keeps one. */
export declare function setLinkTime(file: string, seconds: number): void;
