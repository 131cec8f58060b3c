import type { DecryptionKeys } from '../archive/openpgp-keys.ts';
import type { Reporter } from '../domain/events.ts';
import type { Store } from '../storage/store.ts';
import type { RestorePlan } from './restore-plan.ts';
/** What staging needs of the restore's options. */
export interface StageOptions {
    store: Store;
    keys: DecryptionKeys;
}
/**
 * Where each staged entry goes. Into a target that holds nothing yet, the selected entries are
 * staged at their own paths below `tree`, and each top-level entry then moves into place with
 * one rename: restoring the benchmark's 20,000 files into an empty folder spent 0.6-0.8 s
 * checking and renaming them one by one. Anywhere else an entry may replace something, so
 * each is staged under its index and moved by itself. Captured state is always staged under
 * its index: it goes to its restore command, not into the target.
 */
export interface StagingLayout {
    staging: string;
    /** the folder that mirrors the target, when entries are staged at their own paths */
    tree: string | undefined;
    pathOf(index: number): string;
}
export declare function stagingLayout(plan: RestorePlan, staging: string): Promise<StagingLayout>;
/**
 * Extract the selected entries into the staging folder, checking all against the manifest.
 * A chain link's archive comes first: it holds every directory (so a tree layout has each
 * folder before any file goes in) and symlink; then each earlier link whose archive holds a
 * file this one did not store again.
 */
export declare function stage(plan: RestorePlan, layout: StagingLayout, options: StageOptions, reporter: Reporter): Promise<void>;
/** A symlink's own time; not every file system keeps one. */
export declare function setLinkTime(file: string, seconds: number): void;
