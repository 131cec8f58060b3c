/**
 * A walk's thread started before anyone knows what it will walk, for the next walk on
 * another thread of this process (walk-thread.ts startThreadWalk) to take. A chain link
 * waits for its walk, and a thread takes 40 ms to start on an idle core, 100-140 ms beside the
 * work a link does before its walk; the command line starts one as it loads, when its words
 * say a chain link is likely (cli/early-walk.ts). A module of its own, light enough to load
 * before the rest of the command line.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { WalkWorkerData } from './walk-messages.ts';
import { startWorker } from './worker-program.ts';

/** A walk thread waiting for its walk, and whether it has ended (failed to start) meanwhile. */
let prestarted: { worker: Worker; shared: SharedArrayBuffer; gone: boolean } | undefined;

/**
 * Start a walk's thread now. Unused, it holds nothing up: the process exits as if it were not
 * there, and a wrong guess costs only the thread's start, on the other core.
 */
export function prestartWalkThread(): void {
  if (prestarted || availableParallelism() < 2) return;
  const shared = new SharedArrayBuffer(8);
  const ready = { worker: walkWorker({ shared }), shared, gone: false };
  ready.worker.unref();
  // one that failed to start, or ended, is not handed out
  const gone = () => (ready.gone = true);
  ready.worker.once('error', gone);
  ready.worker.once('exit', gone);
  prestarted = ready;
}

/** The thread prestartWalkThread started, if it is still there, for the caller alone; it gets its walk as its first message. */
export function takePrestarted(): { worker: Worker; shared: SharedArrayBuffer } | undefined {
  const ready = prestarted;
  prestarted = undefined;
  return ready && !ready.gone ? ready : undefined;
}

/** A walk thread: with its walk in `workerData.job`, or waiting for it as its first message. */
export function walkWorker(workerData: WalkWorkerData): Worker {
  return startWorker({ from: import.meta.url, name: 'walk-worker', workerData });
}

/** End the thread prestartWalkThread started, if no walk took it: a backup that walks on its own thread, a full one, has no use for it. */
export function dropPrestarted(): void {
  void takePrestarted()?.worker.terminate();
}
