/**
 * Tar header blocks as the reader meets them: the fields of a ustar / GNU / v7 header,
 * numbers in octal or GNU base-256, the checksum (unsigned or historic signed), and the
 * entry a header describes once its pax attributes and GNU long names are applied.
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

export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarFormatError';
  }
}

/** Values from pax extended headers (tar-pax.ts reads them), which override the header's. */
export interface PaxAttributes {
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

export const BLOCK = 512;

// header field offsets
// header field offsets
const NAME = 0;
const MODE = 100;
const UID = 108;
const GID = 116;
export const SIZE = 124;
const MTIME = 136;
const CHKSUM = 148;
export const TYPEFLAG = 156;
const LINKNAME = 157;
const MAGIC = 257;
const UNAME = 265;
const GNAME = 297;
const PREFIX = 345;

export function padding(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

/** false for an all-zero block; throws unless the header checksum is right. */
export function verifyBlock(b: Buffer, at: number): boolean {
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
export function readNumber(b: Buffer, off: number, len: number, what: string, at: number): number {
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
    throw new TarFormatError(
      `invalid ${what} field at offset ${at}: ${JSON.stringify(b.toString('latin1', off, end))}`,
    );
  }
  return v;
}

/** A NUL-terminated (or field-filling) string, decoded as UTF-8. */
export function cString(b: Buffer, off: number, len: number): string {
  let end = off;
  const max = off + len;
  while (end < max && b[end] !== 0) end++;
  return end === off ? '' : b.toString('utf8', off, end);
}

export function buildEntry(
  h: Buffer,
  pax: PaxAttributes | null,
  global: PaxAttributes,
  longName: string | undefined,
  longLink: string | undefined,
  at: number,
): { entry: TarEntry; dataSize: number } {
  const tf = h[TYPEFLAG] as number;
  const isUstar =
    h[MAGIC] === 0x75 &&
    h[MAGIC + 1] === 0x73 &&
    h[MAGIC + 2] === 0x74 &&
    h[MAGIC + 3] === 0x61 &&
    h[MAGIC + 4] === 0x72; // "ustar"
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
