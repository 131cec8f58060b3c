/**
 * Hostile input. A snapshot is only as trustworthy as whoever could write it: in public-key
 * mode a compromised backup job holds everything needed to forge a snapshot that
 * authenticates perfectly. So restore must judge content, not just checksums.
 *
 * The fuzz builds random tar streams byte by byte (names with "..", absolute paths, NUL and
 * control characters, long names as pax or GNU records, huge claimed sizes, symlinks and
 * hard links pointing everywhere, FIFOs and devices, duplicate entries, bad header
 * checksums, truncated streams), wraps each in a fully valid snapshot (gzip, OpenPGP,
 * an honest or a lying manifest, sealed snapshot.json) and restores it in-process into a
 * target deep inside a sandbox. The oracle: restore either reproduces a safe tree exactly
 * (every manifest entry, nothing else, no link out of the target) or refuses with one of
 * its own errors and leaves the target as it was; and nothing outside the target changes.
 *
 * Safety of the test itself: every generated name, link and root is checked against a model
 * of the file system that follows links the way a careless extractor would; a case that
 * could reach outside the sandbox even so is discarded, so a bug in ripcord can damage
 * nothing but the sandbox.
 *
 * The fixed cases: wrong keys, truncated objects, an empty archive, snapshot.json that is
 * not JSON or names another id, through the CLI (exit code, one line, target untouched).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { generateKeyPair } from '../../src/archive/openpgp-keys.ts';
import type { EncryptionKeys } from '../../src/archive/openpgp-keys.ts';
import { createEncryptStream } from '../../src/archive/seipd-encrypt.ts';
import { safeMode, symlinkEscapes } from '../../src/domain/entry-safety.ts';
import type { ManifestEntry } from '../../src/domain/manifest.ts';
import {
  formatMode,
  manifestEntryLine,
  manifestHeader,
  manifestTrailer,
  parseMode,
} from '../../src/domain/manifest.ts';
import { createSnapshotId } from '../../src/domain/snapshot-id.ts';
import type { SnapshotMetadata, UnsealedMetadata } from '../../src/domain/snapshot.ts';
import { formatChecksums, sealMetadata, serializeMetadata } from '../../src/domain/snapshot.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import type { Bundle, RestoreSetup, Rng, Tree, TrialOutcome } from './harness.ts';
import { cleanFailure, count, describeError, newOutcome, violate } from './harness.ts';
import { ENCRYPTION_KEYS, PASSPHRASE, runCli } from './harness.ts';
import { prepareRestoreSetup, restoreInProcess } from './harness.ts';
import { compareTrees, copyTree, isStaging, readTree } from './harness.ts';
import { handmadeBinding } from '../helpers/hostile.ts';

// ---------------------------------------------------------------------------------------
// Raw tar

const BLOCK = 512;
const MTIME = 1704067200;

export type MemberType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'fifo' | 'chardev' | 'blockdev' | 'weird';

export interface FuzzMember {
  /** as stored; "@SBX", "@OUT" and "@TGT" stand for the sandbox, its outside folder and the target */
  name: string;
  type: MemberType;
  data: string;
  linkname: string;
  mode: number;
  /** how a name is stored: ustar fields (cut at 100 bytes), a pax record, or a GNU long name */
  nameEncoding: 'ustar' | 'pax' | 'gnu';
  /** the header's size field: honest, 8 GiB+ more than follows, or fewer bytes than follow */
  sizeLie: 'none' | 'huge' | 'short';
  badChecksum: boolean;
  /** typeflag for type "weird" */
  weirdFlag: string;
  /** how an honest manifest lists a hard link, FIFO or device: as what it is, or as a plain file */
  manifestAs: 'honest' | 'file';
}

export interface FuzzCase {
  members: FuzzMember[];
  /** index of a member repeated at the end of the archive, or -1 */
  duplicate: number;
  ending: 'proper' | 'no-end-marker' | 'truncated' | 'garbage-after';
  /** where a truncated stream is cut, as a fraction of its length */
  truncateAt: number;
  /** honest: the manifest lists the members; lying: it lists one harmless file */
  manifest: 'honest' | 'lying';
  roots: string[];
  delete: boolean;
  preRestore: boolean;
  /** the target holds "trap", a symlink to a folder outside, before the restore */
  trapLink: boolean;
}

/** A well-formed member: a ustar name, an honest size and checksum, listed in the manifest as what it is. */
export function plainMember(name: string, type: MemberType, data: string, mode = 0o644): FuzzMember {
  return {
    name,
    type,
    data,
    linkname: '',
    mode,
    nameEncoding: 'ustar',
    sizeLie: 'none',
    badChecksum: false,
    weirdFlag: '0',
    manifestAs: 'honest',
  };
}

/** A well-formed archive of `members` with an honest manifest, restored with a pre-restore snapshot; `more` changes any of it. */
export function plainCase(members: FuzzMember[], more: Partial<FuzzCase> = {}): FuzzCase {
  return {
    members,
    duplicate: -1,
    ending: 'proper',
    truncateAt: 1,
    manifest: 'honest',
    roots: ['.'],
    delete: false,
    preRestore: true,
    trapLink: false,
    ...more,
  };
}

const TYPEFLAGS: Record<Exclude<MemberType, 'weird'>, string> = {
  file: '0',
  dir: '5',
  symlink: '2',
  hardlink: '1',
  fifo: '6',
  chardev: '3',
  blockdev: '4',
};

function octal(h: Buffer, offset: number, length: number, value: number): void {
  h.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'latin1');
}

function header(
  name: Buffer,
  typeflag: string,
  size: bigint,
  linkname: Buffer,
  mode: number,
  badChecksum: boolean,
): Buffer {
  const h = Buffer.alloc(BLOCK);
  name.copy(h, 0, 0, Math.min(100, name.length));
  octal(h, 100, 8, mode & 0o7777);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  if (size < 8n ** 11n) octal(h, 124, 12, Number(size));
  else {
    // GNU base-256: high bit set, big-endian
    h[124] = 0x80;
    let rest = size;
    for (let i = 135; i > 124; i--) {
      h[i] = Number(rest & 0xffn);
      rest >>= 8n;
    }
  }
  octal(h, 136, 12, MTIME);
  h.fill(0x20, 148, 156);
  h.write(typeflag.slice(0, 1) || '\0', 156, 1, 'latin1');
  linkname.copy(h, 157, 0, Math.min(100, linkname.length));
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  h.write('root', 265, 'latin1');
  h.write('root', 297, 'latin1');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  if (badChecksum) h[150] = h[150] === 0x37 ? 0x36 : 0x37;
  return h;
}

function padded(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length = String(length).length + body.length;
  return Buffer.concat([Buffer.from(String(length)), body]);
}

function memberBytes(m: FuzzMember): Buffer[] {
  const name = Buffer.from(m.name, 'utf8');
  const link = Buffer.from(m.linkname, 'utf8');
  const data = m.type === 'file' ? Buffer.from(m.data, 'utf8') : Buffer.alloc(0);
  const typeflag = m.type === 'weird' ? m.weirdFlag : TYPEFLAGS[m.type];
  const huge = 1n << 33n;
  const claimed =
    m.sizeLie === 'huge'
      ? huge + BigInt(data.length)
      : m.sizeLie === 'short'
        ? BigInt(Math.max(0, data.length - 1 - (data.length >> 1)))
        : BigInt(data.length);
  const out: Buffer[] = [];
  if (m.nameEncoding === 'pax' || (m.sizeLie === 'huge' && m.nameEncoding !== 'gnu')) {
    const records = Buffer.concat([
      paxRecord('path', name),
      ...(link.length ? [paxRecord('linkpath', link)] : []),
      ...(m.sizeLie === 'huge' ? [paxRecord('size', Buffer.from(claimed.toString()))] : []),
    ]);
    out.push(
      header(Buffer.from('PaxHeader'), 'x', BigInt(records.length), Buffer.alloc(0), 0o644, false),
      padded(records),
    );
  } else if (m.nameEncoding === 'gnu') {
    const longName = Buffer.concat([name, Buffer.alloc(1)]);
    out.push(
      header(Buffer.from('././@LongLink'), 'L', BigInt(longName.length), Buffer.alloc(0), 0o644, false),
      padded(longName),
    );
    if (link.length >= 100) {
      const longLink = Buffer.concat([link, Buffer.alloc(1)]);
      out.push(
        header(Buffer.from('././@LongLink'), 'K', BigInt(longLink.length), Buffer.alloc(0), 0o644, false),
        padded(longLink),
      );
    }
  }
  out.push(header(name, typeflag, claimed, link, m.mode, m.badChecksum), padded(data));
  return out;
}

/** The tar stream of a case, with tokens replaced by real paths. */
export function buildTar(c: FuzzCase, places: Places): Buffer {
  const members = c.members.map((m) => resolveTokens(m, places));
  const all = c.duplicate >= 0 && c.duplicate < members.length ? [...members, members[c.duplicate]!] : members;
  let tar = Buffer.concat(all.flatMap(memberBytes));
  if (c.ending !== 'no-end-marker' && c.ending !== 'truncated') tar = Buffer.concat([tar, Buffer.alloc(2 * BLOCK)]);
  if (c.ending === 'garbage-after')
    tar = Buffer.concat([tar, Buffer.from('garbage after the end of the archive, not a header at all'.repeat(20))]);
  if (c.ending === 'truncated') tar = tar.subarray(0, Math.floor(tar.length * c.truncateAt));
  return tar;
}

// ---------------------------------------------------------------------------------------
// The sandbox

export interface Places {
  /** the sandbox (real path) */
  sandbox: string;
  /** sandbox/outside: sentinels that must never change */
  outside: string;
  /** sandbox/t1/t2/t3/target: four levels below the sandbox */
  target: string;
}

/** Absolute names never leave the sandbox: "@SBX", "@OUT" and "@TGT" stand for its folders. */
function swap(text: string, places: Places): string {
  return text.replaceAll('@SBX', places.sandbox).replaceAll('@OUT', places.outside).replaceAll('@TGT', places.target);
}

export function resolveTokens<T extends { name: string; linkname: string }>(m: T, places: Places): T {
  return { ...m, name: swap(m.name, places), linkname: swap(m.linkname, places) };
}

function swapRoot(root: string, places: Places): string {
  return swap(root, places);
}

/** Entry names the way the tar reader reports them: one trailing "/" of a directory removed. */
function storedPath(m: FuzzMember): string {
  return m.type === 'dir' && m.name.endsWith('/') && m.name.length > 1 ? m.name.slice(0, -1) : m.name;
}

/**
 * Could anything in this case reach outside the sandbox, on a file system where every
 * symlink (the archive's and the trap) is followed, at any position, by a careless
 * extractor? Names, link targets and roots are walked component by component.
 */
export function couldEscapeSandbox(c: FuzzCase, places: Places): boolean {
  const members = c.members.map((m) => resolveTokens(m, places));
  const links = new Map<string, string>();
  if (c.trapLink) links.set(path.join(places.target, 'trap'), places.outside);
  for (const m of members) {
    if (m.type !== 'symlink' && m.type !== 'hardlink') continue;
    const where = lexical(places, storedPath(m));
    if (where) links.set(where, m.type === 'hardlink' ? path.join(places.target, m.linkname) : m.linkname);
  }
  const inside = (p: string) => p === places.sandbox || p.startsWith(places.sandbox + path.sep);
  const walk = (start: string, relative: string): boolean => {
    let cur = start;
    let parts = relative.split('/').filter((p) => p !== '' && p !== '.');
    let hops = 0;
    while (parts.length > 0) {
      const part = parts.shift()!;
      if (part.includes('\0')) return true;
      cur = part === '..' ? path.dirname(cur) : path.join(cur, part);
      if (!inside(cur)) return true;
      const link = links.get(cur);
      if (link !== undefined) {
        if (++hops > 40 || link.includes('\0')) return true;
        if (path.isAbsolute(link)) {
          if (!inside(path.resolve(link))) return true;
          cur = places.sandbox;
          parts = [...path.relative(places.sandbox, path.resolve(link)).split('/').filter(Boolean), ...parts];
        } else {
          cur = path.dirname(cur);
          parts = [...link.split('/').filter((p) => p !== '' && p !== '.'), ...parts];
        }
      }
    }
    return false;
  };
  const check = (name: string): boolean => {
    if (path.isAbsolute(name)) {
      const abs = path.resolve(name);
      return !inside(abs) || walk(places.sandbox, path.relative(places.sandbox, abs));
    }
    return walk(places.target, name);
  };
  for (const m of members) {
    if (check(storedPath(m))) return true;
    if (m.type === 'symlink' && m.linkname !== '') {
      const dir = path.posix.dirname(storedPath(m));
      if (check(path.isAbsolute(m.linkname) ? m.linkname : dir === '.' ? m.linkname : `${dir}/${m.linkname}`))
        return true;
    }
    if (m.type === 'hardlink' && check(m.linkname)) return true;
  }
  return c.roots.map((r) => swapRoot(r, places)).some((r) => r !== '.' && r !== '' && check(r));
}

function lexical(places: Places, name: string): string | undefined {
  if (name.includes('\0')) return undefined;
  return path.isAbsolute(name) ? path.resolve(name) : path.resolve(places.target, name);
}

export async function createSandbox(root: string): Promise<Places> {
  await fs.mkdir(root, { recursive: true });
  const sandbox = realpathSync(root);
  return { sandbox, outside: path.join(sandbox, 'outside'), target: path.join(sandbox, 't1', 't2', 't3', 'target') };
}

/** Put the sandbox back as every case starts: sentinels outside, a target with one file (and the trap). */
async function resetSandbox(places: Places, trapLink: boolean): Promise<void> {
  for (const name of await fs.readdir(places.sandbox))
    await fs.rm(path.join(places.sandbox, name), { recursive: true, force: true });
  await fs.mkdir(path.join(places.outside, 'dir'), { recursive: true });
  await fs.writeFile(path.join(places.outside, 'sentinel.txt'), 'outside the target: must never change\n');
  await fs.writeFile(path.join(places.outside, 'dir', 'inner.txt'), 'outside, one level down\n');
  await fs.mkdir(places.target, { recursive: true });
  await fs.writeFile(path.join(places.sandbox, 't1', 'sibling.txt'), "next to the target's ancestors\n");
  await fs.writeFile(path.join(places.sandbox, 't1', 't2', 't3', 'neighbour.txt'), 'next to the target\n');
  await fs.writeFile(path.join(places.target, 'precious.txt'), 'in the target before the restore\n');
  if (trapLink) await fs.symlink(places.outside, path.join(places.target, 'trap'));
}

// ---------------------------------------------------------------------------------------
// Forged snapshots

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export async function encrypt(data: Buffer, keys: EncryptionKeys = ENCRYPTION_KEYS): Promise<Buffer> {
  const input = new PassThrough();
  const encrypted = input.pipe(createEncryptStream(keys));
  input.end(data);
  return buffer(encrypted);
}

export interface ForgedSnapshot {
  /** the bytes stored as archive.tar.gz.pgp */
  archive: Buffer;
  /** the plaintext manifest (encrypted here) */
  manifestEntries: ManifestEntry[];
  roots: string[];
  keys?: EncryptionKeys;
  /** replace the manifest plaintext entirely */
  manifestText?: (archiveSum: { sha256: string; bytes: number }, binding: Omit<UnsealedMetadata, 'objects'>) => string;
}

/** A committed snapshot whose every checksum and authentication passes, holding what the forger chose. */
export async function writeForgedSnapshot(repoDir: string, forged: ForgedSnapshot): Promise<string> {
  const id = createSnapshotId();
  const binding = handmadeBinding({
    id,
    host: 'forger',
    manifest: forged.manifestEntries,
    archiveBytes: forged.archive.length,
    mode: (forged.keys ?? ENCRYPTION_KEYS).mode,
    version: '0.0.0-forged',
  });
  const archiveSum = { sha256: sha256(forged.archive), bytes: forged.archive.length };
  const text = forged.manifestText
    ? forged.manifestText(archiveSum, binding)
    : manifestHeader(forged.roots) +
      forged.manifestEntries.map((e, i) => manifestEntryLine(e, i === 0)).join('') +
      manifestTrailer({ archive: archiveSum, snapshot: binding });
  const manifest = await encrypt(Buffer.from(text), forged.keys);
  const objects = {
    'archive.tar.gz.pgp': archiveSum,
    'manifest.json.pgp': { sha256: sha256(manifest), bytes: manifest.length },
  };
  const metadata = sealMetadata({ ...binding, objects });
  const store = new LocalStore(repoDir);
  await store.put(`${id}/archive.tar.gz.pgp`, forged.archive);
  await store.put(`${id}/manifest.json.pgp`, manifest);
  await store.put(`${id}/SHA256SUMS`, Buffer.from(formatChecksums(objects)));
  await store.put(`${id}/snapshot.json`, Buffer.from(serializeMetadata(metadata)));
  return id;
}

/** The manifest an honest packer would write for these members (in archive order). */
export function honestManifest(c: FuzzCase, places: Places): ManifestEntry[] {
  const members = c.members.map((m) => resolveTokens(m, places));
  const all = c.duplicate >= 0 && c.duplicate < members.length ? [...members, members[c.duplicate]!] : members;
  return all.map((m) => {
    const base = { path: storedPath(m), mode: formatMode(m.mode), mtime: MTIME };
    if (m.type === 'file') {
      const data = Buffer.from(m.data, 'utf8');
      return { ...base, type: 'file', size: data.length, sha256: sha256(data) };
    }
    if (m.type === 'dir') return { ...base, type: 'directory' };
    if (m.type === 'symlink') return { ...base, type: 'symlink', target: m.linkname };
    if (m.manifestAs === 'file') return { ...base, type: 'file', size: 0, sha256: sha256(Buffer.alloc(0)) };
    return { ...base, type: m.type as ManifestEntry['type'] };
  }) as ManifestEntry[];
}

// ---------------------------------------------------------------------------------------
// Generators

// Mostly names a real tree could have (odd but legal: control characters, newlines, long,
// non-ASCII), sometimes plainly hostile ones, so that cases get past the first check.
const LEGAL_SEGMENTS = [
  'a',
  'b',
  'c.txt',
  'config',
  'données',
  'space ',
  '-rf',
  'trap',
  'precious.txt',
  'x'.repeat(120),
  'tab\tx',
  'ctl\x01\x1b[31m',
  'nl\nx',
  'back\\slash',
];
const HOSTILE_SEGMENTS = ['..', '..', '.', '', 'nul\0x'];
const INSIDE_LINKS = ['a', 'a/b', 'c.txt', 'config/c.txt', 'données', '@TGT/a', '.'];
const OUTSIDE_LINKS = [
  '..',
  '../..',
  '../../..',
  '../../../..',
  '../a',
  'trap',
  'trap/sentinel.txt',
  'trap/dir',
  '@OUT',
  '@OUT/sentinel.txt',
  '@OUT/dir',
  '@TGT',
  '',
  'nul\0x',
  'self',
];
const ROOTS = [
  '.',
  'a',
  'b',
  'c.txt',
  '..',
  '../..',
  '../../t3',
  '../neighbour.txt',
  '../../../sibling.txt',
  'trap',
  'trap/dir',
  '@OUT',
  '@TGT',
  '',
  'a/../..',
  '@SBX',
];

const segment = fc.oneof(
  { arbitrary: fc.constantFrom(...LEGAL_SEGMENTS), weight: 14 },
  { arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS), weight: 1 },
);
const nameArb = fc
  .record({
    absolute: fc.oneof(
      { arbitrary: fc.constant<'no'>('no'), weight: 19 },
      { arbitrary: fc.constantFrom<'root' | 'outside' | 'target'>('root', 'outside', 'target'), weight: 1 },
    ),
    parts: fc.array(segment, { minLength: 1, maxLength: 3 }),
    slash: fc.oneof({ arbitrary: fc.constant(false), weight: 9 }, { arbitrary: fc.constant(true), weight: 1 }),
  })
  .map(({ absolute, parts, slash }) => {
    const rel = parts.join('/') + (slash ? '/' : '');
    if (absolute === 'root') return `@SBX/${rel}`;
    if (absolute === 'outside') return `@OUT/${rel}`;
    if (absolute === 'target') return `@TGT/${rel}`;
    return rel;
  });

const weighted = <T>(...choices: [T, number][]) =>
  fc.oneof(...choices.map(([value, weight]) => ({ arbitrary: fc.constant(value), weight })));

const memberArb: fc.Arbitrary<FuzzMember> = fc.record({
  name: nameArb,
  type: weighted<MemberType>(
    ['file', 10],
    ['dir', 5],
    ['symlink', 5],
    ['hardlink', 1],
    ['fifo', 1],
    ['chardev', 1],
    ['blockdev', 1],
    ['weird', 1],
  ),
  data: fc.constantFrom('', 'pwned\n', 'hello world\n', 'x'.repeat(700)),
  linkname: fc.oneof(
    { arbitrary: fc.constantFrom(...INSIDE_LINKS), weight: 2 },
    { arbitrary: fc.constantFrom(...OUTSIDE_LINKS), weight: 1 },
  ),
  mode: fc.constantFrom(0o644, 0o755, 0o600, 0o4755, 0o6777, 0o000, 0o1777),
  nameEncoding: fc.constantFrom<'ustar' | 'pax' | 'gnu'>('ustar', 'ustar', 'pax', 'gnu'),
  sizeLie: weighted<FuzzMember['sizeLie']>(['none', 18], ['huge', 1], ['short', 1]),
  badChecksum: weighted([false, 30], [true, 1]),
  weirdFlag: fc.constantFrom('7', 'g', 'V', 'S', 'M', 'Z', '\x00', '\xff'),
  manifestAs: fc.constantFrom<'honest' | 'file'>('honest', 'file'),
});

/** Members a careful packer could have written: legal names, links that stay inside. */
const benignMemberArb: fc.Arbitrary<FuzzMember> = fc.record({
  name: fc
    .array(fc.constantFrom(...LEGAL_SEGMENTS.filter((s) => s !== 'trap')), { minLength: 1, maxLength: 2 })
    .map((parts) => parts.join('/')),
  type: weighted<MemberType>(['file', 3], ['dir', 1], ['symlink', 1]),
  data: fc.constantFrom('', 'pwned\n', 'hello world\n'),
  linkname: fc.constantFrom('a', 'c.txt', 'b/c.txt'),
  mode: fc.constantFrom(0o644, 0o755),
  nameEncoding: fc.constantFrom<'ustar' | 'pax' | 'gnu'>('ustar', 'pax'),
  sizeLie: fc.constant<'none'>('none'),
  badChecksum: fc.constant(false),
  weirdFlag: fc.constant('0'),
  manifestAs: fc.constant<'honest'>('honest'),
});

/**
 * The generator of hostile cases. With `hostileRoots` the members are benign and the
 * manifest's roots are hostile, so that what is tested is what restore does with roots.
 */
export function fuzzCaseArb(hostileRoots: boolean): fc.Arbitrary<FuzzCase> {
  return fc.record({
    members: fc.array(hostileRoots ? benignMemberArb : memberArb, { minLength: 1, maxLength: hostileRoots ? 3 : 5 }),
    duplicate: hostileRoots
      ? fc.constant(-1)
      : fc.oneof({ arbitrary: fc.constant(-1), weight: 9 }, { arbitrary: fc.integer({ min: 0, max: 4 }), weight: 1 }),
    ending: hostileRoots
      ? fc.constant<'proper'>('proper')
      : weighted<FuzzCase['ending']>(['proper', 16], ['no-end-marker', 1], ['truncated', 2], ['garbage-after', 1]),
    truncateAt: fc.double({ min: 0.05, max: 0.98, noNaN: true }),
    manifest: hostileRoots
      ? fc.constant<'honest'>('honest')
      : weighted<FuzzCase['manifest']>(['honest', 9], ['lying', 1]),
    roots: hostileRoots ? fc.array(fc.constantFrom(...ROOTS), { minLength: 1, maxLength: 3 }) : fc.constant(['.']),
    // hostile roots matter most where restore deletes: mostly --delete, often without the pre-restore snapshot
    delete: hostileRoots ? weighted([true, 3], [false, 1]) : fc.boolean(),
    preRestore: hostileRoots ? weighted([false, 2], [true, 1]) : fc.boolean(),
    trapLink: fc.boolean(),
  });
}

/**
 * `count` cases from the seed that cannot reach outside the sandbox whatever restore does;
 * also returns how many generated cases were set aside for that reason.
 */
export function sampleCases(
  seed: number,
  hostileRoots: boolean,
  wanted: number,
  places: Places,
): { cases: FuzzCase[]; discarded: number } {
  const cases: FuzzCase[] = [];
  let discarded = 0;
  let batch = 0;
  while (cases.length < wanted && batch < 20) {
    for (const c of fc.sample(fuzzCaseArb(hostileRoots), { seed: seed + batch * 7919, numRuns: wanted * 2 })) {
      if (cases.length >= wanted) break;
      if (couldEscapeSandbox(c, places)) discarded += 1;
      else cases.push(c);
    }
    batch += 1;
  }
  return { cases, discarded };
}

// ---------------------------------------------------------------------------------------
// The oracle

export interface FuzzContext {
  places: Places;
  repoDir: string;
}

export async function prepareFuzz(dir: string): Promise<FuzzContext> {
  const places = await createSandbox(path.join(dir, 'sandbox'));
  const repoDir = path.join(dir, 'fuzz-repo');
  await fs.mkdir(repoDir, { recursive: true });
  return { places, repoDir };
}

/** Readable summary of a case, for reports: enough to rebuild it. */
export function describeCase(c: FuzzCase): string {
  const members = c.members
    .map(
      (m) =>
        `${m.type}${m.type === 'weird' ? `(${JSON.stringify(m.weirdFlag)})` : ''} ${JSON.stringify(m.name)}${m.type === 'symlink' || m.type === 'hardlink' ? ` -> ${JSON.stringify(m.linkname)}` : ''}${m.sizeLie !== 'none' ? ` size:${m.sizeLie}` : ''}${m.badChecksum ? ' bad-checksum' : ''}${m.nameEncoding !== 'ustar' ? ` ${m.nameEncoding}` : ''}`,
    )
    .join(', ');
  return `[${members}]${c.duplicate >= 0 && c.duplicate < c.members.length ? ` dup#${c.duplicate}` : ''} ${c.ending}${c.ending === 'truncated' ? `@${c.truncateAt.toFixed(2)}` : ''} manifest:${c.manifest} roots:${JSON.stringify(c.roots)}${c.delete ? ' --delete' : ''}${c.preRestore ? '' : ' --no-pre-restore'}${c.trapLink ? ' trap-link' : ''}`;
}

const outsideTarget = (places: Places) => {
  const rel = path.relative(places.sandbox, places.target);
  return (name: string) => name !== rel && !name.startsWith(`${rel}/`);
};

export async function fuzzTrial(ctx: FuzzContext, c: FuzzCase, label: string): Promise<TrialOutcome> {
  const { places } = ctx;
  const outcome = newOutcome(`${label}: ${describeCase(c)}`);
  outcome.faults = 1;
  await resetSandbox(places, c.trapLink);
  const sandboxBefore = await readTree(places.sandbox);
  const targetBefore = await readTree(places.target);

  const entries = honestManifest(c, places);
  const manifestEntries =
    c.manifest === 'honest'
      ? entries
      : [
          {
            path: 'harmless.txt',
            type: 'file',
            mode: '0644',
            mtime: MTIME,
            size: 0,
            sha256: sha256(Buffer.alloc(0)),
          } as ManifestEntry,
        ];
  const archive = await encrypt(gzipSync(buildTar(c, places)));
  const id = await writeForgedSnapshot(ctx.repoDir, {
    archive,
    manifestEntries,
    roots: c.roots.map((r) => swapRoot(r, places)),
  });

  const store = new LocalStore(ctx.repoDir);
  let error: unknown;
  try {
    await restoreInProcess(store, id, places.target, { delete: c.delete, preRestore: c.preRestore });
  } catch (e) {
    error = e;
  }

  // Nothing outside the target changes, whatever happened.
  const sandboxAfter = await readTreeOrEmpty(places.sandbox);
  const outside = compareTrees(
    new Map([...sandboxBefore].filter(([n]) => outsideTarget(places)(n))),
    new Map([...sandboxAfter].filter(([n]) => outsideTarget(places)(n))),
  );
  if (outside.lost.length + outside.extra.length > 0) {
    outcome.lost += outside.lost.length > 0 ? 1 : 0;
    violate(
      outcome,
      'never-writes-outside-the-target',
      `${error ? 'refused, but ' : ''}outside the target: ${[...outside.lost, ...outside.extra.map((e) => `created ${e}`)].slice(0, 6).join('; ')}`,
    );
  }

  const targetAfter = await readTreeOrEmpty(places.target);
  if (error) {
    const { message, ripcord } = describeError(error);
    count(outcome, 'refused');
    if (!ripcord) violate(outcome, 'refuses-with-its-own-error', `internal error on hostile input: ${message}`);
    const diff = compareTrees(targetBefore, targetAfter);
    if (diff.lost.length + diff.extra.length > 0) {
      // Touched after all: lost only if the pre-restore snapshot the error names cannot bring it back.
      const undoId = /ripcord restore (\S+) --target/.exec(message)?.[1];
      let recovered = false;
      if (undoId) {
        try {
          await restoreInProcess(store, undoId, places.target, { preRestore: false });
          const back = compareTrees(targetBefore, await readTreeOrEmpty(places.target));
          recovered = back.lost.length === 0;
        } catch {
          recovered = false;
        }
      }
      if (diff.lost.length > 0 && !recovered) outcome.lost += 1;
      violate(
        outcome,
        'refusal-leaves-target-untouched',
        `${message} — yet the target changed${recovered ? ' (the pre-restore snapshot brings it back)' : ''}: ${[...diff.lost, ...diff.extra.map((e) => `${isStaging(e) ? 'staging ' : 'extra '}${e}`)].slice(0, 5).join('; ')}`,
      );
    }
    outcome.notes.push(message);
  } else {
    count(outcome, 'restored');
    const { unsafe, missing } = checkRestoredTree(places, manifestEntries, targetBefore, targetAfter);
    for (const problem of unsafe) violate(outcome, 'restores-a-safe-tree', problem);
    for (const problem of missing) violate(outcome, 'restores-every-manifest-entry', problem);
  }
  if (outcome.violations.length === 0) outcome.detected = 1;
  await fs.rm(path.join(ctx.repoDir, id), { recursive: true, force: true });
  return outcome;
}

/** A tree that may have been removed altogether (by a restore that deleted too much). */
async function readTreeOrEmpty(root: string): Promise<Tree> {
  try {
    return await readTree(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
}

/**
 * What is wrong with a restored target: `unsafe` (an entry the manifest does not have, a
 * link out of the target) and `missing` (a manifest entry that is not there exactly).
 */
function checkRestoredTree(
  places: Places,
  entries: ManifestEntry[],
  before: Tree,
  after: Tree,
): { unsafe: string[]; missing: string[] } {
  const unsafe: string[] = [];
  const missing: string[] = [];
  const names = new Set(entries.map((e) => e.path));
  for (const entry of entries) {
    const got = after.get(entry.path);
    const want = entry.type;
    if (!got) missing.push(`${JSON.stringify(entry.path)} is missing`);
    else if (got.type !== want)
      missing.push(`${JSON.stringify(entry.path)} is a ${got.type}, the manifest says ${want}`);
    else if (want === 'file' && sha256(Buffer.from(got.content ?? '', 'base64')) !== entry.sha256)
      missing.push(`${JSON.stringify(entry.path)} has other content`);
    else if (want === 'symlink' && got.target !== entry.target)
      missing.push(`${JSON.stringify(entry.path)} points elsewhere`);
    else if (want !== 'symlink' && got.mode !== safeMode(parseMode(entry.mode)))
      missing.push(`${JSON.stringify(entry.path)} has mode ${got.mode.toString(8)}`);
  }
  for (const [name, got] of after) {
    const wanted = names.has(name) || [...names].some((n) => n.startsWith(`${name}/`));
    const kept = before.has(name) && !names.has(name);
    if (!wanted && !kept) unsafe.push(`${JSON.stringify(name)} is in the target but not in the manifest`);
    if (names.has(name) && got.type === 'symlink' && symlinkEscapes(name, got.target ?? '', places.target))
      unsafe.push(`${JSON.stringify(name)} is a symlink out of the target (${got.target})`);
  }
  return { unsafe, missing };
}

// ---------------------------------------------------------------------------------------
// Fixed hostile cases, through the CLI

/** The fixed cases start from an honest snapshot of a small tree. */
export type FixedCaseContext = RestoreSetup;

export function prepareFixedCases(dir: string, rng: Rng, bundle?: Bundle): Promise<FixedCaseContext> {
  const targetFiles = { 'precious.txt': 'keep me\n', 'dir-1/file-1.txt': 'older\n' };
  return prepareRestoreSetup(dir, 'fixed', rng, { dirs: 3, filesPerDir: 4, blobBytes: 64 << 10 }, targetFiles, bundle);
}

export interface FixedCase {
  name: string;
  /** make the case: returns the repository and snapshot reference to restore, and the env */
  make(ctx: FixedCaseContext, rng: Rng): Promise<{ repo: string; reference: string; env: Record<string, string> }>;
  /** restore may succeed (the case is odd but harmless), as long as the target stays as the snapshot says */
  mayRestore?: boolean;
}

async function copySnapshot(ctx: FixedCaseContext, name: string): Promise<{ repo: string; folder: string }> {
  const repo = path.join(ctx.dir, `case-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}-${Date.now()}`);
  const folder = path.join(repo, ctx.id);
  await fs.mkdir(repo, { recursive: true });
  await fs.cp(path.join(ctx.repo, ctx.id), folder, { recursive: true });
  return { repo, folder };
}

async function rewriteMetadata(
  folder: string,
  change: (m: Omit<SnapshotMetadata, 'metadataSha256'>) => void,
): Promise<void> {
  const m = JSON.parse(await fs.readFile(path.join(folder, 'snapshot.json'), 'utf8')) as SnapshotMetadata;
  const { metadataSha256: _old, ...fields } = m;
  change(fields);
  for (const object of ['archive.tar.gz.pgp', 'manifest.json.pgp'] as const) {
    const data = await fs.readFile(path.join(folder, object));
    fields.objects[object] = { sha256: sha256(data), bytes: data.length };
  }
  fields.archiveBytes = fields.objects['archive.tar.gz.pgp'].bytes;
  const sealed = sealMetadata(fields);
  await fs.writeFile(path.join(folder, 'SHA256SUMS'), formatChecksums(sealed.objects));
  await fs.writeFile(path.join(folder, 'snapshot.json'), serializeMetadata(sealed));
}

const passphraseEnv = { RIPCORD_PASSPHRASE: PASSPHRASE };

export const FIXED_CASES: FixedCase[] = [
  {
    name: 'a wrong passphrase',
    async make(ctx) {
      return { repo: ctx.repo, reference: ctx.id, env: { RIPCORD_PASSPHRASE: 'not the passphrase' } };
    },
  },
  {
    name: 'a passphrase snapshot given only a private key',
    async make(ctx) {
      const other = await generateKeyPair('Other <other@example.com>');
      return { repo: ctx.repo, reference: ctx.id, env: { RIPCORD_IDENTITY: other.privateKey } };
    },
  },
  {
    name: 'a public-key snapshot and a private key it was not made for',
    async make(ctx) {
      const [right, wrong] = await Promise.all([
        generateKeyPair('Right <right@example.com>'),
        generateKeyPair('Wrong <wrong@example.com>'),
      ]);
      const repo = path.join(ctx.dir, `pk-repo-${Date.now()}`);
      const source = path.join(ctx.dir, 'fixed-source');
      const backup = await runCli(['backup', '--repo', repo, '-q', '-C', source, '.'], {
        env: { RIPCORD_RECIPIENTS: right.publicKey, RIPCORD_SIGNING_KEY: right.privateKey },
        bundle: ctx.bundle,
      });
      if (backup.code !== 0) throw new Error(backup.stderr);
      // signed and trusted, so that the key itself is what is wrong
      return {
        repo,
        reference: backup.stdout.trim(),
        env: { RIPCORD_IDENTITY: wrong.privateKey, RIPCORD_TRUSTED_SIGNERS: right.publicKey },
      };
    },
  },
  {
    name: 'an archive truncated at a random point (checksums left)',
    async make(ctx, rng) {
      const { repo, folder } = await copySnapshot(ctx, 'trunc-archive');
      const file = path.join(folder, 'archive.tar.gz.pgp');
      const data = await fs.readFile(file);
      await fs.writeFile(file, data.subarray(0, rng.int(0, data.length - 1)));
      return { repo, reference: ctx.id, env: passphraseEnv };
    },
  },
  {
    name: 'an archive truncated at a random point, checksums recomputed',
    async make(ctx, rng) {
      const { repo, folder } = await copySnapshot(ctx, 'trunc-archive-sealed');
      const file = path.join(folder, 'archive.tar.gz.pgp');
      const data = await fs.readFile(file);
      await fs.writeFile(file, data.subarray(0, rng.int(1, data.length - 1)));
      await rewriteMetadata(folder, () => {});
      return { repo, reference: ctx.id, env: passphraseEnv };
    },
  },
  {
    name: 'a manifest truncated at a random point, checksums recomputed',
    async make(ctx, rng) {
      const { repo, folder } = await copySnapshot(ctx, 'trunc-manifest-sealed');
      const file = path.join(folder, 'manifest.json.pgp');
      const data = await fs.readFile(file);
      await fs.writeFile(file, data.subarray(0, rng.int(1, data.length - 1)));
      await rewriteMetadata(folder, () => {});
      return { repo, reference: ctx.id, env: passphraseEnv };
    },
  },
  {
    name: 'an empty (0-byte) archive, checksums recomputed',
    async make(ctx) {
      const { repo, folder } = await copySnapshot(ctx, 'empty-archive');
      await fs.writeFile(path.join(folder, 'archive.tar.gz.pgp'), Buffer.alloc(0));
      await rewriteMetadata(folder, () => {});
      return { repo, reference: ctx.id, env: passphraseEnv };
    },
  },
  {
    name: 'an empty manifest object (0 bytes), checksums recomputed',
    async make(ctx) {
      const { repo, folder } = await copySnapshot(ctx, 'empty-manifest');
      await fs.writeFile(path.join(folder, 'manifest.json.pgp'), Buffer.alloc(0));
      await rewriteMetadata(folder, () => {});
      return { repo, reference: ctx.id, env: passphraseEnv };
    },
  },
  {
    name: 'a valid, authenticated archive of an empty tar with an empty manifest',
    mayRestore: true,
    async make(ctx) {
      const repo = path.join(ctx.dir, `empty-tar-${Date.now()}`);
      const archive = await encrypt(gzipSync(Buffer.alloc(2 * BLOCK)));
      const id = await writeForgedSnapshot(repo, { archive, manifestEntries: [], roots: ['.'] });
      return { repo, reference: id, env: passphraseEnv };
    },
  },
  {
    name: 'an authenticated archive that is not gzip at all (the manifest lists a file)',
    async make(ctx) {
      const repo = path.join(ctx.dir, `not-gzip-${Date.now()}`);
      const archive = await encrypt(Buffer.from('this is not a gzip stream\n'.repeat(50)));
      const entry: ManifestEntry = {
        path: 'a.txt',
        type: 'file',
        mode: '0644',
        mtime: MTIME,
        size: 6,
        sha256: sha256(Buffer.from('hello\n')),
      };
      const id = await writeForgedSnapshot(repo, { archive, manifestEntries: [entry], roots: ['a.txt'] });
      return { repo, reference: id, env: passphraseEnv };
    },
  },
  {
    name: 'a snapshot.json that is not JSON',
    async make(ctx, rng) {
      const { repo, folder } = await copySnapshot(ctx, 'not-json');
      await fs.writeFile(path.join(folder, 'snapshot.json'), `{"format": "ripcord-snapshot/1", "id": ${rng.hex(8)}`);
      return { repo, reference: ctx.id, env: passphraseEnv };
    },
  },
  {
    name: 'an empty snapshot.json',
    async make(ctx) {
      const { repo, folder } = await copySnapshot(ctx, 'empty-json');
      await fs.writeFile(path.join(folder, 'snapshot.json'), '');
      return { repo, reference: ctx.id, env: passphraseEnv };
    },
  },
  {
    name: 'a snapshot.json holding null',
    async make(ctx) {
      const { repo, folder } = await copySnapshot(ctx, 'null-json');
      await fs.writeFile(path.join(folder, 'snapshot.json'), 'null\n');
      return { repo, reference: ctx.id, env: passphraseEnv };
    },
  },
  {
    name: 'a snapshot.json that names a different id (re-sealed)',
    async make(ctx) {
      const { repo, folder } = await copySnapshot(ctx, 'other-id');
      const other = createSnapshotId(new Date(Date.parse('2020-01-01T00:00:00Z')));
      await rewriteMetadata(folder, (m) => void (m.id = other));
      return { repo, reference: ctx.id, env: passphraseEnv };
    },
  },
  {
    name: 'a snapshot folder copied under another id (snapshot.json names the original)',
    async make(ctx) {
      const { repo, folder } = await copySnapshot(ctx, 'renamed');
      const other = createSnapshotId();
      await fs.rename(folder, path.join(repo, other));
      return { repo, reference: other, env: passphraseEnv };
    },
  },
  {
    name: 'SHA256SUMS missing',
    mayRestore: true,
    async make(ctx) {
      const { repo, folder } = await copySnapshot(ctx, 'no-sums');
      await fs.rm(path.join(folder, 'SHA256SUMS'));
      return { repo, reference: ctx.id, env: passphraseEnv };
    },
  },
];

/** A manifest that authenticates (the forger holds the key) but is not JSON. */
export const MALFORMED_MANIFEST_CASE: FixedCase = {
  name: 'an authenticated manifest that is not JSON',
  async make(ctx) {
    const repo = path.join(ctx.dir, `manifest-not-json-${Date.now()}`);
    const archive = await encrypt(gzipSync(Buffer.alloc(2 * BLOCK)));
    const id = await writeForgedSnapshot(repo, {
      archive,
      manifestEntries: [],
      roots: ['.'],
      manifestText: () => '{"format":"ripcord-manifest/1","roots":["."],"entries":[\n{not json at all\n',
    });
    return { repo, reference: id, env: passphraseEnv };
  },
};

/**
 * A manifest that ends after its entries, without the trailer that binds it to the archive
 * and to snapshot.json: the archive and entries are genuine, so only the missing binding is wrong.
 */
export const UNBOUND_MANIFEST_CASE: FixedCase = {
  name: 'an authenticated manifest without its trailer (nothing binds it to snapshot.json and the archive)',
  async make(ctx) {
    const repo = path.join(ctx.dir, `manifest-no-trailer-${Date.now()}`);
    const c = plainCase([plainMember('a.txt', 'file', 'hello\n')], { roots: ['a.txt'] });
    const places = { sandbox: ctx.dir, outside: ctx.dir, target: ctx.target };
    const entries = honestManifest(c, places);
    const archive = await encrypt(gzipSync(buildTar(c, places)));
    const id = await writeForgedSnapshot(repo, {
      archive,
      manifestEntries: entries,
      roots: ['a.txt'],
      manifestText: () => manifestHeader(['a.txt']) + entries.map((e, i) => manifestEntryLine(e, i === 0)).join(''),
    });
    return { repo, reference: id, env: passphraseEnv };
  },
};

/**
 * Restore a fixed hostile case through the CLI: one clean line and exit 1, target as it
 * was (or, for the odd-but-harmless cases, a successful restore of what the snapshot holds).
 */
export async function fixedCaseTrial(ctx: FixedCaseContext, c: FixedCase, rng: Rng): Promise<TrialOutcome> {
  const outcome = newOutcome(c.name);
  outcome.faults = 1;
  const made = await c.make(ctx, rng);
  await copyTree(ctx.targetOriginal, ctx.target);
  const run = await runCli(['restore', made.reference, '--repo', made.repo, '--target', ctx.target, '--yes'], {
    env: made.env,
    bundle: ctx.bundle,
  });
  const after = await readTree(ctx.target);
  const diff = compareTrees(ctx.targetTree, after);
  if (run.code === 0 && c.mayRestore) {
    count(outcome, 'restored (harmless)');
    if (diff.lost.length > 0 && !/pre-restore snapshot/.test(run.stdout)) outcome.lost += 1;
    outcome.detected = 1;
    return outcome;
  }
  const problem = cleanFailure(run);
  if (problem) violate(outcome, 'refuses-cleanly', `${c.name}: ${problem}`);
  else count(outcome, 'refused');
  if (diff.lost.length + diff.extra.length > 0) {
    if (diff.lost.length) outcome.lost += 1;
    violate(
      outcome,
      'refusal-leaves-target-untouched',
      `${c.name}: ${[...diff.lost, ...diff.extra].slice(0, 5).join('; ')}`,
    );
  }
  outcome.notes.push(run.stderr.trim());
  if (outcome.violations.length === 0) outcome.detected = 1;
  return outcome;
}
