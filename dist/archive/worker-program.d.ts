import { Worker } from 'node:worker_threads';
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
 * the same time.
 */
export declare function startWorker(options: WorkerOptions): Worker;
