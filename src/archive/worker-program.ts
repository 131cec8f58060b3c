/**
 * Where a worker thread's program is, from the module that starts it.
 *
 * In dist/ every bundle's shared code sits in dist/chunks/, and each worker is a bundle of its
 * own beside them, dist/<name>.js (build.mjs checks that every module starting a worker lands
 * in a chunk, so the relative path holds). Run from the source (the tests, under tsx), the
 * worker is the .ts file beside the module that starts it, bundled on first use (Node 20 does
 * not pass --import loaders on to worker threads).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
 * the same time. The old generation gets 12 MiB, not 8: a worker of Node 22 and 24 holds
 * 5.8-6.5 MiB of its own before it runs a line of ripcord, and under load one ran out of heap
 * while starting (V8's fatal out-of-memory, which ends the whole process, not the worker).
 * 12 costs a backup's peak about 2 MiB (mean of 4 runs on Node 24: 125.3 against 123.1).
 */
export function startWorker(options: WorkerOptions): Worker {
  const worker = new Worker(programOf(options.from, options.name), {
    execArgv: [], // the host's flags (--import loaders, --input-type) are not for the worker
    workerData: options.workerData,
    transferList: options.transferList ?? [],
    env: {},
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 12 },
  });
  worker.once('online', reassertHeapSettings);
  // Again once the worker has loaded its program: loading modules there (the TypeScript
  // loader, run from the source) can reset V8's flags after 'online' already fired.
  worker.once('message', reassertHeapSettings);
  return worker;
}

function programOf(from: string, name: string): URL {
  // (pathname: a loader may add a query to the module's URL)
  if (!new URL(from).pathname.endsWith('.ts')) return new URL(`../${name}.js`, from);
  return bundledFromSource(new URL(`./${name}.ts`, from));
}

const fromSource = new Map<string, URL>();

/**
 * Run from the source, a worker is bundled from its .ts file once per process, as build.mjs
 * bundles it for dist/, into a private temporary folder that goes when the process exits.
 * Registering the TypeScript loader in every worker instead cost 0.3-0.4 s of CPU a worker on
 * Node 20 (0.15 s on 24): about 335 workers, a quarter of the test suite's CPU. esbuild is a
 * development dependency, loaded by a name the bundler does not follow.
 */
function bundledFromSource(source: URL): URL {
  const known = fromSource.get(source.href);
  if (known) return known;
  const require = createRequire(import.meta.url);
  const builder = 'esbuild';
  const esbuild = require(builder) as {
    buildSync(options: Record<string, unknown>): unknown;
  };
  const dir = mkdtempSync(path.join(tmpdir(), 'ripcord-worker-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const outfile = path.join(dir, `${path.basename(source.pathname, '.ts')}.mjs`);
  esbuild.buildSync({
    entryPoints: [fileURLToPath(source)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  const url = pathToFileURL(outfile);
  fromSource.set(source.href, url);
  return url;
}
