/**
 * A manifest's plaintext as lines: all of them (linesOf), or only the header, the trailer
 * and the entry lines a selector keeps (selectedLines), and parsed into entries
 * (parseManifest). Nothing here decrypts or authenticates: read-snapshot.ts does, and uses
 * nothing parsed before the message has ended cleanly.
 */
import type { Readable } from 'node:stream';
import type { ManifestEntry, ManifestTrailer } from '../domain/manifest.ts';
export interface ManifestReader {
    roots: string[];
    entries: AsyncGenerator<ManifestEntry>;
    /** set once `entries` is exhausted */
    trailer(): ManifestTrailer;
}
/** Parse manifest lines from a plaintext stream. */
export declare function parseManifest(lines: AsyncIterable<string>): Promise<ManifestReader>;
/**
 * Every entry of a manifest's plaintext, parsed a chunk at a time. What reading a whole
 * manifest costs: a chain link's parent is read this way before its walk, and a line at a
 * time through async iterators took 160 ms of the benchmark's 20,000-file incremental.
 * With `lines`, each entry's line as well, as the manifest has it (a leading "," included).
 */
export declare function readManifestEntries(stream: Readable, options?: {
    lines?: boolean;
}): Promise<{
    roots: string[];
    entries: ManifestEntry[];
    trailer: ManifestTrailer;
    lines?: string[];
}>;
/**
 * The lines of a UTF-8 stream (LineSplitter). Not node:readline: its iterator waits forever on
 * a stream that failed before it was attached (a wrong passphrase fails the manifest while the
 * archive is still being opened), and a pending promise with nothing left to run lets Node exit
 * as if the command had succeeded. A stream's own iterator rejects with the stream's error
 * however late it comes.
 */
export declare function linesOf(stream: Readable): AsyncGenerator<string>;
/** Which entry lines of a manifest to parse, by a cheap look at their bytes (see selectedLines). */
export interface LineSelector {
    keep(line: Buffer): boolean;
    /**
     * Bytes every line worth showing to `keep` holds, while it has them: the lines between are
     * passed over by one search of the chunk, not looked at one by one (15 ms of a 0.3 s
     * `dump`). Undefined: show it every line.
     */
    seek?(): Buffer | undefined;
}
/**
 * The header line, the trailer and the lines `select` keeps of a manifest's plaintext, as
 * text; the others are passed over as bytes, never decoded (linesOf's limits hold). Lines
 * are cut from the chunk itself; only a line that spans chunks is copied.
 */
export declare function selectedLines(stream: Readable, select: LineSelector): AsyncGenerator<string>;
