/**
 * A walk of the sources on a thread of its own (see walk-thread.ts): walkSources, its entries
 * posted in batches; first, the keys of any passphrase packets the backup will write
 * (skesk.ts reserveSalts). Built as a bundle of its own (dist/walk-worker.js).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SourceError } from '../domain/errors.ts';
import type { FromWalkWorker, WalkJob, WalkWorkerData } from './walk-messages.ts';
import { WALK_BATCH, WALK_FIELDS, WALK_TYPES } from './walk-messages.ts';
import { deriveReserved } from './skesk.ts';
import { walkSources } from './walk-sources.ts';

const port = parentPort;
if (!port) throw new Error('walk-worker runs as a worker thread only');
const { shared, job } = workerData as WalkWorkerData;
const state = new Int32Array(shared);
const post = (message: FromWalkWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

let posted = 0;
let paths = '';
let numbers = new Float64Array(WALK_BATCH * WALK_FIELDS);
let count = 0;

/** Post the batch so far; then wait while the reader is `ahead` entries behind. False: stop. */
function flush(ahead: number): boolean {
  send();
  for (let taken = Atomics.load(state, 0); posted - taken > ahead; taken = Atomics.load(state, 0)) {
    if (Atomics.load(state, 1) === 1) return false;
    Atomics.wait(state, 0, taken, 100);
  }
  return Atomics.load(state, 1) !== 1;
}

function send(): void {
  if (count > 0) {
    post({ count, paths, numbers }, [numbers.buffer as ArrayBuffer]);
    posted += count;
    paths = '';
    numbers = new Float64Array(WALK_BATCH * WALK_FIELDS);
    count = 0;
  }
}

/** a warning in its place among the entries */
function onWarning(warning: string): void {
  send();
  post({ warning });
}

// A thread started ahead of its walk gets it as its first message.
if (job) walk(job);
else port.once('message', (message: { job: WalkJob }) => walk(message.job));

function walk({ roots, options, ahead, s2k }: WalkJob): void {
  try {
    if (s2k) {
      // copied, not transferred: 32 bytes each, and slices of Node's shared pool, which no
      // runtime lets go to another thread
      const derived = deriveReserved(s2k);
      post({ derived });
      for (const key of derived) key.fill(0);
    }
    let stopped = false;
    for (const entry of walkSources(roots, { ...options, onWarning })) {
      paths += `${entry.archivePath}\0${entry.fsPath}\0`;
      const at = count * WALK_FIELDS;
      const { stats } = entry;
      numbers[at] = WALK_TYPES.indexOf(entry.type);
      numbers[at + 1] = stats.size;
      numbers[at + 2] = stats.mode;
      numbers[at + 3] = stats.mtimeMs;
      numbers[at + 4] = stats.ctimeMs;
      numbers[at + 5] = stats.ino;
      if (++count === WALK_BATCH && !flush(ahead)) {
        stopped = true;
        break;
      }
    }
    if (!stopped) {
      send();
      post({ done: true });
    }
  } catch (error) {
    post({ error: (error as Error).message ?? String(error), source: error instanceof SourceError });
  }
}
