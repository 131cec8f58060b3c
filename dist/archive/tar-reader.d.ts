/**
 * A streaming tar parser: ustar, POSIX pax ('x' and 'g' extended headers), GNU tar
 * (base-256 numbers, 'L'/'K' long names) and old v7 headers.
 *
 * It never buffers an entry: bodies are handed out as views (subarrays) of the input
 * chunks, and only metadata blocks (pax headers up to 1 MiB, GNU long names up to
 * 64 KiB) are ever copied. Malformed input always ends in a TarFormatError.
 *
 * Names are returned exactly as stored (decoded as UTF-8): the reader does not check
 * them for '..', absolute paths, or anything else. That is the caller's job.
 */
import type { TarEntry } from './tar-header.ts';
export type { TarEntry, TarEntryKind } from './tar-header.ts';
export { TarFormatError } from './tar-header.ts';
export interface TarItem {
    entry: TarEntry;
    /**
     * The content: views of the input chunks, valid only until the next item is asked
     * for (an unconsumed remainder is skipped then; reading it afterwards throws), and with
     * `release` (ReadTarOptions) only until the next chunk is.
     */
    body: AsyncIterable<Buffer>;
}
export interface ReadTarOptions {
    /**
     * Called with each input chunk once the reader has moved past it, when nothing it handed
     * out is read again, provided that each body chunk is done with before the next is asked
     * for: to give the chunk's memory back at once (reclaim.ts releaseBuffer).
     */
    release?: (chunk: Buffer) => void;
}
/**
 * Parse a tar stream. The caller may consume or ignore each item's body; an
 * unconsumed body is skipped before the next item. Stops at the end-of-archive marker
 * (one or two zero blocks; the rest of the input is then read and discarded, so that
 * upstream checks such as a gzip CRC still run) or at a clean end of input after a
 * complete entry. Empty input is not an archive and throws TarFormatError.
 */
export declare function readTar(source: AsyncIterable<Uint8Array>, options?: ReadTarOptions): AsyncGenerator<TarItem>;
