import type { SigningKey } from '../domain/keys.ts';
/** The signing key's fingerprint and armored public key, after checking that it can sign. */
export declare function inspectSigningKey(signing: SigningKey): Promise<{
    fingerprint: string;
    publicKey: string;
}>;
/** An armored detached signature over `data` (a binary-mode signature, as `gpg --detach-sign` makes): SHA-256, or the stronger hash the key prefers. */
export declare function signDetached(data: Uint8Array, signing: SigningKey): Promise<string>;
export type SignatureCheck = {
    status: 'trusted';
    fingerprint: string;
}
/** made by a key that is not trusted (or not at hand): `signer` is the fingerprint or key ID it names */
 | {
    status: 'untrusted';
    signer: string;
} | {
    status: 'bad';
    reason: string;
};
/**
 * Check an armored detached signature over `data`. Only `trusted` keys can make it pass:
 * keys in `offered` (untrusted text, e.g. from the repository) count only when their primary
 * fingerprint is one of `fingerprints`. Exactly one signature packet is accepted.
 */
export declare function checkDetachedSignature(data: Uint8Array, armoredSignature: string, trusted: {
    keys: string[];
    fingerprints: string[];
    offered?: string;
}): Promise<SignatureCheck>;
