// src/ops/stage-worker.ts
import { closeSync, fchmodSync, futimesSync, openSync, writeSync } from "node:fs";
import { parentPort } from "node:worker_threads";
var port = parentPort;
if (!port) throw new Error("stage-worker runs as a worker thread only");
var fd;
var failure;
port.on("message", (message) => {
  if ("stop" in message) {
    closeOpenFile();
    port.close();
    return;
  }
  if (!failure) {
    try {
      run(message.ops, Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength));
    } catch (error) {
      closeOpenFile();
      const e = error;
      failure = {
        message: e.message,
        ...e.code ? { code: e.code } : {},
        ...e.syscall ? { syscall: e.syscall } : {},
        ...e.path ? { path: e.path } : {}
      };
    }
  }
  port.postMessage({ data: message.data, ...failure ? { failure } : {} }, [
    message.data.buffer
  ]);
});
function run(ops, data) {
  let at = 0;
  for (const op of ops) {
    if ("open" in op) {
      fd = openSync(op.open, "wx", op.mode);
    } else if ("write" in op) {
      const end = at + op.write;
      while (at < end) at += writeSync(fd, data, at, end - at);
    } else {
      const open = fd;
      fd = void 0;
      try {
        if (op.chmod !== void 0) fchmodSync(open, op.chmod);
        futimesSync(open, op.mtime, op.mtime);
      } finally {
        closeSync(open);
      }
    }
  }
}
function closeOpenFile() {
  if (fd === void 0) return;
  try {
    closeSync(fd);
  } catch {
  }
  fd = void 0;
}
