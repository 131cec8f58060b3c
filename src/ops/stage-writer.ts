/**
 * Writes a restore's staged files: create, write, set mode and time, close, file after file.
 *
 * Restoring the benchmark's 20,000 files, the main thread spent 1.8 of its 6 s in these
 * system calls, one after the other with decryption, decompression and hashing, which is why
 * a restore ran no faster than `gpg -d | gzip -d | tar -x`, where each step has a process of
 * its own. Where the data is large and there is a second core, a worker thread makes the
 * calls, fed batches of steps and the bytes they write; in a small restore (a pre-restore
 * snapshot, a config file) starting a worker would cost more than it saves, so the calls are
 * made here, as they come.
 *
 * The worker's buffers come back with each batch and are filled again: no large buffer is
 * freed by one thread after another allocated it (which leaves memory in two malloc arenas),
 * and at most POOL of them are in flight, so a slow disk holds the reader back.
 */
import { closeSync, fchmodSync, futimesSync, openSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../archive/worker-program.ts';
import type { FromStageWorker, StageFailure, StageOp, StopStageWorker, ToStageWorker } from './stage-messages.ts';

/** bytes a batch carries (half a MiB: four in flight are 2 MiB of the restore's peak) */
const BATCH = 512 << 10;
/** batches in flight at most (their buffers are reused) */
const POOL = 4;
/** steps a batch carries at most: a batch of empty files goes out before the list grows long */
const MAX_OPS = 512;
/** from this much data on, a worker makes the calls (when there is a second core) */
export const PARALLEL_FROM = 16 << 20;

export interface StagingWriter {
  /** create `file` (which must not exist) with `mode` */
  open(file: string, mode: number): void;
  /** the open file's next bytes (copied; the chunk stays the caller's); a promise when the caller must wait before writing more */
  write(chunk: Buffer): Promise<void> | undefined;
  /** set `chmod` again if given (bits the umask takes away), the time (seconds), close */
  close(chmod: number | undefined, mtime: number): void;
  /** every step is done; rejects with the first failure, a file system error as thrown */
  finish(): Promise<void>;
  /** after a failure elsewhere: close what is open and stop; nothing is written once this resolves */
  stop(): Promise<void>;
}

/** A writer for a restore of `bytes` bytes. */
export function createStagingWriter(bytes: number): StagingWriter {
  return bytes >= PARALLEL_FROM && availableParallelism() > 1 ? new WorkerWriter() : new InlineWriter();
}

/** The calls on this thread, as they come. */
export class InlineWriter implements StagingWriter {
  #fd: number | undefined;

  open(file: string, mode: number): void {
    this.#fd = openSync(file, 'wx', mode);
  }

  write(chunk: Buffer): undefined {
    writeSync(this.#fd as number, chunk);
  }

  close(chmod: number | undefined, mtime: number): void {
    const fd = this.#fd as number;
    this.#fd = undefined;
    try {
      if (chmod !== undefined) fchmodSync(fd, chmod);
      futimesSync(fd, mtime, mtime);
    } finally {
      closeSync(fd);
    }
  }

  async finish(): Promise<void> {}

  async stop(): Promise<void> {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/** The calls on a worker thread, in batches. */
export class WorkerWriter implements StagingWriter {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;
  readonly #free: Buffer[] = [];
  #allocated = 0;
  #inFlight = 0;
  #ops: StageOp[] = [];
  #data: Buffer | undefined;
  #used = 0;
  #failure: Error | undefined;
  /** wakes whoever waits for a buffer to come back */
  #returned: (() => void) | undefined;

  constructor() {
    this.#worker = startWorker({ from: import.meta.url, name: 'stage-worker' });
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()));
    this.#worker.on('message', (message: FromStageWorker) => this.#receive(message));
    this.#worker.on('error', (error: Error) => this.#fail(error));
    this.#worker.once('exit', (code) => this.#fail(new Error(`the staging worker stopped (exit code ${code})`)));
  }

  open(file: string, mode: number): void {
    this.#check();
    this.#ops.push({ open: file, mode });
  }

  write(chunk: Buffer): Promise<void> | undefined {
    this.#check();
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.#data) {
        this.#data = this.#take();
        if (!this.#data) return this.#waitThenWrite(chunk.subarray(offset));
      }
      const n = Math.min(chunk.length - offset, this.#data.length - this.#used);
      chunk.copy(this.#data, this.#used, offset, offset + n);
      this.#used += n;
      offset += n;
      this.#ops.push({ write: n });
      if (this.#used === this.#data.length) this.#flush();
    }
    return undefined;
  }

  close(chmod: number | undefined, mtime: number): void {
    this.#check();
    this.#ops.push(chmod === undefined ? { close: true, mtime } : { close: true, chmod, mtime });
    if (this.#ops.length >= MAX_OPS) this.#flush();
  }

  async finish(): Promise<void> {
    this.#check();
    this.#flush();
    while (this.#inFlight > 0 && !this.#failure) await this.#bufferBack();
    this.#check();
    await this.stop();
  }

  async stop(): Promise<void> {
    this.#worker.postMessage({ stop: true } satisfies StopStageWorker);
    await this.#exited;
  }

  async #waitThenWrite(rest: Buffer): Promise<void> {
    while (!this.#data) {
      await this.#bufferBack();
      this.#check();
      this.#data = this.#take();
    }
    await this.write(rest);
  }

  /** a buffer to fill: a returned one, a new one while fewer than POOL exist, or none */
  #take(): Buffer | undefined {
    this.#used = 0;
    const reused = this.#free.pop();
    if (reused) return reused;
    if (this.#allocated === POOL) return undefined;
    this.#allocated += 1;
    return Buffer.allocUnsafeSlow(BATCH);
  }

  #flush(): void {
    if (this.#ops.length === 0) return;
    // A batch with no bytes to write still needs a buffer to carry: a new empty one, not pooled.
    const data = this.#data ?? Buffer.allocUnsafeSlow(0);
    const view = new Uint8Array(data.buffer, data.byteOffset, this.#data ? this.#used : 0);
    this.#worker.postMessage({ ops: this.#ops, data: view } satisfies ToStageWorker, [data.buffer as ArrayBuffer]);
    this.#inFlight += 1;
    this.#ops = [];
    this.#data = undefined;
    this.#used = 0;
  }

  #receive(message: FromStageWorker): void {
    this.#inFlight -= 1;
    if (message.failure) this.#failure ??= errorOf(message.failure);
    const back = message.data;
    // the whole buffer again (the view carried only its used part)
    if (back.buffer.byteLength === BATCH) this.#free.push(Buffer.from(back.buffer as ArrayBuffer, 0, BATCH));
    this.#wake();
  }

  #bufferBack(): Promise<void> {
    return new Promise((resolve) => {
      this.#returned = resolve;
    });
  }

  #wake(): void {
    const wake = this.#returned;
    this.#returned = undefined;
    wake?.();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#wake();
  }

  #check(): void {
    if (this.#failure) throw this.#failure;
  }
}

/** The failure as the file system reported it, so that callers tell a full disk from a damaged archive alike on either writer. */
function errorOf(failure: StageFailure): Error {
  const error = new Error(failure.message) as NodeJS.ErrnoException;
  if (failure.code) error.code = failure.code;
  if (failure.syscall) error.syscall = failure.syscall;
  if (failure.path) error.path = failure.path;
  return error;
}
