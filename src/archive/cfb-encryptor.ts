/**
 * The serial heart of SEIPD v1 encryption: SHA-1 (the MDC) and AES-256-CFB over the whole
 * plaintext, in order. Each byte of CFB ciphertext depends on the one before, so this work
 * cannot be split; what can be done is to run it on a thread of its own. On the benchmark
 * that moves about 0.7 s per 300 MB off the thread that reads files and hands out gzip
 * work, which was the bottleneck wherever data did not compress.
 *
 * Two implementations behind one interface: in this thread (small messages, one core) and
 * in a worker thread. The caller gives its buffers away with write(). The worker encrypts
 * them in place and hands them back as ciphertext, so that all large buffers stay the main
 * thread's: memory freed by one thread and allocated by another would sit in two malloc
 * arenas at once (measured: 136 MiB peak that way, against 107 MiB in one thread).
 */
import { createCipheriv, createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { reassertHeapSettings } from './reclaim.ts';

export interface CfbEncryptorEvents {
  /** ciphertext, in order; the receiver owns it */
  onCiphertext(ciphertext: Buffer): void;
  /** a write() is done with; `bytes` is the count it was given */
  onConsumed(bytes: number): void;
  /** the encryptor failed (the worker died); nothing more will be delivered */
  onError(error: Error): void;
}

export interface CfbEncryptor {
  /**
   * Hash and encrypt these plaintext views, in order. The encryptor owns them, and the whole
   * memory behind each, from here on: nothing else may use it. `bytes` is echoed by onConsumed.
   */
  write(views: Buffer[], bytes: number): void;
  /** Encrypt the MDC packet (0xD3 0x14 and the SHA-1 of everything before it) and finish; resolves after the last ciphertext. */
  finish(): Promise<void>;
  /** Stop at once (the stream failed); nothing more is delivered. */
  destroy(): void;
}

/** bytes per cipher call: 64 KiB stays in cache, measurably faster than 1 MiB calls */
const SLICE = 64 * 1024;
const BLOCK = 16;

/**
 * A new CFB encryptor with this session key (which may be zeroed once this returns).
 * `parallel` asks for a worker thread, used where there is a second core to run it.
 */
export function createCfbEncryptor(sessionKey: Buffer, events: CfbEncryptorEvents, options: { parallel: boolean }): CfbEncryptor {
  const worthIt = options.parallel && availableParallelism() > 1;
  return worthIt ? new WorkerEncryptor(sessionKey, events) : new InlineEncryptor(sessionKey, events);
}

class InlineEncryptor implements CfbEncryptor {
  readonly #events: CfbEncryptorEvents;
  readonly #cipher;
  readonly #mdc = createHash('sha1');

  constructor(sessionKey: Buffer, events: CfbEncryptorEvents) {
    this.#events = events;
    this.#cipher = createCipheriv('aes-256-cfb', sessionKey, Buffer.alloc(BLOCK));
  }

  write(views: Buffer[], bytes: number): void {
    for (const view of views) {
      for (let offset = 0; offset < view.length; offset += SLICE) {
        const slice = view.subarray(offset, offset + SLICE);
        this.#mdc.update(slice);
        this.#events.onCiphertext(this.#cipher.update(slice));
      }
    }
    this.#events.onConsumed(bytes);
  }

  async finish(): Promise<void> {
    const header = Buffer.from([0xd3, 0x14]);
    this.#mdc.update(header);
    this.#events.onCiphertext(this.#cipher.update(header));
    this.#events.onCiphertext(this.#cipher.update(this.#mdc.digest()));
    const last = this.#cipher.final();
    if (last.length > 0) this.#events.onCiphertext(last);
  }

  destroy(): void {}
}

type ToWorker = { views: Uint8Array[] } | { finish: true };
type FromWorker = { ciphertext: Uint8Array[]; done?: true };

/** The memory behind these views, each once: what a message transfers. */
function memoryOf(views: readonly Uint8Array[]): ArrayBuffer[] {
  return [...new Set(views.map((view) => view.buffer as ArrayBuffer))];
}

/**
 * The worker's whole program, as source text: the worker runs it with eval, without the
 * bundle it came from (a function's own text would carry the bundler's helpers with it).
 * Messages in: { views } to hash and encrypt in place, { finish: true } for the MDC packet.
 * Messages out: { ciphertext: [views] } in order, the last one with done: true.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const v8 = require('node:v8');
const vm = require('node:vm');
const SLICE = ${SLICE};
const COLLECT_EVERY = 4;
let messages = 0;
const key = Buffer.from(workerData.key);
workerData.key.fill(0);
const cipher = crypto.createCipheriv('aes-256-cfb', key, Buffer.alloc(${BLOCK}));
key.fill(0);
const mdc = crypto.createHash('sha1');
// The cipher's output buffers die at once; collecting the young generation after every
// fourth message returns them before they pile up (after each one, the collections took a
// quarter of a second of CPU over the benchmark's 300 MB; this takes a quarter of that,
// for a few MiB of dead buffers).
let collect;
try {
  v8.setFlagsFromString('--expose-gc');
  collect = vm.runInNewContext('gc');
} catch {
  collect = undefined;
} finally {
  v8.setFlagsFromString('--no-expose-gc');
}
const memoryOf = (views) => [...new Set(views.map((view) => view.buffer))];
parentPort.on('message', (message) => {
  if (message.views) {
    for (const view of message.views) {
      const data = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
      for (let offset = 0; offset < data.length; offset += SLICE) {
        const part = data.subarray(offset, offset + SLICE);
        mdc.update(part);
        cipher.update(part).copy(data, offset);
      }
    }
    parentPort.postMessage({ ciphertext: message.views }, memoryOf(message.views));
    if (typeof collect === 'function' && ++messages % COLLECT_EVERY === 0) collect({ type: 'minor' });
  } else {
    const header = Buffer.from([0xd3, 0x14]);
    mdc.update(header);
    const ciphertext = [cipher.update(header), cipher.update(mdc.digest()), cipher.final()].filter((c) => c.length > 0);
    parentPort.postMessage({ ciphertext, done: true }, memoryOf(ciphertext));
  }
});
`;

class WorkerEncryptor implements CfbEncryptor {
  readonly #events: CfbEncryptorEvents;
  readonly #worker: Worker;
  /** bytes of each write not yet back, in order */
  readonly #pending: number[] = [];
  #failure: Error | undefined;
  #finished: { resolve: () => void; reject: (error: Error) => void } | undefined;
  #destroyed = false;

  constructor(sessionKey: Buffer, events: CfbEncryptorEvents) {
    this.#events = events;
    const key = new Uint8Array(sessionKey); // a copy that travels to the worker and is zeroed there
    // A small heap: the worker holds no more than the message it is encrypting.
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [], // the host's flags (--input-type=module, --import loaders) are not for this script
      workerData: { key },
      transferList: [key.buffer],
      env: {},
      resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16 },
    });
    this.#worker.once('online', reassertHeapSettings);
    this.#worker.on('message', (message: FromWorker) => this.#receive(message));
    this.#worker.on('error', (error: Error) => this.#fail(error));
    this.#worker.on('exit', (code) => this.#fail(new Error(`the encryption worker stopped (exit code ${code})`)));
  }

  write(views: Buffer[], bytes: number): void {
    if (this.#failure) throw this.#failure;
    this.#pending.push(bytes);
    this.#worker.postMessage({ views } satisfies ToWorker, memoryOf(views));
  }

  finish(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#finished = { resolve, reject };
      this.#worker.postMessage({ finish: true } satisfies ToWorker);
    });
  }

  destroy(): void {
    this.#destroyed = true;
    void this.#worker.terminate();
  }

  #receive(message: FromWorker): void {
    if (this.#destroyed) return;
    for (const c of message.ciphertext) this.#events.onCiphertext(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
    if (message.done) {
      this.#destroyed = true;
      void this.#worker.terminate();
      this.#finished?.resolve();
    } else {
      this.#events.onConsumed(this.#pending.shift() ?? 0);
    }
  }

  #fail(error: Error): void {
    if (this.#destroyed || this.#failure) return;
    this.#failure = error;
    this.#destroyed = true;
    void this.#worker.terminate();
    this.#finished?.reject(error);
    this.#events.onError(error);
  }
}
