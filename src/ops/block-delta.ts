/**
 * Block deltas (docs/format.md, "Block deltas"): a large file that changed since a chain
 * link's parent is stored as the blocks its parent's version does not have, and a plan that
 * builds it from those and the parent's version, so that a database file with a few pages
 * rewritten, or a 100 MB file with 1 MB inserted, costs what changed, not the file.
 *
 * The plan is text, one line a segment of the new file in order: `old OFFSET LENGTH` (bytes
 * of the parent's version) or `new OFFSET LENGTH` (bytes of the data record). That is all a
 * restore by hand needs (dd), and what ripcord itself follows (ops/delta-read.ts). The
 * blocks are found by content (archive/chunker.ts), so an insertion changes only the blocks
 * around it; the parent's blocks are known from its manifest, never read from the parent.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, lstatSync, openSync, readSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import type { Stats } from 'node:fs';
import * as path from 'node:path';
import { BlockList } from '../archive/chunker.ts';
import type { SourceEntry } from '../archive/walk-sources.ts';
import { CHAIN_DIR } from '../domain/chain.ts';
import type { Block, ManifestEntry } from '../domain/manifest.ts';
import { formatMode } from '../domain/manifest.ts';

/** The two records that stand for a file stored as a delta, by its stored path. */
export function deltaRecords(file: string): { plan: string; data: string } {
  return { plan: `${CHAIN_DIR}/delta/${file}`, data: `${CHAIN_DIR}/data/${file}` };
}

/** Is this stored path one of a block delta's records? */
export function isDeltaRecord(name: string): boolean {
  return name.startsWith(`${CHAIN_DIR}/delta/`) || name.startsWith(`${CHAIN_DIR}/data/`);
}

/** A record one set has and the other lacks (the records a manifest's deltas need, those it holds). */
export function unmatchedRecord(wanted: ReadonlySet<string>, held: ReadonlySet<string>): string | undefined {
  for (const record of held) if (!wanted.has(record)) return record;
  for (const record of wanted) if (!held.has(record)) return record;
  return undefined;
}

/**
 * A delta is stored only when its new blocks are at most this share of the file: above it,
 * the file whole costs hardly more, and its restore does not need the parent's version.
 */
const DELTA_SHARE = 0.5;

const READ = 1 << 20;

export interface Segment {
  from: 'old' | 'new';
  offset: number;
  length: number;
}

export interface PlannedDelta {
  /** the file's manifest entry: `delta`, its blocks, size and SHA-256 */
  entry: ManifestEntry;
  /** the records to archive in its place, plan first */
  records: [SourceEntry, SourceEntry];
}

const blockKey = ([size, sha256]: Block): string => `${size}:${sha256}`;

/** The plan as stored: one `old|new OFFSET LENGTH` line a segment. */
function planText(segments: readonly Segment[]): string {
  return segments.map((s) => `${s.from} ${s.offset} ${s.length}\n`).join('');
}

/**
 * The segments that build a file of `blocks` from a version of `before` blocks: a block the
 * parent has is taken from it, any other from the data record, in order; neighbours merge.
 */
export function segmentsFor(blocks: readonly Block[], before: readonly Block[]): Segment[] {
  const old = new Map<string, number>();
  let offset = 0;
  for (const block of before) {
    if (!old.has(blockKey(block))) old.set(blockKey(block), offset);
    offset += block[0];
  }
  const segments: Segment[] = [];
  let data = 0;
  for (const block of blocks) {
    const size = block[0];
    const at = old.get(blockKey(block));
    const from = at === undefined ? 'new' : 'old';
    const start = at ?? data;
    if (from === 'new') data += size;
    const last = segments[segments.length - 1];
    if (last && last.from === from && last.offset + last.length === start) last.length += size;
    else segments.push({ from, offset: start, length: size });
  }
  return segments;
}

/**
 * Plan `source` (a changed file of at least BLOCKED_FILE_MIN bytes) as a delta against the
 * parent's version of it (`before`, its blocks), writing the records into `dir` as files
 * `name`.plan and `name`.data. Undefined when a delta would not pay (DELTA_SHARE) or the file
 * changed while it was read: it is then stored whole, as any changed file.
 */
export function planDelta(
  source: SourceEntry,
  before: readonly Block[],
  dir: string,
  name: string,
): PlannedDelta | undefined {
  const { stats } = source;
  const fd = openSync(source.fsPath, 'r');
  try {
    // 1: the file's blocks and its SHA-256, in one read
    const list = new BlockList();
    const whole = createHash('sha256');
    const buffer = Buffer.allocUnsafe(READ);
    let size = 0;
    for (let got = readSync(fd, buffer, 0, READ, 0); got > 0; got = readSync(fd, buffer, 0, READ, size)) {
      const piece = buffer.subarray(0, got);
      list.update(piece);
      whole.update(piece);
      size += got;
    }
    if (size !== stats.size) return undefined;
    const blocks = list.finish();
    const segments = segmentsFor(blocks, before);
    const newBytes = segments.reduce((sum, s) => sum + (s.from === 'new' ? s.length : 0), 0);
    if (newBytes > DELTA_SHARE * size) return undefined;

    // 2: the new blocks into the data record, each checked against its hash from read 1
    const dataFile = path.join(dir, `${name}.data`);
    const out = openSync(dataFile, 'wx', 0o600);
    try {
      const known = new Set(before.map(blockKey));
      let at = 0;
      for (const block of blocks) {
        const [length, sha256] = block;
        if (!known.has(blockKey(block))) {
          const bytes = buffer.subarray(0, length);
          if (readSync(fd, bytes, 0, length, at) !== length) return undefined;
          if (createHash('sha256').update(bytes).digest('hex') !== sha256) return undefined;
          writeSync(out, bytes);
        }
        at += length;
      }
    } finally {
      closeSync(out);
    }
    const now = fstatSync(fd);
    if (now.size !== stats.size || now.mtimeMs !== stats.mtimeMs) return undefined;

    const planFile = path.join(dir, `${name}.plan`);
    writeFileSync(planFile, planText(segments), { mode: 0o600 });
    // The data record carries the file's mode and time in its tar header, for a restore by
    // hand to give them to the file it builds (chmod --reference, touch -r).
    utimesSync(dataFile, stats.atime, stats.mtime);
    const records = deltaRecords(source.archivePath);
    return {
      entry: {
        path: source.archivePath,
        type: 'file',
        mode: formatMode(stats.mode),
        mtime: Math.floor(stats.mtimeMs / 1000),
        size,
        sha256: whole.digest('hex'),
        blocks,
        delta: true,
      },
      records: [
        { fsPath: planFile, archivePath: records.plan, type: 'file', stats: lstatSync(planFile) },
        { fsPath: dataFile, archivePath: records.data, type: 'file', stats: withMode(lstatSync(dataFile), stats.mode) },
      ],
    };
  } finally {
    closeSync(fd);
  }
}

/** `stats` with the permission bits of `mode`: what the packer writes into the tar header. */
function withMode(stats: Stats, mode: number): Stats {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(stats) as object) as Stats, stats);
  copy.mode = (stats.mode & ~0o7777) | (mode & 0o7777);
  return copy;
}
