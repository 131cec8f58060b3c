/**
 * Detached OpenPGP signatures over a snapshot's metadata: reading and checking the signing
 * key, signing as `gpg --detach-sign` does, and checking a signature against trusted keys only.
 * Failures of the key leave as a KeyError with one line saying what to do.
 */
import type { Key, PrivateKey, PublicKey } from 'openpgp';
import { KeyError } from '../domain/errors.ts';
import type { SigningKey } from '../domain/keys.ts';
import { describe, fingerprintOf, keyIdHex, openpgp, readArmoredKeys, reason, settings } from './openpgp-library.ts';
import type { OpenPGP } from './openpgp-library.ts';

/** The signing key, unlocked and checked to be able to sign now. */
async function readSigningKey(op: OpenPGP, signing: SigningKey): Promise<PrivateKey> {
  const config = settings(op);
  let keys: Key[];
  try {
    keys = await readArmoredKeys(op, signing.armoredKey, config);
  } catch (error) {
    throw new KeyError(
      `RIPCORD_SIGNING_KEY does not hold a readable armored OpenPGP private key (export one with gpg --armor --export-secret-keys): ${reason(error)}`,
    );
  }
  if (keys.length !== 1)
    throw new KeyError(`RIPCORD_SIGNING_KEY holds ${keys.length} keys; give exactly one private key`);
  const key = keys[0]!;
  if (!key.isPrivate())
    throw new KeyError(
      `RIPCORD_SIGNING_KEY holds a public key; give the private key (gpg --armor --export-secret-keys ${fingerprintOf(key)})`,
    );
  if (key.keyPacket.version !== 4)
    throw new KeyError(
      `signing key ${describe(key)} is a version ${key.keyPacket.version} key, which GnuPG 2.2 cannot check; give a version 4 key`,
    );
  let unlocked: PrivateKey = key;
  if (!key.isDecrypted()) {
    if (signing.passphrase === undefined)
      throw new KeyError(
        `signing key ${describe(key)} is protected by a passphrase; set RIPCORD_SIGNING_KEY_PASSPHRASE`,
      );
    try {
      unlocked = await op.decryptKey({ privateKey: key, passphrase: signing.passphrase, config });
    } catch (error) {
      throw new KeyError(`the passphrase for signing key ${describe(key)} is wrong: ${reason(error)}`);
    }
  }
  try {
    await unlocked.getSigningKey(undefined, new Date(), undefined, config);
  } catch (error) {
    throw new KeyError(
      `signing key ${describe(key)} cannot sign now (expired, revoked, or no signing (sub)key): ${reason(error)}`,
    );
  }
  return unlocked;
}

/** The signing key's fingerprint and armored public key, after checking that it can sign. */
export async function inspectSigningKey(signing: SigningKey): Promise<{ fingerprint: string; publicKey: string }> {
  const key = await readSigningKey(await openpgp(), signing);
  return { fingerprint: fingerprintOf(key), publicKey: key.toPublic().armor() };
}

/** An armored detached signature over `data` (a binary-mode signature, as `gpg --detach-sign` makes): SHA-256, or the stronger hash the key prefers. */
export async function signDetached(data: Uint8Array, signing: SigningKey): Promise<string> {
  const op = await openpgp();
  const config = settings(op);
  const key = await readSigningKey(op, signing);
  try {
    const message = await op.createMessage({ binary: data });
    return await op.sign({ message, signingKeys: key, detached: true, format: 'armored', config });
  } catch (error) {
    throw new KeyError(`cannot sign with ${describe(key)}: ${reason(error)}`);
  }
}

export type SignatureCheck =
  | { status: 'trusted'; fingerprint: string }
  /** made by a key that is not trusted (or not at hand): `signer` is the fingerprint or key ID it names */
  | { status: 'untrusted'; signer: string }
  | { status: 'bad'; reason: string };

/**
 * Check an armored detached signature over `data`. Only `trusted` keys can make it pass:
 * keys in `offered` (untrusted text, e.g. from the repository) count only when their primary
 * fingerprint is one of `fingerprints`. Exactly one signature packet is accepted.
 */
export async function checkDetachedSignature(
  data: Uint8Array,
  armoredSignature: string,
  trusted: { keys: string[]; fingerprints: string[]; offered?: string },
): Promise<SignatureCheck> {
  const op = await openpgp();
  const config = settings(op);
  let signature: Awaited<ReturnType<OpenPGP['readSignature']>>;
  try {
    signature = await op.readSignature({ armoredSignature, config });
  } catch (error) {
    return { status: 'bad', reason: `not a readable OpenPGP signature (${reason(error)})` };
  }
  const packets = signature.packets;
  if (packets.length !== 1) return { status: 'bad', reason: `it holds ${packets.length} signatures, not one` };
  const packet = packets[0]!;
  const fpr = packet.issuerFingerprint
    ? Buffer.from(packet.issuerFingerprint).toString('hex').toUpperCase()
    : undefined;
  const signer = fpr ?? `key ID ${keyIdHex(packet.issuerKeyID)}`;

  const verificationKeys: PublicKey[] = [];
  try {
    for (const text of trusted.keys)
      verificationKeys.push(...(await readArmoredKeys(op, text, config)).map((key) => key.toPublic()));
  } catch (error) {
    throw new KeyError(`RIPCORD_TRUSTED_SIGNERS does not hold a readable armored OpenPGP public key: ${reason(error)}`);
  }
  if (trusted.offered && trusted.fingerprints.length > 0) {
    const offered = await readArmoredKeys(op, trusted.offered, config).catch(() => [] as Key[]);
    verificationKeys.push(
      ...offered.filter((key) => trusted.fingerprints.includes(fingerprintOf(key))).map((key) => key.toPublic()),
    );
  }
  const matching = verificationKeys.filter((key) => key.getKeys(packet.issuerKeyID).length > 0);
  if (matching.length === 0) return { status: 'untrusted', signer };
  try {
    const message = await op.createMessage({ binary: data });
    const result = await op.verify({ message, signature, verificationKeys: matching, expectSigned: true, config });
    await result.signatures[0]!.verified;
  } catch (error) {
    return { status: 'bad', reason: reason(error) };
  }
  return { status: 'trusted', fingerprint: fingerprintOf(matching[0]!) };
}
