/**
 * Where a worker thread's program is, from the module that starts it.
 *
 * In dist/ every bundle's shared code sits in dist/chunks/, and each worker is a bundle of its
 * own beside them, dist/<name>.js (build.mjs checks that every module starting a worker lands
 * in a chunk, so the relative path holds). Run from the source (the tests, under tsx), the
 * worker is the .ts file beside the module that starts it, and registers tsx itself: Node 20
 * does not pass --import loaders on to worker threads.
 */
import { Worker } from 'node:worker_threads';
import { reassertHeapSettings } from './reclaim.ts';

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
 * the same time. From the source it also holds the TypeScript loader, which needs more.
 */
export function startWorker(options: WorkerOptions): Worker {
  const { program, evaluate, oldGenerationMb } = programOf(options.from, options.name);
  const worker = new Worker(program, {
    eval: evaluate,
    execArgv: [], // the host's flags (--import loaders, --input-type) are not for the worker
    workerData: options.workerData,
    transferList: options.transferList ?? [],
    env: {},
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: oldGenerationMb },
  });
  worker.once('online', reassertHeapSettings);
  // Again once the worker has loaded its program: loading modules there (the TypeScript
  // loader, run from the source) can reset V8's flags after 'online' already fired.
  worker.once('message', reassertHeapSettings);
  return worker;
}

function programOf(from: string, name: string): { program: URL | string; evaluate: boolean; oldGenerationMb: number } {
  // (pathname: a loader may add a query to the module's URL)
  if (!new URL(from).pathname.endsWith('.ts'))
    return { program: new URL(`../${name}.js`, from), evaluate: false, oldGenerationMb: 8 };
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const worker = JSON.stringify(new URL(`./${name}.ts`, from).href);
  return {
    program: `import(${tsx}).then(({ register }) => { register(); return import(${worker}); })`,
    evaluate: true,
    oldGenerationMb: 32,
  };
}
