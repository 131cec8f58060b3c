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
import { CFB_BLOCK, CFB_SLICE, type FromWorker, type ToWorker } from './cfb-messages.ts';
import { reassertHeapSettings } from './reclaim.ts';
import { transferOf } from './transfer.ts';

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
    this.#cipher = createCipheriv('aes-256-cfb', sessionKey, Buffer.alloc(CFB_BLOCK));
  }

  write(views: Buffer[], bytes: number): void {
    for (const view of views) {
      for (let offset = 0; offset < view.length; offset += CFB_SLICE) {
        const slice = view.subarray(offset, offset + CFB_SLICE);
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

/**
 * The worker's program. In dist/ every bundle's shared code sits in dist/chunks/, and the
 * worker is a bundle of its own, dist/cfb-worker.js (build.mjs checks that this module lands
 * in a chunk, so the path holds). Run from the source (the tests, under tsx), it is the .ts
 * file beside this one, and the worker registers tsx itself: Node 20 does not pass --import
 * loaders on to worker threads.
 */
function workerProgram(): { program: URL | string; evaluate: boolean; heap: { maxYoungGenerationSizeMb: number; maxOldGenerationSizeMb: number } } {
  // A small heap: the worker holds no more than the message it is encrypting. A worker costs
  // Node 24 about 19 MiB against Node 20's 9; with 1 + 8 MiB instead of 2 + 16 a backup of
  // the benchmark peaked at 120-123 MiB on Node 24 instead of 128-131, in the same time.
  // (pathname: a loader may add a query to the module's URL)
  if (!new URL(import.meta.url).pathname.endsWith('.ts')) {
    return { program: new URL('../cfb-worker.js', import.meta.url), evaluate: false, heap: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 } };
  }
  // From the source the worker also holds the TypeScript loader, which needs more than that.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const worker = JSON.stringify(new URL('./cfb-worker.ts', import.meta.url).href);
  return { program: `import(${tsx}).then(({ register }) => { register(); return import(${worker}); })`, evaluate: true, heap: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 32 } };
}

class WorkerEncryptor implements CfbEncryptor {
  readonly #events: CfbEncryptorEvents;
  readonly #worker: Worker;
  /** bytes of each write not yet back, in order */
  readonly #pending: number[] = [];
  #failure: Error | undefined;
  #finished: { resolve: () => void; reject: (error: Error) => void } | undefined;
  #destroyed = false;
  #heardFrom = false;

  constructor(sessionKey: Buffer, events: CfbEncryptorEvents) {
    this.#events = events;
    const key = new Uint8Array(sessionKey); // a copy that travels to the worker and is zeroed there
    const { program, evaluate, heap } = workerProgram();
    this.#worker = new Worker(program, {
      eval: evaluate,
      execArgv: [], // the host's flags (--import loaders, --input-type) are not for the worker
      workerData: { key },
      transferList: [key.buffer],
      env: {},
      resourceLimits: heap,
    });
    this.#worker.once('online', reassertHeapSettings);
    this.#worker.on('message', (message: FromWorker) => this.#receive(message));
    this.#worker.on('error', (error: Error) => this.#fail(error));
    this.#worker.on('exit', (code) => this.#fail(new Error(`the encryption worker stopped (exit code ${code})`)));
  }

  write(views: Buffer[], bytes: number): void {
    if (this.#failure) throw this.#failure;
    this.#pending.push(bytes);
    const transfer = transferOf(views);
    this.#worker.postMessage({ views: transfer.views } satisfies ToWorker, transfer.transferList);
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
    // Again once the worker has loaded its program: loading modules there (the TypeScript
    // loader, run from the source) can reset V8's flags after 'online' already fired.
    if (!this.#heardFrom) {
      this.#heardFrom = true;
      reassertHeapSettings();
    }
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
