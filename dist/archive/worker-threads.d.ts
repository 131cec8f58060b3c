export declare function workerThreads(): typeof import('node:worker_threads');
