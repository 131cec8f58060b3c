/**
 * Which archive entries may ever be written under a restore target. Pure rules on names;
 * restore also checks the target itself (never writing through an existing symlink).
 */
import * as path from 'node:path';

/** Why this stored name must not be restored, or undefined when it is safe. */
export function unsafePathReason(name: string): string | undefined {
  if (name === '') return 'has an empty name';
  if (name.includes('\0')) return 'has a NUL byte in its name';
  if (name.startsWith('/')) return 'has an absolute path';
  const parts = name.split('/');
  if (parts.some((p) => p === '..')) return 'has a ".." component that escapes the target';
  if (parts.some((p) => p === '' || p === '.')) return 'has an empty or "." component in its name';
  return undefined;
}

/** True when a symlink stored at `name` with this target points outside `root` (lexically). */
export function symlinkEscapes(name: string, linkTarget: string, root: string): boolean {
  if (linkTarget === '' || linkTarget.includes('\0')) return true;
  const absoluteRoot = path.resolve(root);
  const resolved = path.isAbsolute(linkTarget)
    ? path.resolve(linkTarget)
    : path.resolve(absoluteRoot, path.dirname(name), linkTarget);
  return resolved !== absoluteRoot && !resolved.startsWith(absoluteRoot + path.sep);
}

/** Every proper ancestor of a stored name: "a/b/c" -> ["a", "a/b"]. */
export function ancestorsOf(name: string): string[] {
  const parts = name.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** setuid and setgid never come back from an archive. */
export function safeMode(mode: number): number {
  return mode & 0o1777;
}

/** What a name inside the restore target will be: a symlink (with its target), something else, or nothing. */
export type TargetNode = { type: 'symlink'; target: string } | { type: 'other' } | undefined;

/** Linux gives up after 40 links in one path (ELOOP); so does the check. */
export const MAX_LINK_HOPS = 40;

/**
 * Does a symlink stored at `name` lead out of the target once every link on its way is
 * followed, as the kernel would follow them? Names are resolved one component at a time
 * through `lookup`, which knows the tree as it will be after the restore (the snapshot's
 * entries over what the target already holds); a ".." climbs from where the links led,
 * not from the text. `targetPaths` are the target's absolute spellings (as given, and
 * its real path), against which an absolute link is taken. Returns why it leaves, or
 * undefined when every step stays inside.
 */
export function symlinkResolvesOutside(
  name: string,
  linkTarget: string,
  targetPaths: readonly string[],
  lookup: (name: string) => TargetNode,
): string | undefined {
  let current = name.split('/').slice(0, -1);
  let pending: string[] = [];
  let hops = 0;
  let via = '';
  const enter = (link: string): string | undefined => {
    if (link === '' || link.includes('\0')) return 'has an empty or NUL target';
    if (!link.startsWith('/')) {
      pending = [...link.split('/'), ...pending];
      return undefined;
    }
    const parts = link.split('/').filter((p) => p !== '' && p !== '.');
    const base = targetPaths.map((t) => t.split('/').filter(Boolean)).find((t) => t.every((p, i) => parts[i] === p));
    if (!base) return `points to ${link}, outside the target`;
    current = [];
    pending = [...parts.slice(base.length), ...pending];
    return undefined;
  };
  const first = enter(linkTarget);
  if (first) return first;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (current.length === 0)
        return via ? `climbs above the target (after following ${via})` : 'climbs above the target';
      current.pop();
      continue;
    }
    const next = [...current, part];
    const node = lookup(next.join('/'));
    if (node?.type !== 'symlink') {
      current = next;
      continue;
    }
    hops += 1;
    if (hops > MAX_LINK_HOPS) return `does not resolve within ${MAX_LINK_HOPS} links (a loop)`;
    const through = enter(node.target);
    if (through) return `leads through ${next.join('/')}, which ${through}`;
    via = next.join('/');
  }
  return undefined;
}
