/**
 * openpgp.js, loaded lazily (commands that never touch a key do not pay for loading it), with
 * the settings every call gets and the small helpers the key and signature modules share. The
 * only module that imports openpgp.js.
 */
import type { Config, Key, KeyID, Subkey } from 'openpgp';
import { ARMORED_KEY_BLOCK } from '../domain/keys.ts';

export type OpenPGP = typeof import('openpgp');

let loading: Promise<OpenPGP> | undefined;

/** openpgp.js, loaded on first use. */
export function openpgp(): Promise<OpenPGP> {
  loading ??= import('openpgp');
  return loading;
}

/**
 * Settings (a full config: key methods do not merge with the defaults) passed to every openpgp.js call, so that a global `openpgp.config` changed by
 * anyone else cannot make us write something GnuPG 2.2 cannot read: no AEAD (SKESK v4,
 * PKESK v3, CFB-protected private keys), v4 keys, iterated+salted S2K.
 */
export function settings(op: OpenPGP): Config {
  return {
    ...op.config,
    aeadProtect: false,
    v6Keys: false,
    s2kType: op.enums.s2k.iterated,
    // 16 MiB of SHA-256 per passphrase guess (openpgp.js's default coded count)
    s2kIterationCountByte: 224,
    preferredSymmetricAlgorithm: op.enums.symmetric.aes256,
    preferredHashAlgorithm: op.enums.hash.sha256,
    constantTimePKCS1Decryption: false,
  };
}

export function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').trim();
}

export function fingerprintOf(key: Key | Subkey): string {
  return key.getFingerprint().toUpperCase();
}

export function keyIdHex(keyID: KeyID): string {
  return keyID.toHex().toUpperCase();
}

export function isWildcard(keyID: KeyID): boolean {
  return /^0+$/.test(keyID.toHex());
}

export function describe(key: Key): string {
  const uid = key.getUserIDs()[0];
  return uid ? `${fingerprintOf(key)} (${uid})` : fingerprintOf(key);
}

/**
 * The armored blocks in a text (openpgp.js reads only the first block of a string). Text
 * without a complete block is passed on whole, for openpgp.js to say what is wrong with it.
 */
export function armoredBlocks(text: string): string[] {
  return text.match(ARMORED_KEY_BLOCK) ?? [text];
}

/** All keys in armored text that may hold several armored blocks, each with one or more keys. */
export async function readArmoredKeys(op: OpenPGP, text: string, config: Config): Promise<Key[]> {
  const keys: Key[] = [];
  for (const block of armoredBlocks(text)) keys.push(...(await op.readKeys({ armoredKeys: block, config })));
  return keys;
}
