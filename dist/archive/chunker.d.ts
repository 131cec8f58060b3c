import type { Block } from '../domain/manifest.ts';
export interface ChunkSizes {
    /** no block is shorter, except a file's last */
    min: number;
    /** the size blocks center on: a power of two */
    average: number;
    /** no block is longer */
    max: number;
}
/**
 * The sizes large files are cut to. Measured on 100 MiB of random data (Node 24, this
 * project's 2-core machine), new bytes to store after an edit, by average block size:
 *
 *   average   1 MiB inserted in the middle   10 pages of 4 KiB rewritten   blocks   speed
 *   1 MiB     1.7-9.3 MiB                    11.6-13.3 MiB                  ~90     1.3-1.4 GiB/s
 *   512 KiB   1.4-3.5 MiB                     5.9-6.9 MiB                   ~180    1.1-1.4 GiB/s
 *   256 KiB   1.2-2.0 MiB                     3.5-4.3 MiB                   ~350    1.1-1.4 GiB/s
 *   128 KiB   1.2 MiB                         1.8 MiB                       ~700    1.4 GiB/s
 *
 * (min a quarter of the average, max four times it.) 256 KiB: a database file rewritten in
 * place costs about a third of a MiB a changed page, and a 100 MB file about 350 manifest
 * lines; the 1 MiB maximum is also the archive's gzip batch.
 */
export declare const BLOCK_SIZES: ChunkSizes;
/**
 * Finds block boundaries in a stream fed piece by piece; the boundaries are the same however
 * the stream is cut into pieces.
 */
export declare class Chunker {
    #private;
    constructor(sizes?: ChunkSizes);
    /**
     * Feed the next bytes of the stream; returns the stream offsets where blocks ended within
     * them (each offset is the end of one block and the start of the next).
     */
    push(data: Uint8Array): number[];
    /** The end of the stream: the offset where the last block ends, or undefined when it is empty. */
    end(): number | undefined;
}
/** Files at least this large record their blocks in the manifest and may be stored as a block delta. */
export declare const BLOCKED_FILE_MIN: number;
/** The blocks of a stream fed piece by piece: where the chunker cuts it, and each block's SHA-256. */
export declare class BlockList {
    #private;
    readonly blocks: Block[];
    update(data: Uint8Array): void;
    /** Every block, the last one included. */
    finish(): Block[];
}
/** Is this a block list a manifest may hold for a file of `size` bytes? */
export declare function validBlocks(blocks: unknown, size: number | undefined): blocks is Block[];
