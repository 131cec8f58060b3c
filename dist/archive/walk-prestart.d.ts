import type { Worker } from 'node:worker_threads';
import type { WalkWorkerData } from './walk-messages.ts';
/**
 * Start a walk's thread now. Unused, it holds nothing up: the process exits as if it were not
 * there, and a wrong guess costs only the thread's start, on the other core.
 */
export declare function prestartWalkThread(): void;
/** The thread prestartWalkThread started, if it is still there, for the caller alone; it gets its walk as its first message. */
export declare function takePrestarted(): {
    worker: Worker;
    shared: SharedArrayBuffer;
} | undefined;
/** A walk thread: with its walk in `workerData.job`, or waiting for it as its first message. */
export declare function walkWorker(workerData: WalkWorkerData): Worker;
/** End the thread prestartWalkThread started, if no walk took it: a backup that walks on its own thread, a full one, has no use for it. */
export declare function dropPrestarted(): void;
