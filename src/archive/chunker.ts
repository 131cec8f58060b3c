/**
 * Content-defined chunking: where to cut a large file into blocks so that an edit anywhere
 * in it changes only the blocks around the edit. This is FastCDC (Xia et al., USENIX ATC
 * 2016): a gear hash rolls over the bytes, and a block ends where the hash's top bits are all
 * zero, so a boundary depends on the 32 bytes before it and nothing else. Fixed-size blocks
 * would serve a file changed in place (database pages), but one megabyte inserted into the
 * middle of a 100 MB file moves every later boundary and makes all of them new; with
 * content-defined boundaries, the blocks after the insertion are the blocks of before.
 *
 * Normalized chunking (the paper's level 2): below the average size a cut needs two more zero
 * bits than the average calls for, above it two fewer, which narrows the spread of sizes
 * around the average. No hash is taken over the first `min` bytes of a block (no cut may fall
 * there), and a block is cut at `max` whatever the hash says.
 *
 * The gear table is part of the format: the same bytes must cut the same way in every
 * version, or an incremental snapshot could not reuse its parent's blocks. GEAR[i] is the
 * first four bytes (big-endian) of SHA-256("ripcord-gear-" + i).
 */
import { createHash } from 'node:crypto';
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
export const BLOCK_SIZES: ChunkSizes = { min: 64 << 10, average: 256 << 10, max: 1 << 20 };

const GEAR = (() => {
  const table = new Int32Array(256);
  for (let i = 0; i < 256; i++) table[i] = createHash('sha256').update(`ripcord-gear-${i}`).digest().readInt32BE(0);
  return table;
})();

/** `bits` one-bits at the top of a 32-bit word: the bits a gear hash mixes the most bytes into. */
function topBits(bits: number): number {
  return bits >= 32 ? -1 : ~(0xffffffff >>> bits) | 0;
}

/**
 * Finds block boundaries in a stream fed piece by piece; the boundaries are the same however
 * the stream is cut into pieces.
 */
export class Chunker {
  readonly #min: number;
  readonly #average: number;
  readonly #max: number;
  /** a cut below the average size needs these bits zero */
  readonly #strictMask: number;
  /** a cut above it, these */
  readonly #looseMask: number;
  #hash = 0;
  /** bytes of the current block seen so far */
  #length = 0;
  /** stream offset of the current block's start */
  #start = 0;
  /** the bytes consumed last end a block */
  #atCut = false;

  constructor(sizes: ChunkSizes = BLOCK_SIZES) {
    const bits = Math.log2(sizes.average);
    if (!Number.isInteger(bits) || sizes.min < 64 || sizes.min > sizes.average || sizes.average > sizes.max)
      throw new RangeError('chunk sizes must be 64 <= min <= average <= max, the average a power of two');
    this.#min = sizes.min;
    this.#average = sizes.average;
    this.#max = sizes.max;
    this.#strictMask = topBits(bits + 2);
    this.#looseMask = topBits(bits - 2);
  }

  /**
   * Feed the next bytes of the stream; returns the stream offsets where blocks ended within
   * them (each offset is the end of one block and the start of the next).
   */
  push(data: Uint8Array): number[] {
    const cuts: number[] = [];
    let at = 0;
    while (at < data.length) {
      // The first min bytes of a block are never hashed: no cut may fall among them, and the
      // hash starts afresh after them (the paper's sub-minimum skip).
      const consumed =
        this.#length < this.#min ? Math.min(this.#min - this.#length, data.length - at) : this.#scan(data, at);
      at += consumed;
      this.#length += consumed;
      if (!this.#atCut) continue;
      this.#start += this.#length;
      cuts.push(this.#start);
      this.#length = 0;
      this.#hash = 0;
      this.#atCut = false;
    }
    return cuts;
  }

  /** The end of the stream: the offset where the last block ends, or undefined when it is empty. */
  end(): number | undefined {
    if (this.#length === 0) return undefined;
    this.#start += this.#length;
    this.#length = 0;
    this.#hash = 0;
    return this.#start;
  }

  /** Hash from `from` on, up to a cut or the end of `data`; the bytes consumed (#atCut says which). */
  #scan(data: Uint8Array, from: number): number {
    let hash = this.#hash;
    const strictEnd = Math.min(data.length, from + Math.max(0, this.#average - this.#length));
    const end = Math.min(data.length, from + (this.#max - this.#length));
    const strict = this.#strictMask;
    const loose = this.#looseMask;
    let i = from;
    for (; i < strictEnd; i++) {
      hash = ((hash << 1) + (GEAR[data[i] as number] as number)) | 0;
      if ((hash & strict) === 0) return this.#cutAfter(i + 1 - from);
    }
    for (; i < end; i++) {
      hash = ((hash << 1) + (GEAR[data[i] as number] as number)) | 0;
      if ((hash & loose) === 0) return this.#cutAfter(i + 1 - from);
    }
    this.#hash = hash;
    this.#atCut = this.#length + (i - from) === this.#max;
    return i - from;
  }

  #cutAfter(consumed: number): number {
    this.#atCut = true;
    return consumed;
  }
}

/** Files at least this large record their blocks in the manifest and may be stored as a block delta. */
export const BLOCKED_FILE_MIN = 8 << 20;

/** The blocks of a stream fed piece by piece: where the chunker cuts it, and each block's SHA-256. */
export class BlockList {
  readonly blocks: Block[] = [];
  readonly #chunker = new Chunker();
  #hash = createHash('sha256');
  /** stream offset of the current block's start, and of the end of what was fed */
  #start = 0;
  #fed = 0;

  update(data: Uint8Array): void {
    let from = 0;
    for (const cut of this.#chunker.push(data)) {
      const to = cut - this.#fed;
      this.#hash.update(data.subarray(from, to));
      this.#close(cut);
      from = to;
    }
    this.#hash.update(data.subarray(from));
    this.#fed += data.length;
  }

  /** Every block, the last one included. */
  finish(): Block[] {
    const end = this.#chunker.end();
    if (end !== undefined) this.#close(end);
    return this.blocks;
  }

  #close(end: number): void {
    this.blocks.push([end - this.#start, this.#hash.digest('hex')]);
    this.#hash = createHash('sha256');
    this.#start = end;
  }
}

/** Is this a block list a manifest may hold for a file of `size` bytes? */
export function validBlocks(blocks: unknown, size: number | undefined): blocks is Block[] {
  if (!Array.isArray(blocks) || size === undefined) return false;
  let total = 0;
  for (const block of blocks) {
    if (!Array.isArray(block) || block.length !== 2) return false;
    const [bytes, sha256] = block as unknown[];
    if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes <= 0 || bytes > BLOCK_SIZES.max)
      return false;
    if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) return false;
    total += bytes;
  }
  return total === size;
}
