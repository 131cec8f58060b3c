/**
 * A minimal POSIX pax (ustar + 'x' extended header) tar encoder.
 *
 * The caller streams `encodeTarHeader(h)`, then `h.size` content bytes, then
 * `tarPadding(h.size)`, for every entry, and finally `TAR_END`.
 *
 * Every field that fits the ustar header exactly is written there; anything that does
 * not (long or non-ASCII names, big sizes, ids or times) is carried in a pax extended
 * header placed just before the entry, so GNU tar, bsdtar and Python's tarfile restore
 * the exact values. Hot path: one Buffer.alloc per call and no regular expressions.
 */

export type TarEntryType = 'file' | 'directory' | 'symlink';

export interface TarHeader {
  /** relative, '/'-separated, no leading '/', no trailing '/' (the writer appends '/' for directories) */
  path: string;
  type: TarEntryType;
  /** permission bits incl. setuid etc; masked with 0o7777 (so a raw `stat.mode` is accepted) */
  mode: number;
  /** bytes of content; 0 for directory/symlink. May exceed 8 GiB. */
  size: number;
  /** seconds since epoch, integer (may be negative or huge: carried in pax) */
  mtime: number;
  uid: number;
  gid: number;
  uname?: string;
  gname?: string;
  /** symlink target, any length, any UTF-8 (ignored for other types) */
  linkTarget?: string;
}

const BLOCK = 512;

// ustar field offsets and widths
const NAME = 0; // 100
const MODE = 100; // 8
const UID = 108; // 8
const GID = 116; // 8
const SIZE = 124; // 12
const MTIME = 136; // 12
const CHKSUM = 148; // 8
const TYPEFLAG = 156; // 1
const LINKNAME = 157; // 100
const MAGIC = 257; // 6 + version 2
const UNAME = 265; // 32
const GNAME = 297; // 32
const DEVMAJOR = 329; // 8
// devminor at 337, 8 bytes: written with devmajor from TEMPLATE below
const PREFIX = 345; // 155

const NAME_LEN = 100;
const PREFIX_LEN = 155;
const UGNAME_LEN = 32;

/** largest value of an 11-digit octal field (size, mtime): 8 GiB - 1 */
const MAX_OCTAL_11 = 0o77777777777;
/** largest value of a 7-digit octal field (uid, gid) */
const MAX_OCTAL_7 = 0o7777777;

const TYPE_FILE = 0x30; // '0'
const TYPE_SYMLINK = 0x32; // '2'
const TYPE_DIRECTORY = 0x35; // '5'
const TYPE_PAX = 0x78; // 'x'

const PAX_HEADER_DIR = 'PaxHeaders/';

const ZERO = Buffer.alloc(2 * BLOCK);

/** A ustar header with only the constant fields set: magic "ustar\0", version "00", devmajor/devminor 0, checksum field's trailing space. */
const TEMPLATE = Buffer.alloc(BLOCK);
TEMPLATE.write('ustar\x0000', MAGIC, 'latin1');
TEMPLATE.write('0000000\x000000000\x00', DEVMAJOR, 'latin1');
/** the template's byte sum, counting the checksum field as 8 spaces */
const TEMPLATE_SUM = TEMPLATE.reduce((a, b) => a + b, 0) + 8 * 0x20;
TEMPLATE[CHKSUM + 7] = 0x20;

/**
 * The end-of-archive marker: two zero blocks. Shared; do not modify.
 */
export const TAR_END: Buffer = ZERO.subarray(0, 2 * BLOCK);

/**
 * Zero bytes that pad a content of `size` bytes to the next 512-byte boundary
 * (length 0..511). The result is a view of a shared zero buffer: do not modify it.
 */
export function tarPadding(size: number): Buffer {
  const rest = size % BLOCK;
  return ZERO.subarray(0, rest === 0 ? 0 : BLOCK - rest);
}

/**
 * The header block(s) for one entry: a pax 'x' extended header first when any field
 * does not fit ustar exactly, then the ustar header. Result length is a multiple of 512.
 *
 * Throws TypeError/RangeError for a header that cannot be encoded (empty path, NUL in
 * a string, absolute path or trailing '/', negative or non-integer numbers, content
 * size on a directory or symlink).
 */
export function encodeTarHeader(header: TarHeader): Buffer {
  const { path, type, size, mtime, uid, gid, uname, gname } = header;
  let typeflag: number;
  if (type === 'file') typeflag = TYPE_FILE;
  else if (type === 'directory') typeflag = TYPE_DIRECTORY;
  else if (type === 'symlink') typeflag = TYPE_SYMLINK;
  else throw new TypeError(`tar: unknown entry type ${String(type)}`);

  if (typeof path !== 'string' || path.length === 0) throw new TypeError('tar: empty entry path');
  if (path.charCodeAt(0) === 0x2f) throw new RangeError(`tar: absolute entry path ${JSON.stringify(path)}`);
  if (path.charCodeAt(path.length - 1) === 0x2f) {
    throw new RangeError(`tar: entry path ends with '/': ${JSON.stringify(path)}`);
  }
  checkNoNul(path, 'path');
  const mode = header.mode;
  if (!Number.isInteger(mode) || mode < 0) throw new RangeError(`tar: invalid mode ${mode}`);
  checkUint(size, 'size');
  if (size !== 0 && typeflag !== TYPE_FILE) throw new RangeError(`tar: a ${type} cannot have content (size ${size})`);
  if (!Number.isSafeInteger(mtime))
    throw new RangeError(`tar: mtime must be an integer number of seconds, got ${mtime}`);
  checkUint(uid, 'uid');
  checkUint(gid, 'gid');
  let link = '';
  if (typeflag === TYPE_SYMLINK) {
    if (typeof header.linkTarget !== 'string')
      throw new TypeError(`tar: symlink ${JSON.stringify(path)} has no target`);
    link = header.linkTarget;
    checkNoNul(link, 'symlink target');
  }
  if (uname !== undefined) checkNoNul(uname, 'uname');
  if (gname !== undefined) checkNoNul(gname, 'gname');

  // ---- decide what fits ustar; measure the pax records for what does not ----
  const fullPath = typeflag === TYPE_DIRECTORY ? path + '/' : path;
  const pathBytes = Buffer.byteLength(fullPath, 'utf8');
  // byteLength === length  <=>  every UTF-16 unit is < 0x80, i.e. pure ASCII
  const pathAscii = pathBytes === fullPath.length;
  let split = -1; // index of the '/' between prefix and name; -1: no prefix
  let paxPath = !pathAscii;
  if (pathAscii && pathBytes > NAME_LEN) {
    // the name part must be 1..100 bytes and the prefix at most 155 bytes
    const i = fullPath.lastIndexOf('/', Math.min(PREFIX_LEN, pathBytes - 2));
    if (i >= pathBytes - NAME_LEN - 1 && i > 0) split = i;
    else paxPath = true;
  }

  let paxLen = 0;
  if (paxPath) paxLen += recordLength(4, pathBytes); // "path"
  let linkBytes = 0;
  let paxLink = false;
  if (link.length > 0) {
    linkBytes = Buffer.byteLength(link, 'utf8');
    paxLink = linkBytes !== link.length || linkBytes > NAME_LEN;
    if (paxLink) paxLen += recordLength(8, linkBytes); // "linkpath"
  }
  let unameBytes = 0;
  let paxUname = false;
  if (uname !== undefined && uname.length > 0) {
    unameBytes = Buffer.byteLength(uname, 'utf8');
    paxUname = unameBytes !== uname.length || unameBytes > UGNAME_LEN;
    if (paxUname) paxLen += recordLength(5, unameBytes);
  }
  let gnameBytes = 0;
  let paxGname = false;
  if (gname !== undefined && gname.length > 0) {
    gnameBytes = Buffer.byteLength(gname, 'utf8');
    paxGname = gnameBytes !== gname.length || gnameBytes > UGNAME_LEN;
    if (paxGname) paxLen += recordLength(5, gnameBytes);
  }
  const paxSize = size > MAX_OCTAL_11;
  if (paxSize) paxLen += recordLength(4, decimalDigits(size));
  const paxUid = uid > MAX_OCTAL_7;
  if (paxUid) paxLen += recordLength(3, decimalDigits(uid));
  const paxGid = gid > MAX_OCTAL_7;
  if (paxGid) paxLen += recordLength(3, decimalDigits(gid));
  const paxMtime = mtime < 0 || mtime > MAX_OCTAL_11;
  if (paxMtime) paxLen += recordLength(5, decimalDigits(mtime));
  const ustarMtime = Math.min(Math.max(mtime, 0), MAX_OCTAL_11);

  const paxBlocks = paxLen === 0 ? 0 : BLOCK + Math.ceil(paxLen / BLOCK) * BLOCK;
  // Zero-filled on purpose: allocUnsafe would save ~0.2 µs per header, but one missed
  // byte would then leak process memory (keys included) into the archive.
  const out = Buffer.alloc(paxBlocks + BLOCK);

  // ---- the pax extended header ----
  if (paxLen > 0) {
    // name: "PaxHeaders/<basename>", truncated on a UTF-8 character boundary
    out.set(TEMPLATE);
    out.write(PAX_HEADER_DIR, NAME, 'latin1');
    const base = path.slice(path.lastIndexOf('/') + 1);
    out.write(base, NAME + PAX_HEADER_DIR.length, NAME_LEN - PAX_HEADER_DIR.length, 'utf8');
    putOctal(out, MODE, 8, 0o644);
    putOctal(out, UID, 8, 0);
    putOctal(out, GID, 8, 0);
    putOctal(out, SIZE, 12, paxLen);
    putOctal(out, MTIME, 12, ustarMtime);
    out[TYPEFLAG] = TYPE_PAX;
    writeChecksum(out, 0);

    let off = BLOCK;
    if (paxPath) off = writeRecord(out, off, 'path', 4, fullPath, pathBytes, true);
    if (paxLink) off = writeRecord(out, off, 'linkpath', 8, link, linkBytes, true);
    if (paxUname) off = writeRecord(out, off, 'uname', 5, uname as string, unameBytes, true);
    if (paxGname) off = writeRecord(out, off, 'gname', 5, gname as string, gnameBytes, true);
    if (paxSize) off = writeRecord(out, off, 'size', 4, String(size), decimalDigits(size), false);
    if (paxUid) off = writeRecord(out, off, 'uid', 3, String(uid), decimalDigits(uid), false);
    if (paxGid) off = writeRecord(out, off, 'gid', 3, String(gid), decimalDigits(gid), false);
    if (paxMtime) off = writeRecord(out, off, 'mtime', 5, String(mtime), decimalDigits(mtime), false);
    if (off !== BLOCK + paxLen) throw new Error(`tar: internal error: pax length ${off - BLOCK} != ${paxLen}`);
  }

  // ---- the ustar header ----
  // Start from the template (magic, version, device numbers, zeros elsewhere) and add
  // up the checksum while writing, instead of summing the 512 bytes afterwards.
  const h = paxBlocks;
  out.set(TEMPLATE, h);
  let sum = TEMPLATE_SUM;
  if (!pathAscii) {
    // pax carries the real name; ustar gets the first <=100 bytes (whole characters only)
    sum += putUtf8(out, h + NAME, fullPath, NAME_LEN);
  } else if (split < 0) {
    // the whole name, or (when pax carries it) its first 100 bytes
    sum += putAscii(out, h + NAME, fullPath, 0, Math.min(pathBytes, NAME_LEN));
  } else {
    sum += putAscii(out, h + NAME, fullPath, split + 1, pathBytes);
    sum += putAscii(out, h + PREFIX, fullPath, 0, split);
  }
  sum += putOctal(out, h + MODE, 8, mode & 0o7777);
  sum += putOctal(out, h + UID, 8, paxUid ? 0 : uid);
  sum += putOctal(out, h + GID, 8, paxGid ? 0 : gid);
  sum += putOctal(out, h + SIZE, 12, paxSize ? 0 : size);
  sum += putOctal(out, h + MTIME, 12, ustarMtime);
  out[h + TYPEFLAG] = typeflag;
  sum += typeflag;
  if (link.length > 0) {
    sum += paxLink ? putUtf8(out, h + LINKNAME, link, NAME_LEN) : putAscii(out, h + LINKNAME, link, 0, linkBytes);
  }
  if (unameBytes > 0) {
    sum += paxUname
      ? putUtf8(out, h + UNAME, uname as string, UGNAME_LEN)
      : putAscii(out, h + UNAME, uname as string, 0, unameBytes);
  }
  if (gnameBytes > 0) {
    sum += paxGname
      ? putUtf8(out, h + GNAME, gname as string, UGNAME_LEN)
      : putAscii(out, h + GNAME, gname as string, 0, gnameBytes);
  }
  putOctal(out, h + CHKSUM, 7, sum); // 6 digits + NUL; the template holds the final space
  return out;
}

/** Copy ASCII characters s[start..end) to out[off..]; returns their byte sum. */
function putAscii(out: Buffer, off: number, s: string, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    out[off++] = c;
    sum += c;
  }
  return sum;
}

/** Write at most `max` bytes of UTF-8 (whole characters only); returns their byte sum. */
function putUtf8(out: Buffer, off: number, s: string, max: number): number {
  const n = out.write(s, off, max, 'utf8');
  let sum = 0;
  for (let i = off; i < off + n; i++) sum += out[i] as number;
  return sum;
}

/** `width - 1` zero-padded octal digits then a NUL; returns the byte sum. */
function putOctal(out: Buffer, off: number, width: number, value: number): number {
  let v = value;
  let sum = 0;
  for (let i = off + width - 2; i >= off; i--) {
    const d = 0x30 + (v % 8);
    out[i] = d;
    sum += d;
    v = Math.floor(v / 8);
  }
  out[off + width - 1] = 0;
  return sum;
}

function checkNoNul(s: string, what: string): void {
  if (typeof s !== 'string') throw new TypeError(`tar: ${what} must be a string`);
  if (s.indexOf('\0') !== -1) throw new RangeError(`tar: NUL character in ${what} ${JSON.stringify(s)}`);
}

function checkUint(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`tar: ${what} must be a non-negative integer, got ${n}`);
}

/** number of characters of the decimal representation of an integer */
function decimalDigits(n: number): number {
  let d = 1;
  let v = n < 0 ? -n : n;
  while (v >= 10) {
    v = Math.floor(v / 10);
    d++;
  }
  return n < 0 ? d + 1 : d;
}

/** length of the pax record "<len> <key>=<value>\n", where <len> counts itself */
function recordLength(keyBytes: number, valueBytes: number): number {
  const base = keyBytes + valueBytes + 3; // ' ', '=', '\n'
  let len = base + decimalDigits(base);
  if (decimalDigits(len) !== len - base) len = base + decimalDigits(len);
  return len;
}

function writeRecord(
  out: Buffer,
  off: number,
  key: string,
  keyBytes: number,
  value: string,
  valueBytes: number,
  utf8: boolean,
): number {
  const len = recordLength(keyBytes, valueBytes);
  off += out.write(String(len), off, 'latin1');
  out[off++] = 0x20;
  off += out.write(key, off, 'latin1');
  out[off++] = 0x3d;
  off += utf8 ? out.write(value, off, 'utf8') : out.write(value, off, 'latin1');
  out[off++] = 0x0a;
  return off;
}

function writeChecksum(out: Buffer, h: number): void {
  // the checksum is computed with its own field filled with spaces
  let sum = 8 * 0x20;
  for (let i = h; i < h + CHKSUM; i++) sum += out[i] as number;
  for (let i = h + CHKSUM + 8; i < h + BLOCK; i++) sum += out[i] as number;
  putOctal(out, h + CHKSUM, 7, sum); // 6 digits + NUL
  out[h + CHKSUM + 7] = 0x20;
}
