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

export type TarEntryKind =
  | 'file'
  | 'directory'
  | 'symlink'
  | 'hardlink'
  | 'fifo'
  | 'char-device'
  | 'block-device'
  | 'other';

export interface TarEntry {
  /** the name exactly as stored (pax 'path', GNU 'L', or ustar prefix + name); only ONE trailing '/' of a directory is removed */
  path: string;
  kind: TarEntryKind;
  /** raw typeflag character */
  typeflag: string;
  /** permission bits (& 0o7777) */
  mode: number;
  uid: number;
  gid: number;
  /** content bytes the body yields: 0 for everything but files */
  size: number;
  /** seconds since epoch (a pax mtime may be fractional: the fraction is kept) */
  mtime: number;
  /** symlink or hardlink target (pax 'linkpath' / GNU 'K' / ustar linkname) */
  linkTarget?: string;
  uname?: string;
  gname?: string;
}

export interface TarItem {
  entry: TarEntry;
  /**
   * The content: views of the input chunks, valid only until the next item is asked
   * for (an unconsumed remainder is skipped then; reading it afterwards throws).
   */
  body: AsyncIterable<Buffer>;
}

export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarFormatError';
  }
}

const BLOCK = 512;
const MAX_PAX_SIZE = 1 << 20;
const MAX_LONG_NAME = 64 << 10;

// header field offsets
const NAME = 0;
const MODE = 100;
const UID = 108;
const GID = 116;
const SIZE = 124;
const MTIME = 136;
const CHKSUM = 148;
const TYPEFLAG = 156;
const LINKNAME = 157;
const MAGIC = 257;
const UNAME = 265;
const GNAME = 297;
const PREFIX = 345;

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

  constructor(source: AsyncIterable<Uint8Array>) {
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
      throw new Error('readTar: an entry body was read after the next entry was requested (or iteration ended); its content was skipped');
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

/** Values from pax extended headers. */
interface Attrs {
  path?: string;
  linkpath?: string;
  size?: number;
  mtime?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  /** a GNU sparse entry: its data is not the file content */
  sparse?: boolean;
}

/**
 * Parse a tar stream. The caller may consume or ignore each item's body; an
 * unconsumed body is skipped before the next item. Stops at the end-of-archive marker
 * (one or two zero blocks; the rest of the input is then read and discarded, so that
 * upstream checks such as a gzip CRC still run) or at a clean end of input after a
 * complete entry. Empty input is not an archive and throws TarFormatError.
 */
export async function* readTar(source: AsyncIterable<Uint8Array>): AsyncGenerator<TarItem> {
  const input = new Input(source);
  const global: Attrs = {};
  let finished = false;
  let body: Body | undefined;
  try {
    for (;;) {
      let pax: Attrs | null = null;
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
          if (size > MAX_PAX_SIZE) throw new TarFormatError(`pax header of ${size} bytes at offset ${at} exceeds 1 MiB`);
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
          if (size > MAX_LONG_NAME) throw new TarFormatError(`GNU long name of ${size} bytes at offset ${at} exceeds 64 KiB`);
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

function padding(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

/** false for an all-zero block; throws unless the header checksum is right. */
function verifyBlock(b: Buffer, at: number): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i] as number;
  if (sum === 0) return false;
  let field = 0;
  let signedField = 0;
  for (let i = CHKSUM; i < CHKSUM + 8; i++) {
    const x = b[i] as number;
    field += x;
    signedField += x >= 0x80 ? x - 256 : x;
  }
  const unsigned = sum - field + 8 * 0x20;
  let stored: number;
  try {
    stored = readOctal(b, CHKSUM, 8, 'checksum', at);
  } catch {
    throw new TarFormatError(`bad tar header checksum field at offset ${at}`);
  }
  if (stored === unsigned) return true;
  // some historic tars summed signed chars
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const x = b[i] as number;
    signed += x >= 0x80 ? x - 256 : x;
  }
  signed = signed - signedField + 8 * 0x20;
  if (stored === signed) return true;
  throw new TarFormatError(`bad tar header checksum at offset ${at} (stored ${stored}, computed ${unsigned})`);
}

/** A numeric field: octal digits (space/NUL terminated), or GNU base-256 when the high bit is set. */
function readNumber(b: Buffer, off: number, len: number, what: string, at: number): number {
  const first = b[off] as number;
  if ((first & 0x80) === 0) return readOctal(b, off, len, what, at);
  // base-256: big-endian two's complement in the remaining bits; bit 6 of the first byte is the sign
  const negative = (first & 0x40) !== 0;
  let v = negative ? ~first & 0x3f : first & 0x3f;
  for (let i = off + 1; i < off + len; i++) {
    const x = b[i] as number;
    v = v * 256 + (negative ? ~x & 0xff : x);
    if (v > Number.MAX_SAFE_INTEGER) throw new TarFormatError(`absurd ${what} field at offset ${at}`);
  }
  return negative ? -(v + 1) : v;
}

function readOctal(b: Buffer, off: number, len: number, what: string, at: number): number {
  const end = off + len;
  let i = off;
  while (i < end && b[i] === 0x20) i++;
  let v = 0;
  for (; i < end; i++) {
    const c = b[i] as number;
    if (c < 0x30 || c > 0x37) break;
    v = v * 8 + (c - 0x30);
  }
  if (i < end && b[i] !== 0 && b[i] !== 0x20) {
    throw new TarFormatError(`invalid ${what} field at offset ${at}: ${JSON.stringify(b.toString('latin1', off, end))}`);
  }
  return v;
}

/** A NUL-terminated (or field-filling) string, decoded as UTF-8. */
function cString(b: Buffer, off: number, len: number): string {
  let end = off;
  const max = off + len;
  while (end < max && b[end] !== 0) end++;
  return end === off ? '' : b.toString('utf8', off, end);
}

function buildEntry(
  h: Buffer,
  pax: Attrs | null,
  global: Attrs,
  longName: string | undefined,
  longLink: string | undefined,
  at: number,
): { entry: TarEntry; dataSize: number } {
  const tf = h[TYPEFLAG] as number;
  const isUstar = h[MAGIC] === 0x75 && h[MAGIC + 1] === 0x73 && h[MAGIC + 2] === 0x74 &&
    h[MAGIC + 3] === 0x61 && h[MAGIC + 4] === 0x72; // "ustar"
  const posixPrefix = isUstar && h[MAGIC + 5] === 0; // "ustar\0": POSIX (GNU has "ustar  \0", no prefix field)

  let path: string;
  if (pax?.path !== undefined) path = pax.path;
  else if (longName !== undefined) path = longName;
  else {
    path = cString(h, NAME, 100);
    if (posixPrefix && h[PREFIX] !== 0) path = cString(h, PREFIX, 155) + '/' + path;
  }

  const mode = readNumber(h, MODE, 8, 'mode', at) & 0o7777;
  const headerUid = readNumber(h, UID, 8, 'uid', at);
  const headerGid = readNumber(h, GID, 8, 'gid', at);
  const headerSize = readNumber(h, SIZE, 12, 'size', at);
  const headerMtime = readNumber(h, MTIME, 12, 'mtime', at);
  if (headerSize < 0) throw new TarFormatError(`negative size field at offset ${at}`);
  if (headerUid < 0 || headerGid < 0) throw new TarFormatError(`negative uid/gid field at offset ${at}`);
  const dataSize = pax?.size ?? headerSize;

  let kind: TarEntryKind;
  switch (tf) {
    case 0x30: // '0'
    case 0x00: // '\0' (old regular file)
    case 0x37: // '7' contiguous file
      // old tars mark directories as regular files with a trailing '/'
      kind = path.charCodeAt(path.length - 1) === 0x2f ? 'directory' : 'file';
      break;
    case 0x31:
      kind = 'hardlink';
      break;
    case 0x32:
      kind = 'symlink';
      break;
    case 0x33:
      kind = 'char-device';
      break;
    case 0x34:
      kind = 'block-device';
      break;
    case 0x35:
      kind = 'directory';
      break;
    case 0x36:
      kind = 'fifo';
      break;
    default:
      kind = 'other';
  }
  if (kind === 'file' && pax?.sparse) kind = 'other'; // data is a sparse map + fragments, not the content
  if (kind === 'directory' && path.charCodeAt(path.length - 1) === 0x2f) path = path.slice(0, -1);

  const entry: TarEntry = {
    path,
    kind,
    typeflag: String.fromCharCode(tf),
    mode,
    uid: pax?.uid ?? global.uid ?? headerUid,
    gid: pax?.gid ?? global.gid ?? headerGid,
    size: kind === 'file' ? dataSize : 0,
    mtime: pax?.mtime ?? global.mtime ?? headerMtime,
  };
  if (kind === 'symlink' || kind === 'hardlink') {
    entry.linkTarget = pax?.linkpath ?? longLink ?? cString(h, LINKNAME, 100);
  }
  const uname = pax?.uname ?? global.uname ?? (isUstar ? cString(h, UNAME, 32) : '');
  if (uname !== '') entry.uname = uname;
  const gname = pax?.gname ?? global.gname ?? (isUstar ? cString(h, GNAME, 32) : '');
  if (gname !== '') entry.gname = gname;
  return { entry, dataSize };
}

/**
 * Parse pax records "<len> <key>=<value>\n" into `into`. An empty value removes the
 * key. For a global header only path-independent keys are kept.
 */
function parsePax(data: Buffer, into: Attrs, global: boolean, at: number): void {
  const n = data.length;
  let i = 0;
  while (i < n) {
    if (data[i] === 0) {
      // tolerate NUL padding after the last record, nothing else
      for (let j = i; j < n; j++) if (data[j] !== 0) throw malformedPax(at, 'garbage after NUL');
      return;
    }
    let len = 0;
    let j = i;
    while (j < n) {
      const c = data[j] as number;
      if (c < 0x30 || c > 0x39) break;
      len = len * 10 + (c - 0x30);
      if (len > n) throw malformedPax(at, 'record length beyond the header');
      j++;
    }
    if (j === i || j >= n || data[j] !== 0x20) throw malformedPax(at, 'bad record length');
    const end = i + len;
    if (end > n || end <= j + 2 || data[end - 1] !== 0x0a) throw malformedPax(at, 'record not terminated by a newline');
    const eq = data.indexOf(0x3d, j + 1);
    if (eq < 0 || eq >= end - 1 || eq === j + 1) throw malformedPax(at, 'record without key=value');
    const key = data.toString('utf8', j + 1, eq);
    const value = data.toString('utf8', eq + 1, end - 1);
    applyPax(into, key, value, global, at);
    i = end;
  }
}

function malformedPax(at: number, why: string): TarFormatError {
  return new TarFormatError(`malformed pax header at offset ${at}: ${why}`);
}

function applyPax(into: Attrs, key: string, value: string, global: boolean, at: number): void {
  const unset = value === '';
  switch (key) {
    case 'path':
    case 'linkpath':
      if (value.indexOf('\0') !== -1) throw malformedPax(at, `NUL in ${key}`);
      if (global) return; // a global name would rename every entry: never applied
      if (unset) delete into[key];
      else into[key] = value;
      return;
    case 'size':
      if (global) return;
      if (unset) delete into.size;
      else into.size = paxInteger(value, key, at);
      return;
    case 'uid':
    case 'gid':
      if (unset) delete into[key];
      else into[key] = paxInteger(value, key, at);
      return;
    case 'mtime':
      if (unset) delete into.mtime;
      else into.mtime = paxTime(value, at);
      return;
    case 'uname':
    case 'gname':
      if (unset) delete into[key];
      else into[key] = value;
      return;
    default:
      if (!global && key.startsWith('GNU.sparse.')) into.sparse = true;
  }
}

function paxInteger(value: string, key: string, at: number): number {
  if (value.length > 16 || !/^[0-9]+$/.test(value)) throw malformedPax(at, `bad ${key} ${JSON.stringify(value)}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw malformedPax(at, `absurd ${key} ${value}`);
  return n;
}

function paxTime(value: string, at: number): number {
  if (value.length > 40 || !/^-?[0-9]+(\.[0-9]*)?$/.test(value)) throw malformedPax(at, `bad mtime ${JSON.stringify(value)}`);
  const n = Number(value);
  if (!Number.isFinite(n)) throw malformedPax(at, `bad mtime ${value}`);
  return n;
}
