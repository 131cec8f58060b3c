/**
 * The messages between a walk on another thread (walk-worker.ts) and the thread that reads it
 * (walk-thread.ts). Types only.
 */
import type { S2kJob } from './skesk.ts';
import type { SourceRoot, WalkOptions } from './walk-sources.ts';
export interface WalkWorkerData {
    /**
     * Int32 [taken, stop]: how many entries the reader has taken, and 1 once it wants no more.
     * The worker stays at most `ahead` entries ahead of `taken`.
     */
    shared: SharedArrayBuffer;
    /** what to walk; absent for a thread started ahead of its walk, which then gets it as its first message */
    job?: WalkJob;
}
export interface WalkJob {
    roots: SourceRoot[];
    options: Omit<WalkOptions, 'onWarning'>;
    /** entries the worker may walk ahead of its reader (WALK_AHEAD; tests set fewer) */
    ahead: number;
    /** passphrase packets' keys to derive before the walk (skesk.ts reserveSalts) */
    s2k?: S2kJob;
}
/** Entries in each message of the worker's. */
export declare const WALK_BATCH = 256;
/** Entries the worker walks ahead of its reader, at most: what bounds the reader's queue. */
export declare const WALK_AHEAD: number;
/** Numbers per entry in a batch's `numbers`: type, size, mode, mtimeMs, ctimeMs, ino. */
export declare const WALK_FIELDS = 6;
/** `type` in a batch's numbers. */
export declare const WALK_TYPES: readonly ['file', 'directory', 'symlink'];
export type FromWalkWorker = 
/** `count` entries: archivePath NUL fsPath NUL each, and WALK_FIELDS numbers each */
{
    count: number;
    paths: string;
    numbers: Float64Array;
} | {
    warning: string;
}
/** the keys of the s2k job's salts, in order */
 | {
    derived: Uint8Array[];
}
/** the walk failed: `source` when it was a SourceError (the message is the user's one line) */
 | {
    error: string;
    source: boolean;
} | {
    done: true;
};
