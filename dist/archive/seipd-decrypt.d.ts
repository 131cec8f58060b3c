import { Transform } from 'node:stream';
import { type DecryptionKeys, type SessionKey } from './openpgp-keys.ts';
/**
 * OpenPGP CFB without resync (zero IV), decrypting: P[i] = C[i] ^ E(C[i-1]), with all the
 * E() of a chunk done in one ECB call. Whole blocks are returned as they arrive; the last,
 * short block by final(). Given the ciphertext block before (`previous`), it decrypts from
 * any block on: what a ranged read of an archive does (./ranged-read.ts).
 */
export declare class CfbDecipher {
    #private;
    constructor(sessionKey: SessionKey, previous?: Buffer);
    update(data: Buffer): Buffer;
    final(): Buffer;
}
/**
 * A Transform from a binary OpenPGP message to its literal data. Plaintext is released as it
 * is decrypted, before the MDC at the end is checked; the stream errors at the end with an
 * IntegrityError when the MDC does not match or the message is truncated. KeyError (before
 * any output) when the given keys do not decrypt it.
 */
export interface DecryptOptions {
    /** what is decrypted, named in a KeyError ("snapshot <id>") */
    name?: string;
    /**
     * Give out buffers of their own: each output chunk is a copy that nothing here refers to,
     * which the reader may free once it is done with it (reclaim.ts releaseBuffer), and each
     * decrypted buffer is freed here once it is copied out. For a reader that frees what it
     * reads: the garbage collector then has nothing of the data to collect (see openArchive).
     */
    ownOutput?: boolean;
}
export declare function createDecryptStream(keys: DecryptionKeys, options?: DecryptOptions): Transform;
