/**
 * The staging writer's worker (see ./stage-writer.ts): creates, writes and closes the files
 * of a restore's staging folder, in order, on a thread of its own. Built as a bundle of its
 * own (dist/stage-worker.js); run from the source, under the host's TypeScript loader.
 *
 * Messages in: batches of steps with their data; { stop: true } to close and exit.
 * Messages out: each batch's buffer back, with the first failure once there is one.
 */
import { closeSync, fchmodSync, futimesSync, openSync, writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { FromStageWorker, StageFailure, StageOp, StopStageWorker, ToStageWorker } from './stage-messages.ts';

const port = parentPort;
if (!port) throw new Error('stage-worker runs as a worker thread only');

let fd: number | undefined;
let failure: StageFailure | undefined;

port.on('message', (message: ToStageWorker | StopStageWorker) => {
  if ('stop' in message) {
    closeOpenFile();
    port.close();
    return;
  }
  if (!failure) {
    try {
      run(message.ops, Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength));
    } catch (error) {
      closeOpenFile();
      const e = error as NodeJS.ErrnoException;
      failure = {
        message: e.message,
        ...(e.code ? { code: e.code } : {}),
        ...(e.syscall ? { syscall: e.syscall } : {}),
        ...(e.path ? { path: e.path } : {}),
      };
    }
  }
  port.postMessage({ data: message.data, ...(failure ? { failure } : {}) } satisfies FromStageWorker, [
    message.data.buffer as ArrayBuffer,
  ]);
});

function run(ops: StageOp[], data: Buffer): void {
  let at = 0;
  for (const op of ops) {
    if ('open' in op) {
      fd = openSync(op.open, 'wx', op.mode);
    } else if ('write' in op) {
      const end = at + op.write;
      while (at < end) at += writeSync(fd as number, data, at, end - at);
    } else {
      const open = fd as number;
      fd = undefined;
      try {
        if (op.chmod !== undefined) fchmodSync(open, op.chmod);
        futimesSync(open, op.mtime, op.mtime);
      } finally {
        closeSync(open);
      }
    }
  }
}

function closeOpenFile(): void {
  if (fd === undefined) return;
  try {
    closeSync(fd);
  } catch {
    // it is being given up on anyway
  }
  fd = undefined;
}
