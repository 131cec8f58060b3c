/**
 * A chain link's parent tree, as the new link's walk meets it (ops/incremental.ts): the
 * parent's entries in manifest order, each with its manifest line, and what the walk saw at
 * each entry's path, for the removal record; and the entry and line of a file the link
 * carries from it.
 *
 * The walk meets the entries of a tree that has not changed in the order the parent's
 * manifest lists them (both are the walk's order), so a lookup is first a comparison with the
 * entry after the one found last; a path is looked up by name only when the order differs
 * (an entry added or gone). Hashing each of 20,000 fresh path strings into a map, and again
 * into a map of what was seen, cost 12-25 ms of the benchmark's unchanged incremental on the
 * main thread (a micro-benchmark, and a CPU profile); the comparisons, 1.5 ms.
 */
import type { ChangeStats } from '../archive/walk-sources.ts';
import type { Level } from '../domain/chain.ts';
import type { EntryType, ManifestEntry } from '../domain/manifest.ts';

/** An entry type as kept in ParentTree's `seen`: 0 is "not seen". */
const TYPE_CODE: Record<EntryType, number> = { file: 1, directory: 2, symlink: 3 };

export class ParentTree {
  readonly #entries: readonly ManifestEntry[];
  #lines: readonly string[] | undefined;
  /** the type the walk saw at each entry's path (TYPE_CODE), 0 where it saw nothing */
  readonly #seen: Uint8Array;
  readonly #byPath: ReadonlyMap<string, number>;
  #next = 0;

  /**
   * The tree of these entries, or the first path they list twice: a manifest that does
   * cannot be restored, nor could a link that builds on it. `lines`: each entry's manifest
   * line, as the manifest has it (with its leading ","), when known.
   */
  static of(entries: readonly ManifestEntry[], lines?: readonly string[]): ParentTree | { twice: string } {
    if (lines && lines.length !== entries.length) throw new Error('a parent tree needs a line for each entry');
    const byPath = new Map<string, number>();
    for (let at = 0; at < entries.length; at++) {
      const { path } = entries[at]!;
      if (byPath.has(path)) return { twice: path };
      byPath.set(path, at);
    }
    return new ParentTree(entries, lines, byPath);
  }

  private constructor(
    entries: readonly ManifestEntry[],
    lines: readonly string[] | undefined,
    byPath: Map<string, number>,
  ) {
    this.#entries = entries;
    this.#lines = lines;
    this.#byPath = byPath;
    this.#seen = new Uint8Array(entries.length);
  }

  /** The position of the entry for `path`, or -1 when the parent has none. */
  find(path: string): number {
    const next = this.#next;
    if (next < this.#entries.length && this.#entries[next]!.path === path) {
      this.#next = next + 1;
      return next;
    }
    const at = this.#byPath.get(path) ?? -1;
    if (at !== -1) this.#next = at + 1;
    return at;
  }

  entry(at: number): ManifestEntry {
    return this.#entries[at]!;
  }

  /** The entry's manifest line, without the "," that separates it from the line before; undefined when not known. */
  line(at: number): string | undefined {
    const line = this.#lines?.[at];
    return line?.startsWith(',') ? line.slice(1) : line;
  }

  /**
   * Let the lines go (line() gives undefined from here on): the manifest's text, 6 MB for the
   * benchmark's 20,000 entries, which a link that stores files needs the room of. With every
   * line kept to the end, the benchmark's 1 %-changed incremental peaked at a median of 121
   * MiB against 113 before lines were kept (8 alternating rounds each, Node 24); dropped
   * before its first stored file, 116.
   */
  dropLines(): void {
    this.#lines = undefined;
  }

  /** The walk saw an entry of `type` at the path of the entry at `at` (undefined: nothing, after all). */
  saw(at: number, type: EntryType | undefined): void {
    this.#seen[at] = type ? TYPE_CODE[type] : 0;
  }

  /** Every entry, in manifest order. */
  *entries(): Generator<ManifestEntry> {
    yield* this.#entries;
  }

  /**
   * The paths of the entries the walk did not see with the type they had (gone, or changed
   * type), in manifest order; less those under a folder that is itself in the list, which
   * removing the folder takes with it.
   */
  removed(): string[] {
    const removed: string[] = [];
    for (let at = 0; at < this.#entries.length; at++) {
      if (this.#changed(at) && !this.#removedAncestor(this.#entries[at]!.path)) removed.push(this.#entries[at]!.path);
    }
    return removed;
  }

  #changed(at: number): boolean {
    return this.#seen[at] !== TYPE_CODE[this.#entries[at]!.type];
  }

  /** Does an ancestor of `path` leave the tree or change type (and so come off whole)? */
  #removedAncestor(path: string): boolean {
    for (let slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
      const at = this.#byPath.get(path.slice(0, slash));
      if (at !== undefined && this.#changed(at)) return true;
    }
    return false;
  }
}

/** A file the link does not store again: its parent's entry, with the times and inode lstat gives now. */
export function carriedEntry(
  archivePath: string,
  before: ManifestEntry,
  stats: ChangeStats,
  level: Exclude<Level, 'full'>,
  parentId: string,
): ManifestEntry {
  const entry: ManifestEntry = {
    path: archivePath,
    type: 'file',
    mode: before.mode,
    mtime: before.mtime,
    size: before.size,
    sha256: before.sha256,
    ino: stats.ino,
    ctimeMs: stats.ctimeMs,
    mtimeMs: stats.mtimeMs,
    // a differential's parent is its base, a full snapshot: its files are all its own
    in: level === 'differential' ? parentId : (before.in ?? parentId),
  };
  if (before.blocks) entry.blocks = before.blocks;
  return entry;
}

/**
 * The manifest line of a carried file, made from the parent's line rather than serialised
 * again (JSON.stringify of the benchmark's 20,000 entries: 15-20 ms): the parent's entry less
 * its place in the parent's archive ("at"), and with `in`. Only where that is `entry` (its
 * inode and times the parent's, as unchangedSince found them): a line that already names
 * the link `entry` does, or that names none and has one "at" as JSON.stringify writes it.
 * Anything else (a block delta, a line written some other way) is undefined: serialise
 * `entry`. A key the parent's entry has that ripcord does not write is carried with it.
 */
export function carriedLine(line: string | undefined, before: ManifestEntry, entry: ManifestEntry): string | undefined {
  if (line === undefined || entry.in === undefined || before.delta !== undefined || !line.endsWith('}'))
    return undefined;
  if (before.in !== undefined) return before.in === entry.in && before.at === undefined ? line : undefined;
  // (Inside a JSON string every quote is escaped: "at": can only be a key.)
  const first = line.indexOf('"at":');
  if (before.at === undefined) return first === -1 ? `${line.slice(0, -1)}${inField(entry.in)}` : undefined;
  const at = `,"at":${before.at}`;
  const next = line[first - 1 + at.length];
  if (first < 1 || !line.startsWith(at, first - 1) || (next !== ',' && next !== '}')) return undefined;
  if (line.indexOf('"at":', first + 1) !== -1) return undefined; // two of them
  return `${line.slice(0, first - 1)}${line.slice(first - 1 + at.length, -1)}${inField(entry.in)}`;
}

/** `,"in":"<id>"}`, made once for a run of carried files of the same link. */
function inField(id: string): string {
  if (id !== lastIn.id) lastIn = { id, field: `,"in":${JSON.stringify(id)}}` };
  return lastIn.field;
}

let lastIn = { id: '', field: ',"in":""}' };
