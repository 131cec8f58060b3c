import { Transform } from 'node:stream';
import type { TarEntry } from '../archive/tar-reader.ts';
import type { ManifestEntry } from '../domain/manifest.ts';
/** Header-level mismatch (before reading the body), as one line, or undefined. */
export declare function headerMismatch(entry: TarEntry, expected: ManifestEntry): string | undefined;
/** Content and metadata mismatch once the body has been hashed, or undefined. */
export declare function contentMismatch(entry: TarEntry, expected: ManifestEntry, size: number, sha256: string): string | undefined;
/**
 * A pass-through that hashes and counts what goes through it; with `limit`, the first byte
 * past it fails the stream before it goes on (a small archive may unpack to gigabytes).
 */
export declare function measuring(limit?: {
    bytes: number;
    what: string;
}): {
    stream: Transform;
    result(): {
        bytes: number;
        sha256: string;
    };
};
