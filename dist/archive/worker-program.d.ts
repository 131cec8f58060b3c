import type { Worker } from 'node:worker_threads';
export interface WorkerOptions {
    /** `import.meta.url` of the module that starts the worker */
    from: string;
    /** the worker's module name: `<name>.ts` beside `from`, `dist/<name>.js` when bundled */
    name: string;
    workerData?: unknown;
    transferList?: ArrayBuffer[];
}
/**
 * A worker with a small heap: each of ripcord's workers holds no more than the message it is
 * working on. A worker costs Node 24 about 19 MiB against Node 20's 9; with 1 + 8 MiB instead
 * of 2 + 16 a backup of the benchmark peaked at 120-123 MiB on Node 24 instead of 128-131, in
 * the same time. The old generation gets 12 MiB, not 8: a worker of Node 22 and 24 holds
 * 5.8-6.5 MiB of its own before it runs a line of ripcord, and under load one ran out of heap
 * while starting (V8's fatal out-of-memory, which ends the whole process, not the worker).
 * 12 costs a backup's peak about 2 MiB (mean of 4 runs on Node 24: 125.3 against 123.1).
 */
export declare function startWorker(options: WorkerOptions): Worker;
