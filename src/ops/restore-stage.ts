/**
 * The first step of a restore: extract the selected entries into a private staging folder
 * inside the target, each checked against the manifest, reading every archive the snapshot's
 * chain needs. Nothing in the target itself changes here.
 */
import { createHash } from 'node:crypto';
import { lutimesSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import type { DecryptionKeys } from '../archive/openpgp-keys.ts';
import type { TarItem } from '../archive/tar-reader.ts';
import { safeMode } from '../domain/entry-safety.ts';
import { IntegrityError, RipcordError, UnsafeEntryError } from '../domain/errors.ts';
import type { Reporter } from '../domain/events.ts';
import { parseMode } from '../domain/manifest.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
import { contentMismatch, headerMismatch } from './entry-check.ts';
import { collectGarbage } from '../archive/reclaim.ts';
import type { IndexedArchive } from '../archive/ranged-read.ts';
import type { ManifestTrailer } from '../domain/manifest.ts';
import { fileAsOf } from './delta-read.ts';
import type { DeltaSource } from './delta-read.ts';
import { describeFailure, openArchive, openIndexed, readManifest } from './read-snapshot.ts';
import type { RestorePlan } from './restore-plan.ts';
import type { StagingLayout } from './restore-layout.ts';
import { lstatOrUndefined, modesCreatable } from './restore-target.ts';
import { createStagingWriter } from './stage-writer.ts';

/** What staging needs of the restore's options. */
export interface StageOptions {
  store: Store;
  keys: DecryptionKeys;
}

/**
 * Extract the selected entries into the staging folder, checking all against the manifest.
 * A chain link's archive comes first: it holds every directory (so a tree layout has each
 * folder before any file goes in) and symlink; then each earlier link whose archive holds a
 * file this one did not store again.
 */
export async function stage(
  plan: RestorePlan,
  layout: StagingLayout,
  options: StageOptions,
  reporter: Reporter,
): Promise<void> {
  const { snapshot, entries, selected } = plan;
  const creatable = modesCreatable(layout.staging);
  const writer = createStagingWriter(snapshot.inputBytes);
  const done = { files: 0, bytes: 0 };
  const total = { files: snapshot.files, bytes: snapshot.inputBytes };
  const staged = (index: number) => selected.has(index) || plan.captures.some((c) => c.index === index);
  const context: StageContext = { plan, layout, options, reporter, writer, creatable, done, total, staged };
  // the archive of each link holds its manifest's entries that name no other link, in order
  const own: number[] = [];
  const fromLinks = new Map<string, Map<string, number>>();
  // files a link stored as a block delta, built once every archive has been read
  const deltas: Delta[] = [];
  entries.forEach((entry, index) => {
    if (entry.delta) {
      if (staged(index)) deltas.push({ index, link: snapshot });
    } else if (entry.in === undefined) own.push(index);
    else if (staged(index)) {
      let wanted = fromLinks.get(entry.in);
      if (!wanted) fromLinks.set(entry.in, (wanted = new Map()));
      wanted.set(entry.path, index);
    }
  });
  try {
    const ownPlaces = readsFew(context, snapshot, own)
      ? own.map((index) => ({ path: entries[index]!.path, at: entries[index]!.at }))
      : undefined;
    const ranged = ownPlaces && (await byIndex(context, snapshot, ownPlaces, plan.archive));
    if (ranged && ownPlaces) await stageRuns(context, snapshot, ranged, ownPlaces, (position) => own[position]);
    else await stageArchive(context, snapshot, (_item, position) => own[position], own.length);
    for (const link of [...plan.chain].reverse()) {
      const wanted = fromLinks.get(link.id);
      if (!wanted || wanted.size === 0) continue;
      await stageFromLink(context, link, wanted, deltas);
    }
    // one source for all of them: each link's manifest is read once for every file built
    const source: DeltaSource = {
      store: options.store,
      keys: options.keys,
      chain: plan.chain,
      also: deltas.map((delta) => entries[delta.index]!.path),
      cache: new Map(),
    };
    for (const delta of deltas) await stageDelta(context, source, delta);
    if (!layout.tree) await stageSymlinks(context);
    layout.makeFolders();
    await writer.finish();
  } catch (error) {
    if (error instanceof UnsafeEntryError || error instanceof IntegrityError) throw error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code && /^E[A-Z]+$/.test(code) && (error as NodeJS.ErrnoException).syscall) {
      // the file system said no, not the archive: nothing in the target was changed yet
      const why =
        code === 'ENOSPC' || code === 'EDQUOT'
          ? 'the disk is full'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : code === 'EROFS'
              ? 'the file system is read-only'
              : code;
      throw new RipcordError(
        `cannot stage snapshot ${snapshot.id} in ${plan.target}: ${why}; the target was not changed (free space or restore into another --target)`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    await writer.stop();
  }
}

/**
 * An archive is read by its index (only the gzip members that hold what is staged) when the
 * files staged from it are under this share of what it holds: a rollback of a deploy that
 * changed a few files reads those, not the archive. Above it, one read of the whole archive
 * costs less than many starts.
 */
const RANGED_SHARE = 0.25;

/** Tar bytes between two staged entries below which one ranged read takes both, reading through what lies between. */
const RUN_GAP = 2 << 20;

interface Place {
  path: string;
  at: number | undefined;
}

/**
 * Are the files staged from the archive of `link` (these manifest indexes) few enough to be
 * read by its index (RANGED_SHARE)? Never for a tree layout: a restore into nothing stages
 * everything.
 */
function readsFew(context: StageContext, link: SnapshotMetadata, indexes: Iterable<number>): boolean {
  if (context.layout.tree) return false;
  let bytes = 0;
  for (const index of indexes) {
    const entry = context.plan.entries[index]!;
    if (entry.type === 'file' && context.staged(index)) bytes += entry.size ?? 0;
  }
  return bytes <= RANGED_SHARE * link.inputBytes;
}

/** The archive of `link` opened for ranged reads, when its manifest has an index and places every entry; else undefined. */
async function byIndex(
  context: StageContext,
  link: SnapshotMetadata,
  places: Place[],
  trailer: Pick<ManifestTrailer, 'archive' | 'index' | 'archiveKey'>,
): Promise<IndexedArchive | undefined> {
  if (!trailer.index || places.some((p) => p.at === undefined)) return undefined;
  return openIndexed(context.options.store, link, context.options.keys, trailer);
}

/**
 * Stage by ranged reads: each run of archive positions from a staged file to the last staged
 * file less than RUN_GAP after it is read in one go; what lies between is read and checked,
 * not staged. `indexOf` gives the manifest index for a position (undefined: read, dropped).
 * Symlinks and directories come from the manifest alone (stageSymlinks, applyRestore).
 */
async function stageRuns(
  context: StageContext,
  link: SnapshotMetadata,
  archive: IndexedArchive,
  places: Place[],
  indexOf: (position: number) => number | undefined,
): Promise<void> {
  const { plan } = context;
  const needed = (position: number) => {
    const index = indexOf(position);
    return index !== undefined && plan.entries[index]!.type === 'file' && context.staged(index);
  };
  const at = (position: number) => places[position]!.at!;
  for (let p = 0; p < places.length; ) {
    if (!needed(p)) {
      p += 1;
      continue;
    }
    let q = p;
    for (let r = p + 1; r < places.length; r++) {
      if (!needed(r)) continue;
      if (at(r) - at(q + 1) > RUN_GAP) break;
      q = r;
    }
    const count = q - p + 1;
    const to = q + 1 < places.length ? at(q + 1) : undefined;
    const first = p;
    try {
      await stageItems(context, link, archive.items(at(p), to, count), (item, k) => {
        if (item.entry.path !== places[first + k]!.path)
          throw new IntegrityError(
            `the archive holds ${item.entry.path} where the manifest of ${link.id} lists ${places[first + k]!.path}`,
          );
        return indexOf(first + k);
      });
    } catch (error) {
      if (error instanceof UnsafeEntryError || (error as NodeJS.ErrnoException | undefined)?.syscall) throw error;
      throw describeFailure(link, 'archive.tar.gz.pgp', error);
    }
    p = q + 1;
  }
}

/**
 * The files a chain link holds for this restore (`wanted`: path -> manifest index). The
 * link's own manifest authenticates its archive (and, through its metadata, its parent), and
 * gives each entry's place for a ranged read.
 */
async function stageFromLink(
  context: StageContext,
  link: SnapshotMetadata,
  wanted: Map<string, number>,
  deltas: Delta[],
): Promise<void> {
  const { plan, options } = context;
  let ranged: { archive: IndexedArchive; places: Place[]; indexes: (number | undefined)[] } | undefined;
  const few = readsFew(context, link, wanted.values());
  const at = Buffer.from('"at":');
  // only the lines of entries its archive holds (the others name no place in it), and of its block deltas
  const { entries, trailer } = await readManifest(options.store, link, options.keys, {
    keep: (line) => (few && line.includes(at)) || line.includes(DELTA_MARK),
  });
  const places: Place[] = [];
  for (const entry of entries) {
    if (entry.delta) {
      const index = takeWanted(wanted, entry.path);
      if (index !== undefined) deltas.push({ index, link });
    } else if (entry.in === undefined) places.push({ path: entry.path, at: entry.at });
  }
  entries.length = 0;
  if (few) {
    const archive = await byIndex(context, link, places, trailer);
    if (archive) ranged = { archive, places, indexes: places.map((place) => takeWanted(wanted, place.path)) };
  }
  // what reading that manifest left behind, before this archive's buffers come: without
  // it the restore of the benchmark's 5th incremental peaked at 139-144 MiB, not 125
  collectGarbage();
  // Each wanted path is taken out of the map where the link's archive holds it (by its
  // manifest for a ranged read, as read for a whole one): what is left is not there. (No
  // second set of 20,000 numbers beside the map while the benchmark's chain restore peaks.)
  const missing = (): number | undefined => wanted.values().next().value;
  if (ranged) {
    const { archive, places, indexes } = ranged;
    if (missing() === undefined) await stageRuns(context, link, archive, places, (position) => indexes[position]);
  } else {
    await stageArchive(context, link, (item) => takeWanted(wanted, item.entry.path));
  }
  const left = missing();
  if (left !== undefined)
    throw new IntegrityError(
      `snapshot ${plan.snapshot.id}: ${plan.entries[left]!.path} is not in the archive of ${link.id}, where its manifest says it is`,
    );
}

/** A file to build from a block delta: its manifest index, and the link whose manifest says it is a delta. */
interface Delta {
  index: number;
  link: SnapshotMetadata;
}

/** What a manifest line of a block delta holds (manifestEntryLine writes it so). */
const DELTA_MARK = Buffer.from('"delta":true');

/** Build a file from its block delta (ops/delta-read.ts) and stage it. */
async function stageDelta(context: StageContext, source: DeltaSource, { index, link }: Delta): Promise<void> {
  const { plan, layout, reporter, writer, creatable, done, total } = context;
  const expected = plan.entries[index]!;
  const built = await fileAsOf(source, link, expected.path);
  try {
    if (built.entry.sha256 !== expected.sha256 || built.entry.size !== expected.size)
      throw new IntegrityError(
        `snapshot ${plan.snapshot.id}: ${expected.path} in ${link.id} is not the file its manifest lists`,
      );
    const mode = plan.selected.has(index) ? safeMode(parseMode(expected.mode)) : 0o600;
    const file = layout.pathOf(index);
    layout.makeParents(file);
    writer.open(file, mode);
    for await (const chunk of built.content.read()) {
      const wait = writer.write(chunk as Buffer);
      if (await wait) await wait;
    }
    writer.close((mode & ~creatable) !== 0 ? mode : undefined, expected.mtime);
  } finally {
    await built.content.close();
  }
  done.bytes += expected.size ?? 0;
  done.files += 1;
  reporter.emit({ type: 'progress', phase: 'stage', done: { ...done }, total });
}

/** The manifest index wanted at `path`, taken out of the map: a path is staged once. */
function takeWanted(wanted: Map<string, number>, path: string): number | undefined {
  const index = wanted.get(path);
  if (index !== undefined) wanted.delete(path);
  return index;
}

/** Selected symlinks not staged from an archive (ranged reads skip them): made from the manifest, which the archive's copy must match anyway. */
async function stageSymlinks(context: StageContext): Promise<void> {
  const { plan, layout } = context;
  for (const index of plan.selected) {
    const entry = plan.entries[index]!;
    if (entry.type !== 'symlink') continue;
    const link = layout.pathOf(index);
    if (lstatOrUndefined(link) === undefined) await fs.symlink(entry.target ?? '', link);
  }
}

interface StageContext {
  plan: RestorePlan;
  layout: StagingLayout;
  options: StageOptions;
  reporter: Reporter;
  writer: ReturnType<typeof createStagingWriter>;
  creatable: number;
  done: { files: number; bytes: number };
  total: { files: number; bytes: number };
  staged(index: number): boolean;
}

/**
 * Read one archive through, staging the entries `place` maps to manifest indexes. With
 * `items`, the archive must hold exactly that many, each the manifest entry `place` gives (the
 * restored snapshot's own archive); otherwise an item `place` gives no index for is read,
 * checked by the archive's authentication only, and dropped (an earlier link's archive).
 */
async function stageArchive(
  context: StageContext,
  link: SnapshotMetadata,
  place: (item: TarItem, position: number) => number | undefined,
  items?: number,
): Promise<void> {
  const archive = await openArchive(context.options.store, link, context.options.keys, { consumesInOrder: true });
  try {
    await stageItems(context, link, archive.items, place, items);
    await archive.finish();
  } catch (error) {
    if (error instanceof UnsafeEntryError || (error as NodeJS.ErrnoException | undefined)?.syscall) throw error;
    throw describeFailure(link, 'archive.tar.gz.pgp', error);
  } finally {
    archive.close();
  }
}

/** Stage what `place` maps to manifest indexes of these tar items (see stageArchive). */
async function stageItems(
  context: StageContext,
  link: SnapshotMetadata,
  source: AsyncIterable<TarItem>,
  place: (item: TarItem, position: number) => number | undefined,
  items?: number,
): Promise<void> {
  const { plan, layout, reporter, writer, creatable, done, total } = context;
  const { snapshot, entries, selected } = plan;
  let position = 0;
  for await (const item of source) {
    const index = place(item, position);
    position += 1;
    const where = `snapshot ${link.id}: archive entry ${JSON.stringify(item.entry.path)}`;
    if (index === undefined) {
      if (items !== undefined) throw new IntegrityError(`${where} is not in the manifest`);
      for await (const _ of item.body);
      continue;
    }
    const expected = entries[index]!;
    if (!['file', 'directory', 'symlink'].includes(item.entry.kind)) {
      throw new UnsafeEntryError(
        `${where} is a ${item.entry.kind}; only files, directories and symlinks are restored, refusing`,
      );
    }
    const mismatch = headerMismatch(item.entry, expected);
    if (mismatch) throw new IntegrityError(`snapshot ${snapshot.id}: ${mismatch}`);
    const hash = createHash('sha256');
    let size = 0;
    // An entry longer than its manifest says is refused at the first byte too many, before
    // that byte is written: a small archive may unpack to gigabytes.
    const limit = expected.type === 'file' ? (expected.size ?? 0) : 0;
    const count = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        throw new IntegrityError(
          `snapshot ${snapshot.id}: ${item.entry.path} holds more than the ${limit} bytes the manifest lists`,
        );
      }
      hash.update(chunk);
    };
    if (context.staged(index) && expected.type === 'file') {
      // The file is made with its final mode and gets its time here (the staging folder is
      // private, 0700): a chmod and a utimes by name per file later cost a restore of
      // 20,000 files 0.3 s. Captured state stays 0600: it is read back from here by its
      // restore command.
      const mode = selected.has(index) ? safeMode(parseMode(expected.mode)) : 0o600;
      const file = layout.pathOf(index);
      layout.makeParents(file);
      writer.open(file, mode);
      for await (const chunk of item.body) {
        count(chunk);
        const wait = writer.write(chunk);
        if (await wait) await wait;
      }
      writer.close((mode & ~creatable) !== 0 ? mode : undefined, expected.mtime); // bits the umask takes away, or a sticky bit
    } else {
      for await (const chunk of item.body) count(chunk);
    }
    const problem = contentMismatch(item.entry, expected, size, hash.digest('hex'));
    if (problem) throw new IntegrityError(`snapshot ${snapshot.id}: ${problem}`);
    if (selected.has(index) && expected.type === 'symlink') {
      const link = layout.pathOf(index);
      layout.makeParents(link);
      await fs.symlink(expected.target ?? '', link);
      if (layout.tree) setLinkTime(link, expected.mtime);
    }
    if (layout.tree && selected.has(index) && expected.type === 'directory') layout.addFolder(index);
    done.bytes += size;
    if (expected.type === 'file') done.files += 1;
    reporter.emit({ type: 'progress', phase: 'stage', done: { ...done }, total });
  }
  if (items !== undefined && position !== items)
    throw new IntegrityError(`snapshot ${link.id}: the archive ends after ${position} of ${items} entries`);
}

/** A symlink's own time; not every file system keeps one. */
export function setLinkTime(file: string, seconds: number): void {
  const mtime = new Date(seconds * 1000);
  try {
    lutimesSync(file, mtime, mtime);
  } catch {
    // not every file system keeps symlink times
  }
}
