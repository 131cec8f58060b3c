import type { Stats } from 'node:fs';
export interface SourceEntry {
    /** where it is on disk */
    fsPath: string;
    /** name in the archive */
    archivePath: string;
    type: 'file' | 'directory' | 'symlink';
    stats: Stats;
    target?: string;
    /** a file: record its content-defined blocks in the manifest (a chain link's changed large file, for a later delta) */
    blocks?: true;
}
/** What change detection compares of a file's lstat (ops/incremental.ts). */
export type ChangeStats = Pick<Stats, 'size' | 'mode' | 'mtimeMs' | 'ctimeMs' | 'ino'>;
/**
 * An entry as a walk on another thread saw it (archive/walk-thread.ts): enough to tell a file
 * that has not changed since a parent snapshot, which is then not looked at again; anything
 * that is stored is (sourceAt), since a Stats object does not cross threads.
 */
export interface SeenEntry {
    fsPath: string;
    archivePath: string;
    type: SourceEntry['type'];
    seen: ChangeStats;
}
export interface WalkOptions {
    cwd: string;
    exclude?: readonly string[];
    /** absolute paths never to descend into (the repository itself) */
    skip?: readonly string[];
    onWarning?: (message: string) => void;
}
export interface SourceRoot {
    fsPath: string;
    /** the stored name; "" when the root is the working directory itself */
    archivePath: string;
    /** does not exist (allowed for pre-restore snapshots: restoring them removes it again) */
    missing?: boolean;
}
/** Check every path exists and map it to its archive name, before anything is written. */
export declare function resolveRoots(paths: readonly string[], cwd: string, options?: {
    allowMissing?: boolean;
}): Promise<SourceRoot[]>;
export declare function createExcludeMatcher(patterns: readonly string[]): (archivePath: string) => boolean;
/**
 * Depth first, synchronously: the metadata calls are faster in this thread than queued on the
 * pool behind gzip work (and than many in flight at once: measured on the benchmark's 20,000
 * files, 150 ms with each folder's lstat calls in parallel, 85 ms one after another). One loop
 * over a stack of paths to visit, not a generator per folder, and names joined by hand, not by
 * path.join: 110-160 ms for those 20,000 files, 85-90 ms so.
 */
export declare function walkSources(roots: readonly SourceRoot[], options: WalkOptions): Generator<SourceEntry>;
/**
 * The entry at `fsPath` as a walk gives it (lstat, and readlink for a symlink), or undefined
 * with a warning: gone since its folder was read (a root must exist), or a FIFO, socket or
 * device. What a walk on another thread saw of an entry is looked at again here before it is
 * stored (see SeenEntry).
 */
export declare function sourceAt(fsPath: string, archivePath: string, warn: (message: string) => void, isRoot?: boolean): SourceEntry | undefined;
/** Sum files and bytes without keeping anything, for progress totals. */
export declare function measureSources(roots: readonly SourceRoot[], options: WalkOptions): Promise<{
    files: number;
    bytes: number;
}>;
