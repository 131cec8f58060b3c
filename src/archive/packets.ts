/**
 * OpenPGP packet framing (RFC 4880 4.2): the tags ripcord meets, body lengths written and
 * read, and a streaming parser that splits bytes into packets. Shared by encryption
 * (./seipd-encrypt.ts), decryption (./seipd-decrypt.ts) and the session-key packets
 * (./skesk.ts), so that headers are parsed in one place.
 */

export const TAG = {
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

/** SEIPD v1 (RFC 4880 5.13): the cipher block, the random prefix (a block and its last two octets again), the MDC packet */
export const BLOCK = 16;
export const PREFIX = BLOCK + 2;
export const MDC_LENGTH = 22;
/** log2 of the partial body part size ripcord writes (literal data and SEIPD): 1 MiB */
export const PART_LOG2 = 20;
/** every SEIPD body part but the last that ripcord writes holds this many bytes */
export const PART = 1 << PART_LOG2;
/** the Literal Data packet body header ripcord writes: binary ('b'), no filename, date 0 */
export const LITERAL_HEADER = Buffer.from([0x62, 0, 0, 0, 0, 0]);

/** AES-256's algorithm id (RFC 4880 9.2): what ripcord encrypts with. */
export const AES256 = 9;

/** The AES algorithms (RFC 4880 9.2) ripcord reads, by id: their key sizes in bytes. */
export const AES_KEY_BYTES: Readonly<Record<number, number>> = { 7: 16, 8: 24, 9: 32 };

/** The node:crypto name of AES algorithm `id` in `mode`, or undefined when `id` is not AES. */
export function aesCipherName(id: number, mode: 'cfb' | 'ecb'): string | undefined {
  const bytes = AES_KEY_BYTES[id];
  return bytes === undefined ? undefined : `aes-${bytes * 8}-${mode}`;
}

/** A new-format body length (RFC 4880 4.2.2). */
export function encodeLength(n: number): Buffer {
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

export interface BodyLength {
  kind: 'fixed' | 'partial' | 'indeterminate';
  /** bytes in this (first) part; 0 for indeterminate */
  length: number;
}

export interface PacketEvents {
  start(tag: number, length: BodyLength): void;
  body(chunk: Buffer): void;
  end(): void;
}

/** Bytes needed for a new-format length at hdr[at], or the length once they are there. */
function parseNewLength(hdr: Buffer, at: number, have: number): BodyLength | number {
  const b = hdr[at] as number;
  if (b < 192) return { kind: 'fixed', length: b };
  if (b < 224)
    return have < at + 2 ? at + 2 : { kind: 'fixed', length: ((b - 192) << 8) + (hdr[at + 1] as number) + 192 };
  if (b === 255) return have < at + 5 ? at + 5 : { kind: 'fixed', length: hdr.readUInt32BE(at + 1) };
  return { kind: 'partial', length: 1 << (b & 0x1f) };
}

/**
 * Splits a byte stream into OpenPGP packets (old and new format headers, partial and
 * indeterminate lengths) and hands each packet's body on as it arrives.
 */
export class PacketParser {
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
        length = {
          kind: 'fixed',
          length: size === 1 ? (hdr[1] as number) : size === 2 ? hdr.readUInt16BE(1) : hdr.readUInt32BE(1),
        };
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
