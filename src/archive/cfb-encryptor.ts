/**
 * The serial heart of SEIPD v1 encryption: SHA-1 (the MDC) and AES-256-CFB over the whole
 * plaintext, in order. Each byte of CFB ciphertext depends on the one before, so this work
 * cannot be split; what can be done is to run it on a thread of its own. On the benchmark
 * that moves about 0.7 s per 300 MB off the thread that reads files and hands out gzip
 * work, which was the bottleneck wherever data did not compress.
 *
 * Two implementations behind one interface: in this thread (small messages, one core) and
 * in a worker thread. Plaintext buffers are handed over, not copied. The worker encrypts a
 * buffer in place and hands it back as ciphertext, so that all large buffers are the main
 * thread's: memory freed by one thread and allocated by another would sit in two malloc
 * arenas at once (measured: 136 MiB peak that way, against 107 MiB in one thread).
 */
import { createCipheriv, createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface CfbEncryptorEvents {
  /** ciphertext, in order; the receiver owns it */
  onCiphertext(ciphertext: Buffer): void;
  /** a write() is done with: its buffer comes back when it may be reused (in this thread), not when it became ciphertext (the worker) */
  onConsumed(plain?: Buffer): void;
  /** the encryptor failed (the worker died); nothing more will be delivered */
  onError(error: Error): void;
}

export interface CfbEncryptor {
  /** Hash and encrypt the next plaintext; the encryptor owns `plain` until onConsumed gives it back. */
  write(plain: Buffer): void;
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

  write(plain: Buffer): void {
    for (let offset = 0; offset < plain.length; offset += SLICE) {
      const slice = plain.subarray(offset, offset + SLICE);
      this.#mdc.update(slice);
      this.#events.onCiphertext(this.#cipher.update(slice));
    }
    this.#events.onConsumed(plain);
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

type ToWorker = { plain: Uint8Array } | { finish: true };
type FromWorker = { ciphertext: Uint8Array[]; done?: true };

/**
 * The worker's whole program, as source text: the worker runs it with eval, without the
 * bundle it came from (a function's own text would carry the bundler's helpers with it).
 * Messages in: { plain } to hash and encrypt in place, { finish: true } for the MDC packet.
 * Messages out: { ciphertext: [views] } in order, the last one with done: true.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const v8 = require('node:v8');
const vm = require('node:vm');
const SLICE = ${SLICE};
const COLLECT_EVERY = 2;
let messages = 0;
const key = Buffer.from(workerData.key);
workerData.key.fill(0);
const cipher = crypto.createCipheriv('aes-256-cfb', key, Buffer.alloc(${BLOCK}));
key.fill(0);
const mdc = crypto.createHash('sha1');
// The cipher's output buffers die at once; collecting the young generation after every
// other message returns them before they pile up (after each one, the collections took a
// quarter of a second of CPU over the benchmark's 300 MB; this halves it, for at most
// 2 MiB of dead buffers).
let collect;
try {
  v8.setFlagsFromString('--expose-gc');
  collect = vm.runInNewContext('gc');
} catch {
  collect = undefined;
} finally {
  v8.setFlagsFromString('--no-expose-gc');
}
// Transfer what is ours alone; a view into a shared buffer is copied instead.
const movable = (views) => views.filter((v) => v.byteOffset === 0 && v.byteLength === v.buffer.byteLength).map((v) => v.buffer);
parentPort.on('message', (message) => {
  if (message.plain) {
    const data = Buffer.from(message.plain.buffer, message.plain.byteOffset, message.plain.byteLength);
    for (let offset = 0; offset < data.length; offset += SLICE) {
      const part = data.subarray(offset, offset + SLICE);
      mdc.update(part);
      cipher.update(part).copy(data, offset);
    }
    parentPort.postMessage({ ciphertext: [message.plain] }, movable([message.plain]));
    if (typeof collect === 'function' && ++messages % COLLECT_EVERY === 0) collect({ type: 'minor' });
  } else {
    const header = Buffer.from([0xd3, 0x14]);
    mdc.update(header);
    const ciphertext = [cipher.update(header), cipher.update(mdc.digest()), cipher.final()].filter((c) => c.length > 0);
    parentPort.postMessage({ ciphertext, done: true }, movable(ciphertext));
  }
});
`;

class WorkerEncryptor implements CfbEncryptor {
  readonly #events: CfbEncryptorEvents;
  readonly #worker: Worker;
  #failure: Error | undefined;
  #finished: { resolve: () => void; reject: (error: Error) => void } | undefined;
  #destroyed = false;

  constructor(sessionKey: Buffer, events: CfbEncryptorEvents) {
    this.#events = events;
    const key = new Uint8Array(sessionKey); // a copy that travels to the worker and is zeroed there
    // A small heap: the worker holds no more than the message it is encrypting.
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { key },
      transferList: [key.buffer],
      env: {},
      resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16 },
    });
    this.#worker.on('message', (message: FromWorker) => this.#receive(message));
    this.#worker.on('error', (error: Error) => this.#fail(error));
    this.#worker.on('exit', (code) => this.#fail(new Error(`the encryption worker stopped (exit code ${code})`)));
  }

  write(plain: Buffer): void {
    if (this.#failure) throw this.#failure;
    const whole = plain.byteOffset === 0 && plain.byteLength === plain.buffer.byteLength;
    this.#worker.postMessage({ plain } satisfies ToWorker, whole ? [plain.buffer as ArrayBuffer] : []);
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
    if (!message.done) this.#events.onConsumed();
    for (const c of message.ciphertext) this.#events.onCiphertext(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
    if (message.done) {
      this.#destroyed = true;
      void this.#worker.terminate();
      this.#finished?.resolve();
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
