/**
 * Turn what the user configured (environment values or flags, passed in by the adapter)
 * into encryption or decryption keys. Key material may be given inline (armored text)
 * or as file paths; it is never written anywhere.
 */
import * as fs from 'node:fs/promises';
import { KeyError, UsageError } from '../domain/errors.ts';
import type { DecryptionKeys, EncryptionKeys } from '../domain/keys.ts';
import { publicKeyOf } from '../archive/openpgp-keys.ts';
import { ARMORED_KEY_BLOCK } from '../domain/keys.ts';
import { readKeyFile } from './key-file.ts';
import type { SigningInputs } from './signing-keys.ts';
import { signerTrustFrom, signingKeyFrom } from './signing-keys.ts';
import { isFullStrengthCheck, matchesPassphraseCheck } from '../archive/skesk.ts';
import { compareNewestFirst } from '../domain/snapshot-id.ts';
import type { PassphraseCheck, SnapshotMetadata } from '../domain/snapshot.ts';
import { SNAPSHOT_OBJECT } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
import { listFolders, readMetadata } from './repository.ts';

export interface KeyInputs extends SigningInputs {
  passphrase?: string | undefined;
  passphraseFile?: string | undefined;
  /** armored public keys, inline and/or as file paths (newline or comma separated) */
  recipients?: string | undefined;
  /** armored private key, inline or a file path */
  identity?: string | undefined;
  identityPassphrase?: string | undefined;
}

async function readPassphrase(inputs: KeyInputs): Promise<string | undefined> {
  if (inputs.passphraseFile) {
    let text: string;
    try {
      text = await fs.readFile(inputs.passphraseFile, 'utf8');
    } catch (error) {
      throw new KeyError(
        `cannot read the passphrase file ${inputs.passphraseFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
    const passphrase = text.replace(/\r?\n$/, '');
    if (passphrase === '') throw new KeyError(`the passphrase file ${inputs.passphraseFile} is empty`);
    return passphrase;
  }
  return inputs.passphrase ? inputs.passphrase : undefined;
}

/** Armored key blocks from inline text and from the files it names. */
export async function readArmoredKeys(value: string, what: string): Promise<string[]> {
  const blocks: string[] = [...(value.match(ARMORED_KEY_BLOCK) ?? [])];
  const rest = value.replace(ARMORED_KEY_BLOCK, '\n');
  for (const file of rest
    .split(/[\n,]+/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    blocks.push(
      ...(await readKeyFile(file, what, {
        unreadable: (why) =>
          `${what}: cannot read key file ${file}: ${why} (give armored key text or a path to an armored key file)`,
        exportCommand: 'gpg --armor --export',
      })),
    );
  }
  return blocks;
}

export async function encryptionKeysFrom(inputs: KeyInputs): Promise<EncryptionKeys> {
  const passphrase = await readPassphrase(inputs);
  const recipients = inputs.recipients?.trim() ? await readArmoredKeys(inputs.recipients, 'RIPCORD_RECIPIENTS') : [];
  if (passphrase !== undefined && recipients.length > 0) {
    throw new UsageError(
      'both a passphrase and recipients are set: a backup uses one of them; unset RIPCORD_PASSPHRASE or RIPCORD_RECIPIENTS',
    );
  }
  const signing = await signingKeyFrom(inputs);
  if (recipients.length > 0) return { mode: 'public-key', recipients, ...(signing ? { signing } : {}) };
  if (passphrase !== undefined) return { mode: 'passphrase', passphrase, ...(signing ? { signing } : {}) };
  throw new KeyError(
    'no encryption key configured: set RIPCORD_PASSPHRASE (or --passphrase-file) or RIPCORD_RECIPIENTS (armored public keys); ripcord never writes an unencrypted backup',
  );
}

export async function decryptionKeysFrom(inputs: KeyInputs): Promise<DecryptionKeys> {
  const passphrase = await readPassphrase(inputs);
  const identities = inputs.identity?.trim()
    ? (await readArmoredKeys(inputs.identity, 'RIPCORD_IDENTITY')).map((armoredKey) => ({
        armoredKey,
        ...(inputs.identityPassphrase ? { passphrase: inputs.identityPassphrase } : {}),
      }))
    : [];
  if (passphrase === undefined && identities.length === 0) {
    throw new KeyError(
      'no decryption key configured: set RIPCORD_PASSPHRASE (or --passphrase-file) or RIPCORD_IDENTITY (an armored private key)',
    );
  }
  return {
    ...(passphrase !== undefined ? { passphrase } : {}),
    ...(identities.length ? { identities } : {}),
    trust: await signerTrustFrom(inputs),
  };
}

/**
 * Keys for a snapshot taken on the way to a restore: what backups use when configured,
 * otherwise the public half of the identity that reads them, so that a restore job that
 * holds only RIPCORD_IDENTITY still gets its safety net.
 */
export async function preRestoreKeysFrom(inputs: KeyInputs): Promise<EncryptionKeys> {
  if (inputs.passphrase || inputs.passphraseFile || inputs.recipients?.trim()) return encryptionKeysFrom(inputs);
  if (inputs.identity?.trim()) {
    const identities = await readArmoredKeys(inputs.identity, 'RIPCORD_IDENTITY');
    const signing = await signingKeyFrom(inputs);
    return {
      mode: 'public-key',
      recipients: await Promise.all(identities.map((key) => publicKeyOf(key))),
      ...(signing ? { signing } : {}),
    };
  }
  return encryptionKeysFrom(inputs);
}

/**
 * The key a repository's snapshots are made with: the newest snapshot that is not a
 * pre-restore snapshot (a restore job may encrypt those to its own key only), as its
 * snapshot.json records it. Undefined for an empty repository, or one whose newest
 * snapshot predates key checks.
 */
async function repositoryKey(store: Store): Promise<SnapshotMetadata | undefined> {
  const ids = [...(await listFolders(store)).values()]
    .filter((folder) => folder.objects.some((object) => object.key === `${folder.id}/${SNAPSHOT_OBJECT}`))
    .map((folder) => folder.id)
    .sort(compareNewestFirst);
  for (const id of ids) {
    const read = await readMetadata(store, id);
    if ('metadata' in read && read.metadata.kind !== 'pre-restore') return read.metadata;
  }
  return undefined;
}

/** Fingerprints as they may be printed: snapshot.json is read from a repository anyone may have written. */
function printable(fingerprints: readonly string[]): string {
  const shown = fingerprints.filter((f) => /^[0-9A-F]{40,64}$/.test(f));
  return shown.length ? shown.join(', ') : 'keys not named';
}

const NEW_KEY_HINT =
  'or pass --new-key (Action input new-key: true) to start using this key; older snapshots still need the old one';

/**
 * Refuse a backup whose key differs from the repository's: a mistyped passphrase or a
 * wrong recipient list would otherwise make snapshots nobody else can read, with nothing
 * said. The repository never supplies a key: what it records can only make a backup
 * refuse, never choose what it is encrypted to. Gives back the passphrase check that matched,
 * when a new snapshot may carry it again.
 */
export async function checkRepositoryKey(
  store: Store,
  keys: EncryptionKeys,
  fingerprints: readonly string[],
  /** the repository's snapshots, newest first, when the caller has listed them already */
  listed?: readonly SnapshotMetadata[],
): Promise<{ keyCheck?: PassphraseCheck }> {
  const newest = listed ? listed.find((s) => s.kind !== 'pre-restore') : await repositoryKey(store);
  if (!newest) return {};
  const recorded = newest.encryption;
  const where = `the newest snapshot in ${store.properties.location} (${newest.id})`;
  if (keys.mode === 'passphrase') {
    if (recorded.mode !== 'passphrase') {
      throw new KeyError(
        `${where} is encrypted to public keys (${printable(recorded.recipients)}), not a passphrase: set RIPCORD_RECIPIENTS to those keys instead of a passphrase, ${NEW_KEY_HINT}`,
      );
    }
    if (recorded.keyCheck && !matchesPassphraseCheck(keys.passphrase, recorded.keyCheck)) {
      throw new KeyError(
        `the passphrase is not the one ${where} was made with: give the repository's passphrase (RIPCORD_PASSPHRASE or --passphrase-file), ${NEW_KEY_HINT}`,
      );
    }
    // Matched: the new snapshot may carry it again (isFullStrengthCheck), its four fields only.
    const check = recorded.keyCheck;
    return check && isFullStrengthCheck(check)
      ? { keyCheck: { s2k: check.s2k, salt: check.salt, count: check.count, hmac: check.hmac } }
      : {};
  }
  if (recorded.mode !== 'public-key') {
    throw new KeyError(
      `${where} is encrypted with a passphrase, not to public keys: set RIPCORD_PASSPHRASE instead of RIPCORD_RECIPIENTS, ${NEW_KEY_HINT}`,
    );
  }
  const same = new Set(recorded.recipients);
  if (same.size !== new Set(fingerprints).size || !fingerprints.every((f) => same.has(f))) {
    throw new KeyError(
      `the recipients (${printable(fingerprints)}) are not those of ${where} (${printable(recorded.recipients)}): set RIPCORD_RECIPIENTS to the repository's keys, ${NEW_KEY_HINT}`,
    );
  }
  return {};
}
