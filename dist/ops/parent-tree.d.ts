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
export declare class ParentTree {
    #private;
    /**
     * The tree of these entries, or the first path they list twice: a manifest that does
     * cannot be restored, nor could a link that builds on it. `lines`: each entry's manifest
     * line, as the manifest has it (with its leading ","), when known.
     */
    static of(entries: readonly ManifestEntry[], lines?: readonly string[]): ParentTree | {
        twice: string;
    };
    private constructor();
    /** The position of the entry for `path`, or -1 when the parent has none. */
    find(path: string): number;
    entry(at: number): ManifestEntry;
    /** The entry's manifest line, without the "," that separates it from the line before; undefined when not known. */
    line(at: number): string | undefined;
    /**
     * Let the lines go (line() gives undefined from here on): the manifest's text, 6 MB for the
     * benchmark's 20,000 entries, which a link that stores files needs the room of. With every
     * line kept to the end, the benchmark's 1 %-changed incremental peaked at a median of 121
     * MiB against 113 before lines were kept (8 alternating rounds each, Node 24); dropped
     * before its first stored file, 116.
     */
    dropLines(): void;
    /** The walk saw an entry of `type` at the path of the entry at `at` (undefined: nothing, after all). */
    saw(at: number, type: EntryType | undefined): void;
    /** Every entry, in manifest order. */
    entries(): Generator<ManifestEntry>;
    /**
     * The paths of the entries the walk did not see with the type they had (gone, or changed
     * type), in manifest order; less those under a folder that is itself in the list, which
     * removing the folder takes with it.
     */
    removed(): string[];
}
/** A file the link does not store again: its parent's entry, with the times and inode lstat gives now. */
export declare function carriedEntry(archivePath: string, before: ManifestEntry, stats: ChangeStats, level: Exclude<Level, 'full'>, parentId: string): ManifestEntry;
/**
 * The manifest line of a carried file, made from the parent's line rather than serialised
 * again (JSON.stringify of the benchmark's 20,000 entries: 15-20 ms): the parent's entry less
 * its place in the parent's archive ("at"), and with `in`. Only where that is `entry` (its
 * inode and times the parent's, as unchangedSince found them): a line that already names
 * the link `entry` does, or that names none and has one "at" as JSON.stringify writes it.
 * Anything else (a block delta, a line written some other way) is undefined: serialise
 * `entry`. A key the parent's entry has that ripcord does not write is carried with it.
 */
export declare function carriedLine(line: string | undefined, before: ManifestEntry, entry: ManifestEntry): string | undefined;
