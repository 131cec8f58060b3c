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
 *       MDC packet (0xD3 0x14, SHA-1 of everything above plus 0xD3 0x14)
 *
 * createDecryptStream reads that, and what `gpg --symmetric` / `gpg -e` write (old-format
 * headers, marker packets, a Compressed Data packet with ZIP or ZLIB, signature packets,
 * which are skipped). Plaintext is released as it is decrypted, before the MDC at the end
 * is checked: callers stage the output and trust it only once the stream ends cleanly.
 *
 * CFB decryption is computed as ECB encryption of the ciphertext shifted by one block,
 * XORed with the ciphertext: the blocks are independent, so AES-NI pipelines them, where
 * OpenSSL's CFB decrypts one block after the other.
 */
import { createCipheriv, createHash, randomBytes, timingSafeEqual, type Cipher, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { IntegrityError, KeyError, RipcordError } from '../domain/errors.ts';
import { createCfbEncryptor, type CfbEncryptor } from './cfb-encryptor.ts';
import {
  createSessionKeyPackets,
  decryptSessionKey,
  MAX_SESSION_KEY_PACKETS,
  WRONG_PASSPHRASE,
  type DecryptionKeys,
  type EncryptionKeys,
  type SessionKey,
} from './openpgp-keys.ts';

const TAG = {
  pkesk: 1,
  signature: 2,
  skesk: 3,
  onePassSignature: 4,
  secretKey: 5,
  publicKey: 6,
  secretSubkey: 7,
  compressed: 8,
  sed: 9,
  marker: 10,
  literal: 11,
  trust: 12,
  userId: 13,
  publicSubkey: 14,
  seipd: 18,
  mdc: 19,
  aead: 20,
  padding: 21,
} as const;

/** log2 of the partial body part size written (literal data and SEIPD): 1 MiB */
const PART_LOG2 = 20;
const PART = 1 << PART_LOG2;
/** the length octet of a 1 MiB partial part */
const PARTIAL_PART = Buffer.from([0xe0 | PART_LOG2]);
/** literal bytes given to the encryptor and not yet back: enough to keep a worker busy */
const LITERAL_BYTES_IN_FLIGHT = 4 << 20;
/** literal bytes collected before they go to the encryptor */
const FLUSH_BYTES = 64 << 10;
/** the copy buffer for chunks the writer keeps */
const STAGING = 1 << 20;
const BLOCK = 16;
const PREFIX = BLOCK + 2;
const MDC_LENGTH = 22;
/** session-key packets are small; anything larger is not one of ours, nor GnuPG's */
const MAX_ESK_BYTES = 1 << 20;
const EMPTY = Buffer.alloc(0);
/** the largest scratch buffer a decipher keeps between chunks */
const MAX_SCRATCH = 2 << 20;

const MDC_FAILED = 'the archive failed its integrity check (MDC)';

/** A new-format body length (RFC 4880 4.2.2). */
function encodeLength(n: number): Buffer {
  if (n < 192) return Buffer.from([n]);
  if (n < 8384) {
    const m = n - 192;
    return Buffer.from([(m >> 8) + 192, m & 0xff]);
  }
  const b = Buffer.alloc(5);
  b[0] = 0xff;
  b.writeUInt32BE(n, 1);
  return b;
}

// ---------------------------------------------------------------------------------------
// Encryption

class EncryptStream extends Transform {
  readonly #keys: EncryptionKeys;
  readonly #parallel: boolean;
  readonly #ownsChunks: boolean;
  #started: Promise<void> | undefined;
  #encryptor: CfbEncryptor | undefined;
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

  constructor(keys: EncryptionKeys, options: EncryptOptions) {
    super();
    this.#keys = keys;
    this.#parallel = options.parallel ?? false;
    this.#ownsChunks = options.ownsChunks ?? false;
  }

  async #start(): Promise<void> {
    const sessionKey = randomBytes(32);
    const esk = await createSessionKeyPackets(sessionKey, this.#keys);
    this.#encryptor = createCfbEncryptor(
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
      { parallel: this.#parallel },
    );
    sessionKey.fill(0);
    this.push(Buffer.from(esk.buffer, esk.byteOffset, esk.byteLength));
    this.push(Buffer.from([0xc0 | TAG.seipd]));
    this.#pieces = [Buffer.from([1])]; // SEIPD version, not encrypted
    this.#piecesBytes = 1;
    const opening = randomBytes(PREFIX + 1);
    opening[BLOCK] = opening[BLOCK - 2] as number;
    opening[BLOCK + 1] = opening[BLOCK - 1] as number;
    opening[PREFIX] = 0xc0 | TAG.literal;
    this.#send([opening], 0);
    // literal body header: binary, no filename, date 0
    const header = Buffer.allocUnsafeSlow(6).fill(0);
    header[0] = 0x62;
    this.#enqueue(header);
  }

  #enqueue(view: Buffer): void {
    if (view.length === 0) return;
    this.#queue.push(view);
    this.#queued += view.length;
  }

  /** Hand views to the encryptor, which owns them (and their memory) from here on. */
  #send(views: Buffer[], literalBytes: number): void {
    this.#inFlight += literalBytes;
    (this.#encryptor as CfbEncryptor).write(views, literalBytes);
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

export interface EncryptOptions {
  /** encrypt on a worker thread, off the thread that feeds the stream (for large data; see cfb-encryptor.ts) */
  parallel?: boolean;
  /**
   * The writer gives each chunk away: nothing else refers to its memory afterwards, so the
   * stream encrypts it in place instead of copying it (packArchive's members are such chunks).
   */
  ownsChunks?: boolean;
}

/**
 * A Transform whose output is one complete binary OpenPGP message: ESK packets, then a SEIPD
 * v1 packet (new-format header, partial body lengths) holding a Literal Data packet ('b',
 * empty filename, date 0, partial body lengths) with the input bytes, then the MDC packet.
 */
export function createEncryptStream(keys: EncryptionKeys, options: EncryptOptions = {}): Transform {
  return new EncryptStream(keys, options);
}

// ---------------------------------------------------------------------------------------
// Packet framing

interface BodyLength {
  kind: 'fixed' | 'partial' | 'indeterminate';
  /** bytes in this (first) part; 0 for indeterminate */
  length: number;
}

interface PacketEvents {
  start(tag: number, length: BodyLength): void;
  body(chunk: Buffer): void;
  end(): void;
}

/** Bytes needed for a new-format length at hdr[at], or the length once they are there. */
function parseNewLength(hdr: Buffer, at: number, have: number): BodyLength | number {
  const b = hdr[at] as number;
  if (b < 192) return { kind: 'fixed', length: b };
  if (b < 224) return have < at + 2 ? at + 2 : { kind: 'fixed', length: ((b - 192) << 8) + (hdr[at + 1] as number) + 192 };
  if (b === 255) return have < at + 5 ? at + 5 : { kind: 'fixed', length: hdr.readUInt32BE(at + 1) };
  return { kind: 'partial', length: 1 << (b & 0x1f) };
}

/**
 * Splits a byte stream into OpenPGP packets (old and new format headers, partial and
 * indeterminate lengths) and hands each packet's body on as it arrives.
 */
class PacketParser {
  readonly #events: PacketEvents;
  readonly #fail: (message: string) => Error;
  #state: 'header' | 'part-length' | 'body' | 'rest' = 'header';
  readonly #hdr = Buffer.alloc(6);
  #hdrUsed = 0;
  #left = 0;
  #partial = false;

  constructor(events: PacketEvents, fail: (message: string) => Error) {
    this.#events = events;
    this.#fail = fail;
  }

  /** true between packets (nothing of a next packet read yet) */
  get atBoundary(): boolean {
    return this.#state === 'header' && this.#hdrUsed === 0;
  }

  write(data: Buffer): void {
    let offset = 0;
    while (offset < data.length) {
      if (this.#state === 'rest') {
        this.#events.body(offset === 0 ? data : data.subarray(offset));
        return;
      }
      if (this.#state === 'body') {
        const n = Math.min(this.#left, data.length - offset);
        this.#events.body(data.subarray(offset, offset + n));
        offset += n;
        this.#left -= n;
        if (this.#left === 0) this.#partDone();
        continue;
      }
      this.#hdr[this.#hdrUsed++] = data[offset++] as number;
      if (this.#state === 'header') this.#header();
      else this.#partLength();
    }
  }

  #header(): void {
    const hdr = this.#hdr;
    const b0 = hdr[0] as number;
    if ((b0 & 0x80) === 0) throw this.#fail('not an OpenPGP packet header');
    let tag: number;
    let length: BodyLength;
    if (b0 & 0x40) {
      if (this.#hdrUsed < 2) return;
      tag = b0 & 0x3f;
      const parsed = parseNewLength(hdr, 1, this.#hdrUsed);
      if (typeof parsed === 'number') return;
      length = parsed;
    } else {
      tag = (b0 >> 2) & 0x0f;
      const type = b0 & 3;
      if (type === 3) {
        length = { kind: 'indeterminate', length: 0 };
      } else {
        const size = 1 << type;
        if (this.#hdrUsed < 1 + size) return;
        length = { kind: 'fixed', length: size === 1 ? (hdr[1] as number) : size === 2 ? hdr.readUInt16BE(1) : hdr.readUInt32BE(1) };
      }
    }
    this.#hdrUsed = 0;
    this.#events.start(tag, length);
    this.#begin(length);
  }

  #partLength(): void {
    const parsed = parseNewLength(this.#hdr, 0, this.#hdrUsed);
    if (typeof parsed === 'number') return;
    this.#hdrUsed = 0;
    this.#begin(parsed);
  }

  #begin(length: BodyLength): void {
    if (length.kind === 'indeterminate') {
      this.#state = 'rest';
      return;
    }
    this.#partial = length.kind === 'partial';
    this.#left = length.length;
    this.#state = 'body';
    if (this.#left === 0) this.#partDone();
  }

  #partDone(): void {
    if (this.#partial) {
      this.#state = 'part-length';
      return;
    }
    this.#state = 'header';
    this.#events.end();
  }

  /** The input ended: the last packet must be complete (or of indeterminate length). */
  finish(): void {
    if (this.#state === 'rest') {
      this.#state = 'header';
      this.#events.end();
      return;
    }
    if (!this.atBoundary) throw this.#fail('it ends inside a packet (truncated)');
  }
}

// ---------------------------------------------------------------------------------------
// Decryption

const CIPHERS: Record<number, { name: string; keyLength: number } | undefined> = {
  7: { name: 'aes-128-ecb', keyLength: 16 },
  8: { name: 'aes-192-ecb', keyLength: 24 },
  9: { name: 'aes-256-ecb', keyLength: 32 },
};
const CIPHER_NAMES: Record<number, string> = { 1: 'IDEA', 2: 'TripleDES', 3: 'CAST5', 4: 'Blowfish', 10: 'Twofish', 11: 'Camellia-128', 12: 'Camellia-192', 13: 'Camellia-256' };

/** a ^= b over `length` bytes, 8 bytes at a time when both are aligned */
function xorInto(a: Buffer, b: Buffer, length: number): void {
  let i = 0;
  if ((a.byteOffset & 7) === 0 && (b.byteOffset & 7) === 0) {
    const n = length >>> 3;
    const x = new BigInt64Array(a.buffer, a.byteOffset, n);
    const y = new BigInt64Array(b.buffer, b.byteOffset, n);
    for (let k = 0; k < n; k++) x[k] = (x[k] as bigint) ^ (y[k] as bigint);
    i = n << 3;
  }
  for (; i < length; i++) a[i] = (a[i] as number) ^ (b[i] as number);
}

/**
 * OpenPGP CFB without resync (zero IV), decrypting: P[i] = C[i] ^ E(C[i-1]), with all the
 * E() of a chunk done in one ECB call. Whole blocks are returned as they arrive; the last,
 * short block by final().
 */
class CfbDecipher {
  readonly #ecb: Cipher;
  #previous: Buffer = Buffer.alloc(BLOCK);
  #carry: Buffer = EMPTY;
  #scratch: Buffer = EMPTY;

  constructor(sessionKey: SessionKey) {
    const { algorithm, key } = sessionKey;
    const cipher = CIPHERS[algorithm];
    if (!cipher) {
      const name = CIPHER_NAMES[algorithm] ?? `cipher ${algorithm}`;
      throw new IntegrityError(`this archive is encrypted with ${name}; ripcord decrypts only AES archives: decrypt it with gpg`);
    }
    if (key.length !== cipher.keyLength) throw new KeyError(`the session key has ${key.length} bytes, not ${cipher.keyLength} as ${cipher.name} needs`);
    this.#ecb = createCipheriv(cipher.name, key, null);
    this.#ecb.setAutoPadding(false);
  }

  update(data: Buffer): Buffer {
    const carry = this.#carry;
    const total = carry.length + data.length;
    const whole = total - (total % BLOCK);
    if (whole === 0) {
      this.#carry = Buffer.concat([carry, data]);
      return EMPTY;
    }
    // shifted = C[-1] || C[0 .. whole): E(shifted[0 .. whole)) is the keystream for C[0 .. whole).
    // A scratch buffer kept between calls: one fresh buffer per chunk was a third of the
    // garbage a restore made, and collecting it costs the thread that decrypts.
    // (An unusually large chunk gets a buffer of its own rather than one kept that large.)
    if (this.#scratch.length < BLOCK + whole && BLOCK + whole <= MAX_SCRATCH) this.#scratch = Buffer.allocUnsafeSlow(BLOCK + whole);
    const shifted = this.#scratch.length >= BLOCK + whole ? this.#scratch.subarray(0, BLOCK + whole) : Buffer.allocUnsafe(BLOCK + whole);
    this.#previous.copy(shifted, 0);
    carry.copy(shifted, BLOCK);
    const fromData = whole - carry.length;
    data.copy(shifted, BLOCK + carry.length, 0, fromData);
    const plain = this.#ecb.update(shifted.subarray(0, whole));
    xorInto(plain, shifted.subarray(BLOCK), whole);
    this.#previous = Buffer.from(shifted.subarray(whole));
    this.#carry = fromData === data.length ? EMPTY : Buffer.from(data.subarray(fromData));
    return plain;
  }

  final(): Buffer {
    const carry = this.#carry;
    this.#carry = EMPTY;
    if (carry.length === 0) return EMPTY;
    const keystream = this.#ecb.update(this.#previous);
    xorInto(keystream, carry, carry.length);
    return keystream.subarray(0, carry.length);
  }
}

interface OutputContext {
  push(data: Buffer): void;
  literals: number;
  corrupt(message: string): IntegrityError;
}

/** Decompresses a Compressed Data packet's body on the thread pool, feeding a reader. */
class Inflater {
  readonly #stream: zlib.Inflate | zlib.InflateRaw;
  readonly #closed: Promise<void>;
  #pending: Promise<void> = Promise.resolve();
  #error: Error | undefined;

  constructor(algorithm: number, reader: PlaintextReader, ctx: OutputContext) {
    this.#stream = algorithm === 1 ? zlib.createInflateRaw() : zlib.createInflate();
    this.#stream.on('data', (data: Buffer) => {
      if (this.#error) return;
      try {
        reader.write(data);
      } catch (error) {
        this.#error = error as Error;
        this.#stream.destroy();
      }
    });
    this.#stream.on('error', (error) => {
      this.#error ??= ctx.corrupt(`its compressed data does not decompress (${error.message})`);
    });
    this.#closed = new Promise((resolve) => this.#stream.once('close', () => resolve()));
  }

  write(data: Buffer): void {
    if (this.#error) return;
    // no copy: plaintext buffers are never modified once produced
    const written = new Promise<void>((resolve) => this.#stream.write(data, () => resolve()));
    this.#pending = Promise.race([written, this.#closed]);
  }

  /** All input written so far has been decompressed and handed on. */
  async settle(): Promise<void> {
    await this.#pending;
    if (this.#error) throw this.#error;
  }

  async end(): Promise<void> {
    if (!this.#error) {
      const ended = new Promise<void>((resolve) => this.#stream.once('end', () => resolve()));
      this.#stream.end();
      await Promise.race([ended, this.#closed]);
    }
    if (this.#error) throw this.#error;
  }

  destroy(): void {
    this.#stream.destroy();
  }
}

/**
 * Reads the packets inside the SEIPD (or inside a Compressed Data packet): Literal Data
 * goes to the output, Compressed Data is unpacked, signatures and markers are skipped.
 */
class PlaintextReader implements PacketEvents {
  readonly #ctx: OutputContext;
  readonly #depth: number;
  readonly #parser: PacketParser;
  #current: 'literal-header' | 'literal' | 'compressed-algorithm' | 'compressed' | 'skip' = 'skip';
  #header: Buffer[] = [];
  #headerUsed = 0;
  #nested: PlaintextReader | undefined;
  #inflater: Inflater | undefined;
  #ending: Promise<void>[] = [];

  constructor(ctx: OutputContext, depth: number) {
    this.#ctx = ctx;
    this.#depth = depth;
    this.#parser = new PacketParser(this, (message) => ctx.corrupt(`its decrypted data is not valid OpenPGP: ${message}`));
  }

  write(data: Buffer): void {
    this.#parser.write(data);
  }

  start(tag: number): void {
    const ctx = this.#ctx;
    switch (tag) {
      case TAG.literal:
        if (ctx.literals > 0) throw ctx.corrupt('it holds more than one literal data packet');
        ctx.literals++;
        this.#current = 'literal-header';
        this.#header = [];
        this.#headerUsed = 0;
        return;
      case TAG.compressed:
        if (this.#depth > 0) throw ctx.corrupt('it holds nested compressed data');
        this.#current = 'compressed-algorithm';
        return;
      case TAG.onePassSignature:
      case TAG.signature:
      case TAG.marker:
      case TAG.padding:
        this.#current = 'skip';
        return;
      default:
        throw ctx.corrupt(`its decrypted data holds an unexpected packet (tag ${tag})`);
    }
  }

  body(chunk: Buffer): void {
    switch (this.#current) {
      case 'literal':
        this.#ctx.push(chunk);
        return;
      case 'literal-header':
        this.#literalHeader(chunk);
        return;
      case 'compressed':
        if (this.#inflater) this.#inflater.write(chunk);
        else (this.#nested as PlaintextReader).write(chunk);
        return;
      case 'compressed-algorithm': {
        const algorithm = chunk[0] as number;
        this.#nested = new PlaintextReader(this.#ctx, this.#depth + 1);
        if (algorithm === 1 || algorithm === 2) this.#inflater = new Inflater(algorithm, this.#nested, this.#ctx);
        else if (algorithm === 3) throw new IntegrityError('this archive is BZip2-compressed, which ripcord does not read: decrypt it with gpg');
        else if (algorithm !== 0) throw this.#ctx.corrupt(`its data uses unknown compression ${algorithm}`);
        this.#current = 'compressed';
        if (chunk.length > 1) this.body(chunk.subarray(1));
        return;
      }
      case 'skip':
        return;
    }
  }

  /** format (1), filename length (1), filename, date (4); then the data */
  #literalHeader(chunk: Buffer): void {
    this.#header.push(chunk);
    this.#headerUsed += chunk.length;
    if (this.#headerUsed < 2) return;
    const header = this.#header.length === 1 ? chunk : Buffer.concat(this.#header);
    this.#header = [header];
    const size = 2 + (header[1] as number) + 4;
    if (header.length < size) return;
    this.#header = [];
    this.#current = 'literal';
    if (header.length > size) this.#ctx.push(header.subarray(size));
  }

  end(): void {
    switch (this.#current) {
      case 'literal-header':
        throw this.#ctx.corrupt('its literal data packet is cut short');
      case 'compressed-algorithm':
        throw this.#ctx.corrupt('its compressed data packet is empty');
      case 'compressed':
        {
          const nested = this.#nested as PlaintextReader;
          const ending = this.#inflater ? this.#inflater.end().then(() => nested.finish()) : nested.finish();
          ending.catch(() => undefined); // awaited in finish(); do not count as unhandled meanwhile
          this.#ending.push(ending);
          this.#inflater = undefined;
        }
        break;
      default:
    }
    this.#current = 'skip';
  }

  /** Asynchronous decompression of what was written so far is done. */
  async settle(): Promise<void> {
    await this.#inflater?.settle();
    await this.#nested?.settle();
  }

  /** The input ended: finish the packets, wait for decompression to end. */
  async finish(): Promise<void> {
    this.#parser.finish();
    const ending = this.#ending;
    this.#ending = [];
    await Promise.all(ending);
  }

  destroy(): void {
    this.#inflater?.destroy();
    this.#nested?.destroy();
  }
}

function corrupt(detail: string): IntegrityError {
  return new IntegrityError(`${MDC_FAILED}: ${detail}`);
}

function refuse(tag: number): never {
  switch (tag) {
    case TAG.sed:
      throw new IntegrityError(
        'this archive is encrypted without integrity protection (Symmetrically Encrypted Data packet, no MDC); ripcord refuses to decrypt it',
      );
    case TAG.aead:
      throw new IntegrityError('this archive is AEAD-encrypted (OCB/EAX, GnuPG 2.3+); ripcord reads only SEIPD v1 archives: decrypt it with gpg');
    case TAG.literal:
    case TAG.compressed:
    case TAG.signature:
    case TAG.onePassSignature:
      throw new IntegrityError('this is not an encrypted OpenPGP message (it holds plain data); ripcord reads only encrypted archives');
    case TAG.publicKey:
    case TAG.secretKey:
    case TAG.publicSubkey:
    case TAG.secretSubkey:
    case TAG.userId:
    case TAG.trust:
      throw new IntegrityError('this is an OpenPGP key, not an encrypted archive');
    default:
      throw new IntegrityError(`this is not an encrypted OpenPGP message (unexpected packet with tag ${tag} before the encrypted data)`);
  }
}

class DecryptStream extends Transform {
  readonly #keys: DecryptionKeys;
  readonly #outer: PacketParser;
  #phase: 'keys' | 'data' | 'done' = 'keys';
  #packet: { tag: number; chunks: Buffer[]; size: number } | undefined;
  #esk: Buffer[] = [];
  #eskBytes = 0;
  #eskCount = 0;
  #sawInput = false;

  // the SEIPD
  #versionRead = false;
  #sessionKey: SessionKey | undefined;
  #cfb: CfbDecipher | undefined;
  /** ciphertext that arrived before the session key */
  #waiting: Buffer[] = [];
  #dataEnded = false;
  #mdcChecked = false;
  #mdc: Hash = createHash('sha1');
  #prefix = Buffer.alloc(PREFIX);
  #prefixUsed = 0;
  #tail: Buffer = EMPTY;
  readonly #ctx: OutputContext;
  readonly #reader: PlaintextReader;

  readonly #name: string | undefined;

  constructor(keys: DecryptionKeys, options: DecryptOptions) {
    super();
    this.#keys = keys;
    this.#name = options.name;
    const events: PacketEvents = {
      start: (tag, length) => this.#start(tag, length),
      body: (chunk) => this.#body(chunk),
      end: () => this.#end(),
    };
    this.#outer = new PacketParser(events, (message) =>
      this.#phase === 'data' ? corrupt(message) : new IntegrityError(`this is not a readable OpenPGP message: ${message}`),
    );
    this.#ctx = {
      push: (data) => {
        if (!this.destroyed) this.push(data);
      },
      literals: 0,
      corrupt,
    };
    this.#reader = new PlaintextReader(this.#ctx, 0);
  }

  // -- outer packets

  #start(tag: number, length: BodyLength): void {
    if (this.#phase !== 'keys') throw corrupt('unexpected data after the encrypted data packet');
    switch (tag) {
      case TAG.pkesk:
      case TAG.skesk:
        if (length.kind !== 'fixed' || this.#eskBytes + length.length > MAX_ESK_BYTES) {
          throw new IntegrityError('this is not a readable OpenPGP message: malformed session-key packet');
        }
        // Each one may cost a key derivation: refuse a pile of them before trying any.
        if (++this.#eskCount > MAX_SESSION_KEY_PACKETS) {
          throw new IntegrityError(
            `this archive is damaged or hostile: it holds more than ${MAX_SESSION_KEY_PACKETS} session-key packets (ripcord writes one per recipient, at most ${MAX_SESSION_KEY_PACKETS}); refusing before trying any key`,
          );
        }
        this.#packet = { tag, chunks: [], size: length.length };
        return;
      case TAG.marker:
      case TAG.padding:
        this.#packet = undefined;
        return;
      case TAG.seipd:
        if (this.#esk.length === 0) throw new IntegrityError('this archive has no session-key packet before its encrypted data; ripcord cannot decrypt it');
        this.#phase = 'data';
        return;
      default:
        refuse(tag);
    }
  }

  #body(chunk: Buffer): void {
    if (this.#phase === 'data') {
      this.#data(chunk);
      return;
    }
    this.#packet?.chunks.push(Buffer.from(chunk));
  }

  #end(): void {
    if (this.#phase === 'data') {
      if (!this.#versionRead) throw corrupt('the encrypted data packet is empty');
      this.#phase = 'done';
      this.#dataEnded = true;
      if (this.#cfb) this.#endData();
      return;
    }
    const packet = this.#packet;
    this.#packet = undefined;
    if (!packet) return;
    const header = Buffer.concat([Buffer.from([0xc0 | packet.tag]), encodeLength(packet.size)]);
    this.#esk.push(header, ...packet.chunks);
    this.#eskBytes += header.length + packet.size;
  }

  // -- the SEIPD body

  #data(chunk: Buffer): void {
    if (!this.#versionRead) {
      const version = chunk[0] as number;
      this.#versionRead = true;
      if (version === 2) {
        throw new IntegrityError('this archive is SEIPD v2 (AEAD, RFC 9580); ripcord reads only SEIPD v1 archives: decrypt it with gpg');
      }
      if (version !== 1) throw corrupt(`unknown encrypted data packet version ${version}`);
      chunk = chunk.subarray(1);
      if (chunk.length === 0) return;
    }
    if (this.#cfb) this.#plain(this.#cfb.update(chunk));
    else this.#waiting.push(chunk);
  }

  async #unlock(): Promise<void> {
    if (this.#cfb || !this.#versionRead) return;
    const sessionKey = await decryptSessionKey(Buffer.concat(this.#esk), this.#keys);
    this.#sessionKey = sessionKey;
    this.#cfb = new CfbDecipher(sessionKey);
    sessionKey.key.fill(0); // the cipher holds its own copy
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const chunk of waiting) this.#plain(this.#cfb.update(chunk));
    if (this.#dataEnded) this.#endData();
  }

  #plain(plain: Buffer): void {
    if (plain.length === 0) return;
    if (this.#prefixUsed < PREFIX) {
      const n = Math.min(PREFIX - this.#prefixUsed, plain.length);
      plain.copy(this.#prefix, this.#prefixUsed, 0, n);
      this.#prefixUsed += n;
      plain = plain.subarray(n);
      if (this.#prefixUsed === PREFIX) {
        const p = this.#prefix;
        if (p[BLOCK] !== p[BLOCK - 2] || p[BLOCK + 1] !== p[BLOCK - 1]) {
          throw new KeyError(
            this.#sessionKey?.via === 'passphrase'
              ? WRONG_PASSPHRASE
              : 'the session key does not decrypt this archive (wrong key, or the start of the archive is damaged)',
          );
        }
        this.#mdc.update(p);
      }
      if (plain.length === 0) return;
    }
    // hold back the last 22 bytes: they may be the MDC packet
    if (plain.length >= MDC_LENGTH) {
      if (this.#tail.length) this.#release(this.#tail);
      this.#release(plain.subarray(0, plain.length - MDC_LENGTH));
      this.#tail = plain.subarray(plain.length - MDC_LENGTH);
    } else {
      const joined = Buffer.concat([this.#tail, plain]);
      if (joined.length > MDC_LENGTH) this.#release(joined.subarray(0, joined.length - MDC_LENGTH));
      this.#tail = joined.subarray(Math.max(0, joined.length - MDC_LENGTH));
    }
  }

  #release(plain: Buffer): void {
    if (plain.length === 0) return;
    this.#mdc.update(plain);
    this.#reader.write(plain);
  }

  #endData(): void {
    this.#plain((this.#cfb as CfbDecipher).final());
    const tail = this.#tail;
    if (this.#prefixUsed < PREFIX || tail.length < MDC_LENGTH) throw corrupt('the encrypted data is too short (truncated)');
    if (tail[0] !== (0xc0 | TAG.mdc) || tail[1] !== 20) throw corrupt('the modification detection code is missing or damaged');
    this.#mdc.update(tail.subarray(0, 2));
    if (!timingSafeEqual(this.#mdc.digest(), tail.subarray(2))) throw corrupt('the data was modified or damaged');
    this.#mdcChecked = true;
  }

  // -- Transform

  async #process(chunk: Buffer): Promise<void> {
    if (chunk.length > 0 && !this.#sawInput) {
      this.#sawInput = true;
      if (chunk[0] === 0x2d /* '-' */ && chunk.subarray(0, 15).toString('latin1') === '-----BEGIN PGP ') {
        throw new IntegrityError('this is an ASCII-armored OpenPGP message; ripcord reads binary messages (convert it with gpg --dearmor)');
      }
    }
    this.#outer.write(chunk);
    await this.#unlock();
    await this.#reader.settle();
  }

  async #finish(): Promise<void> {
    this.#outer.finish();
    await this.#unlock();
    if (this.#phase === 'keys') {
      if (!this.#sawInput) throw new IntegrityError('the archive is empty: not an OpenPGP message');
      throw corrupt('it ends before its encrypted data (truncated)');
    }
    if (!this.#mdcChecked) throw corrupt('the encrypted data is incomplete (truncated)');
    await this.#reader.finish();
    if (this.#ctx.literals === 0) throw corrupt('it holds no literal data');
  }

  #fail(error: unknown): Error {
    if (error instanceof KeyError && this.#name) return new KeyError(`${this.#name}: ${error.message}`, { cause: error });
    if (error instanceof RipcordError) return error;
    return corrupt(`unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#process(chunk).then(
      () => callback(),
      (error: unknown) => callback(this.#fail(error)),
    );
  }

  override _flush(callback: TransformCallback): void {
    this.#finish().then(
      () => callback(),
      (error: unknown) => callback(this.#fail(error)),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#reader.destroy();
    callback(error);
  }
}

/**
 * A Transform from a binary OpenPGP message to its literal data. Plaintext is released as it
 * is decrypted, before the MDC at the end is checked; the stream errors at the end with an
 * IntegrityError when the MDC does not match or the message is truncated. KeyError (before
 * any output) when the given keys do not decrypt it.
 */
export interface DecryptOptions {
  /** what is decrypted, named in a KeyError ("snapshot <id>") */
  name?: string;
}

export function createDecryptStream(keys: DecryptionKeys, options: DecryptOptions = {}): Transform {
  return new DecryptStream(keys, options);
}
