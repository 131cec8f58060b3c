import { Transform } from 'node:stream';
import { type EncryptionKeys } from './openpgp-keys.ts';
export interface EncryptOptions {
    /**
     * Told where things land, for an index of the archive: `head`, the bytes of session-key
     * packets before the SEIPD packet; `part`, each partial body length header of the Literal
     * Data packet, `plaintext` bytes into the SEIPD plaintext, with `literal` bytes of the
     * literal body before it. (Not with createCompressedEncryptStreams.)
     */
    onLayout?: {
        head(bytes: number): void;
        part(literal: number, plaintext: number): void;
    };
    /**
     * Told the message's session key (AES-256, a copy the stream forgets), for a manifest to
     * carry its archive's: a reader who has opened the manifest then opens the archive without
     * a second key derivation (docs/format.md, "Archive key").
     */
    onSessionKey?: (key: Buffer) => void;
    /** encrypt on a worker thread, off the thread that feeds the stream (for large data; see cfb-encryptor.ts) */
    parallel?: boolean;
    /**
     * With `parallel`: the literal bytes written before the worker starts (default and most
     * 4 MiB); a message that ends sooner is encrypted in this thread. 0 starts it with the message.
     */
    workerAfter?: number;
    /**
     * The writer gives each chunk away: nothing else refers to its memory afterwards, so the
     * stream encrypts it in place instead of copying it (packArchive's members are such chunks).
     */
    ownsChunks?: boolean;
}
/**
 * A Transform whose output is one complete binary OpenPGP message: ESK packets, then a SEIPD
 * v1 packet (new-format header, partial body lengths) holding a Literal Data packet ('b',
 * empty filename, date 0, partial body lengths) with the input bytes, then the MDC packet.
 */
export declare function createEncryptStream(keys: EncryptionKeys, options?: EncryptOptions): Transform;
/**
 * The stages of createEncryptStream with the Literal Data packet inside a Compressed Data
 * packet (ZIP, raw deflate), as GnuPG writes by default: `gpg -d` gives the same bytes.
 * For text such as the manifest (a fifth of its size), not for the archive, which is gzip
 * already. Spread them into one pipeline, in order.
 *
 * Deflate level 2, not GnuPG's 6: a backup writes its manifest while it walks the tree, and
 * waits for the last of it to be compressed after the archive is done. For the benchmark's
 * 20,000 files (5.7 MB of manifest) level 6 took 54 ms of a processor and made 1.155 MB,
 * level 2 31 ms and 1.197 MB; the wait at the end of an unchanged incremental went from
 * 95-99 ms to 57-65 ms. Its output comes in pieces of 256 KiB, not zlib's 16: each piece is
 * a round trip through the thread pool, and with 16 KiB the deflate fell 42-45 ms behind the
 * manifest's lines by the end of that walk, with 256 KiB 25-37 ms.
 */
export declare function createCompressedEncryptStreams(keys: EncryptionKeys): Transform[];
