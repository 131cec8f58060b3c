import { Transform } from 'node:stream';
import { type DecryptionKeys } from './openpgp-keys.ts';
/**
 * A Transform from a binary OpenPGP message to its literal data. Plaintext is released as it
 * is decrypted, before the MDC at the end is checked; the stream errors at the end with an
 * IntegrityError when the MDC does not match or the message is truncated. KeyError (before
 * any output) when the given keys do not decrypt it.
 */
export interface DecryptOptions {
    /** what is decrypted, named in a KeyError ("snapshot <id>") */
    name?: string;
}
export declare function createDecryptStream(keys: DecryptionKeys, options?: DecryptOptions): Transform;
