/**
 * What ripcord does with OpenPGP keys: recipients, identities, session keys, key pairs
 * (signatures are in ./openpgp-signatures.ts; openpgp.js is loaded by ./openpgp-library.ts).
 *
 * openpgp.js handles what is small and fiddly: reading and checking keys, and the
 * session-key packets (SKESK v4 for a passphrase, PKESK v3 for public keys). The bulk
 * data layer (SEIPD v1) is done natively in ./seipd-encrypt.ts and ./seipd-decrypt.ts. openpgp.js is imported lazily so
 * that commands which never touch a key do not pay for loading it (./openpgp-library.ts).
 *
 * Every failure leaves as a KeyError (or IntegrityError for unreadable packets) with one
 * line that says what is wrong and what to do; openpgp.js's own text is only appended.
 */
import type { Key, Message, PrivateKey, PublicKey, Subkey } from 'openpgp';
import { IntegrityError, KeyError } from '../domain/errors.ts';
import type { DecryptionKeys, EncryptionKeys } from '../domain/keys.ts';
import { createPassphrasePacket, openPassphrasePackets, splitPackets } from './skesk.ts';
import {
  describe,
  fingerprintOf,
  isWildcard,
  keyIdHex,
  openpgp,
  readArmoredKeys,
  reason,
  settings,
} from './openpgp-library.ts';
import type { OpenPGP } from './openpgp-library.ts';

export type { DecryptionKeys, EncryptionKeys, SignerTrust, SigningKey } from '../domain/keys.ts';

export interface RecipientInfo {
  /** uppercase hex fingerprint of the primary key */
  fingerprint: string;
  userIds: string[];
}

export interface SessionKey {
  /** OpenPGP symmetric algorithm id: 7/8/9 = AES-128/192/256 */
  algorithm: number;
  key: Uint8Array;
  /**
   * what decrypted it, or the manifest that gave it (its trailer's archiveKey): used to word a
   * failed quick check ("the passphrase does not decrypt ...")
   */
  via: 'passphrase' | 'identity' | 'manifest';
}

/**
 * The most session-key packets a message may carry: each one can cost a key derivation
 * (16 MiB of SHA-256 or more) or a private-key operation, so a reader refuses a message
 * with more before trying any key, and a backup refuses more recipients than a reader accepts.
 */
export const MAX_SESSION_KEY_PACKETS = 16;

const GNUPG22_ENCRYPTION_ALGORITHMS = new Set([1 /* RSA */, 2 /* RSA encrypt-only */, 16 /* ElGamal */, 18 /* ECDH */]);

/** Read armored public keys and check that each can be encrypted to now, by GnuPG 2.2 too. */
async function readRecipientKeys(op: OpenPGP, recipients: string[]): Promise<PublicKey[]> {
  const config = settings(op);
  if (recipients.length === 0)
    throw new KeyError('no recipient keys given: set RIPCORD_RECIPIENTS to one or more armored public keys');
  const result: PublicKey[] = [];
  const seen = new Set<string>();
  const now = new Date();
  for (const armored of recipients) {
    let keys: Key[];
    try {
      keys = await readArmoredKeys(op, armored, config);
    } catch (error) {
      throw new KeyError(
        `RIPCORD_RECIPIENTS does not hold a readable armored OpenPGP public key (export one with gpg --armor --export): ${reason(error)}`,
      );
    }
    for (const key of keys) {
      const fpr = fingerprintOf(key);
      if (key.isPrivate()) {
        throw new KeyError(`RIPCORD_RECIPIENTS holds a private key; give the public key (gpg --armor --export ${fpr})`);
      }
      if (key.keyPacket.version !== 4) {
        throw new KeyError(
          `recipient key ${describe(key)} is a version ${key.keyPacket.version} key, which GnuPG 2.2 cannot use; give a version 4 key`,
        );
      }
      try {
        await key.verifyPrimaryKey(now, undefined, config);
      } catch (error) {
        const text = reason(error);
        if (/expired/i.test(text)) {
          const expiry = await key.getExpirationTime(undefined, config).catch(() => null);
          const when = expiry instanceof Date ? ` on ${expiry.toISOString().slice(0, 10)}` : '';
          throw new KeyError(
            `recipient key ${describe(key)} expired${when}; extend it (gpg --quick-set-expire) or give another key`,
          );
        }
        if (/revoked/i.test(text)) throw new KeyError(`recipient key ${describe(key)} is revoked; give another key`);
        throw new KeyError(`recipient key ${describe(key)} is not valid: ${text}`);
      }
      let encryptionKey: Key | Subkey;
      try {
        encryptionKey = await key.getEncryptionKey(undefined, now, undefined, config);
      } catch (error) {
        throw new KeyError(
          `recipient key ${describe(key)} has no usable encryption subkey (missing, expired or revoked); add one with gpg --quick-add-key: ${reason(error)}`,
        );
      }
      const algorithm = encryptionKey.keyPacket.algorithm as number;
      if (!GNUPG22_ENCRYPTION_ALGORITHMS.has(algorithm)) {
        const name = encryptionKey.getAlgorithmInfo().algorithm;
        throw new KeyError(
          `recipient key ${describe(key)} encrypts with ${name}, which GnuPG 2.2 cannot decrypt; give an RSA or cv25519 (ECDH) key`,
        );
      }
      if (!seen.has(fpr)) {
        seen.add(fpr);
        result.push(key);
      }
    }
  }
  return result;
}

/**
 * Parse and check recipient keys: each must be a public key, usable for encryption now
 * (not expired or revoked, with an encryption (sub)key GnuPG 2.2 can use).
 */
export async function inspectRecipients(recipients: string[]): Promise<RecipientInfo[]> {
  const op = await openpgp();
  const keys = await readRecipientKeys(op, recipients);
  return keys.map((key) => ({ fingerprint: fingerprintOf(key), userIds: key.getUserIDs() }));
}

/** Uppercase hex fingerprints of the primary keys in armored key text (public or private). */
export async function keyFingerprints(armored: string): Promise<string[]> {
  const op = await openpgp();
  try {
    return (await readArmoredKeys(op, armored, settings(op))).map(fingerprintOf);
  } catch (error) {
    throw new KeyError(`not a readable armored OpenPGP key: ${reason(error)}`);
  }
}

/**
 * The session-key packets (binary) for `sessionKey` (32 bytes, AES-256): one SKESK v4
 * (iterated+salted S2K, SHA-256, AES-256) for a passphrase, or one PKESK v3 per recipient.
 */
export async function createSessionKeyPackets(sessionKey: Uint8Array, keys: EncryptionKeys): Promise<Uint8Array> {
  if (sessionKey.length !== 32) throw new RangeError(`an AES-256 session key has 32 bytes, not ${sessionKey.length}`);
  if (keys.mode === 'passphrase') {
    if (keys.passphrase === '')
      throw new KeyError('the passphrase is empty: set RIPCORD_PASSPHRASE to a non-empty passphrase');
    return createPassphrasePacket(sessionKey, keys.passphrase); // native: see ./skesk.ts
  }
  const op = await openpgp();
  const config = settings(op);
  const recipients = await readRecipientKeys(op, keys.recipients);
  if (recipients.length > MAX_SESSION_KEY_PACKETS) {
    throw new KeyError(
      `${recipients.length} recipient keys given: an archive carries at most ${MAX_SESSION_KEY_PACKETS} (one session-key packet each); give fewer keys in RIPCORD_RECIPIENTS`,
    );
  }
  try {
    return await op.encryptSessionKey({
      data: sessionKey,
      algorithm: 'aes256',
      encryptionKeys: recipients,
      format: 'binary',
      config,
    });
  } catch (error) {
    throw new KeyError(`cannot encrypt the session key to ${recipients.map(describe).join(', ')}: ${reason(error)}`);
  }
}

/** The identity keys, read and checked to be private keys (still locked). */
async function readIdentities(
  op: OpenPGP,
  identities: NonNullable<DecryptionKeys['identities']>,
): Promise<{ key: PrivateKey; passphrase?: string }[]> {
  const config = settings(op);
  const result: { key: PrivateKey; passphrase?: string }[] = [];
  for (const identity of identities) {
    let keys: Key[];
    try {
      keys = await readArmoredKeys(op, identity.armoredKey, config);
    } catch (error) {
      throw new KeyError(
        `RIPCORD_IDENTITY does not hold a readable armored OpenPGP private key (export one with gpg --armor --export-secret-keys): ${reason(error)}`,
      );
    }
    for (const key of keys) {
      if (!key.isPrivate()) {
        throw new KeyError(
          `RIPCORD_IDENTITY holds a public key; give the private key (gpg --armor --export-secret-keys ${fingerprintOf(key)})`,
        );
      }
      result.push(identity.passphrase === undefined ? { key } : { key, passphrase: identity.passphrase });
    }
  }
  return result;
}

const AES = new Set([7, 8, 9]);

function symmetricId(op: OpenPGP, name: string | null): number {
  if (name === null)
    throw new IntegrityError(
      'this archive uses SEIPD v2 session keys, which ripcord does not read; decrypt it with gpg',
    );
  const id = (op.enums.symmetric as unknown as Record<string, number | undefined>)[name];
  if (id === undefined) throw new IntegrityError(`this archive uses an unknown cipher (${name}); decrypt it with gpg`);
  return id;
}

/** the one line for a passphrase that does not open an archive */
export const WRONG_PASSPHRASE =
  'the passphrase does not decrypt this archive: give the one it was made with (RIPCORD_PASSPHRASE or --passphrase-file)';

/**
 * Recover the session key from the ESK packets (binary: exactly the packets that precede
 * the encrypted data packet). A KeyError says why no given key decrypts it. With SKESK v4 a
 * wrong passphrase may yield a garbage key without error; the SEIPD quick check catches it.
 */
export async function decryptSessionKey(packets: Uint8Array, keys: DecryptionKeys): Promise<SessionKey> {
  // The common case, a passphrase archive, natively (./skesk.ts); openpgp.js for the rest.
  if (keys.passphrase !== undefined) {
    const split = splitPackets(packets);
    const opened = split ? openPassphrasePackets(split, keys.passphrase) : 'unsupported';
    if (opened && opened !== 'unsupported') {
      if (!AES.has(opened.algorithm))
        throw new IntegrityError(
          `this archive uses a cipher other than AES (${opened.algorithm}); decrypt it with gpg`,
        );
      return { ...opened, via: 'passphrase' };
    }
    const hasSkesk = split?.some((p) => p.tag === 3) ?? false;
    const hasPkesk = split?.some((p) => p.tag === 1) ?? false;
    if (opened === undefined && hasSkesk && !(hasPkesk && keys.identities?.length)) {
      throw new KeyError(WRONG_PASSPHRASE);
    }
  }
  const op = await openpgp();
  const config = settings(op);
  let message: Message<Uint8Array>;
  try {
    message = await op.readMessage({ binaryMessage: packets, config });
  } catch (error) {
    throw new IntegrityError(
      `cannot read the archive's session-key packets (damaged, or not an OpenPGP message): ${reason(error)}`,
    );
  }
  const skesks = message.packets.filterByTag(op.enums.packet.symEncryptedSessionKey);
  const recipientIds = message.getEncryptionKeyIDs();
  const recipientList = recipientIds
    .map((id) => (isWildcard(id) ? 'an anonymous recipient' : `0x${keyIdHex(id)}`))
    .join(', ');
  if (skesks.length === 0 && recipientIds.length === 0) {
    throw new IntegrityError(
      'the archive has no session-key packet ripcord can read (neither passphrase nor public-key encrypted)',
    );
  }
  const failures: string[] = [];

  if (keys.passphrase !== undefined && skesks.length > 0) {
    try {
      const [found] = await op.decryptSessionKeys({ message, passwords: [keys.passphrase], config });
      const algorithm = found ? symmetricId(op, found.algorithm) : 0;
      // An SKESK that carries an encrypted session key has no checksum: a wrong passphrase
      // gives a random algorithm byte, and openpgp.js only checks the key size. Such an SKESK
      // naming a cipher other than AES is far more likely a wrong passphrase than a real
      // Twofish/Camellia archive. (Without an encrypted key, the algorithm byte is in clear.)
      const plausible =
        AES.has(algorithm) || skesks.some((packet) => (packet as unknown as { encrypted: unknown }).encrypted === null);
      if (found && plausible) return { algorithm, key: found.data, via: 'passphrase' };
    } catch (error) {
      if (error instanceof IntegrityError) throw error;
    }
    failures.push(WRONG_PASSPHRASE);
  }

  if (keys.identities?.length && recipientIds.length > 0) {
    const identities = await readIdentities(op, keys.identities);
    const matching = identities.filter(({ key }) =>
      recipientIds.some((id) => isWildcard(id) || key.getKeys(id).length > 0),
    );
    if (matching.length === 0) {
      const have = identities.map(({ key }) => fingerprintOf(key)).join(', ');
      failures.push(
        `none of the given identity keys (${have}) can decrypt this archive; it is encrypted to key ID ${recipientList}`,
      );
    } else {
      const unlocked: PrivateKey[] = [];
      for (const { key, passphrase } of matching) {
        if (key.isDecrypted()) {
          unlocked.push(key);
          continue;
        }
        if (passphrase === undefined) {
          throw new KeyError(`identity key ${describe(key)} is protected by a passphrase; give its passphrase`);
        }
        try {
          unlocked.push(await op.decryptKey({ privateKey: key, passphrase, config }));
        } catch (error) {
          throw new KeyError(`the passphrase for identity key ${describe(key)} is wrong: ${reason(error)}`);
        }
      }
      try {
        const [found] = await op.decryptSessionKeys({ message, decryptionKeys: unlocked, config });
        if (found) return { algorithm: symmetricId(op, found.algorithm), key: found.data, via: 'identity' };
        failures.push(`identity key ${unlocked.map(describe).join(', ')} does not decrypt this archive`);
      } catch (error) {
        if (error instanceof IntegrityError) throw error;
        failures.push(
          `identity key ${unlocked.map(describe).join(', ')} does not decrypt this archive: ${reason(error)}`,
        );
      }
    }
  }

  if (failures.length > 0) throw new KeyError(failures.join('; '));
  if (recipientIds.length > 0 && skesks.length === 0) {
    throw new KeyError(
      `this archive is encrypted to public keys (key ID ${recipientList}); set RIPCORD_IDENTITY to the matching private key`,
    );
  }
  if (skesks.length > 0 && recipientIds.length === 0) {
    throw new KeyError('this archive is encrypted with a passphrase; set RIPCORD_PASSPHRASE');
  }
  throw new KeyError(
    `this archive is encrypted with a passphrase or to public keys (key ID ${recipientList}); set RIPCORD_PASSPHRASE or RIPCORD_IDENTITY`,
  );
}

function parseUserId(userId: string): { name?: string; email?: string } {
  const match = /^\s*(.*?)\s*<([^<>]+)>\s*$/.exec(userId);
  if (match) return match[1] ? { name: match[1], email: match[2] as string } : { email: match[2] as string };
  const trimmed = userId.trim();
  return /^[^\s@]+@[^\s@]+$/.test(trimmed) ? { email: trimmed } : { name: trimmed };
}

/**
 * Generate a key pair with openpgp.js that GnuPG 2.2 reads: v4, Ed25519 (legacy EdDSA)
 * primary key for certification and signing, Curve25519 (legacy ECDH) encryption subkey;
 * with a passphrase the private key is protected with iterated S2K and AES (no AEAD).
 */
export async function generateKeyPair(
  userId: string,
  passphrase?: string,
): Promise<{ publicKey: string; privateKey: string; fingerprint: string }> {
  const op = await openpgp();
  const config = settings(op);
  try {
    const { privateKey, publicKey } = await op.generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [parseUserId(userId)],
      ...(passphrase ? { passphrase } : {}),
      format: 'object',
      config,
    });
    return { publicKey: publicKey.armor(), privateKey: privateKey.armor(), fingerprint: fingerprintOf(publicKey) };
  } catch (error) {
    throw new KeyError(`cannot generate a key pair for ${userId}: ${reason(error)}`);
  }
}

/** The armored public key(s) of armored private key text: what a restore job uses to encrypt its pre-restore snapshot. */
export async function publicKeyOf(armoredPrivate: string): Promise<string> {
  const op = await openpgp();
  try {
    const keys = await readArmoredKeys(op, armoredPrivate, settings(op));
    return keys.map((key) => key.toPublic().armor()).join('\n');
  } catch (error) {
    throw new KeyError(`RIPCORD_IDENTITY is not a readable armored OpenPGP key: ${reason(error)}`);
  }
}
