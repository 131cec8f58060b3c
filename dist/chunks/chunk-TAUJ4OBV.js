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

export {
  collectGarbage,
  collectGarbageEvery,
  collectGarbageOverSlack,
  keepYoungGenerationSmall,
  reassertHeapSettings,
  releaseBuffer,
  freeOnceWritten,
  written
};
