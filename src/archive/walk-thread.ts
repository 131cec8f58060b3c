/**
 * The walk of a chain link's sources on a thread of its own, started before the parent's
 * manifest is read: the two are the bulk of an unchanged incremental's work, and need not
 * wait for each other. The walk's lstat calls (20,000 on the benchmark) then run while this
 * thread decrypts and parses the parent's manifest; this thread compares what the walk saw
 * with what the parent recorded, and looks again only at what it will store.
 *
 * The worker stays at most WALK_AHEAD entries ahead of its reader (a shared counter it waits
 * on), so a tree of millions of files does not pile up here.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { SourceError } from '../domain/errors.ts';
import type { FromWalkWorker, WalkJob } from './walk-messages.ts';
import { WALK_AHEAD, WALK_FIELDS, WALK_TYPES } from './walk-messages.ts';
import type { SeenEntry, SourceRoot, WalkOptions } from './walk-sources.ts';
import { takePrestarted, walkWorker } from './walk-prestart.ts';
import { rememberReserved } from './skesk.ts';
import type { S2kJob } from './skesk.ts';

export interface ThreadWalk {
  /** the entries in walk order, a batch at a time; warnings go to onWarning in their place */
  batches(): AsyncGenerator<SeenEntry[]>;
  /** stop the walk (when it is not wanted after all, or its reader failed) */
  stop(): void;
  /** entries walked and not yet taken by the reader */
  waiting(): number;
  /** settles once the worker has exited */
  exited: Promise<void>;
}

/** A walk on another thread, or undefined where there is only one processor to run it on. */
export function startThreadWalk(
  roots: readonly SourceRoot[],
  options: WalkOptions,
  extra: {
    /** entries the worker may walk ahead of its reader (tests set fewer) */
    ahead?: number;
    /** passphrase packets' keys to derive on that thread too, before the walk (skesk.ts reserveSalts) */
    s2k?: S2kJob;
  } = {},
): ThreadWalk | undefined {
  if (availableParallelism() < 2) return undefined;
  const { onWarning, ...walkOptions } = options;
  const job: WalkJob = {
    roots: [...roots],
    options: walkOptions,
    ahead: extra.ahead ?? WALK_AHEAD,
    ...(extra.s2k ? { s2k: extra.s2k } : {}),
  };
  const ready = takePrestarted();
  const shared = ready?.shared ?? new SharedArrayBuffer(8);
  const worker: Worker = ready?.worker ?? walkWorker({ shared, job });
  const state = new Int32Array(shared);
  const queue: Queued[] = [];
  let wake: (() => void) | undefined;
  const push = (message: Queued) => {
    queue.push(message);
    wake?.();
    wake = undefined;
  };
  let finished = false;
  worker.on('message', (message: FromWalkWorker) => {
    // kept at once, not queued behind the batches: a packet may need one before the walk is read
    if ('derived' in message) rememberReserved(extra.s2k!, message.derived);
    else push(message);
  });
  worker.on('error', (error) => push({ failed: error }));
  const exited = new Promise<void>((resolve) =>
    worker.on('exit', () => {
      if (!finished) push({ failed: new Error('the walk of the sources stopped before its end') });
      resolve();
    }),
  );
  const stop = () => {
    finished = true;
    Atomics.store(state, 1, 1);
    Atomics.notify(state, 0);
    void worker.terminate();
  };
  if (ready) {
    worker.ref();
    worker.postMessage({ job });
  }

  async function* batches(): AsyncGenerator<SeenEntry[]> {
    try {
      for (;;) {
        if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        const message = queue.shift()!;
        if ('failed' in message) throw message.failed;
        if ('error' in message) throw message.source ? new SourceError(message.error) : new Error(message.error);
        if ('warning' in message) {
          onWarning?.(message.warning);
          continue;
        }
        if ('done' in message) {
          finished = true;
          return;
        }
        yield decode(message);
        Atomics.add(state, 0, message.count);
        Atomics.notify(state, 0);
      }
    } finally {
      if (!finished) stop();
    }
  }

  const waiting = () => queue.reduce((sum, message) => sum + ('count' in message ? message.count : 0), 0);
  return { batches, stop, waiting, exited };
}

/** what the reader takes in turn: all but the derived keys, which are kept as they come */
type Queued = Exclude<FromWalkWorker, { derived: Uint8Array[] }> | { failed: Error };

function decode(batch: { count: number; paths: string; numbers: Float64Array }): SeenEntry[] {
  const { count, numbers } = batch;
  const paths = batch.paths.split('\0');
  const entries: SeenEntry[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * WALK_FIELDS;
    entries[i] = {
      archivePath: paths[2 * i]!,
      fsPath: paths[2 * i + 1]!,
      type: WALK_TYPES[numbers[at]!]!,
      seen: {
        size: numbers[at + 1]!,
        mode: numbers[at + 2]!,
        mtimeMs: numbers[at + 3]!,
        ctimeMs: numbers[at + 4]!,
        ino: numbers[at + 5]!,
      },
    };
  }
  return entries;
}
