/**
 * openpgp.js, loaded lazily (commands that never touch a key do not pay for loading it), with
 * the settings every call gets and the small helpers the key and signature modules share. The
 * only module that imports openpgp.js.
 */
import type { Config, Key, KeyID, Subkey } from 'openpgp';
export type OpenPGP = typeof import('openpgp');
/** openpgp.js, loaded on first use. */
export declare function openpgp(): Promise<OpenPGP>;
/**
 * Settings (a full config: key methods do not merge with the defaults) passed to every openpgp.js call, so that a global `openpgp.config` changed by
 * anyone else cannot make us write something GnuPG 2.2 cannot read: no AEAD (SKESK v4,
 * PKESK v3, CFB-protected private keys), v4 keys, iterated+salted S2K.
 */
export declare function settings(op: OpenPGP): Config;
export declare function reason(error: unknown): string;
export declare function fingerprintOf(key: Key | Subkey): string;
export declare function keyIdHex(keyID: KeyID): string;
export declare function isWildcard(keyID: KeyID): boolean;
export declare function describe(key: Key): string;
/**
 * The armored blocks in a text (openpgp.js reads only the first block of a string). Text
 * without a complete block is passed on whole, for openpgp.js to say what is wrong with it.
 */
export declare function armoredBlocks(text: string): string[];
/** All keys in armored text that may hold several armored blocks, each with one or more keys. */
export declare function readArmoredKeys(op: OpenPGP, text: string, config: Config): Promise<Key[]>;
