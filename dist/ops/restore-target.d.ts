import type { Stats } from 'node:fs';
import type { TargetNode } from '../domain/entry-safety.ts';
import type { ManifestEntry } from '../domain/manifest.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
/** The name of a restore's private staging folder inside its target (a reserved name). */
export declare const STAGING_PREFIX = ".ripcord-restore-";
export declare function realPathOrSelf(file: string): string;
/** Why a link at `name` leads out of the target, by its text or once resolved, or undefined. */
export declare function linkLeavesTarget(target: string, name: string, linkTarget: string, lookup: (name: string) => TargetNode): string | undefined;
/** What the target holds at a name now, never looking through a link or a file on the way. */
export declare function targetLookup(target: string): (name: string) => TargetNode;
/** True when some ancestor of `name` inside the target is not a real directory (a symlink, a file). */
export declare function passesThroughLink(target: string, name: string): boolean;
/** Paths with no ancestor in the list. */
export declare function topMost(paths: string[]): string[];
/**
 * Metadata calls are synchronous here: a restore makes tens of thousands of tiny ones, and a
 * round trip through the thread pool costs more than each call itself.
 */
export declare function lstatOrUndefined(file: string): Stats | undefined;
/**
 * Every ancestor of an entry inside the target must be a real directory, or be replaced
 * by a directory from the snapshot before the entry is written: never write through a link.
 */
export declare function checkAncestorsInTarget(target: string, entry: ManifestEntry, directories: Set<string>, safe: Set<string>, snapshot: SnapshotMetadata): void;
/** Create missing ancestors; refuse any ancestor that is not a real directory. */
export declare function ensureRealDirectories(target: string, name: string, real: Set<string>): void;
/** The mode bits a new file gets as asked, under this process's umask (learned from a probe file: process.umask() to read it is deprecated). */
export declare function modesCreatable(dir: string): number;
