/** Does an archive entry match what the manifest promises? Shared by verify and restore. */
import type { TarEntry } from '../archive/tar-reader.ts';
import type { ManifestEntry } from '../domain/manifest.ts';
/** Header-level mismatch (before reading the body), as one line, or undefined. */
export declare function headerMismatch(entry: TarEntry, expected: ManifestEntry): string | undefined;
/** Content and metadata mismatch once the body has been hashed, or undefined. */
export declare function contentMismatch(entry: TarEntry, expected: ManifestEntry, size: number, sha256: string): string | undefined;
