/**
 * Signed snapshots. In public-key mode anyone holding the public key (which is not secret)
 * can make a snapshot that decrypts and authenticates, so encryption proves nothing about
 * who wrote it. A writer that holds a signing key therefore stores, before snapshot.json:
 *
 *   snapshot.json.sig   an armored detached OpenPGP signature over the exact bytes of
 *                       snapshot.json (which binds both encrypted objects by SHA-256):
 *                       `gpg --verify snapshot.json.sig snapshot.json` checks it
 *   signer.asc          the signer's public key, so that a reader may trust it by fingerprint
 *
 * A reader that decrypts with a private key (or has trusted signers configured) uses a
 * snapshot only when its signature verifies with a trusted signer's key; docs/security.md
 * says why and what --allow-unsigned gives up.
 */
import type { Readable } from 'node:stream';
import type { DecryptionKeys, EncryptionKeys, SignerTrust } from '../domain/keys.ts';
import { checkDetachedSignature, signDetached, inspectSigningKey } from '../archive/openpgp-signatures.ts';
import { NotFoundError, SignatureError, UsageError } from '../domain/errors.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import { serializeMetadata } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';

export const SIGNATURE_OBJECT = 'snapshot.json.sig';
export const SIGNER_OBJECT = 'signer.asc';

/** No signature or public key comes near this; a hostile repository cannot make a reader hold more. */
const MAX_SIGNATURE_BYTES = 64 << 10;

/**
 * Write the signature of snapshot.json's text (and the signer's public key), when the keys
 * carry a signing key. Called before snapshot.json is written, so a committed snapshot is
 * never without the signature it was made with.
 */
export async function signSnapshot(
  store: Store,
  id: string,
  metadataText: string,
  keys: EncryptionKeys,
): Promise<void> {
  if (!keys.signing) return;
  const { publicKey } = await inspectSigningKey(keys.signing);
  const signature = await signDetached(Buffer.from(metadataText), keys.signing);
  await store.put(`${id}/${SIGNER_OBJECT}`, Buffer.from(publicKey));
  await store.put(`${id}/${SIGNATURE_OBJECT}`, Buffer.from(signature));
}

/** Whether a reader with these keys needs a trusted signature before it uses a snapshot. */
export function signatureRequired(keys: DecryptionKeys): boolean {
  const trust = keys.trust;
  return Boolean(keys.identities?.length) || Boolean(trust && (trust.keys.length > 0 || trust.fingerprints.length > 0));
}

/**
 * A guarded deploy rolls back to the pre-deploy snapshot it makes: fail before the deploy
 * when that snapshot would be unsigned and the keys that restore it require a signature.
 */
export function checkRollbackPossible(keys: EncryptionKeys, decryptionKeys: DecryptionKeys): void {
  if (keys.signing || !signatureRequired(decryptionKeys) || decryptionKeys.trust?.allowUnsigned) return;
  throw new UsageError(
    'the pre-deploy snapshot would be unsigned, and with RIPCORD_IDENTITY only signed snapshots are restored, so this deploy could not roll back: set RIPCORD_SIGNING_KEY (docs/security.md)',
  );
}

const checked = new WeakMap<SnapshotMetadata, Promise<void>>();

/**
 * Refuse (SignatureError, one line) a snapshot that these keys must not use: unsigned
 * (unless allowed, with a warning naming it), signed by a key that is not trusted, or with a
 * signature that does not verify. Checked once per snapshot record.
 */
export function requireTrustedSignature(store: Store, snapshot: SnapshotMetadata, keys: DecryptionKeys): Promise<void> {
  if (!signatureRequired(keys)) return Promise.resolve();
  let check = checked.get(snapshot);
  if (!check) {
    check = checkSignature(store, snapshot, keys.trust ?? { keys: [], fingerprints: [], allowUnsigned: false });
    checked.set(snapshot, check);
  }
  return check;
}

async function checkSignature(store: Store, snapshot: SnapshotMetadata, trust: SignerTrust): Promise<void> {
  const id = snapshot.id;
  const signature = await readBounded(store, `${id}/${SIGNATURE_OBJECT}`);
  const keys = trust.ownKey ? [...trust.keys, trust.ownKey] : trust.keys;
  const none = keys.length === 0 && trust.fingerprints.length === 0;
  if (signature === undefined) {
    if (trust.allowUnsigned) {
      trust.warn?.(
        `snapshot ${id} is NOT signed and is used anyway (--allow-unsigned): anyone who can write to the repository and holds its public key could have made it`,
      );
      return;
    }
    throw new SignatureError(
      `snapshot ${id} is not signed, so anyone holding the repository's public key could have made it: refusing to use it (for a snapshot made before signing was set up, and only if you trust it, pass --allow-unsigned)`,
    );
  }
  const signer = await readBounded(store, `${id}/${SIGNER_OBJECT}`);
  const result = await checkDetachedSignature(Buffer.from(serializeMetadata(snapshot)), signature, {
    keys,
    fingerprints: trust.fingerprints,
    ...(signer ? { offered: signer } : {}),
  });
  if (result.status === 'trusted') return;
  if (result.status === 'bad') {
    throw new SignatureError(
      `snapshot ${id}: its signature (${SIGNATURE_OBJECT}) does not verify: ${result.reason}; snapshot.json was changed or the snapshot was forged, refusing to use it`,
    );
  }
  if (none) {
    throw new SignatureError(
      `snapshot ${id} is signed by ${result.signer}, but no trusted signers are configured: refusing to use it (set RIPCORD_TRUSTED_SIGNERS or --trusted-signer to the public key or fingerprint of the key your backups sign with)`,
    );
  }
  throw new SignatureError(
    `snapshot ${id} is signed by ${result.signer}, which is not a trusted signer: refusing to use it (if that key is yours, add it to RIPCORD_TRUSTED_SIGNERS)`,
  );
}

/** An object's text, undefined when it does not exist; SignatureError past MAX_SIGNATURE_BYTES. */
async function readBounded(store: Store, key: string): Promise<string | undefined> {
  let stream: Readable;
  try {
    stream = await store.get(key);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > MAX_SIGNATURE_BYTES) {
      stream.destroy();
      throw new SignatureError(
        `${key} is larger than ${MAX_SIGNATURE_BYTES >> 10} KiB: not a signature ripcord wrote; refusing to use the snapshot`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Copy a snapshot's signature objects, when it has them, before the copy commits it (a copy
 * without them would be refused where signatures are required). Keys are added to
 * `written` before each write, for the caller to remove on failure.
 */
export async function copySignature(source: Store, destination: Store, id: string, written: string[]): Promise<void> {
  for (const object of [SIGNER_OBJECT, SIGNATURE_OBJECT]) {
    const text = await readBounded(source, `${id}/${object}`);
    if (text === undefined) continue;
    written.push(`${id}/${object}`);
    await destination.put(`${id}/${object}`, Buffer.from(text));
  }
}
