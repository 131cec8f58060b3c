import type { ArchiveIndex, ArchiveKey } from '../domain/manifest.ts';
import type { DecryptionKeys } from './openpgp-keys.ts';
import type { TarItem } from './tar-reader.ts';
/** `length` bytes of the stored archive from `offset` on */
export type ReadRange = (offset: number, length: number) => Promise<AsyncIterable<Uint8Array>>;
/** Bytes of stored archive a ranged read fetched, for those who count them (the benchmark, tests). */
export interface RangeStats {
    reads: number;
    bytes: number;
}
export interface IndexedArchive {
    /**
     * The `count` tar items whose first headers lie in [from, to) of the tar stream, in order
     * (from: the first one's `at`; to: the `at` of the entry after the last, or undefined for
     * the archive's end). Each item's body must be read through before the next is asked for.
     */
    items(from: number, to: number | undefined, count: number): AsyncGenerator<TarItem>;
    stats: RangeStats;
}
/**
 * Open an archive of `size` bytes for ranged reads: its session key from the packets before
 * the SEIPD packet, checked with the quick check at the start of the encrypted data (a wrong
 * key is a KeyError, as for a whole read).
 */
export declare function openIndexedArchive(read: ReadRange, size: number, index: ArchiveIndex, keys: DecryptionKeys, 
/** the session key the (authenticated) manifest gives for this archive: no key derivation */
known?: ArchiveKey): Promise<IndexedArchive>;
