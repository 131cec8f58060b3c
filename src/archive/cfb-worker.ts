/**
 * The encryption worker (see ./cfb-encryptor.ts): SHA-1 for the MDC and AES-256-CFB over
 * the whole plaintext, in order, on a thread of its own. Built as a bundle of its own
 * (dist/cfb-worker.js); run from the source, under the host's TypeScript loader.
 *
 * workerData: { key } the session key, zeroed here once the cipher holds it.
 * Messages in: { views } to hash and encrypt in place, { finish: true } for the MDC packet.
 * Messages out: { ciphertext: [views] } in order, the last one with done: true.
 */
import { createCipheriv, createHash } from 'node:crypto';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { CFB_BLOCK, CFB_SLICE, type FromWorker, type ToWorker } from './cfb-messages.ts';
import { transferOf } from './transfer.ts';

/** collect the young generation after every this many messages */
const COLLECT_EVERY = 4;

const port = parentPort;
if (!port) throw new Error('cfb-worker runs as a worker thread only');

const { key: sharedKey } = workerData as { key: Uint8Array };
const key = Buffer.from(sharedKey);
sharedKey.fill(0);
const cipher = createCipheriv('aes-256-cfb', key, Buffer.alloc(CFB_BLOCK));
key.fill(0);
const mdc = createHash('sha1');
const collectYoung = youngCollector();
let messages = 0;

port.on('message', (message: ToWorker) => {
  if ('views' in message) {
    for (const view of message.views) {
      const data = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
      for (let offset = 0; offset < data.length; offset += CFB_SLICE) {
        const part = data.subarray(offset, offset + CFB_SLICE);
        mdc.update(part);
        cipher.update(part).copy(data, offset);
      }
    }
    post({ ciphertext: message.views });
    if (collectYoung && ++messages % COLLECT_EVERY === 0) collectYoung();
  } else {
    const header = Buffer.from([0xd3, 0x14]);
    mdc.update(header);
    const ciphertext = [cipher.update(header), cipher.update(mdc.digest()), cipher.final()].filter((c) => c.length > 0);
    post({ ciphertext, done: true });
  }
});

function post(message: FromWorker): void {
  const { views, transferList } = transferOf(message.ciphertext);
  (port as NonNullable<typeof port>).postMessage({ ...message, ciphertext: views } satisfies FromWorker, transferList);
}

/**
 * The cipher's output buffers die at once; collecting the young generation after every
 * fourth message returns them before they pile up (after each one, the collections took a
 * quarter of a second of CPU over the benchmark's 300 MB; this takes a quarter of that, for
 * a few MiB of dead buffers). Nothing where the runtime does not allow it.
 */
function youngCollector(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? () => (gc as (options: { type: 'minor' }) => void)({ type: 'minor' }) : undefined;
  } catch {
    return undefined;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}
