/**
 * What a restore asks of its target folder, never looking through a link on the way: what is
 * at a name now, whether a link leads out, and making the real folders an entry goes into.
 * Shared by the plan (restore-plan.ts) and the apply step (restore.ts).
 */
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import type { Stats } from 'node:fs';
import * as path from 'node:path';
import { ancestorsOf, symlinkEscapes, symlinkResolvesOutside } from '../domain/entry-safety.ts';
import type { TargetNode } from '../domain/entry-safety.ts';
import { UnsafeEntryError } from '../domain/errors.ts';
import type { ManifestEntry } from '../domain/manifest.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';

/** The name of a restore's private staging folder inside its target (a reserved name). */
export const STAGING_PREFIX = '.ripcord-restore-';

export function realPathOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** Why a link at `name` leads out of the target, by its text or once resolved, or undefined. */
export function linkLeavesTarget(
  target: string,
  name: string,
  linkTarget: string,
  lookup: (name: string) => TargetNode,
): string | undefined {
  if (symlinkEscapes(name, linkTarget, target)) return `points outside the target ${target}`;
  return symlinkResolvesOutside(name, linkTarget, [...new Set([target, realPathOrSelf(target)])], lookup);
}

/** What the target holds at a name now, never looking through a link or a file on the way. */
export function targetLookup(target: string): (name: string) => TargetNode {
  const seen = new Map<string, TargetNode>();
  return (name) => {
    if (seen.has(name)) return seen.get(name);
    // below a link or a file the target has nothing (a folder the restore makes there starts empty)
    const stats = passesThroughLink(target, name) ? undefined : lstatOrUndefined(path.join(target, name));
    const node: TargetNode = !stats
      ? undefined
      : stats.isSymbolicLink()
        ? { type: 'symlink', target: readlinkSync(path.join(target, name)) }
        : { type: 'other' };
    seen.set(name, node);
    return node;
  };
}

/** True when some ancestor of `name` inside the target is not a real directory (a symlink, a file). */
export function passesThroughLink(target: string, name: string): boolean {
  return ancestorsOf(name).some((ancestor) => {
    const stats = lstatOrUndefined(path.join(target, ancestor));
    return stats !== undefined && !stats.isDirectory();
  });
}

/** Paths with no ancestor in the list. */
export function topMost(paths: string[]): string[] {
  const set = new Set(paths);
  return paths.filter((p) => !ancestorsOf(p).some((a) => set.has(a)));
}

/**
 * Metadata calls are synchronous here: a restore makes tens of thousands of tiny ones, and a
 * round trip through the thread pool costs more than each call itself.
 */
export function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/**
 * Every ancestor of an entry inside the target must be a real directory, or be replaced
 * by a directory from the snapshot before the entry is written: never write through a link.
 */
export function checkAncestorsInTarget(
  target: string,
  entry: ManifestEntry,
  directories: Set<string>,
  safe: Set<string>,
  snapshot: SnapshotMetadata,
): void {
  for (const ancestor of ancestorsOf(entry.path)) {
    if (safe.has(ancestor)) continue;
    const stats = lstatOrUndefined(path.join(target, ancestor));
    if (!stats || stats.isDirectory()) {
      safe.add(ancestor);
      continue;
    }
    const replacedByDirectory = directories.has(ancestor);
    if (!replacedByDirectory) {
      throw new UnsafeEntryError(
        `restoring ${entry.path} from snapshot ${snapshot.id} would write through ${path.join(target, ancestor)}, which is a ${stats.isSymbolicLink() ? 'symlink' : 'file'} in the target; move it away or restore into another --target`,
      );
    }
  }
}

/** Create missing ancestors; refuse any ancestor that is not a real directory. */
export function ensureRealDirectories(target: string, name: string, real: Set<string>): void {
  for (const ancestor of ancestorsOf(name)) {
    if (real.has(ancestor)) continue;
    const full = path.join(target, ancestor);
    const stats = lstatOrUndefined(full);
    if (!stats) mkdirSync(full, { mode: 0o755 });
    else if (!stats.isDirectory())
      throw new UnsafeEntryError(`${full} is not a directory; refusing to write through it`);
    real.add(ancestor);
  }
}

/** The mode bits a new file gets as asked, under this process's umask (learned from a probe file: process.umask() to read it is deprecated). */
export function modesCreatable(dir: string): number {
  const probe = path.join(dir, 'umask-probe');
  const fd = openSync(probe, 'wx', 0o777);
  try {
    return fstatSync(fd).mode & 0o777;
  } finally {
    closeSync(fd);
    rmSync(probe);
  }
}
