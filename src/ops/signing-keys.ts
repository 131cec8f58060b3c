/**
 * The signing side of what the user configured: the key a writer signs snapshots with, and
 * the signers a reader trusts (see ./snapshot-signature.ts). Values come from the adapter
 * (environment, flags, Action inputs, the configuration file); key text may be inline or a
 * file path, and is never written anywhere.
 */
import type { SignerTrust, SigningKey } from '../domain/keys.ts';
import { inspectSigningKey } from '../archive/openpgp-signatures.ts';
import { KeyError } from '../domain/errors.ts';
import { ARMORED_KEY_BLOCK } from '../domain/keys.ts';
import { readKeyFile } from './key-file.ts';

export interface SigningInputs {
  /** armored private key that signs snapshots, inline or a file path */
  signingKey?: string | undefined;
  signingKeyPassphrase?: string | undefined;
  /** armored public keys, fingerprints and key file paths (newline or comma separated) */
  trustedSigners?: string | undefined;
  /** use unsigned snapshots after a warning */
  allowUnsigned?: boolean | undefined;
  /** where that warning goes (the adapter's warning output) */
  warn?: ((message: string) => void) | undefined;
}

const FINGERPRINT = /^(0x)?([0-9A-F]{40}|[0-9A-F]{64})$/i;

/** The signing key, checked (readable, unlocked by its passphrase, able to sign), or undefined when none is set. */
export async function signingKeyFrom(inputs: SigningInputs): Promise<SigningKey | undefined> {
  if (!inputs.signingKey?.trim()) return undefined;
  const value = inputs.signingKey.trim();
  const blocks =
    value.match(ARMORED_KEY_BLOCK) ??
    (await readKeyFile(value, 'RIPCORD_SIGNING_KEY', {
      unreadable: (why) => `RIPCORD_SIGNING_KEY: ${value} is not armored key text or a readable key file (${why})`,
      exportCommand: 'gpg --armor --export-secret-keys',
    }));
  if (blocks.length !== 1)
    throw new KeyError(`RIPCORD_SIGNING_KEY holds ${blocks.length} armored keys; give exactly one private key`);
  const signing: SigningKey = {
    armoredKey: blocks[0]!,
    ...(inputs.signingKeyPassphrase ? { passphrase: inputs.signingKeyPassphrase } : {}),
  };
  await inspectSigningKey(signing); // a wrong passphrase fails here, before anything is packed
  return signing;
}

/** The signers a reader trusts: those configured, and its own signing key (it could sign anything anyway). */
export async function signerTrustFrom(inputs: SigningInputs): Promise<SignerTrust> {
  const keys: string[] = [];
  const fingerprints: string[] = [];
  const text = inputs.trustedSigners ?? '';
  keys.push(...(text.match(ARMORED_KEY_BLOCK) ?? []));
  for (const item of text
    .replace(ARMORED_KEY_BLOCK, '\n')
    .split(/[\n,]+/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    const compact = item.replace(/\s+/g, '');
    if (FINGERPRINT.test(compact)) fingerprints.push(compact.replace(/^0x/i, '').toUpperCase());
    else if (/^(0x)?[0-9A-F]{8,16}$/i.test(compact))
      throw new KeyError(
        `RIPCORD_TRUSTED_SIGNERS: ${item} is a key ID; give the full fingerprint (gpg --fingerprint) or the armored public key`,
      );
    else
      keys.push(
        ...(await readKeyFile(item, 'RIPCORD_TRUSTED_SIGNERS', {
          unreadable: (why) =>
            `RIPCORD_TRUSTED_SIGNERS: ${item} is not armored key text, a fingerprint or a readable key file (${why})`,
          exportCommand: 'gpg --armor --export',
        })),
      );
  }
  const signing = await signingKeyFrom(inputs);
  const ownKey = signing ? (await inspectSigningKey(signing)).publicKey : undefined;
  return {
    keys,
    fingerprints,
    ...(ownKey ? { ownKey } : {}),
    allowUnsigned: Boolean(inputs.allowUnsigned),
    ...(inputs.warn ? { warn: inputs.warn } : {}),
  };
}
