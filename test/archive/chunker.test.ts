/** Content-defined block boundaries (archive/chunker.ts): stable, bounded, and local to an edit. */
import { createCipheriv, createHash } from 'node:crypto';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BLOCK_SIZES, Chunker } from '../../src/archive/chunker.ts';
import type { ChunkSizes } from '../../src/archive/chunker.ts';

/** `bytes` of deterministic noise: AES-256-CTR over zeros, keyed by `seed`. */
function noise(bytes: number, seed: string): Buffer {
  const key = createHash('sha256').update(seed).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(bytes));
}

/** Block end offsets of `data`, fed in pieces of `piece` bytes. */
function cutsOf(data: Buffer, piece = 1 << 16, sizes: ChunkSizes = BLOCK_SIZES): number[] {
  const chunker = new Chunker(sizes);
  const cuts: number[] = [];
  for (let at = 0; at < data.length; at += piece) cuts.push(...chunker.push(data.subarray(at, at + piece)));
  const last = chunker.end();
  if (last !== undefined) cuts.push(last);
  return cuts;
}

function blocksOf(data: Buffer, cuts: number[]): Buffer[] {
  return cuts.map((end, i) => data.subarray(cuts[i - 1] ?? 0, end));
}

const digest = (block: Buffer) => createHash('sha256').update(block).digest('hex');

/** Bytes of `data`'s blocks that are not among `before`'s blocks: what an incremental would store. */
function newBytes(before: Buffer, after: Buffer): number {
  const known = new Set(blocksOf(before, cutsOf(before)).map(digest));
  return blocksOf(after, cutsOf(after))
    .filter((block) => !known.has(digest(block)))
    .reduce((sum, block) => sum + block.length, 0);
}

const data = noise(8 << 20, 'chunker');

test('the boundaries do not depend on how the stream is cut into pieces', () => {
  const whole = cutsOf(data, data.length);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 300_000 }), (piece) => {
      assert.equal(cutsOf(data, piece), whole);
    }),
    { numRuns: 12 },
  );
});

test('every block but the last lies between the minimum and the maximum, and they center on the average', () => {
  const cuts = cutsOf(data);
  const sizes = cuts.map((end, i) => end - (cuts[i - 1] ?? 0));
  assert.is(cuts.at(-1), data.length, 'the blocks cover the stream');
  for (const size of sizes.slice(0, -1)) {
    assert.ok(size >= BLOCK_SIZES.min && size <= BLOCK_SIZES.max, `a block of ${size} bytes`);
  }
  const mean = data.length / sizes.length;
  assert.ok(mean > BLOCK_SIZES.average / 2 && mean < BLOCK_SIZES.average * 2, `mean block ${mean} bytes`);
});

test('data with no content to cut on is cut at the maximum', () => {
  const zeros = Buffer.alloc(3 * BLOCK_SIZES.max + 1000);
  assert.equal(cutsOf(zeros), [BLOCK_SIZES.max, 2 * BLOCK_SIZES.max, 3 * BLOCK_SIZES.max, zeros.length]);
});

test('a megabyte inserted in the middle makes new only the blocks around it: the ones after it are the ones of before', () => {
  const middle = data.length / 2;
  const inserted = Buffer.concat([data.subarray(0, middle), noise(1 << 20, 'inserted'), data.subarray(middle)]);
  const stored = newBytes(data, inserted);
  assert.ok(stored >= 1 << 20, 'the inserted megabyte itself is new');
  assert.ok(stored <= (1 << 20) + 2 * BLOCK_SIZES.max, `${stored} new bytes for a 1 MiB insertion`);
});

test('a page rewritten in place makes at most the two blocks around it new', () => {
  const edited = Buffer.from(data);
  noise(4096, 'page').copy(edited, 5_000_000);
  const stored = newBytes(data, edited);
  assert.ok(stored > 0 && stored <= 2 * BLOCK_SIZES.max, `${stored} new bytes for one 4 KiB page`);
});

test('the boundaries of a given input never change between versions: the gear table and the masks are part of the format', () => {
  // Blocks of an older snapshot are reused only if the same bytes are cut the same way; this
  // pins the cut offsets of a fixed input. If it fails, the chunking changed: that is a format change.
  const cuts = cutsOf(noise(2 << 20, 'format'));
  assert.is(createHash('sha256').update(cuts.join(',')).digest('hex').slice(0, 16), FORMAT_CUTS);
});
const FORMAT_CUTS = '7da32783c8e3c3a0';

test('sizes that cannot work are refused', () => {
  assert.throws(() => new Chunker({ min: 1024, average: 3000, max: 8192 }), /power of two/);
  assert.throws(() => new Chunker({ min: 8192, average: 4096, max: 16384 }), /min <= average/);
});

test.run();
