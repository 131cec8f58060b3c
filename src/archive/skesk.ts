/**
 * Passphrase session-key packets (SKESK v4, RFC 4880 5.3) with the iterated and salted S2K
 * (3.7.1.3), natively. openpgp.js builds the whole S2K input in memory (16 MiB for ours,
 * 62 MiB for what GnuPG writes) and loads a large library; hashing the repeated salt and
 * passphrase in small slices costs no memory and a few milliseconds.
 *
 * Writing: version 4, AES-256, S2K type 3 with SHA-256, 8-byte salt, coded count 224
 * (16 MiB), and the session key encrypted with AES-256-CFB (zero IV) as algorithm octet +
 * key. Reading: any v4 SKESK with simple, salted or iterated S2K over SHA-1/SHA-2 and an
 * AES cipher; anything else is left to openpgp.js.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { IntegrityError } from '../domain/errors.ts';
import { isPassphraseCheck, type PassphraseCheck } from '../domain/snapshot.ts';
import { AES256, aesCipherName, AES_KEY_BYTES, PacketParser } from './packets.ts';

const S2K_ITERATED = 3;
const HASH_SHA256 = 8;
const COUNT_BYTE = 224;

const HASHES: Record<number, string> = { 2: 'sha1', 8: 'sha256', 9: 'sha384', 10: 'sha512', 11: 'sha224' };

function decodedCount(coded: number): number {
  return (16 + (coded & 15)) << ((coded >> 4) + 6);
}

const DERIVED_KEYS_KEPT = 32;

/** The S2K of RFC 4880 3.7.1 (computeKey), each iterated key remembered (remembering). */
export const deriveKey = remembering(computeKey);

/**
 * Keys derived in this process, by passphrase digest, hash, S2K type, salt, count and length.
 * An iterated S2K hashes 16 MiB or more (about 11 ms here), and one process often derives
 * the same key again: a restore reads a manifest in its plan and again as it stages, verify
 * then restore read the same objects, every backup to a repository checks the passphrase
 * against the same salt. Each salt is random, so a key that a new message needs is never
 * found here; what is found is exactly what the S2K would give. Bounded, and never handed
 * out: callers get a copy they may zero.
 */
function remembering(s2k: typeof computeKey): typeof computeKey {
  return (passphrase, hashId, type, salt, coded, keyBytes) => {
    if (type !== S2K_ITERATED) return s2k(passphrase, hashId, type, salt, coded, keyBytes);
    const id = derivedKeyId(passphrase, hashId, salt, coded, keyBytes);
    let key = derivedKeys.get(id);
    if (!key) {
      key = s2k(passphrase, hashId, type, salt, coded, keyBytes);
      remember(id, key);
    }
    return Buffer.from(key);
  };
}

const derivedKeys = new Map<string, Buffer>();

function derivedKeyId(passphrase: Buffer, hashId: number, salt: Buffer, coded: number, keyBytes: number): string {
  return [createHash('sha256').update(passphrase).digest('hex'), hashId, coded, keyBytes, salt.toString('hex')].join(
    ':',
  );
}

function remember(id: string, key: Buffer): void {
  if (derivedKeys.has(id)) return;
  if (derivedKeys.size >= DERIVED_KEYS_KEPT) {
    const oldest = derivedKeys.keys().next().value as string;
    derivedKeys.get(oldest)?.fill(0);
    derivedKeys.delete(oldest);
  }
  derivedKeys.set(id, key);
}

/**
 * Salts drawn ahead for the session-key packets this process will write with a passphrase,
 * so that their keys can be derived on another thread while this one works
 * (archive/walk-thread.ts does, for a chain link: two packets, the manifest's and the
 * archive's, about 11 ms each that this thread no longer spends). A drawn salt is as random
 * as one drawn when the packet is made, and each is used once. A packet made before its key
 * has come back derives it here, as it would have anyway.
 */
const reservedSalts = new Map<string, Buffer[]>();

/** What a thread needs to derive the keys of passphrase packets: salts drawn for them (reserveSalts). */
export interface S2kJob {
  passphrase: string;
  salts: Buffer[];
}

/** Draw `count` salts for this passphrase's next packets; derive their keys with deriveReserved. */
export function reserveSalts(passphrase: string, count: number): S2kJob {
  const salts = Array.from({ length: count }, () => randomBytes(8));
  const id = passphraseId(passphrase);
  reservedSalts.set(id, [...(reservedSalts.get(id) ?? []), ...salts]);
  return { passphrase, salts };
}

/** The keys of a job's salts, in order (on any thread): what packets with those salts need. */
export function deriveReserved(job: S2kJob): Buffer[] {
  const passphrase = Buffer.from(job.passphrase, 'utf8');
  return job.salts.map((salt) => computeKey(passphrase, HASH_SHA256, S2K_ITERATED, salt, COUNT_BYTE, 32));
}

/** Keep the keys another thread derived for a job's salts, for the packets that take them. */
export function rememberReserved(job: S2kJob, keys: readonly Uint8Array[]): void {
  const passphrase = Buffer.from(job.passphrase, 'utf8');
  job.salts.forEach((salt, i) => {
    const key = keys[i];
    if (key?.length === 32) remember(derivedKeyId(passphrase, HASH_SHA256, salt, COUNT_BYTE, 32), Buffer.from(key));
  });
}

function passphraseId(passphrase: string): string {
  return createHash('sha256').update(passphrase, 'utf8').digest('hex');
}

function nextSalt(passphrase: string): Buffer {
  const id = passphraseId(passphrase);
  const reserved = reservedSalts.get(id);
  const salt = reserved?.shift();
  if (reserved?.length === 0) reservedSalts.delete(id);
  return salt ?? randomBytes(8);
}

/** The S2K of RFC 4880 3.7.1: as many hash contexts as the key needs, each preloaded with i zero octets. */
function computeKey(
  passphrase: Buffer,
  hashId: number,
  type: number,
  salt: Buffer,
  coded: number,
  keyBytes: number,
): Buffer {
  const hash = HASHES[hashId];
  if (!hash) throw new Error(`unsupported S2K hash ${hashId}`);
  const data = type === 0 ? passphrase : Buffer.concat([salt, passphrase]);
  const total = type === S2K_ITERATED ? Math.max(decodedCount(coded), data.length) : data.length;
  // One slice of the repeated input, reused for every update: constant memory.
  const slice = Buffer.alloc(Math.max(data.length, Math.floor((64 << 10) / Math.max(1, data.length)) * data.length));
  for (let at = 0; at < slice.length; at += data.length) data.copy(slice, at);
  const parts: Buffer[] = [];
  for (let context = 0; Buffer.concat(parts).length < keyBytes; context++) {
    const h = createHash(hash);
    if (context > 0) h.update(Buffer.alloc(context));
    let left = total;
    while (left > 0) {
      const n = Math.min(left, slice.length);
      h.update(slice.subarray(0, n));
      left -= n;
    }
    parts.push(h.digest());
  }
  return Buffer.concat(parts).subarray(0, keyBytes);
}

/** One SKESK v4 packet (new-format header) carrying `sessionKey` for AES-256. */
export function createPassphrasePacket(sessionKey: Uint8Array, passphrase: string): Uint8Array {
  const salt = nextSalt(passphrase);
  const kek = deriveKey(Buffer.from(passphrase, 'utf8'), HASH_SHA256, S2K_ITERATED, salt, COUNT_BYTE, 32);
  const cipher = createCipheriv('aes-256-cfb', kek, Buffer.alloc(16));
  const encryptedKey = Buffer.concat([
    cipher.update(Buffer.concat([Buffer.from([AES256]), sessionKey])),
    cipher.final(),
  ]);
  kek.fill(0);
  const body = Buffer.concat([
    Buffer.from([4, AES256, S2K_ITERATED, HASH_SHA256]),
    salt,
    Buffer.from([COUNT_BYTE]),
    encryptedKey,
  ]);
  return Buffer.concat([Buffer.from([0xc0 | 3, body.length]), body]);
}

/*
 * A passphrase's key check value, kept in snapshot.json so that a backup can tell the
 * repository's passphrase from another one: HMAC-SHA-256, under a fixed label, of the
 * output of the same S2K the session-key packet uses, with a salt of its own. It is not
 * an encryption key, and testing a guess against it costs what testing it against the
 * archive's own session-key packet does.
 */
const KEY_CHECK_LABEL = 'ripcord key check';

function passphraseHmac(passphrase: string, salt: Buffer, count: number): Buffer {
  const derived = deriveKey(Buffer.from(passphrase, 'utf8'), HASH_SHA256, S2K_ITERATED, salt, count, 32);
  const hmac = createHmac('sha256', derived).update(KEY_CHECK_LABEL).digest();
  derived.fill(0);
  return hmac;
}

export function createPassphraseCheck(passphrase: string): PassphraseCheck {
  const salt = randomBytes(8);
  return {
    s2k: 'iterated-sha256',
    salt: salt.toString('hex'),
    count: COUNT_BYTE,
    hmac: passphraseHmac(passphrase, salt, COUNT_BYTE).toString('hex'),
  };
}

/**
 * Whether a check costs a guess what one createPassphraseCheck makes does (its S2K count at
 * least as high): a new snapshot may then carry a check its passphrase matched again, where a
 * check of its own costs another S2K (about 13 ms of every backup here). Both say only what
 * the repository already tells: that its snapshots share a passphrase.
 */
export function isFullStrengthCheck(check: PassphraseCheck): boolean {
  return isPassphraseCheck(check) && check.count >= COUNT_BYTE;
}

/** Whether `passphrase` is the one `check` was made from. A malformed check matches nothing. */
export function matchesPassphraseCheck(passphrase: string, check: PassphraseCheck): boolean {
  if (!isPassphraseCheck(check)) return false;
  return timingSafeEqual(
    passphraseHmac(passphrase, Buffer.from(check.salt, 'hex'), check.count),
    Buffer.from(check.hmac, 'hex'),
  );
}

export interface PacketSlice {
  tag: number;
  body: Buffer;
}

/** Split session-key packets (fixed lengths only; these are never partial). Undefined when it cannot. */
export function splitPackets(data: Uint8Array): PacketSlice[] | undefined {
  const packets: PacketSlice[] = [];
  let current: { tag: number; chunks: Buffer[] } | undefined;
  let fixed = true;
  const parser = new PacketParser(
    {
      start(tag, length) {
        if (length.kind !== 'fixed') fixed = false;
        current = { tag, chunks: [] };
      },
      body: (chunk) => current?.chunks.push(chunk),
      end() {
        if (current) packets.push({ tag: current.tag, body: Buffer.concat(current.chunks) });
        current = undefined;
      },
    },
    (message) => new Error(message),
  );
  try {
    parser.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    parser.finish();
  } catch {
    return undefined;
  }
  return fixed ? packets : undefined;
}

/**
 * Try the passphrase on every SKESK v4 this module understands. Returns the session key of
 * the first that opens to a plausible AES key, or undefined (wrong passphrase, or a packet
 * for openpgp.js to try).
 */
export function openPassphrasePackets(
  packets: PacketSlice[],
  passphrase: string,
): { algorithm: number; key: Uint8Array } | 'unsupported' | undefined {
  let unsupported = false;
  for (const { tag, body } of packets) {
    if (tag !== 3) continue;
    const [version, cipherId, s2kType, hashId] = body;
    const cipher = cipherId === undefined ? undefined : aesCipherName(cipherId, 'cfb');
    if (
      version !== 4 ||
      cipherId === undefined ||
      !cipher ||
      !HASHES[hashId ?? -1] ||
      ![0, 1, 3].includes(s2kType ?? -1)
    ) {
      unsupported = true;
      continue;
    }
    let at = 4;
    const salt = s2kType === 0 ? Buffer.alloc(0) : body.subarray(at, (at += 8));
    const coded = s2kType === S2K_ITERATED ? body[at++]! : 0;
    const encrypted = body.subarray(at);
    // A packet cut short or padded cannot be opened by any passphrase: that is damage, not a wrong key.
    if (at > body.length || (encrypted.length > 0 && !Object.values(AES_KEY_BYTES).includes(encrypted.length - 1))) {
      throw new IntegrityError(
        `the archive's passphrase session-key packet is malformed (${body.length} bytes): the archive is damaged; use another copy of this snapshot or an older one`,
      );
    }
    const kek = deriveKey(Buffer.from(passphrase, 'utf8'), hashId!, s2kType!, salt, coded, AES_KEY_BYTES[cipherId]!);
    if (encrypted.length === 0) return { algorithm: cipherId, key: kek }; // the S2K output is the session key
    const decipher = createDecipheriv(cipher, kek, Buffer.alloc(16));
    const plain = Buffer.concat([decipher.update(encrypted), decipher.final()]);
    const algorithm = plain[0]!;
    const key = plain.subarray(1);
    // No checksum protects this: an implausible algorithm or size means a wrong passphrase.
    if (AES_KEY_BYTES[algorithm] === key.length) return { algorithm, key };
  }
  return unsupported ? 'unsupported' : undefined;
}
