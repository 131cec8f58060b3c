import type { SeenEntry, SourceRoot, WalkOptions } from './walk-sources.ts';
import type { S2kJob } from './skesk.ts';
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
export declare function startThreadWalk(roots: readonly SourceRoot[], options: WalkOptions, extra?: {
    /** entries the worker may walk ahead of its reader (tests set fewer) */
    ahead?: number;
    /** passphrase packets' keys to derive on that thread too, before the walk (skesk.ts reserveSalts) */
    s2k?: S2kJob;
}): ThreadWalk | undefined;
