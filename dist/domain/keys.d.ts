/**
 * The keys a user gives ripcord, as the operations pass them around: a passphrase or
 * recipients to encrypt to, identities to decrypt with, a signing key, and whose signatures
 * a reader trusts. Plain data; archive/openpgp-keys.ts is what reads and uses them.
 */
/** One armored OpenPGP key block, public or private; global, to find every block in a text. */
export declare const ARMORED_KEY_BLOCK: RegExp;
/** An armored private key that signs what a writer makes (see ../ops/snapshot-signature.ts). */
export interface SigningKey {
    armoredKey: string;
    passphrase?: string;
}
export type EncryptionKeys = ({
    mode: 'passphrase';
    passphrase: string;
} | {
    mode: 'public-key';
    recipients: string[];
}) & {
    signing?: SigningKey;
};
/** Whose signatures a reader accepts on a snapshot, and what it does with unsigned ones. */
export interface SignerTrust {
    /** armored public keys */
    keys: string[];
    /** uppercase hex primary-key fingerprints (the key itself comes with the snapshot) */
    fingerprints: string[];
    /** the reader's own signing key (armored public key): trusted, but its presence alone requires no signature */
    ownKey?: string;
    /** use unsigned snapshots anyway (old ones), after warning */
    allowUnsigned: boolean;
    /** where that warning goes */
    warn?: (message: string) => void;
}
export interface DecryptionKeys {
    passphrase?: string;
    identities?: {
        armoredKey: string;
        passphrase?: string;
    }[];
    trust?: SignerTrust;
}
