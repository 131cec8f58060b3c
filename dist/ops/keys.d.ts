import type { DecryptionKeys, EncryptionKeys } from '../domain/keys.ts';
import type { SigningInputs } from './signing-keys.ts';
import type { PassphraseCheck, SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
export interface KeyInputs extends SigningInputs {
    passphrase?: string | undefined;
    passphraseFile?: string | undefined;
    /** armored public keys, inline and/or as file paths (newline or comma separated) */
    recipients?: string | undefined;
    /** armored private key, inline or a file path */
    identity?: string | undefined;
    identityPassphrase?: string | undefined;
}
/** Armored key blocks from inline text and from the files it names. */
export declare function readArmoredKeys(value: string, what: string): Promise<string[]>;
export declare function encryptionKeysFrom(inputs: KeyInputs): Promise<EncryptionKeys>;
export declare function decryptionKeysFrom(inputs: KeyInputs): Promise<DecryptionKeys>;
/**
 * Keys for a snapshot taken on the way to a restore: what backups use when configured,
 * otherwise the public half of the identity that reads them, so that a restore job that
 * holds only RIPCORD_IDENTITY still gets its safety net.
 */
export declare function preRestoreKeysFrom(inputs: KeyInputs): Promise<EncryptionKeys>;
/**
 * Refuse a backup whose key differs from the repository's: a mistyped passphrase or a
 * wrong recipient list would otherwise make snapshots nobody else can read, with nothing
 * said. The repository never supplies a key: what it records can only make a backup
 * refuse, never choose what it is encrypted to. Gives back the passphrase check that matched,
 * when a new snapshot may carry it again.
 */
export declare function checkRepositoryKey(store: Store, keys: EncryptionKeys, fingerprints: readonly string[], 
/** the repository's snapshots, newest first, when the caller has listed them already */
listed?: readonly SnapshotMetadata[]): Promise<{
    keyCheck?: PassphraseCheck;
}>;
