/**
 * Return the memory of buffers a stream has let go of, on a steady schedule.
 *
 * A backup or restore passes every byte through short-lived buffers of up to a MiB
 * (tar batches, gzip members, cipher output) that live outside V8's heap. V8 frees them
 * only when it collects garbage, and with a heap of a few MiB it does that only after
 * about 64 MiB more of such memory has piled up: measured on the benchmark dataset,
 * 50 to 70 MiB of dead buffers floated in a 140 MiB process. Collecting after every
 * few dozen MiB of data costs a few milliseconds each time and keeps the peak flat.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

let collect: (() => void) | null | undefined;

/** A full garbage collection, or nothing where the runtime does not allow it. */
export function collectGarbage(): void {
  if (collect === undefined) collect = garbageCollector();
  if (!collect) return;
  collect();
  floor = externalBytes();
}

function garbageCollector(): (() => void) | null {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  // The flag only decides whether new contexts get a gc(); the collection itself is of
  // the whole isolate.
  return functionUnderFlag('expose-gc', 'gc') as (() => void) | null;
}

/**
 * A function V8 gives a new context only under `flag` (without its leading `--`): the flag is
 * set for as long as it takes to make that context, and turned off again so that no other
 * context sees it. Null where this V8 does not know the flag or the function.
 */
function functionUnderFlag(flag: string, expression: string): ((...args: never[]) => unknown) | null {
  try {
    v8.setFlagsFromString(`--${flag}`);
    const value = vm.runInNewContext(expression) as unknown;
    return typeof value === 'function' ? (value as (...args: never[]) => unknown) : null;
  } catch {
    return null;
  } finally {
    v8.setFlagsFromString(`--no-${flag}`);
  }
}

/** Counts bytes and collects garbage each time another `everyBytes` have gone by. */
export function collectGarbageEvery(everyBytes: number): (bytes: number) => void {
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < everyBytes) return;
    since = 0;
    collectGarbage();
  };
}

/**
 * Collects garbage whenever the memory held by buffers (V8's external memory: cheap to read)
 * has grown by `slackBytes` since the last collection. Unlike a fixed interval of data, this
 * follows how much garbage the data actually makes: a MiB of random data leaves two MiB of
 * dead buffers behind on its way to disk, a MiB of text a third of that.
 *
 * The last collection is the process's, whoever made it: schedules that watch the same data
 * (a pipeline's and its sink's) share one floor. Each with a floor of its own collected twice
 * for the same growth: a 1 %-changed incremental of the benchmark that read a parent's large
 * file back paid 20 full collections of 12 ms where 10 do the same.
 */
export function collectGarbageOverSlack(slackBytes: number): () => void {
  floor ??= externalBytes();
  return () => {
    const now = externalBytes();
    // V8 frees dead buffers on a helper thread after a collection: the floor is the lowest
    // level seen since, not the level right after it.
    floor = Math.min(floor ?? now, now);
    if (now - floor >= slackBytes) collectGarbage();
  };
}

/** the lowest external memory seen since the last collection (collectGarbageOverSlack) */
let floor: number | undefined;

function externalBytes(): number {
  return v8.getHeapStatistics().external_memory;
}

/**
 * Keep V8's young generation at its starting size for the life of the process. V8 doubles
 * it, up to 32 MiB, whenever many objects survive, which reading a manifest of tens of
 * thousands of entries does, and never gives that memory back. Measured on the benchmark:
 * a restore of 20,000 files peaked at 143 MiB with it grown and at 114 MiB without, in the
 * same time; a backup went from about 120 to 114 MiB. For programs (the CLI, the Action),
 * not for a library's host process, whose memory is its own business.
 */
export function keepYoungGenerationSmall(): void {
  youngGenerationKeptSmall = true;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}

let youngGenerationKeptSmall = false;

/**
 * Apply keepYoungGenerationSmall again, if it was applied. A worker thread's start-up sets
 * V8's flags back to their defaults for the whole process (measured: the main thread's
 * young generation then grew to 16 MiB during a 2 GB backup), so whoever starts a worker
 * calls this once the worker runs.
 */
export function reassertHeapSettings(): void {
  if (youngGenerationKeptSmall) v8.setFlagsFromString('--semi-space-growth-factor=1');
}

/** below this a buffer may be a slice of Node's shared pool, and freeing it early buys little */
const RELEASE_FROM = 64 << 10;

type Transfer = (this: ArrayBuffer, length: number) => ArrayBuffer;

let transfer: Transfer | null | undefined;

/**
 * Free a buffer's memory now instead of at the next garbage collection, when the buffer is
 * the whole of its memory (a view of a larger one, or of a shared pool, is left alone).
 * Whatever still holds a view of it sees it empty from then on: only for buffers that
 * nothing reads again (see readTar's `release`).
 *
 * A restore of the benchmark's dataset passes 500 MB of tar through 256 KiB buffers that
 * gunzip allocates and the tar reader is done with a moment later. Left to the collector,
 * they took 32 of the 75 full collections (13 ms each with a manifest of 20,000 entries
 * alive) that hold the restore's memory flat; freed here, they take none.
 *
 * `ArrayBuffer.prototype.transfer(0)` detaches the buffer and drops its memory at once. Node
 * 22 and 24 have it; Node 20's V8 has it behind a flag, which is set for as long as it takes
 * to get the function from a new context (as collectGarbage gets `gc`), and the collector
 * does the work where neither is there.
 */
export function releaseBuffer(chunk: Uint8Array): void {
  const memory = chunk.buffer;
  if (chunk.byteOffset !== 0 || chunk.byteLength !== memory.byteLength || chunk.byteLength < RELEASE_FROM) return;
  if (!(memory instanceof ArrayBuffer)) return; // shared memory is never ours alone
  detach(memory);
}

function detach(memory: ArrayBuffer): void {
  if (transfer === undefined) transfer = arrayBufferTransfer();
  try {
    transfer?.call(memory, 0);
  } catch {
    // memory that cannot be detached (a WebAssembly memory, say) waits for the collector
  }
}

function arrayBufferTransfer(): Transfer | null {
  const own = (ArrayBuffer.prototype as { transfer?: unknown }).transfer;
  if (typeof own === 'function') return own as Transfer;
  return functionUnderFlag('harmony-rab-gsab-transfer', 'ArrayBuffer.prototype.transfer') as Transfer | null;
}

/** bytes of each buffer still to be written, for buffers freed once they are (freeOnceWritten) */
const unwritten = new WeakMap<ArrayBuffer, number>();

/**
 * Mark the bytes of `views` as the part of their memory still to be written: once `written`
 * has been told of every one of them, that memory is freed at once (as releaseBuffer frees a
 * whole buffer), rather than at the next garbage collection. For memory nothing else refers
 * to, whose views go to a writer in pieces: the gzip members of a backup come back from the
 * encryption worker as such views, slices of zlib's output buffers, and a backup of the
 * benchmark's dataset left about 400 MB of them behind, its 50-odd forced collections.
 *
 * All views of a buffer must be marked before the first of them can be reported written,
 * or its memory goes while a view of it still waits: mark them together, in one turn of the
 * event loop (a write is reported in a later one).
 */
export function freeOnceWritten(views: readonly Uint8Array[]): void {
  for (const view of views) {
    const memory = view.buffer;
    if (!(memory instanceof ArrayBuffer) || memory.byteLength < RELEASE_FROM) continue;
    unwritten.set(memory, (unwritten.get(memory) ?? 0) + view.byteLength);
  }
}

/** A writer has written this chunk: its memory is freed if it was the last unwritten part of a buffer marked by freeOnceWritten. */
export function written(chunk: Uint8Array): void {
  const memory = chunk.buffer;
  if (!(memory instanceof ArrayBuffer)) return;
  const left = unwritten.get(memory);
  if (left === undefined) return;
  if (left > chunk.byteLength) {
    unwritten.set(memory, left - chunk.byteLength);
    return;
  }
  unwritten.delete(memory);
  detach(memory);
}
