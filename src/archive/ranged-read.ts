/**
 * Reading a few entries of an archive without the rest, by its index (docs/format.md,
 * "Index"): which gzip members hold them, where in the literal data those start, and where
 * a partial length header of the Literal Data packet lies before that, so that decryption
 * can start there. OpenPGP CFB decrypts from any block given the ciphertext block before it.
 *
 * What is read here is not covered by the archive's MDC, which only a read to the end
 * checks. Callers check each entry against the authenticated manifest (its path, type, size
 * and SHA-256) before anything of it is used, which is what the MDC would vouch for, for
 * these bytes (docs/security.md). Anything that does not parse as ripcord writes it is an
 * IntegrityError, never a guess.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { IntegrityError, KeyError } from '../domain/errors.ts';
import type { ArchiveIndex, ArchiveKey } from '../domain/manifest.ts';
import { decryptSessionKey, WRONG_PASSPHRASE } from './openpgp-keys.ts';
import type { DecryptionKeys, SessionKey } from './openpgp-keys.ts';
import { AES_KEY_BYTES, BLOCK, LITERAL_HEADER, PART, PREFIX, TAG } from './packets.ts';
import { CfbDecipher } from './seipd-decrypt.ts';
import { readTar } from './tar-reader.ts';
import type { TarItem } from './tar-reader.ts';

/** `length` bytes of the stored archive from `offset` on */
export type ReadRange = (offset: number, length: number) => Promise<AsyncIterable<Uint8Array>>;

/** Bytes of stored archive a ranged read fetched, for those who count them (the benchmark, tests). */
export interface RangeStats {
  reads: number;
  bytes: number;
}

export interface IndexedArchive {
  /**
   * The `count` tar items whose first headers lie in [from, to) of the tar stream, in order
   * (from: the first one's `at`; to: the `at` of the entry after the last, or undefined for
   * the archive's end). Each item's body must be read through before the next is asked for.
   */
  items(from: number, to: number | undefined, count: number): AsyncGenerator<TarItem>;
  stats: RangeStats;
}

function damaged(detail: string): IntegrityError {
  return new IntegrityError(`a ranged read of the archive failed: ${detail}`);
}

/** Bytes of an OpenPGP new-format length header for a body of `length` bytes. */
function lengthHeaderBytes(length: number): number {
  return length < 192 ? 1 : length < 8384 ? 2 : 5;
}

function checkIndex(index: ArchiveIndex): void {
  const whole = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (
    !whole(index.batch) ||
    index.batch === 0 ||
    index.batch % 512 !== 0 ||
    !whole(index.head) ||
    !Array.isArray(index.members) ||
    index.members.length === 0 ||
    !index.members.every(whole) ||
    !Array.isArray(index.parts) ||
    index.parts.length === 0 ||
    !index.parts.every((p, i, all) => {
      if (!Array.isArray(p) || p.length !== 2 || !whole(p[0]) || !whole(p[1])) return false;
      const before = all[i - 1];
      return !before || (p[0] > before[0] && p[1] > before[1]);
    })
  )
    throw new IntegrityError('the archive index in the manifest is malformed');
}

/**
 * Open an archive of `size` bytes for ranged reads: its session key from the packets before
 * the SEIPD packet, checked with the quick check at the start of the encrypted data (a wrong
 * key is a KeyError, as for a whole read).
 */
export async function openIndexedArchive(
  read: ReadRange,
  size: number,
  index: ArchiveIndex,
  keys: DecryptionKeys,
  /** the session key the (authenticated) manifest gives for this archive: no key derivation */
  known?: ArchiveKey,
): Promise<IndexedArchive> {
  checkIndex(index);
  const stats: RangeStats = { reads: 0, bytes: 0 };
  const fetch = async (offset: number, length: number): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of await read(offset, length)) chunks.push(Buffer.from(chunk));
    const got = Buffer.concat(chunks);
    stats.reads += 1;
    stats.bytes += got.length;
    if (got.length !== length) throw damaged(`${length} bytes at ${offset} were asked for, ${got.length} came`);
    return got;
  };

  // The SEIPD packet: a tag, then 1 MiB parts each behind one length octet, then a last part
  // of 1 to 1 MiB bytes behind a 1, 2 or 5 byte length: its place follows from the size.
  const { head } = index;
  const after = size - head - 1;
  let full = -1;
  let lastHeader = 0;
  for (const k of [Math.floor(after / (PART + 1)), Math.floor(after / (PART + 1)) - 1]) {
    const rest = after - k * (PART + 1);
    for (const h of [1, 2, 5]) {
      if (k >= 0 && full < 0 && rest - h >= 0 && rest - h <= PART && lengthHeaderBytes(rest - h) === h) {
        full = k;
        lastHeader = h;
      }
    }
  }
  if (full < 0) throw damaged(`its size (${size} bytes) does not fit the layout its index describes`);
  const bodyBytes = full * PART + (after - full * (PART + 1) - lastHeader);
  /** where body byte `c` of the SEIPD packet lies in the stored object */
  const fileOf = (c: number): number => {
    const k = Math.min(Math.floor(c / PART), full);
    return head + 1 + k * (PART + 1) + (k < full ? 1 : lastHeader) + (c - k * PART);
  };

  /** body bytes [from, to) of the SEIPD packet: one read, less the length headers inside it */
  async function* body(from: number, to: number): AsyncGenerator<Buffer> {
    const start = fileOf(from);
    const end = fileOf(to - 1) + 1;
    stats.reads += 1;
    let at = start;
    for await (const piece of await read(start, end - start)) {
      let chunk = Buffer.from(piece);
      stats.bytes += chunk.length;
      while (chunk.length > 0) {
        // the next length header at or after `at`
        const k = Math.min(Math.floor((at - head - 1) / (PART + 1)), full);
        const headerAt = head + 1 + k * (PART + 1);
        const headerEnd = headerAt + (k < full ? 1 : lastHeader);
        if (at < headerEnd) {
          const skip = Math.min(headerEnd - at, chunk.length);
          chunk = chunk.subarray(skip);
          at += skip;
          continue;
        }
        const nextHeader = head + 1 + (k + 1) * (PART + 1);
        const take = k < full ? Math.min(nextHeader - at, chunk.length) : chunk.length;
        yield chunk.subarray(0, take);
        chunk = chunk.subarray(take);
        at += take;
      }
    }
    if (at !== end) throw damaged(`the read of bytes ${start}-${end - 1} ended at ${at}`);
  }

  // One read for the session-key packets and the start of the encrypted data (its version
  // and the prefix the quick check looks at), which lie in the first part.
  const start = Math.min(bodyBytes, 1 + 2 * BLOCK);
  const opening = await fetch(0, Math.min(size, fileOf(start - 1) + 1));
  if (opening[head] !== (0xc0 | TAG.seipd)) throw damaged('no encrypted data packet where its index says');
  const sessionKey = known ? givenKey(known) : await decryptSessionKey(opening.subarray(0, head), keys);
  checkQuick(sessionKey, opening.subarray(fileOf(0), fileOf(start - 1) + 1));

  const members = index.members;
  const memberStart: number[] = [0];
  for (const bytes of members) memberStart.push(memberStart.at(-1)! + bytes);

  return {
    stats,
    async *items(from, to, count) {
      const first = Math.floor(from / index.batch);
      const last = to === undefined ? members.length - 1 : Math.floor((to - 1) / index.batch);
      if (first >= members.length || last >= members.length || last < first)
        throw damaged(`tar bytes ${from}-${to ?? 'end'} lie outside its ${members.length} gzip members`);
      const literalFrom = LITERAL_HEADER.length + memberStart[first]!;
      const literalTo = LITERAL_HEADER.length + memberStart[last + 1]!;
      // the last place to start decrypting at or before literalFrom
      let p = 0;
      for (let lo = 0, hi = index.parts.length - 1; lo <= hi; ) {
        const mid = (lo + hi) >> 1;
        if (index.parts[mid]![0] <= literalFrom) {
          p = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      const [literalStart, plainStart] = index.parts[p]!;
      // the plaintext holds literal bytes and, before each run of them, a few length octets
      let runs = 1;
      for (let q = p + 1; q < index.parts.length && index.parts[q]![0] < literalTo; q++) runs += 1;
      const plainEnd = Math.min(bodyBytes - 1, plainStart + (literalTo - literalStart) + runs * 32 + 8);
      const block = Math.floor(plainStart / BLOCK) * BLOCK;
      const cipher = body(1 + Math.max(0, block - BLOCK), 1 + plainEnd);
      const literal = literalBytes(decrypt(cipher, sessionKey, block > 0), plainStart - block);
      const gzip = Readable.from(window(literal, literalFrom - literalStart, literalTo - literalFrom), {
        objectMode: false,
      });
      const tar = gzip.pipe(createGunzip({ chunkSize: 1 << 18 }));
      gzip.once('error', (error) => tar.destroy(error));
      let yielded = 0;
      try {
        const source = window(tar, from - first * index.batch, Number.POSITIVE_INFINITY);
        for await (const item of readTar(source)) {
          yield item;
          if (++yielded === count) break;
        }
      } catch (error) {
        if (error instanceof IntegrityError || error instanceof KeyError) throw error;
        throw damaged(error instanceof Error ? error.message : String(error));
      } finally {
        gzip.destroy();
        tar.destroy();
      }
      if (yielded < count) throw damaged(`tar bytes ${from}-${to ?? 'end'} hold ${yielded} of ${count} entries`);
    },
  };
}

/** The archive key a manifest gives, as a session key; one that cannot be is damage. */
function givenKey(known: ArchiveKey): SessionKey {
  const bytes = AES_KEY_BYTES[known.algorithm];
  if (bytes === undefined || typeof known.key !== 'string' || !new RegExp(`^[0-9a-f]{${2 * bytes}}$`).test(known.key))
    throw damaged('the archive key in its manifest is malformed');
  return { algorithm: known.algorithm, key: Buffer.from(known.key, 'hex'), via: 'manifest' };
}

/** The quick check of RFC 4880 5.13: the prefix's last two bytes repeat the two before. */
function checkQuick(sessionKey: SessionKey, start: Buffer): void {
  if (start[0] !== 1) throw damaged(`unknown encrypted data packet version ${start[0]}`);
  const cfb = new CfbDecipher(sessionKey);
  const prefix = Buffer.concat([cfb.update(start.subarray(1)), cfb.final()]);
  if (prefix.length < PREFIX) throw damaged('the encrypted data is too short');
  if (prefix[BLOCK] !== prefix[BLOCK - 2] || prefix[BLOCK + 1] !== prefix[BLOCK - 1]) {
    // the manifest's key is the one it was written with: an archive it does not open is not that archive
    if (sessionKey.via === 'manifest')
      throw damaged('the archive key in its manifest does not open it (the archive was replaced or damaged)');
    throw new KeyError(
      sessionKey.via === 'passphrase'
        ? WRONG_PASSPHRASE
        : 'the session key does not decrypt this archive (wrong key, or the start of the archive is damaged)',
    );
  }
}

/** Decrypt ciphertext starting at a block boundary; with `withPrevious`, its first block is the one before. */
async function* decrypt(
  cipher: AsyncIterable<Buffer>,
  sessionKey: SessionKey,
  withPrevious: boolean,
): AsyncGenerator<Buffer> {
  let cfb: CfbDecipher | undefined = withPrevious ? undefined : new CfbDecipher(sessionKey);
  let previous = Buffer.alloc(0);
  for await (let chunk of cipher) {
    if (!cfb) {
      const need = BLOCK - previous.length;
      previous = Buffer.concat([previous, chunk.subarray(0, need)]);
      chunk = chunk.subarray(need);
      if (previous.length < BLOCK) continue;
      cfb = new CfbDecipher(sessionKey, previous);
    }
    const plain = cfb.update(chunk);
    if (plain.length > 0) yield Buffer.from(plain);
  }
  const rest = cfb?.final();
  if (rest && rest.length > 0) yield Buffer.from(rest);
}

/**
 * The literal body bytes in plaintext that starts `skip` bytes before a partial length
 * header of the Literal Data packet, from that header on. Stops at the packet's last part.
 */
async function* literalBytes(plain: AsyncIterable<Buffer>, skip: number): AsyncGenerator<Buffer> {
  let toSkip = skip;
  let left = 0; // bytes of the current part still to come
  let last = false;
  let header: number[] = [];
  for await (let chunk of plain) {
    while (chunk.length > 0) {
      if (toSkip > 0) {
        const n = Math.min(toSkip, chunk.length);
        chunk = chunk.subarray(n);
        toSkip -= n;
        continue;
      }
      if (left > 0) {
        const n = Math.min(left, chunk.length);
        yield chunk.subarray(0, n);
        chunk = chunk.subarray(n);
        left -= n;
        if (left === 0 && last) return;
        continue;
      }
      if (last) return;
      header.push(chunk[0]!);
      chunk = chunk.subarray(1);
      const o = header[0]!;
      if (o >= 224 && o < 255) {
        left = 2 ** (o & 0x1f);
      } else if (o < 192) {
        left = o;
        last = true;
      } else if (o < 224) {
        if (header.length < 2) continue;
        left = ((o - 192) << 8) + header[1]! + 192;
        last = true;
      } else {
        if (header.length < 5) continue;
        left = Buffer.from(header.slice(1)).readUInt32BE(0);
        last = true;
      }
      header = [];
      if (left === 0 && last) return;
    }
  }
}

/** `length` bytes of `source` after its first `skip` */
async function* window(source: AsyncIterable<Buffer>, skip: number, length: number): AsyncGenerator<Buffer> {
  let toSkip = skip;
  let left = length;
  for await (let chunk of source) {
    if (toSkip > 0) {
      const n = Math.min(toSkip, chunk.length);
      chunk = chunk.subarray(n);
      toSkip -= n;
      if (chunk.length === 0) continue;
    }
    if (chunk.length >= left) {
      if (left > 0) yield chunk.subarray(0, left);
      return;
    }
    left -= chunk.length;
    yield chunk;
  }
  if (toSkip > 0 || (Number.isFinite(length) && left > 0))
    throw damaged('the data ends before the entries its index places there');
}
