/**
 * Reading the OpenPGP symmetric layer natively: what ./seipd-encrypt.ts writes, and what
 * `gpg --symmetric` / `gpg -e` write (old-format headers, marker packets, a Compressed Data
 * packet with ZIP or ZLIB, signature packets, which are skipped), through node:crypto.
 * openpgp.js (via ./openpgp-keys.ts) only opens the session-key packets in front of it.
 * Plaintext is released as it is decrypted, before the MDC at the end is checked: callers
 * stage the output and trust it only once the stream ends cleanly.
 *
 * CFB decryption is computed as ECB encryption of the ciphertext shifted by one block,
 * XORed with the ciphertext: the blocks are independent, so AES-NI pipelines them, where
 * OpenSSL's CFB decrypts one block after the other.
 */
import { createCipheriv, createHash, timingSafeEqual, type Cipher, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { IntegrityError, KeyError, RipcordError } from '../domain/errors.ts';
import {
  decryptSessionKey,
  MAX_SESSION_KEY_PACKETS,
  WRONG_PASSPHRASE,
  type DecryptionKeys,
  type SessionKey,
} from './openpgp-keys.ts';
import {
  aesCipherName,
  AES_KEY_BYTES,
  BLOCK,
  encodeLength,
  MDC_LENGTH,
  PacketParser,
  PREFIX,
  TAG,
  type BodyLength,
  type PacketEvents,
} from './packets.ts';
import { releaseBuffer } from './reclaim.ts';
import { PlaintextReader, type OutputContext } from './seipd-plaintext.ts';

/** session-key packets are small; anything larger is not one of ours, nor GnuPG's */
const MAX_ESK_BYTES = 1 << 20;
const EMPTY = Buffer.alloc(0);
/** the largest scratch buffer a decipher keeps between chunks */
const MAX_SCRATCH = 2 << 20;

const MDC_FAILED = 'the archive failed its integrity check (MDC)';

const CIPHER_NAMES: Record<number, string> = {
  1: 'IDEA',
  2: 'TripleDES',
  3: 'CAST5',
  4: 'Blowfish',
  10: 'Twofish',
  11: 'Camellia-128',
  12: 'Camellia-192',
  13: 'Camellia-256',
};

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
 * short block by final(). Given the ciphertext block before (`previous`), it decrypts from
 * any block on: what a ranged read of an archive does (./ranged-read.ts).
 */
export class CfbDecipher {
  readonly #ecb: Cipher;
  #previous: Buffer = Buffer.alloc(BLOCK);
  #carry: Buffer = EMPTY;
  #scratch: Buffer = EMPTY;

  constructor(sessionKey: SessionKey, previous?: Buffer) {
    if (previous) this.#previous = Buffer.from(previous);
    const { algorithm, key } = sessionKey;
    const name = aesCipherName(algorithm, 'ecb');
    if (!name) {
      const what = CIPHER_NAMES[algorithm] ?? `cipher ${algorithm}`;
      throw new IntegrityError(
        `this archive is encrypted with ${what}; ripcord decrypts only AES archives: decrypt it with gpg`,
      );
    }
    const keyLength = AES_KEY_BYTES[algorithm];
    if (key.length !== keyLength)
      throw new KeyError(`the session key has ${key.length} bytes, not ${keyLength} as ${name} needs`);
    this.#ecb = createCipheriv(name, key, null);
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
    if (this.#scratch.length < BLOCK + whole && BLOCK + whole <= MAX_SCRATCH)
      this.#scratch = Buffer.allocUnsafeSlow(BLOCK + whole);
    const shifted =
      this.#scratch.length >= BLOCK + whole
        ? this.#scratch.subarray(0, BLOCK + whole)
        : Buffer.allocUnsafe(BLOCK + whole);
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
      throw new IntegrityError(
        'this archive is AEAD-encrypted (OCB/EAX, GnuPG 2.3+); ripcord reads only SEIPD v1 archives: decrypt it with gpg',
      );
    case TAG.literal:
    case TAG.compressed:
    case TAG.signature:
    case TAG.onePassSignature:
      throw new IntegrityError(
        'this is not an encrypted OpenPGP message (it holds plain data); ripcord reads only encrypted archives',
      );
    case TAG.publicKey:
    case TAG.secretKey:
    case TAG.publicSubkey:
    case TAG.secretSubkey:
    case TAG.userId:
    case TAG.trust:
      throw new IntegrityError('this is an OpenPGP key, not an encrypted archive');
    default:
      throw new IntegrityError(
        `this is not an encrypted OpenPGP message (unexpected packet with tag ${tag} before the encrypted data)`,
      );
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
  readonly #ownOutput: boolean;

  constructor(keys: DecryptionKeys, options: DecryptOptions) {
    super();
    this.#keys = keys;
    this.#name = options.name;
    this.#ownOutput = options.ownOutput === true;
    const events: PacketEvents = {
      start: (tag, length) => this.#start(tag, length),
      body: (chunk) => this.#body(chunk),
      end: () => this.#end(),
    };
    this.#outer = new PacketParser(events, (message) =>
      this.#phase === 'data'
        ? corrupt(message)
        : new IntegrityError(`this is not a readable OpenPGP message: ${message}`),
    );
    this.#ctx = {
      push: (data) => {
        if (this.destroyed) return;
        if (!this.#ownOutput) {
          this.push(data);
          return;
        }
        const copy = Buffer.allocUnsafeSlow(data.length);
        data.copy(copy);
        this.push(copy);
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
        if (this.#esk.length === 0)
          throw new IntegrityError(
            'this archive has no session-key packet before its encrypted data; ripcord cannot decrypt it',
          );
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
        throw new IntegrityError(
          'this archive is SEIPD v2 (AEAD, RFC 9580); ripcord reads only SEIPD v1 archives: decrypt it with gpg',
        );
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

  #plain(decrypted: Buffer): void {
    this.#take(decrypted);
    // Every view of it has been copied out (and the tail kept is a copy): its memory can go,
    // unless compressed data holds it until the thread pool has inflated it.
    if (this.#ownOutput && !this.#reader.keepsInput) releaseBuffer(decrypted);
  }

  #take(plain: Buffer): void {
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
      const tail = plain.subarray(plain.length - MDC_LENGTH);
      this.#tail = this.#ownOutput ? Buffer.from(tail) : tail;
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
    if (this.#prefixUsed < PREFIX || tail.length < MDC_LENGTH)
      throw corrupt('the encrypted data is too short (truncated)');
    if (tail[0] !== (0xc0 | TAG.mdc) || tail[1] !== 20)
      throw corrupt('the modification detection code is missing or damaged');
    this.#mdc.update(tail.subarray(0, 2));
    if (!timingSafeEqual(this.#mdc.digest(), tail.subarray(2))) throw corrupt('the data was modified or damaged');
    this.#mdcChecked = true;
  }

  // -- Transform

  async #process(chunk: Buffer): Promise<void> {
    if (chunk.length > 0 && !this.#sawInput) {
      this.#sawInput = true;
      if (chunk[0] === 0x2d /* '-' */ && chunk.subarray(0, 15).toString('latin1') === '-----BEGIN PGP ') {
        throw new IntegrityError(
          'this is an ASCII-armored OpenPGP message; ripcord reads binary messages (convert it with gpg --dearmor)',
        );
      }
    }
    // One chunk's decompression (a Compressed Data packet's, on the thread pool) runs while
    // the next chunk is read and decrypted: wait for the chunks before this one, not for this
    // one. Waiting for each in turn left a \`dump\` on Node 20 idle a third of its manifest read.
    const earlier = this.#reader.settle();
    earlier.catch(() => undefined); // awaited below; not unhandled while this chunk is decrypted
    this.#outer.write(chunk);
    await this.#unlock();
    await earlier;
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
    if (error instanceof KeyError && this.#name)
      return new KeyError(`${this.#name}: ${error.message}`, { cause: error });
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
  /**
   * Give out buffers of their own: each output chunk is a copy that nothing here refers to,
   * which the reader may free once it is done with it (reclaim.ts releaseBuffer), and each
   * decrypted buffer is freed here once it is copied out. For a reader that frees what it
   * reads: the garbage collector then has nothing of the data to collect (see openArchive).
   */
  ownOutput?: boolean;
}

export function createDecryptStream(keys: DecryptionKeys, options: DecryptOptions = {}): Transform {
  return new DecryptStream(keys, options);
}
