import type { SeenEntry, SourceRoot, WalkOptions } from './walk-sources.ts';
export interface ThreadWalk {
    /** the entries in walk order, a batch at a time; warnings go to onWarning in their place */
    batches(): AsyncGenerator<SeenEntry[]>;
    /** stop the walk (when it is not wanted after all, or its reader failed) */
    stop(): void;
    /** entries walked and not yet taken by the reader */
    waiting(): number;
    /** settles once the worker has exited */
    exited: Promise<void>;
}
/** A walk on another thread, or undefined where there is only one processor to run it on. */
export declare function startThreadWalk(roots: readonly SourceRoot[], options: WalkOptions, ahead?: number): ThreadWalk | undefined;
