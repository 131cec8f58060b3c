/**
 * The OpenPGP symmetric layer, natively: SEIPD v1 (tag 18, RFC 4880 5.13) with its MDC,
 * streamed through node:crypto, so that `gpg -d archive.tar.gz.pgp | tar -xz` works with
 * GnuPG 2.2 while ripcord runs at native AES speed. openpgp.js (via ./openpgp-keys.ts)
 * only makes and opens the session-key packets in front of it.
 *
 * Output of createEncryptStream, one binary OpenPGP message:
 *   ESK packets (SKESK v4 or PKESK v3 ...)
 *   SEIPD v1 packet, new-format header, 1 MiB partial body parts + a final part:
 *     0x01, then AES-256-CFB (zero IV, no resync) of
 *       18-byte prefix (16 random bytes, the last two repeated)
 *       Literal Data packet ('b', no filename, date 0, 1 MiB partial parts) with the input
 *       (or, createCompressedEncryptStreams: a Compressed Data packet, ZIP, holding it)
 *       MDC packet (0xD3 0x14, SHA-1 of everything above plus 0xD3 0x14)
 *
 * ./seipd-decrypt.ts reads it back, and what GnuPG writes.
 */
import { randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { createDeflateRaw } from 'node:zlib';
import { createCfbEncryptor, type CfbEncryptor } from './cfb-encryptor.ts';
import { createSessionKeyPackets, type EncryptionKeys } from './openpgp-keys.ts';
import { BLOCK, encodeLength, LITERAL_HEADER, PART, PART_LOG2, PREFIX, TAG } from './packets.ts';

/** the length octet of a 1 MiB partial part */
const PARTIAL_PART = Buffer.from([0xe0 | PART_LOG2]);
/** literal bytes given to the encryptor and not yet back: enough to keep a worker busy */
const LITERAL_BYTES_IN_FLIGHT = 4 << 20;
/** literal bytes collected before they go to the encryptor */
const FLUSH_BYTES = 64 << 10;
/**
 * With `parallel`, literal bytes collected before the worker thread is started (the default
 * of `workerAfter`): a message that ends before this is encrypted in this thread. A worker
 * takes 30-60 ms to start, more than encrypting a few MiB here costs; an incremental backup
 * of an unchanged tree (a 14 KB archive) waited on one at its end, 8 % of its time.
 */
const WORKER_AFTER = LITERAL_BYTES_IN_FLIGHT;
/** the copy buffer for chunks the writer keeps */
const STAGING = 1 << 20;

class EncryptStream extends Transform {
  readonly #keys: EncryptionKeys;
  readonly #parallel: boolean;
  readonly #workerAfter: number;
  readonly #ownsChunks: boolean;
  /** the packet the input is the body of, and the bytes its body starts with */
  readonly #packet: { tag: number; header: Buffer };
  #started: Promise<void> | undefined;
  #encryptor: CfbEncryptor | undefined;
  /** the session key until the encryptor has it, and what was sent before it existed */
  #sessionKey: Buffer | undefined;
  #unsent: { views: Buffer[]; literalBytes: number }[] = [];
  /**
   * Literal body not yet handed to the encryptor, as views. The last one is held back while
   * no copy is open: the final part needs a fixed length, so something must be left for it.
   */
  #queue: Buffer[] = [];
  #queued = 0;
  /** the open copy buffer for chunks the writer keeps (ownsChunks false) */
  #staging: Buffer | undefined;
  #stagingUsed = 0;
  /** literal bytes with the encryptor, and a wait for that to drop */
  #inFlight = 0;
  #wanted: (() => void) | undefined;
  /** ciphertext of the SEIPD part being collected, held (not copied) until its length is known */
  #pieces: Buffer[] = [];
  #piecesBytes = 0;
  #failed: Error | undefined;
  /** bytes given to the encryptor: of the SEIPD plaintext, and of those the literal body */
  #plainSent = 0;
  #literalSent = 0;
  readonly #onLayout: EncryptOptions['onLayout'];
  readonly #onSessionKey: EncryptOptions['onSessionKey'];

  constructor(keys: EncryptionKeys, options: StreamOptions) {
    super();
    this.#keys = keys;
    this.#parallel = options.parallel ?? false;
    this.#workerAfter = Math.min(options.workerAfter ?? WORKER_AFTER, LITERAL_BYTES_IN_FLIGHT);
    this.#ownsChunks = options.ownsChunks ?? false;
    this.#packet = options.packet ?? { tag: TAG.literal, header: LITERAL_HEADER };
    this.#onLayout = options.onLayout;
    this.#onSessionKey = options.onSessionKey;
  }

  async #start(): Promise<void> {
    const sessionKey = randomBytes(32);
    this.#onSessionKey?.(Buffer.from(sessionKey));
    const esk = await createSessionKeyPackets(sessionKey, this.#keys);
    this.#sessionKey = sessionKey;
    // in this thread from the start, unless a worker may be worth it (see WORKER_AFTER)
    if (!this.#parallel) this.#startEncryptor(false);
    this.push(Buffer.from(esk.buffer, esk.byteOffset, esk.byteLength));
    this.#onLayout?.head(esk.byteLength);
    this.push(Buffer.from([0xc0 | TAG.seipd]));
    this.#pieces = [Buffer.from([1])]; // SEIPD version, not encrypted
    this.#piecesBytes = 1;
    const opening = randomBytes(PREFIX + 1);
    opening[BLOCK] = opening[BLOCK - 2] as number;
    opening[BLOCK + 1] = opening[BLOCK - 1] as number;
    opening[PREFIX] = 0xc0 | this.#packet.tag;
    this.#send([opening], 0, false);
    // a copy in memory of its own, since it travels to the encryptor
    const header = Buffer.allocUnsafeSlow(this.#packet.header.length);
    this.#packet.header.copy(header);
    this.#enqueue(header);
  }

  #startEncryptor(parallel: boolean): CfbEncryptor {
    const sessionKey = this.#sessionKey as Buffer;
    this.#sessionKey = undefined;
    const encryptor = createCfbEncryptor(
      sessionKey,
      {
        onCiphertext: (ciphertext) => this.#emit(ciphertext),
        onConsumed: (bytes) => {
          this.#inFlight -= bytes;
          const wanted = this.#wanted;
          this.#wanted = undefined;
          wanted?.();
        },
        onError: (error) => {
          this.#failed = error;
          this.#wanted?.();
          this.destroy(error);
        },
      },
      { parallel },
    );
    sessionKey.fill(0);
    this.#encryptor = encryptor;
    for (const { views, literalBytes } of this.#unsent.splice(0)) encryptor.write(views, literalBytes);
    return encryptor;
  }

  #enqueue(view: Buffer): void {
    if (view.length === 0) return;
    this.#queue.push(view);
    this.#queued += view.length;
  }

  /** Hand views to the encryptor, which owns them (and their memory) from here on. */
  #send(views: Buffer[], literalBytes: number, framed = true): void {
    // a partial length header starts each framed send: a place a reader can start from
    if (framed) this.#onLayout?.part(this.#literalSent, this.#plainSent);
    for (const view of views) this.#plainSent += view.length;
    this.#literalSent += literalBytes;
    this.#inFlight += literalBytes;
    if (this.#encryptor) {
      this.#encryptor.write(views, literalBytes);
      return;
    }
    // Held, framed as ever (the index's parts do not move), until the worker is worth starting.
    // (workerAfter is at most LITERAL_BYTES_IN_FLIGHT: #append waits for held bytes to drop.)
    this.#unsent.push({ views, literalBytes });
    if (this.#literalSent >= this.#workerAfter) this.#startEncryptor(true);
  }

  /** Ciphertext into SEIPD parts; a full part goes out only once more follows it, as the last part needs a fixed length. */
  #emit(data: Buffer): void {
    let offset = 0;
    while (offset < data.length) {
      if (this.#piecesBytes === PART) {
        this.push(PARTIAL_PART);
        for (const piece of this.#pieces) this.push(piece);
        this.#pieces = [];
        this.#piecesBytes = 0;
      }
      const n = Math.min(data.length - offset, PART - this.#piecesBytes);
      this.#pieces.push(offset === 0 && n === data.length ? data : data.subarray(offset, offset + n));
      this.#piecesBytes += n;
      offset += n;
    }
  }

  async #append(chunk: Buffer): Promise<void> {
    if (this.#ownsChunks) {
      this.#enqueue(chunk);
    } else {
      for (let offset = 0; offset < chunk.length; ) {
        if (!this.#staging) {
          this.#staging = Buffer.allocUnsafeSlow(STAGING);
          this.#stagingUsed = 0;
        }
        const n = chunk.copy(this.#staging, this.#stagingUsed, offset);
        this.#stagingUsed += n;
        offset += n;
        if (this.#stagingUsed === STAGING) this.#closeStaging();
      }
    }
    // While a copy is open it is the held-back part; otherwise the newest view is.
    const held = this.#staging ? 0 : (this.#queue.at(-1)?.length ?? 0);
    const ready = this.#queued - held;
    if (ready < FLUSH_BYTES) return;
    const views = held > 0 ? this.#queue.slice(0, -1) : this.#queue;
    this.#queue = held > 0 ? this.#queue.slice(-1) : [];
    this.#queued = held;
    while (this.#inFlight >= LITERAL_BYTES_IN_FLIGHT) {
      if (this.#failed) throw this.#failed;
      await new Promise<void>((resolve) => (this.#wanted = resolve));
    }
    if (this.#failed) throw this.#failed;
    this.#send(framePartial(views, ready), ready);
  }

  #closeStaging(): void {
    if (this.#staging) this.#enqueue(this.#staging.subarray(0, this.#stagingUsed));
    this.#staging = undefined;
  }

  async #end(): Promise<void> {
    // a message that ended before WORKER_AFTER: encrypted in this thread
    this.#encryptor ??= this.#startEncryptor(false);
    this.#closeStaging();
    const length = encodeLength(this.#queued);
    this.#send([Buffer.from(new Uint8Array(length).buffer), ...this.#queue], this.#queued); // the length in memory of its own, since it travels
    this.#queue = [];
    await (this.#encryptor as CfbEncryptor).finish();
    this.push(encodeLength(this.#piecesBytes));
    for (const piece of this.#pieces) this.push(piece);
    this.#pieces = [];
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#started ??= this.#start();
    this.#started.then(() => this.#append(chunk)).then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.#started ??= this.#start();
    this.#started.then(() => this.#end()).then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#encryptor?.destroy();
    this.#sessionKey?.fill(0);
    callback(error);
  }
}

/**
 * Literal data views as partial body parts (RFC 4880 4.2.2.4), with no copy: `total` bytes
 * become one part per set bit of `total`, largest first, each behind its length octet. The
 * first part of a packet must be at least 512 bytes; callers send at least FLUSH_BYTES.
 */
function framePartial(views: Buffer[], total: number): Buffer[] {
  let parts = 0;
  for (let n = total; n > 0; n = Math.floor(n / 2)) parts += n % 2;
  const octets = Buffer.allocUnsafeSlow(parts);
  const framed: Buffer[] = [];
  let view = 0;
  let offset = 0;
  let part = 0;
  for (let bit = Math.floor(Math.log2(total)); bit >= 0; bit--) {
    let want = 2 ** bit;
    if ((Math.floor(total / want) & 1) === 0) continue;
    octets[part] = 0xe0 | bit;
    framed.push(octets.subarray(part, part + 1));
    part += 1;
    while (want > 0) {
      const current = views[view] as Buffer;
      const n = Math.min(want, current.length - offset);
      framed.push(offset === 0 && n === current.length ? current : current.subarray(offset, offset + n));
      want -= n;
      offset += n;
      if (offset === current.length) {
        view += 1;
        offset = 0;
      }
    }
  }
  return framed;
}

/** ZIP (raw deflate, RFC 1951): the Compressed Data algorithm GnuPG writes by default */
const ZIP = 1;
/** bytes of a Literal Data packet collected into one partial part inside compressed data */
const LITERAL_PART_LOG2 = 16;

/**
 * The input as one whole Literal Data packet ('b', no filename, date 0), in 64 KiB partial
 * parts and a last part of fixed length: what goes inside a Compressed Data packet.
 */
class LiteralPacketStream extends Transform {
  #part = Buffer.allocUnsafe(1 << LITERAL_PART_LOG2);
  #used = 0;
  #opened = false;

  #open(): void {
    if (this.#opened) return;
    this.#opened = true;
    this.push(Buffer.from([0xc0 | TAG.literal]));
    this.#used = LITERAL_HEADER.copy(this.#part);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#open();
    for (let offset = 0; offset < chunk.length; ) {
      // a full part goes out only once more follows it: the last part needs a fixed length
      if (this.#used === this.#part.length) {
        this.push(Buffer.from([0xe0 | LITERAL_PART_LOG2]));
        this.push(this.#part);
        this.#part = Buffer.allocUnsafe(1 << LITERAL_PART_LOG2);
        this.#used = 0;
      }
      const n = chunk.copy(this.#part, this.#used, offset);
      this.#used += n;
      offset += n;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.#open();
    this.push(encodeLength(this.#used));
    this.push(this.#part.subarray(0, this.#used));
    callback();
  }
}

export interface EncryptOptions {
  /**
   * Told where things land, for an index of the archive: `head`, the bytes of session-key
   * packets before the SEIPD packet; `part`, each partial body length header of the Literal
   * Data packet, `plaintext` bytes into the SEIPD plaintext, with `literal` bytes of the
   * literal body before it. (Not with createCompressedEncryptStreams.)
   */
  onLayout?: { head(bytes: number): void; part(literal: number, plaintext: number): void };
  /**
   * Told the message's session key (AES-256, a copy the stream forgets), for a manifest to
   * carry its archive's: a reader who has opened the manifest then opens the archive without
   * a second key derivation (docs/format.md, "Archive key").
   */
  onSessionKey?: (key: Buffer) => void;
  /** encrypt on a worker thread, off the thread that feeds the stream (for large data; see cfb-encryptor.ts) */
  parallel?: boolean;
  /**
   * With `parallel`: the literal bytes written before the worker starts (default and most
   * 4 MiB); a message that ends sooner is encrypted in this thread. 0 starts it with the message.
   */
  workerAfter?: number;
  /**
   * The writer gives each chunk away: nothing else refers to its memory afterwards, so the
   * stream encrypts it in place instead of copying it (packArchive's members are such chunks).
   */
  ownsChunks?: boolean;
}

interface StreamOptions extends EncryptOptions {
  /** the packet the input is the body of (default: Literal Data, the input being its data) */
  packet?: { tag: number; header: Buffer };
}

/**
 * A Transform whose output is one complete binary OpenPGP message: ESK packets, then a SEIPD
 * v1 packet (new-format header, partial body lengths) holding a Literal Data packet ('b',
 * empty filename, date 0, partial body lengths) with the input bytes, then the MDC packet.
 */
export function createEncryptStream(keys: EncryptionKeys, options: EncryptOptions = {}): Transform {
  return new EncryptStream(keys, options);
}

/**
 * The stages of createEncryptStream with the Literal Data packet inside a Compressed Data
 * packet (ZIP, raw deflate), as GnuPG writes by default: `gpg -d` gives the same bytes.
 * For text such as the manifest (a fifth of its size), not for the archive, which is gzip
 * already. Spread them into one pipeline, in order.
 *
 * Deflate level 2, not GnuPG's 6: a backup writes its manifest while it walks the tree, and
 * waits for the last of it to be compressed after the archive is done. For the benchmark's
 * 20,000 files (5.7 MB of manifest) level 6 took 54 ms of a processor and made 1.155 MB,
 * level 2 31 ms and 1.197 MB; the wait at the end of an unchanged incremental went from
 * 95-99 ms to 57-65 ms. Its output comes in pieces of 256 KiB, not zlib's 16: each piece is
 * a round trip through the thread pool, and with 16 KiB the deflate fell 42-45 ms behind the
 * manifest's lines by the end of that walk, with 256 KiB 25-37 ms.
 */
export function createCompressedEncryptStreams(keys: EncryptionKeys): Transform[] {
  return [
    new LiteralPacketStream(),
    createDeflateRaw({ level: 2, chunkSize: 1 << 18 }),
    new EncryptStream(keys, { packet: { tag: TAG.compressed, header: Buffer.from([ZIP]) } }),
  ];
}
