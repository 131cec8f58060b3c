/** Does an archive entry match what the manifest promises? Shared by verify, restore and dump. */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TarEntry } from '../archive/tar-reader.ts';
import type { ManifestEntry } from '../domain/manifest.ts';
import { formatMode } from '../domain/manifest.ts';
import { IntegrityError } from '../domain/errors.ts';

/** Header-level mismatch (before reading the body), as one line, or undefined. */
export function headerMismatch(entry: TarEntry, expected: ManifestEntry): string | undefined {
  if (entry.path !== expected.path) return `the archive holds ${entry.path} where the manifest lists ${expected.path}`;
  if (entry.kind !== expected.type)
    return `${entry.path} is a ${entry.kind} in the archive but a ${expected.type} in the manifest`;
  if (expected.type === 'symlink' && entry.linkTarget !== expected.target)
    return `${entry.path} points elsewhere in the archive than the manifest says`;
  return undefined;
}

/** Content and metadata mismatch once the body has been hashed, or undefined. */
export function contentMismatch(
  entry: TarEntry,
  expected: ManifestEntry,
  size: number,
  sha256: string,
): string | undefined {
  if (expected.type === 'file') {
    if (size !== expected.size)
      return `${entry.path} is ${size} bytes in the archive but ${expected.size} in the manifest`;
    if (sha256 !== expected.sha256) return `${entry.path} does not match its sha256 in the manifest`;
  }
  if (formatMode(entry.mode) !== expected.mode)
    return `${entry.path} has mode ${formatMode(entry.mode)} in the archive but ${expected.mode} in the manifest`;
  if (Math.floor(entry.mtime) !== expected.mtime)
    return `${entry.path} has a different modification time in the archive and the manifest`;
  return undefined;
}

/**
 * A pass-through that hashes and counts what goes through it; with `limit`, the first byte
 * past it fails the stream before it goes on (a small archive may unpack to gigabytes).
 */
export function measuring(limit?: { bytes: number; what: string }): {
  stream: Transform;
  result(): { bytes: number; sha256: string };
} {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      if (limit && bytes > limit.bytes)
        callback(new IntegrityError(`${limit.what} holds more than the ${limit.bytes} bytes the manifest lists`));
      else callback(null, chunk);
    },
  });
  return { stream, result: () => ({ bytes, sha256: hash.digest('hex') }) };
}
