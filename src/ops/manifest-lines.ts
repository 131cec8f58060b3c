/**
 * A manifest's plaintext as lines: all of them (linesOf), or only the header, the trailer
 * and the entry lines a selector keeps (selectedLines), and parsed into entries
 * (parseManifest). Nothing here decrypts or authenticates: read-snapshot.ts does, and uses
 * nothing parsed before the message has ended cleanly.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { IntegrityError } from '../domain/errors.ts';
import type { ManifestEntry, ManifestTrailer } from '../domain/manifest.ts';
import { parseManifestLine } from '../domain/manifest.ts';

export interface ManifestReader {
  roots: string[];
  entries: AsyncGenerator<ManifestEntry>;
  /** set once `entries` is exhausted */
  trailer(): ManifestTrailer;
}

/**
 * A manifest's lines, parsed one after another: the header first, then entries, then the
 * trailer. Synchronous, so that a reader that has a chunk's worth of lines parses them in one
 * go (readManifestEntries) rather than one turn of the event loop each.
 */
class ManifestParser {
  roots: string[] | undefined;
  #trailer: ManifestTrailer | undefined;
  #index = 0;

  /** The entry on this line, or undefined for the header and the trailer. */
  line(text: string): ManifestEntry | undefined {
    const index = this.#index++;
    const line = parseManifestLine(text, index);
    if (index === 0) {
      if (line.kind !== 'header') throw new IntegrityError('the manifest has no header');
      this.roots = line.roots;
      return undefined;
    }
    if (line.kind === 'trailer') {
      this.#trailer = line.trailer;
      return undefined;
    }
    if (line.kind !== 'entry' || this.#trailer) throw new IntegrityError('the manifest is malformed');
    return line.entry;
  }

  trailer(): ManifestTrailer {
    if (this.#index === 0) throw new IntegrityError('the manifest is empty');
    if (!this.#trailer) throw new IntegrityError('the manifest has no trailer (truncated)');
    return this.#trailer;
  }
}

/** Parse manifest lines from a plaintext stream. */
export async function parseManifest(lines: AsyncIterable<string>): Promise<ManifestReader> {
  const iterator = lines[Symbol.asyncIterator]();
  const parser = new ManifestParser();
  const first = await iterator.next();
  if (first.done) throw new IntegrityError('the manifest is empty');
  parser.line(first.value);
  async function* entries(): AsyncGenerator<ManifestEntry> {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const entry = parser.line(next.value);
      if (entry) yield entry;
    }
  }
  return { roots: parser.roots!, entries: entries(), trailer: () => parser.trailer() };
}

/**
 * Every entry of a manifest's plaintext, parsed a chunk at a time. What reading a whole
 * manifest costs: a chain link's parent is read this way before its walk, and a line at a
 * time through async iterators took 160 ms of the benchmark's 20,000-file incremental.
 * With `lines`, each entry's line as well, as the manifest has it (a leading "," included).
 */
export async function readManifestEntries(
  stream: Readable,
  options: { lines?: boolean } = {},
): Promise<{ roots: string[]; entries: ManifestEntry[]; trailer: ManifestTrailer; lines?: string[] }> {
  const parser = new ManifestParser();
  const split = new LineSplitter();
  const entries: ManifestEntry[] = [];
  const kept = options.lines ? ([] as string[]) : undefined;
  const take = (lines: string[]) => {
    for (const line of lines) {
      const entry = parser.line(line);
      if (entry) {
        entries.push(entry);
        kept?.push(line);
      }
    }
  };
  // not destroyed when a line fails: the caller reads on, to tell damage from a wrong key
  for await (const chunk of stream.iterator({ destroyOnReturn: false })) take(split.push(chunk as Buffer));
  take(split.end());
  const trailer = parser.trailer();
  return { roots: parser.roots!, entries, trailer, ...(kept ? { lines: kept } : {}) };
}

const MAX_LINE = 1 << 20;

/**
 * Cuts a UTF-8 stream into lines ("\n" or "\r\n"), a chunk at a time. A line longer than
 * MAX_LINE (no manifest line comes near it) fails, so a hostile stream cannot grow memory
 * without bound.
 */
class LineSplitter {
  #decoder = new StringDecoder('utf8');
  #partial = '';

  push(chunk: Buffer): string[] {
    const lines = (this.#partial + this.#decoder.write(chunk)).split('\n');
    this.#partial = lines.pop()!;
    if (this.#partial.length > MAX_LINE)
      throw new IntegrityError(`a line longer than ${MAX_LINE >> 20} MiB: this is not a manifest`);
    for (let i = 0; i < lines.length; i++) if (lines[i]!.endsWith('\r')) lines[i] = lines[i]!.slice(0, -1);
    return lines;
  }

  end(): string[] {
    const last = this.#partial + this.#decoder.end();
    this.#partial = '';
    return last === '' ? [] : [last.endsWith('\r') ? last.slice(0, -1) : last];
  }
}

/**
 * The lines of a UTF-8 stream (LineSplitter). Not node:readline: its iterator waits forever on
 * a stream that failed before it was attached (a wrong passphrase fails the manifest while the
 * archive is still being opened), and a pending promise with nothing left to run lets Node exit
 * as if the command had succeeded. A stream's own iterator rejects with the stream's error
 * however late it comes.
 */
export async function* linesOf(stream: Readable): AsyncGenerator<string> {
  const split = new LineSplitter();
  for await (const chunk of stream) yield* split.push(chunk as Buffer);
  yield* split.end();
}

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

/** The start of a manifest's trailer line ("],"), with the newline before it. */
const TRAILER_START = Buffer.from('\n],');

/**
 * The header line, the trailer and the lines `select` keeps of a manifest's plaintext, as
 * text; the others are passed over as bytes, never decoded (linesOf's limits hold). Lines
 * are cut from the chunk itself; only a line that spans chunks is copied.
 */
export async function* selectedLines(stream: Readable, select: LineSelector): AsyncGenerator<string> {
  let carry: Buffer | undefined;
  let first = true;
  const pick = (line: Buffer): string | undefined => {
    const text = line.at(-1) === 0x0d ? line.subarray(0, -1) : line;
    const chosen = first || (text[0] === 0x5d && text[1] === 0x2c) /* "]," */ || select.keep(text);
    first = false;
    return chosen ? text.toString('utf8') : undefined;
  };
  /** where the next line worth a look starts in `data` at or after `start`, or -1 for none */
  const nextLook = (data: Buffer, start: number): number => {
    const needle = first ? undefined : select.seek?.();
    if (!needle) return start;
    if (start === 0 && data[0] === 0x5d && data[1] === 0x2c) return 0;
    const hit = data.indexOf(needle, start);
    const trailer = data.indexOf(TRAILER_START, Math.max(0, start - 1));
    if (trailer !== -1 && (hit === -1 || trailer < hit)) return trailer + 1;
    return hit === -1 ? -1 : data.lastIndexOf(0x0a, hit) + 1;
  };
  for await (const chunk of stream) {
    const data = chunk as Buffer;
    let start = 0;
    if (carry) {
      const end = data.indexOf(0x0a);
      if (end === -1) carry = Buffer.concat([carry, data]);
      else {
        const line = pick(Buffer.concat([carry, data.subarray(0, end)]));
        carry = undefined;
        start = end + 1;
        if (line !== undefined) yield line;
      }
    }
    while (!carry && start < data.length) {
      const look = nextLook(data, start);
      // nothing here worth a look: only the unfinished line at the end may be
      const from = look === -1 ? data.lastIndexOf(0x0a) + 1 : Math.max(start, look);
      const end = look === -1 ? -1 : data.indexOf(0x0a, from);
      if (end === -1) {
        if (from < data.length) carry = Buffer.from(data.subarray(from));
        break;
      }
      const line = pick(data.subarray(from, end));
      start = end + 1;
      if (line !== undefined) yield line;
    }
    if (carry && carry.length > MAX_LINE)
      throw new IntegrityError(`a line longer than ${MAX_LINE >> 20} MiB: this is not a manifest`);
  }
  const last = carry && carry.length > 0 ? pick(carry) : undefined;
  if (last !== undefined) yield last;
}
