/**
 * Where a worker thread's program is, from the module that starts it.
 *
 * In dist/ every bundle's shared code sits in dist/chunks/, and each worker is a bundle of its
 * own beside them, dist/<name>.js (build.mjs checks that every module starting a worker lands
 * in a chunk, so the relative path holds). Run from the source (the tests, under tsx), the
 * worker is the .ts file beside the module that starts it, bundled on first use (Node 20 does
 * not pass --import loaders on to worker threads).
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { reassertHeapSettings } from './reclaim.ts';
import { workerThreads } from './worker-threads.ts';

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
  const { Worker } = workerThreads();
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
 * Run from the source, a worker is bundled from its .ts file as build.mjs bundles it for
 * dist/. Registering the TypeScript loader in every worker instead cost 0.3-0.4 s of CPU a
 * worker on Node 20 (0.15 s on 24): about 335 workers, a quarter of the test suite's CPU.
 * The bundle is kept in a folder of this user's (see bundleCache) under the digest of every
 * source file it was built from, so that each test process does not run esbuild again (about
 * 0.2 s of CPU a worker program). esbuild is a development dependency, loaded by a name the
 * bundler does not follow.
 */
function bundledFromSource(source: URL): URL {
  const known = fromSource.get(source.href);
  if (known) return known;
  const entry = fileURLToPath(source);
  const dir = bundleCache() ?? privateFolder();
  const name = path.basename(entry, '.ts');
  // one record per source file, not per worker name: two checkouts of the project (a clone
  // beside the working copy) must not run each other's bundles, as they once did
  const inputsFile = path.join(dir, `${name}-${digestOf([entry], false)}.inputs.json`);
  const built = (inputs: string[]) => path.join(dir, `${name}-${digestOf(inputs)}.mjs`);
  const recorded = readInputs(inputsFile);
  let file = recorded && built(recorded);
  if (!file || !existsSync(file)) {
    const require = createRequire(import.meta.url);
    const builder = 'esbuild';
    const esbuild = require(builder) as {
      buildSync(options: Record<string, unknown>): {
        outputFiles: { contents: Uint8Array }[];
        metafile: { inputs: Record<string, unknown> };
      };
    };
    const cwd = process.cwd();
    const result = esbuild.buildSync({
      entryPoints: [entry],
      outfile: path.join(dir, `${name}.mjs`),
      absWorkingDir: cwd,
      write: false,
      metafile: true,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
    });
    const inputs = Object.keys(result.metafile.inputs).map((p) => path.resolve(cwd, p));
    file = built(inputs);
    writeReplacing(file, (result.outputFiles[0] as { contents: Uint8Array }).contents);
    writeReplacing(inputsFile, JSON.stringify(inputs));
  }
  const url = pathToFileURL(file);
  fromSource.set(source.href, url);
  return url;
}

/** the source files of the last bundle built (undefined when there is no record) */
function readInputs(file: string): string[] | undefined {
  try {
    const inputs = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(inputs) && inputs.every((i) => typeof i === 'string') ? inputs : undefined;
  } catch {
    return undefined;
  }
}

/**
 * SHA-256 over each source file's path and content (or its path alone); a file gone gives a
 * digest no bundle has
 */
function digestOf(inputs: string[], content = true): string {
  const hash = createHash('sha256');
  for (const input of inputs) {
    hash.update(`${input}\0`);
    if (!content) continue;
    try {
      hash.update(readFileSync(input));
    } catch {
      hash.update(`missing ${randomUUID()}`);
    }
  }
  return hash.digest('hex').slice(0, 32);
}

function writeReplacing(file: string, data: Uint8Array | string): void {
  const partial = `${file}.${process.pid}.${randomUUID()}`;
  writeFileSync(partial, data, { mode: 0o600 });
  renameSync(partial, file);
}

/**
 * The folder the bundles are kept in, ripcord-workers-<uid> in the temporary folder, if it is
 * this user's and nobody else may write into it: a program another user could put there would
 * run in this process. Otherwise none, and each process builds into a private folder.
 */
function bundleCache(): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  const dir = path.join(tmpdir(), `ripcord-workers-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  const stat = lstatSync(dir);
  return stat.isDirectory() && stat.uid === uid && (stat.mode & 0o077) === 0 ? dir : undefined;
}

let ownFolder: string | undefined;

/** a private temporary folder that goes when the process exits */
function privateFolder(): string {
  if (ownFolder) return ownFolder;
  const dir = mkdtempSync(path.join(tmpdir(), 'ripcord-worker-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  ownFolder = dir;
  return dir;
}
