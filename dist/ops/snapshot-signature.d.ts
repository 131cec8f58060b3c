import type { DecryptionKeys, EncryptionKeys } from '../domain/keys.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
export declare const SIGNATURE_OBJECT = "snapshot.json.sig";
export declare const SIGNER_OBJECT = "signer.asc";
/**
 * Write the signature of snapshot.json's text (and the signer's public key), when the keys
 * carry a signing key. Called before snapshot.json is written, so a committed snapshot is
 * never without the signature it was made with.
 */
export declare function signSnapshot(store: Store, id: string, metadataText: string, keys: EncryptionKeys): Promise<void>;
/** Whether a reader with these keys needs a trusted signature before it uses a snapshot. */
export declare function signatureRequired(keys: DecryptionKeys): boolean;
/**
 * A guarded deploy rolls back to the pre-deploy snapshot it makes: fail before the deploy
 * when that snapshot would be unsigned and the keys that restore it require a signature.
 */
export declare function checkRollbackPossible(keys: EncryptionKeys, decryptionKeys: DecryptionKeys): void;
/**
 * Refuse (SignatureError, one line) a snapshot that these keys must not use: unsigned
 * (unless allowed, with a warning naming it), signed by a key that is not trusted, or with a
 * signature that does not verify. Checked once per snapshot record.
 */
export declare function requireTrustedSignature(store: Store, snapshot: SnapshotMetadata, keys: DecryptionKeys): Promise<void>;
/**
 * Copy a snapshot's signature objects, when it has them, before the copy commits it (a copy
 * without them would be refused where signatures are required). Keys are added to
 * `written` before each write, for the caller to remove on failure.
 */
export declare function copySignature(source: Store, destination: Store, id: string, written: string[]): Promise<void>;
