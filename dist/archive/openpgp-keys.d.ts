import type { DecryptionKeys, EncryptionKeys } from '../domain/keys.ts';
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
export declare const MAX_SESSION_KEY_PACKETS = 16;
/**
 * Parse and check recipient keys: each must be a public key, usable for encryption now
 * (not expired or revoked, with an encryption (sub)key GnuPG 2.2 can use).
 */
export declare function inspectRecipients(recipients: string[]): Promise<RecipientInfo[]>;
/** Uppercase hex fingerprints of the primary keys in armored key text (public or private). */
export declare function keyFingerprints(armored: string): Promise<string[]>;
/**
 * The session-key packets (binary) for `sessionKey` (32 bytes, AES-256): one SKESK v4
 * (iterated+salted S2K, SHA-256, AES-256) for a passphrase, or one PKESK v3 per recipient.
 */
export declare function createSessionKeyPackets(sessionKey: Uint8Array, keys: EncryptionKeys): Promise<Uint8Array>;
/** the one line for a passphrase that does not open an archive */
export declare const WRONG_PASSPHRASE = "the passphrase does not decrypt this archive: give the one it was made with (RIPCORD_PASSPHRASE or --passphrase-file)";
/**
 * Recover the session key from the ESK packets (binary: exactly the packets that precede
 * the encrypted data packet). A KeyError says why no given key decrypts it. With SKESK v4 a
 * wrong passphrase may yield a garbage key without error; the SEIPD quick check catches it.
 */
export declare function decryptSessionKey(packets: Uint8Array, keys: DecryptionKeys): Promise<SessionKey>;
/**
 * Generate a key pair with openpgp.js that GnuPG 2.2 reads: v4, Ed25519 (legacy EdDSA)
 * primary key for certification and signing, Curve25519 (legacy ECDH) encryption subkey;
 * with a passphrase the private key is protected with iterated S2K and AES (no AEAD).
 */
export declare function generateKeyPair(userId: string, passphrase?: string): Promise<{
    publicKey: string;
    privateKey: string;
    fingerprint: string;
}>;
/** The armored public key(s) of armored private key text: what a restore job uses to encrypt its pre-restore snapshot. */
export declare function publicKeyOf(armoredPrivate: string): Promise<string>;
