/**
 * A streaming tar parser: ustar, POSIX pax ('x' and 'g' extended headers), GNU tar
 * (base-256 numbers, 'L'/'K' long names) and old v7 headers.
 *
 * It never buffers an entry: bodies are handed out as views (subarrays) of the input
 * chunks, and only metadata blocks (pax headers up to 1 MiB, GNU long names up to
 * 64 KiB) are ever copied. Malformed input always ends in a TarFormatError.
 *
 * Names are returned exactly as stored (decoded as UTF-8): the reader does not check
 * them for '..', absolute paths, or anything else. That is the caller's job.
 */
import type { PaxAttributes, TarEntry } from './tar-header.ts';
import {
  BLOCK,
  buildEntry,
  cString,
  padding,
  readNumber,
  SIZE,
  TarFormatError,
  TYPEFLAG,
  verifyBlock,
} from './tar-header.ts';
import { parsePax } from './tar-pax.ts';

export type { TarEntry, TarEntryKind } from './tar-header.ts';
export { TarFormatError } from './tar-header.ts';

export interface TarItem {
  entry: TarEntry;
  /**
   * The content: views of the input chunks, valid only until the next item is asked
   * for (an unconsumed remainder is skipped then; reading it afterwards throws), and with
   * `release` (ReadTarOptions) only until the next chunk is.
   */
  body: AsyncIterable<Buffer>;
}

export interface ReadTarOptions {
  /**
   * Called with each input chunk once the reader has moved past it, when nothing it handed
   * out is read again, provided that each body chunk is done with before the next is asked
   * for: to give the chunk's memory back at once (reclaim.ts releaseBuffer).
   */
  release?: (chunk: Buffer) => void;
}

const MAX_PAX_SIZE = 1 << 20;
const MAX_LONG_NAME = 64 << 10;

const EMPTY = Buffer.alloc(0);

/** Pulls bytes from the source iterator; keeps one input chunk and a position in it. */
class Input {
  private readonly it: AsyncIterator<Uint8Array>;
  buf: Buffer = EMPTY;
  pos = 0;
  /** bytes of input before `buf` */
  private base = 0;
  private ended = false;
  private busy = false;
  private readonly scratch = Buffer.allocUnsafe(BLOCK);

  constructor(
    source: AsyncIterable<Uint8Array>,
    private readonly release?: (chunk: Buffer) => void,
  ) {
    this.it = source[Symbol.asyncIterator]();
  }

  get offset(): number {
    return this.base + this.pos;
  }

  /** Make at least one byte available at `pos`; false at the end of input. */
  async more(): Promise<boolean> {
    if (this.busy) {
      throw new Error('readTar: concurrent reads (read one body at a time, and not while asking for the next entry)');
    }
    this.busy = true;
    try {
      while (this.pos >= this.buf.length) {
        if (this.ended) return false;
        const r = await this.it.next();
        this.base += this.buf.length;
        this.pos = 0;
        if (this.release && this.buf !== EMPTY) this.release(this.buf);
        if (r.done) {
          this.ended = true;
          this.buf = EMPTY;
          return false;
        }
        const c: unknown = r.value;
        if (!(c instanceof Uint8Array)) throw new TypeError('readTar: input chunks must be Buffers or Uint8Arrays');
        this.buf = Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
      }
      return true;
    } finally {
      this.busy = false;
    }
  }

  /**
   * The next 512-byte block, or null at a clean end of input. The block may be a view
   * of the input or a shared scratch buffer: use it before reading anything else.
   */
  /** The next block if it is whole in the current chunk (no await), else undefined. */
  blockNow(): Buffer | undefined {
    if (this.buf.length - this.pos < BLOCK) return undefined;
    const b = this.buf.subarray(this.pos, this.pos + BLOCK);
    this.pos += BLOCK;
    return b;
  }

  async block(): Promise<Buffer | null> {
    if (this.pos >= this.buf.length && !(await this.more())) return null;
    if (this.buf.length - this.pos >= BLOCK) {
      const b = this.buf.subarray(this.pos, this.pos + BLOCK);
      this.pos += BLOCK;
      return b;
    }
    return this.gather(this.scratch, BLOCK, 'a header');
  }

  /** Exactly n bytes (n is capped by the caller), as a view when possible. */
  async bytes(n: number, what: string): Promise<Buffer> {
    if (n === 0) return EMPTY;
    if (this.pos >= this.buf.length && !(await this.more())) throw truncated(what, this.offset);
    if (this.buf.length - this.pos >= n) {
      const b = this.buf.subarray(this.pos, this.pos + n);
      this.pos += n;
      return b;
    }
    return this.gather(Buffer.allocUnsafe(n), n, what);
  }

  private async gather(out: Buffer, n: number, what: string): Promise<Buffer> {
    let got = 0;
    while (got < n) {
      if (this.pos >= this.buf.length && !(await this.more())) throw truncated(what, this.offset);
      const take = Math.min(n - got, this.buf.length - this.pos);
      this.buf.copy(out, got, this.pos, this.pos + take);
      this.pos += take;
      got += take;
    }
    return out;
  }

  /** Skip n bytes if they are all in the current chunk (no await). */
  skipNow(n: number): boolean {
    if (this.buf.length - this.pos < n) return false;
    this.pos += n;
    return true;
  }

  async skip(n: number, what: string): Promise<void> {
    while (n > 0) {
      if (this.pos >= this.buf.length && !(await this.more())) throw truncated(what, this.offset);
      const take = Math.min(n, this.buf.length - this.pos);
      this.pos += take;
      n -= take;
    }
  }

  /** Read and discard the rest of the input (so upstream integrity checks run). */
  async drain(): Promise<void> {
    this.pos = this.buf.length;
    while (await this.more()) this.pos = this.buf.length;
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    try {
      await this.it.return?.();
    } catch {
      // the source's own cleanup failure is not ours to report
    }
  }
}

function truncated(what: string, offset: number): TarFormatError {
  return new TarFormatError(`truncated tar archive: input ends inside ${what} (offset ${offset})`);
}

/** An entry's content, read straight from the input. */
class Body implements AsyncIterableIterator<Buffer> {
  private left: number;
  private detached = false;

  constructor(
    private readonly input: Input,
    size: number,
  ) {
    this.left = size;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Buffer> {
    return this;
  }

  async next(): Promise<IteratorResult<Buffer, undefined>> {
    if (this.left === 0) return { done: true, value: undefined };
    if (this.detached) {
      throw new Error(
        'readTar: an entry body was read after the next entry was requested (or iteration ended); its content was skipped',
      );
    }
    const input = this.input;
    if (input.pos >= input.buf.length && !(await input.more())) throw truncated('file content', input.offset);
    const take = Math.min(this.left, input.buf.length - input.pos);
    const chunk = input.buf.subarray(input.pos, input.pos + take);
    input.pos += take;
    this.left -= take;
    return { done: false, value: chunk };
  }

  async return(): Promise<IteratorResult<Buffer, undefined>> {
    return { done: true, value: undefined };
  }

  /** The reader moves on: returns how many content bytes are left to skip. */
  detach(): number {
    this.detached = true;
    return this.left;
  }
}

/**
 * Parse a tar stream. The caller may consume or ignore each item's body; an
 * unconsumed body is skipped before the next item. Stops at the end-of-archive marker
 * (one or two zero blocks; the rest of the input is then read and discarded, so that
 * upstream checks such as a gzip CRC still run) or at a clean end of input after a
 * complete entry. Empty input is not an archive and throws TarFormatError.
 */
export async function* readTar(
  source: AsyncIterable<Uint8Array>,
  options: ReadTarOptions = {},
): AsyncGenerator<TarItem> {
  const input = new Input(source, options.release);
  const global: PaxAttributes = {};
  let finished = false;
  let body: Body | undefined;
  try {
    for (;;) {
      let pax: PaxAttributes | null = null;
      let longName: string | undefined;
      let longLink: string | undefined;
      let pending = false; // extended headers read that still need their entry
      let header: Buffer;
      let at: number;
      for (;;) {
        at = input.offset;
        const block = input.blockNow() ?? (await input.block());
        if (block === null) {
          if (pending) throw truncated('an entry (after its extended header)', at);
          if (at === 0) throw new TarFormatError('empty input: not a tar archive');
          finished = true;
          return;
        }
        if (!verifyBlock(block, at)) {
          // an all-zero block: end of archive
          if (pending) throw new TarFormatError(`tar archive ends right after an extended header (offset ${at})`);
          await input.drain();
          finished = true;
          return;
        }
        const tf = block[TYPEFLAG];
        if (tf === 0x78 /* x */ || tf === 0x67 /* g */) {
          const size = readNumber(block, SIZE, 12, 'size', at);
          if (size > MAX_PAX_SIZE)
            throw new TarFormatError(`pax header of ${size} bytes at offset ${at} exceeds 1 MiB`);
          const data = await input.bytes(size, 'a pax header');
          if (tf === 0x78) {
            pax ??= {};
            parsePax(data, pax, false, at);
            pending = true;
          } else {
            parsePax(data, global, true, at);
          }
          await input.skip(padding(size), 'a pax header');
          continue;
        }
        if (tf === 0x4c /* L */ || tf === 0x4b /* K */) {
          const size = readNumber(block, SIZE, 12, 'size', at);
          if (size > MAX_LONG_NAME)
            throw new TarFormatError(`GNU long name of ${size} bytes at offset ${at} exceeds 64 KiB`);
          const data = await input.bytes(size, 'a GNU long name');
          const name = cString(data, 0, data.length);
          if (tf === 0x4c) longName = name;
          else longLink = name;
          pending = true;
          await input.skip(padding(size), 'a GNU long name');
          continue;
        }
        header = block;
        break;
      }

      const { entry, dataSize } = buildEntry(header, pax, global, longName, longLink, at);
      // Like GNU tar, data following a directory header is not skipped; every other
      // non-file type has its data (if any) skipped.
      const skip = entry.kind === 'file' ? 0 : header[TYPEFLAG] === 0x35 ? 0 : dataSize;
      body = new Body(input, entry.size);
      yield { entry, body };
      const rest = body.detach() + skip + padding(entry.size + skip);
      body = undefined;
      if (rest > 0 && !input.skipNow(rest)) await input.skip(rest, entry.size > 0 ? 'file content' : 'entry data');
    }
  } finally {
    body?.detach();
    if (!finished) await input.close();
  }
}
