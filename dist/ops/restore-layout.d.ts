import type { RestorePlan } from './restore-plan.ts';
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
    /** a selected directory of a tree, made when the first entry goes into it (makeParents) or at the end (makeFolders) */
    addFolder(index: number): void;
    /** make the folders added and not made yet that `file` goes into, outermost first */
    makeParents(file: string): void;
    /** make every folder added and not made yet */
    makeFolders(): void;
}
export declare function stagingLayout(plan: RestorePlan, staging: string): Promise<StagingLayout>;
