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
import type { Worker } from 'node:worker_threads';
import { CFB_BLOCK, CFB_SLICE, type FromWorker, type ToWorker } from './cfb-messages.ts';
import { freeOnceWritten } from './reclaim.ts';
import { transferOf } from './transfer.ts';
import { startWorker } from './worker-program.ts';

export interface CfbEncryptorEvents {
  /**
   * ciphertext, in order; the receiver owns it. From the worker it is the plaintext's own
   * memory, marked to be freed once written (reclaim.ts freeOnceWritten): whoever writes it
   * may say so with `written`, and nothing may read it after that.
   */
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
export function createCfbEncryptor(
  sessionKey: Buffer,
  events: CfbEncryptorEvents,
  options: { parallel: boolean },
): CfbEncryptor {
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
    this.#worker = startWorker({
      from: import.meta.url,
      name: 'cfb-worker',
      workerData: { key },
      transferList: [key.buffer],
    });
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
    const ciphertext = message.ciphertext.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength));
    // This memory is the stream's alone (it came back from the worker, and its views are in
    // this message and no other), so it can go as soon as the last of it is written. All of
    // it is marked before any of it is handed on.
    freeOnceWritten(ciphertext);
    for (const c of ciphertext) this.#events.onCiphertext(c);
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
