/**
 * node:worker_threads, loaded by the first thing that needs it rather than with the modules
 * that mention it: a read (dump, ls, restore) starts no worker, and loading it (with the
 * internals it brings) cost each about 3 ms of start-up on Node 20.
 */
import { createRequire } from 'node:module';

let loaded: typeof import('node:worker_threads') | undefined;

export function workerThreads(): typeof import('node:worker_threads') {
  loaded ??= createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
  return loaded;
}
