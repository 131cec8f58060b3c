// src/archive/cfb-worker.ts
import { createCipheriv, createHash } from "node:crypto";
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { parentPort, workerData } from "node:worker_threads";

// src/archive/cfb-messages.ts
var CFB_SLICE = 64 * 1024;
var CFB_BLOCK = 16;

// src/archive/worker-threads.ts
import { createRequire } from "node:module";
var loaded;
function workerThreads() {
  loaded ??= createRequire(import.meta.url)("node:worker_threads");
  return loaded;
}

// src/archive/transfer.ts
var untransferable;
function isMarkedAsUntransferable() {
  untransferable ??= workerThreads().isMarkedAsUntransferable ?? null;
  return untransferable;
}
function transferOf(views) {
  const check = isMarkedAsUntransferable();
  const stuck = check ? views.filter((view) => check(view.buffer)) : [];
  if (stuck.length === 0) return { views: [...views], transferList: memoryOf(views) };
  const copy = Buffer.allocUnsafeSlow(stuck.reduce((sum, view) => sum + view.byteLength, 0));
  let offset = 0;
  const moved = views.map((view) => {
    if (!stuck.includes(view)) return view;
    copy.set(view, offset);
    offset += view.byteLength;
    return copy.subarray(offset - view.byteLength, offset);
  });
  return { views: moved, transferList: memoryOf(moved) };
}
function memoryOf(views) {
  return [...new Set(views.map((view) => view.buffer))];
}

// src/archive/cfb-worker.ts
var COLLECT_EVERY = 4;
var port = parentPort;
if (!port) throw new Error("cfb-worker runs as a worker thread only");
var { key: sharedKey } = workerData;
var key = Buffer.from(sharedKey);
sharedKey.fill(0);
var cipher = createCipheriv("aes-256-cfb", key, Buffer.alloc(CFB_BLOCK));
key.fill(0);
var mdc = createHash("sha1");
var collectYoung = youngCollector();
var messages = 0;
port.on("message", (message) => {
  if ("views" in message) {
    for (const view of message.views) {
      const data = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
      for (let offset = 0; offset < data.length; offset += CFB_SLICE) {
        const part = data.subarray(offset, offset + CFB_SLICE);
        mdc.update(part);
        cipher.update(part).copy(data, offset);
      }
    }
    post({ ciphertext: message.views });
    if (collectYoung && ++messages % COLLECT_EVERY === 0) collectYoung();
  } else {
    const header = Buffer.from([211, 20]);
    mdc.update(header);
    const ciphertext = [cipher.update(header), cipher.update(mdc.digest()), cipher.final()].filter((c) => c.length > 0);
    post({ ciphertext, done: true });
  }
});
function post(message) {
  const { views, transferList } = transferOf(message.ciphertext);
  port.postMessage({ ...message, ciphertext: views }, transferList);
}
function youngCollector() {
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc");
    return typeof gc === "function" ? () => gc({ type: "minor" }) : void 0;
  } catch {
    return void 0;
  } finally {
    v8.setFlagsFromString("--no-expose-gc");
  }
}
