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
