import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);

// src/archive/reclaim.ts
import * as v8 from "node:v8";
import * as vm from "node:vm";
var collect;
function collectGarbage() {
  if (collect === void 0) collect = garbageCollector();
  if (!collect) return;
  collect();
  floor = externalBytes();
}
function garbageCollector() {
  const exposed = globalThis.gc;
  if (typeof exposed === "function") return exposed;
  return functionUnderFlag("expose-gc", "gc");
}
function functionUnderFlag(flag, expression) {
  try {
    v8.setFlagsFromString(`--${flag}`);
    const value = vm.runInNewContext(expression);
    return typeof value === "function" ? value : null;
  } catch {
    return null;
  } finally {
    v8.setFlagsFromString(`--no-${flag}`);
  }
}
function collectGarbageEvery(everyBytes) {
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < everyBytes) return;
    since = 0;
    collectGarbage();
  };
}
function collectGarbageOverSlack(slackBytes) {
  floor ??= externalBytes();
  return () => {
    const now = externalBytes();
    floor = Math.min(floor ?? now, now);
    if (now - floor >= slackBytes) collectGarbage();
  };
}
var floor;
function externalBytes() {
  return v8.getHeapStatistics().external_memory;
}
function keepYoungGenerationSmall() {
  youngGenerationKeptSmall = true;
  v8.setFlagsFromString("--semi-space-growth-factor=1");
}
var youngGenerationKeptSmall = false;
function reassertHeapSettings() {
  if (youngGenerationKeptSmall) v8.setFlagsFromString("--semi-space-growth-factor=1");
}
var RELEASE_FROM = 64 << 10;
var transfer;
function releaseBuffer(chunk) {
  const memory = chunk.buffer;
  if (chunk.byteOffset !== 0 || chunk.byteLength !== memory.byteLength || chunk.byteLength < RELEASE_FROM) return;
  if (!(memory instanceof ArrayBuffer)) return;
  detach(memory);
}
function detach(memory) {
  if (transfer === void 0) transfer = arrayBufferTransfer();
  try {
    transfer?.call(memory, 0);
  } catch {
  }
}
function arrayBufferTransfer() {
  const own = ArrayBuffer.prototype.transfer;
  if (typeof own === "function") return own;
  return functionUnderFlag("harmony-rab-gsab-transfer", "ArrayBuffer.prototype.transfer");
}
var unwritten = /* @__PURE__ */ new WeakMap();
function freeOnceWritten(views) {
  for (const view of views) {
    const memory = view.buffer;
    if (!(memory instanceof ArrayBuffer) || memory.byteLength < RELEASE_FROM) continue;
    unwritten.set(memory, (unwritten.get(memory) ?? 0) + view.byteLength);
  }
}
function written(chunk) {
  const memory = chunk.buffer;
  if (!(memory instanceof ArrayBuffer)) return;
  const left = unwritten.get(memory);
  if (left === void 0) return;
  if (left > chunk.byteLength) {
    unwritten.set(memory, left - chunk.byteLength);
    return;
  }
  unwritten.delete(memory);
  detach(memory);
}

// src/archive/walk-prestart.ts
import { availableParallelism } from "node:os";

// src/archive/worker-program.ts
import { createHash, randomUUID } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync
} from "node:fs";
import { createRequire as createRequire2 } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// src/archive/worker-threads.ts
import { createRequire } from "node:module";
var loaded;
function workerThreads() {
  loaded ??= createRequire(import.meta.url)("node:worker_threads");
  return loaded;
}

// src/archive/worker-program.ts
function startWorker(options) {
  const { Worker } = workerThreads();
  const worker = new Worker(programOf(options.from, options.name), {
    execArgv: [],
    // the host's flags (--import loaders, --input-type) are not for the worker
    workerData: options.workerData,
    transferList: options.transferList ?? [],
    env: {},
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 12 }
  });
  worker.once("online", reassertHeapSettings);
  worker.once("message", reassertHeapSettings);
  return worker;
}
function programOf(from, name) {
  if (!new URL(from).pathname.endsWith(".ts")) return new URL(`../${name}.js`, from);
  return bundledFromSource(new URL(`./${name}.ts`, from));
}
var fromSource = /* @__PURE__ */ new Map();
function bundledFromSource(source) {
  const known = fromSource.get(source.href);
  if (known) return known;
  const entry = fileURLToPath(source);
  const dir = bundleCache() ?? privateFolder();
  const name = path.basename(entry, ".ts");
  const inputsFile = path.join(dir, `${name}-${digestOf([entry], false)}.inputs.json`);
  const built = (inputs) => path.join(dir, `${name}-${digestOf(inputs)}.mjs`);
  const recorded = readInputs(inputsFile);
  let file = recorded && built(recorded);
  if (!file || !existsSync(file)) {
    const require2 = createRequire2(import.meta.url);
    const builder = "esbuild";
    const esbuild = require2(builder);
    const cwd = process.cwd();
    const result = esbuild.buildSync({
      entryPoints: [entry],
      outfile: path.join(dir, `${name}.mjs`),
      absWorkingDir: cwd,
      write: false,
      metafile: true,
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      logLevel: "warning"
    });
    const inputs = Object.keys(result.metafile.inputs).map((p) => path.resolve(cwd, p));
    file = built(inputs);
    writeReplacing(file, result.outputFiles[0].contents);
    writeReplacing(inputsFile, JSON.stringify(inputs));
  }
  const url = pathToFileURL(file);
  fromSource.set(source.href, url);
  return url;
}
function readInputs(file) {
  try {
    const inputs = JSON.parse(readFileSync(file, "utf8"));
    return Array.isArray(inputs) && inputs.every((i) => typeof i === "string") ? inputs : void 0;
  } catch {
    return void 0;
  }
}
function digestOf(inputs, content = true) {
  const hash = createHash("sha256");
  for (const input of inputs) {
    hash.update(`${input}\0`);
    if (!content) continue;
    try {
      hash.update(readFileSync(input));
    } catch {
      hash.update(`missing ${randomUUID()}`);
    }
  }
  return hash.digest("hex").slice(0, 32);
}
function writeReplacing(file, data) {
  const partial = `${file}.${process.pid}.${randomUUID()}`;
  writeFileSync(partial, data, { mode: 384 });
  renameSync(partial, file);
}
function bundleCache() {
  const uid = process.getuid?.();
  if (uid === void 0) return void 0;
  const dir = path.join(tmpdir(), `ripcord-workers-${uid}`);
  try {
    mkdirSync(dir, { mode: 448 });
  } catch (error) {
    if (error.code !== "EEXIST") return void 0;
  }
  const stat = lstatSync(dir);
  return stat.isDirectory() && stat.uid === uid && (stat.mode & 63) === 0 ? dir : void 0;
}
var ownFolder;
function privateFolder() {
  if (ownFolder) return ownFolder;
  const dir = mkdtempSync(path.join(tmpdir(), "ripcord-worker-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  ownFolder = dir;
  return dir;
}

// src/archive/walk-prestart.ts
var prestarted;
function prestartWalkThread() {
  if (prestarted || availableParallelism() < 2) return;
  const shared = new SharedArrayBuffer(8);
  const ready = { worker: walkWorker({ shared }), shared, gone: false };
  ready.worker.unref();
  const gone = () => ready.gone = true;
  ready.worker.once("error", gone);
  ready.worker.once("exit", gone);
  prestarted = ready;
}
function takePrestarted() {
  const ready = prestarted;
  prestarted = void 0;
  return ready && !ready.gone ? ready : void 0;
}
function walkWorker(workerData) {
  return startWorker({ from: import.meta.url, name: "walk-worker", workerData });
}
function dropPrestarted() {
  void takePrestarted()?.worker.terminate();
}

export {
  collectGarbage,
  collectGarbageEvery,
  collectGarbageOverSlack,
  keepYoungGenerationSmall,
  releaseBuffer,
  freeOnceWritten,
  written,
  workerThreads,
  startWorker,
  prestartWalkThread,
  takePrestarted,
  walkWorker,
  dropPrestarted
};
