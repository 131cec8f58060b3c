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

/** Parse manifest lines from a plaintext stream. */
export async function parseManifest(lines: AsyncIterable<string>): Promise<ManifestReader> {
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw new IntegrityError('the manifest is empty');
  const header = parseManifestLine(first.value, 0);
  if (header.kind !== 'header') throw new IntegrityError('the manifest has no header');
  let trailer: ManifestTrailer | undefined;
  let index = 1;
  async function* entries(): AsyncGenerator<ManifestEntry> {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const line = parseManifestLine(next.value, index++);
      if (line.kind === 'trailer') {
        trailer = line.trailer;
        continue;
      }
      if (line.kind !== 'entry' || trailer) throw new IntegrityError('the manifest is malformed');
      yield line.entry;
    }
  }
  return {
    roots: header.roots,
    entries: entries(),
    trailer() {
      if (!trailer) throw new IntegrityError('the manifest has no trailer (truncated)');
      return trailer;
    },
  };
}

const MAX_LINE = 1 << 20;

/**
 * The lines of a UTF-8 stream ("\n" or "\r\n"). Not node:readline: its iterator waits
 * forever on a stream that failed before it was attached (a wrong passphrase fails the
 * manifest while the archive is still being opened), and a pending promise with nothing
 * left to run lets Node exit as if the command had succeeded. A stream's own iterator
 * rejects with the stream's error however late it comes. A line longer than MAX_LINE (no
 * manifest line comes near it) fails, so a hostile stream cannot grow memory without bound.
 */
export async function* linesOf(stream: Readable): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  for await (const chunk of stream) {
    const lines = (partial + decoder.write(chunk as Buffer)).split('\n');
    partial = lines.pop()!;
    if (partial.length > MAX_LINE)
      throw new IntegrityError(`a line longer than ${MAX_LINE >> 20} MiB: this is not a manifest`);
    for (const line of lines) yield line.endsWith('\r') ? line.slice(0, -1) : line;
  }
  partial += decoder.end();
  if (partial !== '') yield partial.endsWith('\r') ? partial.slice(0, -1) : partial;
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
