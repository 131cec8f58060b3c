/**
 * The signing side of what the user configured: the key a writer signs snapshots with, and
 * the signers a reader trusts (see ./snapshot-signature.ts). Values come from the adapter
 * (environment, flags, Action inputs, the configuration file); key text may be inline or a
 * file path, and is never written anywhere.
 */
import type { SignerTrust, SigningKey } from '../domain/keys.ts';
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
/** The signing key, checked (readable, unlocked by its passphrase, able to sign), or undefined when none is set. */
export declare function signingKeyFrom(inputs: SigningInputs): Promise<SigningKey | undefined>;
/** The signers a reader trusts: those configured, and its own signing key (it could sign anything anyway). */
export declare function signerTrustFrom(inputs: SigningInputs): Promise<SignerTrust>;
