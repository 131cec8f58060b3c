/**
 * Incremental and differential snapshots (docs/format.md, "Chains").
 *
 * A link's manifest lists the whole tree, as a full snapshot's does; a file that has not
 * changed since the parent names, in `in`, the earlier link whose archive holds its content,
 * and is not read at all. The link's archive holds every directory and symlink, the files
 * that changed, and `.ripcord-chain/removed`: the NUL-separated paths to remove from the
 * parent's tree before extracting this archive over it (gone, or changed type), which is all
 * that `gpg -d | tar -x` needs to restore a chain by hand.
 *
 * Change detection is restic's and git's: a file whose size, mode, mtime, ctime and inode
 * are what the parent recorded is unchanged. Anything that writes to a file moves its ctime,
 * which no user can set back; --force-read reads and hashes every file instead.
 */
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ChangeStats, SeenEntry, SourceEntry } from '../archive/walk-sources.ts';
import { sourceAt } from '../archive/walk-sources.ts';
import type { ChainLink, Level } from '../domain/chain.ts';
import { CHAIN_DIR, chainOf, MAX_CHAIN } from '../domain/chain.ts';
import { IntegrityError, KeyError } from '../domain/errors.ts';
import type { DecryptionKeys } from '../domain/keys.ts';
import type { Block, ManifestEntry } from '../domain/manifest.ts';
import { BLOCKED_FILE_MIN, validBlocks } from '../archive/chunker.ts';
import { planDelta } from './block-delta.ts';
import type { PlannedDelta } from './block-delta.ts';
import { formatMode } from '../domain/manifest.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import { MANIFEST_OBJECT } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
import { makeScratchFolder } from './private-folder.ts';
import { collectGarbage } from '../archive/reclaim.ts';
import { readManifestLines } from './read-snapshot.ts';
import { carriedEntry, carriedLine, ParentTree } from './parent-tree.ts';
import { readMetadata } from './repository.ts';

export { CHAIN_DIR };
export const REMOVED_RECORD = `${CHAIN_DIR}/removed`;

/** Is this stored path under the name chain records are kept under? */
export function isChainRecord(name: string): boolean {
  return name === CHAIN_DIR || name.startsWith(`${CHAIN_DIR}/`);
}

/**
 * Is this entry of `snapshot` ripcord's own chain record rather than part of the tree? Only in
 * a chain link: a full snapshot's .ripcord-chain (a folder of that name at the top of what was
 * backed up) is the tree's own.
 */
export function isChainRecordOf(snapshot: Pick<SnapshotMetadata, 'level'>, name: string): boolean {
  return snapshot.level !== undefined && isChainRecord(name);
}

export function linkOf(snapshot: SnapshotMetadata): ChainLink {
  return {
    id: snapshot.id,
    ...(snapshot.level ? { level: snapshot.level } : {}),
    ...(snapshot.parent ? { parent: snapshot.parent } : {}),
    ...(snapshot.parentManifestSha256 ? { parentManifestSha256: snapshot.parentManifestSha256 } : {}),
    ...(snapshot.base ? { base: snapshot.base } : {}),
    manifestSha256: snapshot.objects[MANIFEST_OBJECT].sha256,
  };
}

/** The tags that name a backup set: a parent must be of the same set. */
function setTags(snapshot: Pick<SnapshotMetadata, 'tags'>): string {
  return snapshot.tags
    .filter((t) => t.startsWith('set:'))
    .sort()
    .join(',');
}

/**
 * The snapshots needed to restore `snapshot`, base first and `snapshot` last, read from the
 * store link by link (or taken from `known`, snapshots the caller has read already). A
 * missing, damaged or foreign link is refused, naming it.
 */
export async function chainOfSnapshot(
  store: Store,
  snapshot: SnapshotMetadata,
  known: ReadonlyMap<string, SnapshotMetadata> = new Map(),
): Promise<SnapshotMetadata[]> {
  const byId = new Map<string, SnapshotMetadata>([[snapshot.id, snapshot]]);
  const links = new Map<string, ChainLink>([[snapshot.id, linkOf(snapshot)]]);
  let current = snapshot;
  while (current.level && current.parent && !byId.has(current.parent) && byId.size <= MAX_CHAIN) {
    const have = known.get(current.parent);
    const read = have ? { metadata: have } : await readMetadata(store, current.parent);
    if (!('metadata' in read)) {
      throw new IntegrityError(
        `snapshot ${snapshot.id} needs ${current.parent}, which ${read.problem === 'snapshot.json is missing' ? 'is missing' : `is damaged (${read.problem})`}: ${snapshot.id} cannot be restored; restore an older full snapshot, or copy the missing link back`,
      );
    }
    byId.set(read.metadata.id, read.metadata);
    links.set(read.metadata.id, linkOf(read.metadata));
    current = read.metadata;
  }
  const chain = chainOf(snapshot.id, links);
  if ('problem' in chain) throw new IntegrityError(describeChainProblem(snapshot.id, chain.problem));
  return chain.links.map((link) => byId.get(link.id)!);
}

export function describeChainProblem(
  id: string,
  problem:
    | { kind: 'missing' | 'foreign'; id: string; neededBy: string }
    | { kind: 'malformed'; id: string; reason: string },
): string {
  switch (problem.kind) {
    case 'missing':
      return `snapshot ${id} needs ${problem.id}, which is missing: ${id} cannot be restored`;
    case 'foreign':
      return `snapshot ${id}: ${problem.id} is not the parent ${problem.neededBy} was made on (its manifest differs); refusing to use the chain`;
    case 'malformed':
      return `snapshot ${id}: the chain link ${problem.id} is malformed (${problem.reason})`;
  }
}

export interface Parent {
  snapshot: SnapshotMetadata;
  /** the full snapshot the new link's chain starts from */
  base: string;
  /** when that full snapshot was taken (ISO 8601) */
  baseCreated: string;
  /** links in the parent's chain after the base (0: the parent is the base) */
  depth: number;
  /** the parent's tree, chain records left out */
  tree: ParentTree;
  /** the parent's chain, base first and the parent last, and the keys that read it */
  chain: SnapshotMetadata[];
  keys: DecryptionKeys;
}

export interface ParentQuery {
  level: Exclude<Level, 'full'>;
  /** the new snapshot's set tags and manifest roots must be the parent's */
  tags: readonly string[];
  roots: readonly string[];
  mode: SnapshotMetadata['encryption']['mode'];
  keys: DecryptionKeys;
}

/** `--level auto`: an incremental until the chain's full snapshot is `fullEveryMs` old or has `maxChain` links after it. */
export interface AutoPolicy {
  fullEveryMs: number;
  maxChain: number;
}

export const DEFAULT_AUTO_POLICY: AutoPolicy = { fullEveryMs: 7 * 24 * 3600 * 1000, maxChain: 28 };

/** Why `auto` takes a full snapshot rather than building on `parent`, or undefined. */
export function autoWantsFull(parent: Parent, policy: AutoPolicy, now: Date): string | undefined {
  const age = now.getTime() - Date.parse(parent.baseCreated);
  if (age >= policy.fullEveryMs) return `the chain's full snapshot ${parent.base} is older than its full-every`;
  if (parent.depth + 1 > policy.maxChain)
    return `the chain of ${parent.base} has its max-chain of ${policy.maxChain} links`;
  return undefined;
}

/** Snapshots looked into (each a manifest to decrypt) before a new link gives up and is a full one. */
const PARENT_CANDIDATES = 5;

/**
 * The snapshot a new incremental (the newest of the same set and roots) or differential (the
 * newest full one of them) builds on; undefined when there is none, or when its chain is
 * broken or at its longest, so that the new snapshot must be a full one.
 */
export async function findParent(
  store: Store,
  snapshots: readonly SnapshotMetadata[],
  query: ParentQuery,
): Promise<{ parent: Parent } | { reason: string }> {
  const set = setTags({ tags: [...query.tags] });
  const candidates = snapshots.filter(
    (s) =>
      s.kind !== 'pre-restore' &&
      setTags(s) === set &&
      s.encryption.mode === query.mode &&
      (query.level === 'incremental' || !s.level),
  );
  const wanted = JSON.stringify(query.roots);
  const links = new Map(snapshots.map((s) => [s.id, linkOf(s)]));
  for (const candidate of candidates.slice(0, PARENT_CANDIDATES)) {
    let manifest: Awaited<ReturnType<typeof readManifestLines>>;
    try {
      manifest = await readManifestLines(store, candidate, query.keys);
    } catch (error) {
      // Not a reason to fail a backup: one the keys do not open is no parent, a damaged one
      // none to build on (verify names it).
      if (error instanceof KeyError) continue;
      if (error instanceof IntegrityError) return { reason: `${candidate.id} cannot be read (${error.message})` };
      throw error;
    }
    if (JSON.stringify(manifest.roots) !== wanted) continue;
    const entries: ManifestEntry[] = [];
    const lines: string[] = [];
    manifest.entries.forEach((entry, at) => {
      if (isChainRecordOf(candidate, entry.path)) return;
      entries.push(entry);
      lines.push(manifest.lines[at]!);
    });
    const tree = ParentTree.of(entries, lines);
    if (!(tree instanceof ParentTree))
      return { reason: `${candidate.id} cannot be read (its manifest lists ${JSON.stringify(tree.twice)} twice)` };
    const chain = chainOf(candidate.id, links);
    if ('problem' in chain)
      return {
        reason: `the chain of ${candidate.id} is broken (${describeChainProblem(candidate.id, chain.problem)})`,
      };
    if (chain.links.length >= MAX_CHAIN) return { reason: `the chain of ${candidate.id} has ${MAX_CHAIN} links` };
    const base = snapshots.find((s) => s.id === chain.links[0]!.id)!;
    return {
      parent: {
        snapshot: candidate,
        base: base.id,
        baseCreated: base.created,
        depth: chain.links.length - 1,
        tree,
        chain: chain.links.map((link) => snapshots.find((s) => s.id === link.id)!),
        keys: query.keys,
      },
    };
  }
  return {
    reason:
      candidates.length === 0
        ? `no earlier ${query.level === 'differential' ? 'full ' : ''}snapshot of this set with this key`
        : `no earlier ${query.level === 'differential' ? 'full ' : ''}snapshot of the same paths among the newest ${Math.min(candidates.length, PARENT_CANDIDATES)}`,
  };
}

/** The change-detection fields of a file's manifest entry. */
export function statFields(stats: ChangeStats): Pick<ManifestEntry, 'ino' | 'ctimeMs' | 'mtimeMs'> {
  return { ino: stats.ino, ctimeMs: stats.ctimeMs, mtimeMs: stats.mtimeMs };
}

/**
 * A file changed within one clock tick of when the parent read it may have changed again
 * after that read without its times moving: Linux stamps files from a clock that advances
 * every few milliseconds (and some file systems keep whole seconds). Such a file, "racily
 * clean" in git's words, is read again. Times without a fraction of a second suggest a file
 * system that keeps whole seconds.
 */
function racilyClean(before: ManifestEntry, parentStarted: number): boolean {
  const coarse = (before.mtimeMs ?? 0) % 1000 === 0 && (before.ctimeMs ?? 0) % 1000 === 0;
  const margin = coarse ? 2000 : 50;
  return Math.max(before.mtimeMs ?? 0, before.ctimeMs ?? 0) >= parentStarted - margin;
}

/** Size, mode and time as the archive records them: what a carried entry copies from its parent. */
function sameAsStored(before: ManifestEntry, stats: ChangeStats): boolean {
  return (
    before.size === stats.size &&
    before.mode === formatMode(stats.mode) &&
    before.mtime === Math.floor(stats.mtimeMs / 1000)
  );
}

function sameMetadata(before: ManifestEntry, stats: ChangeStats): boolean {
  return (
    sameAsStored(before, stats) &&
    before.mtimeMs === stats.mtimeMs &&
    before.ctimeMs === stats.ctimeMs &&
    before.ino === stats.ino
  );
}

/**
 * Is the file still what `before` recorded when a snapshot that started at `started` read it,
 * by its size, mode, times and inode alone? What change detection trusts, and what lets a
 * restore leave a file it would only write again.
 */
export function unchangedSince(before: ManifestEntry, stats: ChangeStats, started: number): boolean {
  return sameMetadata(before, stats) && !racilyClean(before, started);
}

export interface AgainstParentOptions {
  /** read and hash every file; one whose content, mode and time are the parent's is still not stored */
  forceRead?: boolean;
  /** files of at least this many bytes are stored with their blocks, or as deltas (default BLOCKED_FILE_MIN) */
  blockedFileMin?: number;
  /**
   * A file that is not stored again, in walk order: its manifest entry, and its manifest
   * line when the parent's could be carried over (carriedLine), else undefined.
   */
  onCarried(entry: ManifestEntry, line: string | undefined): void;
  /** a file stored as a block delta (its manifest entry), before its records are yielded */
  onDelta?(entry: ManifestEntry): void;
  /** the blocks of the parent's version of a file whose entry lists none (read from the repository) */
  parentBlocks?(file: string): Promise<Block[]>;
  onWarning(message: string): void;
}

/**
 * The sources a link stores: the walk less the files unchanged since the parent (handed to
 * onCarried instead), then the removal record. The walk comes in batches, from this thread
 * (inBatches) or another (archive/walk-thread.ts); an entry another thread saw is looked at
 * again here before it is stored.
 */
export async function* againstParent(
  walk: AsyncIterable<readonly (SourceEntry | SeenEntry)[]>,
  parent: Parent,
  level: Exclude<Level, 'full'>,
  options: AgainstParentOptions,
): AsyncGenerator<SourceEntry> {
  const { tree } = parent;
  const parentStarted = Date.parse(parent.snapshot.created);
  let scratch: Awaited<ReturnType<typeof makeScratchFolder>> | undefined;
  let deltas = 0;
  const blockedFileMin = options.blockedFileMin ?? BLOCKED_FILE_MIN;
  // What reading the parent's manifest left behind goes before the first file to store brings
  // its buffers (without it, the benchmark's 1 %-changed incremental peaked at up to 129 MiB,
  // not 118-126), and so do the parent's lines (see dropLines: a file carried after that is
  // serialised); a link that stores no file (an unchanged tree) is spared the 13-19 ms.
  let collected = false;
  const beforeStoring = () => {
    if (collected) return;
    tree.dropLines();
    collectGarbage();
    collected = true;
  };
  try {
    for await (const batch of walk) {
      for (const walked of batch) {
        if (isChainRecord(walked.archivePath)) {
          options.onWarning(
            `${walked.fsPath}: ${CHAIN_DIR} is the name ripcord keeps its chain records under; skipped`,
          );
          continue;
        }
        const at = tree.find(walked.archivePath);
        if (at !== -1) tree.saw(at, walked.type);
        const before = at === -1 ? undefined : tree.entry(at);
        const stats = 'stats' in walked ? walked.stats : walked.seen;
        const fileBefore = walked.type === 'file' && before?.type === 'file' && before.sha256 ? before : undefined;
        if (fileBefore) {
          // Size, mode and time as stored but not the inode or ctime (a copy made with its
          // times, a tree restored or unpacked, a racily clean file): the content decides,
          // read and hashed, not packed. Otherwise every file of a restored or copied tree
          // was stored again, as in a full snapshot.
          const trusted = !options.forceRead && unchangedSince(fileBefore, stats, parentStarted);
          if (trusted || (sameAsStored(fileBefore, stats) && hashFile(walked.fsPath) === fileBefore.sha256)) {
            const entry = carriedEntry(walked.archivePath, fileBefore, stats, level, parent.snapshot.id);
            options.onCarried(entry, trusted ? carriedLine(tree.line(at), fileBefore, entry) : undefined);
            continue;
          }
        }
        const source = 'stats' in walked ? walked : sourceAt(walked.fsPath, walked.archivePath, options.onWarning);
        if (source?.type !== walked.type) {
          if (at !== -1) tree.saw(at, source?.type);
          if (!source) continue;
        }
        if (fileBefore && source.type === 'file') {
          // the parent's blocks: from its manifest, else from its version of the file (read from
          // the repository; when that fails, the file is stored whole)
          const parentBlocks =
            options.onDelta && source.stats.size >= blockedFileMin
              ? validBlocks(fileBefore.blocks, fileBefore.size)
                ? fileBefore.blocks
                : await options.parentBlocks?.(source.archivePath).catch(() => undefined)
              : undefined;
          if (parentBlocks && options.onDelta) {
            beforeStoring();
            scratch ??= await makeScratchFolder('chain');
            const delta = tryDelta(source, parentBlocks, scratch.dir, `${(deltas += 1)}`);
            if (delta) {
              options.onDelta({ ...delta.entry, ...statFields(source.stats) });
              for (const record of delta.records) {
                yield record;
                rmSync(record.fsPath, { force: true }); // packed once the next source is asked for
              }
              continue;
            }
          }
        }
        if (source.type === 'file') beforeStoring();
        // a large file stored whole records its blocks, for the next link's delta
        yield source.type === 'file' && source.stats.size >= blockedFileMin ? { ...source, blocks: true } : source;
      }
      // An unchanged tree is walked without one entry to yield: let the event loop run between
      // batches, so that the manifest's lines (onCarried) are compressed on the thread pool
      // while the walk goes on, not all at its end (measured: 60-70 ms of 20,000 files'
      // incremental spent waiting for that compression after the walk).
      await new Promise((resolve) => setImmediate(resolve));
    }
    const removed = tree.removed();
    scratch ??= await makeScratchFolder('chain');
    const file = path.join(scratch.dir, 'removed');
    writeFileSync(file, removed.map((name) => `${name}\0`).join(''), { mode: 0o600 });
    yield { fsPath: file, archivePath: REMOVED_RECORD, type: 'file', stats: lstatSync(file) };
  } finally {
    await scratch?.remove();
  }
}

/** A walk of this thread in batches, for againstParent. */
export async function* inBatches<T>(walk: Iterable<T>, size = 256): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for (const entry of walk) {
    batch.push(entry);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** planDelta, or undefined when the file cannot be read: the packer's read then reports it. */
function tryDelta(source: SourceEntry, before: Block[], dir: string, name: string): PlannedDelta | undefined {
  try {
    return planDelta(source, before, dir, name);
  } catch {
    return undefined;
  }
}

const HASH_BUFFER = 1 << 20;

/** One buffer for every hashFile (it reads synchronously): a MiB of garbage per file hashed is not. */
let hashBuffer: Buffer | undefined;

function hashFile(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined; // the archiving read reports it
  }
  try {
    const hash = createHash('sha256');
    const buffer = (hashBuffer ??= Buffer.allocUnsafeSlow(HASH_BUFFER));
    for (let got = readSync(fd, buffer); got > 0; got = readSync(fd, buffer)) hash.update(buffer.subarray(0, got));
    return hash.digest('hex');
  } catch {
    return undefined; // the archiving read reports it
  } finally {
    closeSync(fd);
  }
}

/** Check a link's entries against its chain: what `in` names must be an earlier link of it. */
export function checkCarried(
  snapshot: SnapshotMetadata,
  chain: readonly SnapshotMetadata[],
  entry: ManifestEntry,
): void {
  const where = `snapshot ${snapshot.id}: entry ${JSON.stringify(entry.path)}`;
  if (entry.delta !== undefined && (!snapshot.level || entry.type !== 'file' || entry.in !== undefined))
    throw new IntegrityError(`${where} is a block delta, which only a file of a chain link can be`);
  if (entry.in === undefined) return;
  if (!snapshot.level) throw new IntegrityError(`${where} names a chain link, but the snapshot is a full one`);
  if (entry.type !== 'file') throw new IntegrityError(`${where} is a ${entry.type} that names a chain link`);
  if (entry.in === snapshot.id || !chain.some((link) => link.id === entry.in))
    throw new IntegrityError(`${where} names ${entry.in}, which is not an earlier link of its chain`);
}
