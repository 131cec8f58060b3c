import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip, gzipSync } from 'node:zlib';
import { readTar, TarFormatError, type TarEntry, type TarEntryKind } from '../../src/archive/tar-reader.ts';
import { encodeTarHeader, tarPadding, TAR_END, type TarHeader } from '../../src/archive/tar-writer.ts';
import { pythonExecutable } from '../helpers/python.ts';

// ---------------------------------------------------------------- helpers

interface Read {
  entry: TarEntry;
  data: Buffer;
}

/** a small deterministic PRNG, so a failing chunking can be replayed from its seed */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function* chunks(buf: Buffer, size: number | (() => number) = buf.length || 1): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; ) {
    const n = Math.max(1, typeof size === 'number' ? size : size());
    yield buf.subarray(i, i + n);
    i += n;
  }
}

/** chunk sizes from 1 byte to 64 KiB, mostly small, so headers straddle chunks */
function randomSizes(seed: number): () => number {
  const rnd = prng(seed);
  return () => {
    const r = rnd();
    if (r < 0.3) return 1 + Math.floor(rnd() * 8);
    if (r < 0.7) return 1 + Math.floor(rnd() * 700);
    return 1 + Math.floor(rnd() * 65536);
  };
}

async function readAll(source: AsyncIterable<Uint8Array>): Promise<Read[]> {
  const out: Read[] = [];
  for await (const { entry, body } of readTar(source)) {
    const parts: Buffer[] = [];
    for await (const c of body) parts.push(c);
    out.push({ entry, data: Buffer.concat(parts) });
  }
  return out;
}

async function rejectsWithFormatError(p: Promise<unknown>, msg: string): Promise<TarFormatError> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, TarFormatError, `${msg}: ${String(e)}`);
    return e as TarFormatError;
  }
  assert.unreachable(`${msg}: no error`);
  throw new Error('unreachable');
}

async function withTmp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ripcord-tar-reader-'));
  try {
    return await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], opts: { cwd?: string } = {}): Buffer {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    maxBuffer: 256 << 20,
    env: { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC' },
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.toString()}`);
  return r.stdout;
}

interface WItem {
  header: TarHeader;
  body?: Buffer;
}

function writeArchive(items: WItem[]): { archive: Buffer; starts: number[]; end: number } {
  const parts: Buffer[] = [];
  const starts: number[] = [];
  let off = 0;
  const push = (b: Buffer): void => {
    parts.push(b);
    off += b.length;
  };
  for (const { header, body } of items) {
    starts.push(off);
    push(encodeTarHeader(header));
    if (body) {
      push(body);
      push(tarPadding(body.length));
    }
  }
  const end = off;
  push(TAR_END);
  return { archive: Buffer.concat(parts), starts, end };
}

/** what the reader should report for a header the writer wrote */
function expectedEntry(h: TarHeader): TarEntry {
  const e: TarEntry = {
    path: h.path,
    kind: h.type,
    typeflag: h.type === 'file' ? '0' : h.type === 'directory' ? '5' : '2',
    mode: h.mode & 0o7777,
    uid: h.uid,
    gid: h.gid,
    size: h.size,
    mtime: h.mtime,
  };
  if (h.type === 'symlink') e.linkTarget = h.linkTarget ?? '';
  if (h.uname) e.uname = h.uname;
  if (h.gname) e.gname = h.gname;
  return e;
}

/** a raw 512-byte header with a correct checksum */
function rawHeader(o: {
  name: string;
  typeflag: string;
  size?: number;
  sizeField?: Buffer;
  magic?: 'ustar' | 'gnu' | 'none';
  mode?: number;
}): Buffer {
  const b = Buffer.alloc(512);
  b.write(o.name, 0, 100, 'utf8');
  b.write((o.mode ?? 0o644).toString(8).padStart(7, '0') + '\0', 100, 'latin1');
  b.write('0000000\0', 108, 'latin1');
  b.write('0000000\0', 116, 'latin1');
  if (o.sizeField) o.sizeField.copy(b, 124);
  else b.write((o.size ?? 0).toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  b.write('00000000000\0', 136, 'latin1');
  b.write(o.typeflag, 156, 'latin1');
  if ((o.magic ?? 'ustar') === 'ustar') b.write('ustar\x0000', 257, 'latin1');
  else if (o.magic === 'gnu') b.write('ustar  \0', 257, 'latin1');
  setChecksum(b);
  return b;
}

function setChecksum(b: Buffer): void {
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += b[i] as number;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
}

function padded(data: Buffer): Buffer {
  return Buffer.concat([data, tarPadding(data.length)]);
}

/** "<len> key=value\n" with the self-including length */
function paxRecord(key: string, value: string): string {
  const base = Buffer.byteLength(` ${key}=${value}\n`);
  let len = base + String(base).length;
  if (String(len).length !== String(base).length) len = base + String(len).length;
  return `${len} ${key}=${value}\n`;
}

/** an archive: pax 'x' header with `records`, then a regular file "plain.txt" holding "hello" */
function archiveWithPax(records: string | Buffer, typeflag = 'x'): Buffer {
  const data = typeof records === 'string' ? Buffer.from(records) : records;
  return Buffer.concat([
    rawHeader({ name: 'PaxHeaders/plain.txt', typeflag, size: data.length }),
    padded(data),
    rawHeader({ name: 'plain.txt', typeflag: '0', size: 5 }),
    padded(Buffer.from('hello')),
    TAR_END,
  ]);
}

// ---------------------------------------------------------------- GNU tar archives

interface Expected {
  entry: TarEntry;
  data: Buffer;
}

/**
 * A tree under root/tree. `long`: names and symlink targets beyond ustar (and unicode);
 * otherwise everything fits v7 (paths < 100 bytes, targets < 100 bytes).
 */
async function makeTree(root: string, long: boolean): Promise<void> {
  const t = path.join(root, 'tree');
  await fs.mkdir(path.join(t, 'sub'), { recursive: true });
  await fs.mkdir(path.join(t, 'empty-dir'), { mode: 0o700 });
  await fs.chmod(path.join(t, 'empty-dir'), 0o700);
  await fs.writeFile(path.join(t, 'empty-file'), '');
  await fs.writeFile(path.join(t, 'exec.sh'), '#!/bin/sh\necho hi\n');
  await fs.chmod(path.join(t, 'exec.sh'), 0o755);
  await fs.writeFile(path.join(t, 'sub', 'data.bin'), randomBytes(100_003));
  await fs.writeFile(path.join(t, 'hard-a'), 'linked twice\n');
  await fs.link(path.join(t, 'hard-a'), path.join(t, 'hard-b'));
  await fs.symlink('exec.sh', path.join(t, 'link'));
  if (long) {
    let deep = path.join(t, 'dé', 'jà vu');
    await fs.mkdir(deep, { recursive: true });
    await fs.writeFile(path.join(deep, 'ファイル.txt'), 'こんにちは\n');
    // a 330-byte path: more than ustar's 255
    for (const c of ['a', 'b', 'c', 'd', 'e']) {
      deep = path.join(deep, c.repeat(60));
      await fs.mkdir(deep);
    }
    await fs.writeFile(path.join(deep, 'deep.txt'), 'deep\n');
    await fs.symlink('zïel/' + 'ü'.repeat(120) + '/' + 't'.repeat(50), path.join(t, 'long-link'));
  } else {
    const dir = path.join(t, 'x'.repeat(40));
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'y'.repeat(50)), 'ninety-something\n');
  }
  // distinct integer mtimes, children before parents
  let when = 1_500_000_000;
  const walk = async (p: string): Promise<void> => {
    const st = await fs.lstat(p);
    if (st.isDirectory()) for (const n of (await fs.readdir(p)).sort()) await walk(path.join(p, n));
    when += 1000;
    await fs.lutimes(p, when, when);
  };
  await walk(t);
}

/** the entries GNU tar --sort=name should produce for root/tree */
async function expectedFromTree(root: string, format: string): Promise<Expected[]> {
  const withOwners = format !== 'v7';
  const out: Expected[] = [];
  const seen = new Map<number, string>();
  const walk = async (rel: string): Promise<void> => {
    const p = path.join(root, rel);
    const st = await fs.lstat(p);
    let kind: TarEntryKind = st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : 'file';
    let data = Buffer.alloc(0);
    let linkTarget: string | undefined;
    if (kind === 'symlink') linkTarget = await fs.readlink(p);
    if (kind === 'file' && st.nlink > 1 && seen.has(st.ino)) {
      kind = 'hardlink';
      linkTarget = seen.get(st.ino);
    } else if (kind === 'file') {
      seen.set(st.ino, rel);
      data = await fs.readFile(p);
    }
    // v7 has no '0': regular files are '\0'
    const typeflag = { file: format === 'v7' ? '\0' : '0', directory: '5', symlink: '2', hardlink: '1' }[
      kind as 'file'
    ];
    const entry: TarEntry = {
      path: rel,
      kind,
      typeflag,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      size: data.length,
      mtime: Math.floor(st.mtimeMs / 1000),
    };
    if (linkTarget !== undefined) entry.linkTarget = linkTarget;
    if (withOwners) {
      entry.uname = run('id', ['-un', String(st.uid)])
        .toString()
        .trim();
      entry.gname = run('id', ['-gn', String(st.uid)])
        .toString()
        .trim();
    }
    out.push({ entry, data });
    if (kind === 'directory') {
      const names = (await fs.readdir(p)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      for (const n of names) await walk(rel + '/' + n);
    }
  };
  await walk('tree');
  return out;
}

function assertMatches(got: Read[], want: Expected[], label: string): void {
  assert.equal(
    got.map((r) => r.entry.path),
    want.map((w) => w.entry.path),
    `${label}: names`,
  );
  got.forEach((r, i) => {
    const w = want[i] as Expected;
    assert.equal(r.entry, w.entry, `${label}: entry ${w.entry.path}`);
    assert.ok(r.data.equals(w.data), `${label}: content of ${w.entry.path}`);
  });
}

test('archives made by GNU tar in gnu, pax, ustar and v7 format parse to the expected entries and contents', async () => {
  await withTmp(async (tmp) => {
    const longRoot = path.join(tmp, 'long');
    const shortRoot = path.join(tmp, 'short');
    await makeTree(longRoot, true);
    await makeTree(shortRoot, false);
    const cases: Array<[format: string, root: string]> = [
      ['gnu', longRoot],
      ['pax', longRoot],
      ['ustar', shortRoot],
      ['v7', shortRoot],
      ['gnu', shortRoot],
    ];
    for (const [format, root] of cases) {
      const archive = run('tar', [`--format=${format}`, '--sort=name', '-cf', '-', '-C', root, 'tree']);
      const want = await expectedFromTree(root, format);
      if (format === 'v7') assert.not.ok(archive.includes('ustar'), 'v7 archive has no magic');
      if (root === longRoot) {
        assert.ok(
          want.some((w) => Buffer.byteLength(w.entry.path) > 300),
          'tree has a path beyond ustar',
        );
        assert.ok(
          want.some((w) => Buffer.byteLength(w.entry.linkTarget ?? '') > 100),
          'tree has a long symlink target',
        );
      }
      assert.ok(
        want.some((w) => w.entry.kind === 'hardlink'),
        'tree has a hardlink',
      );
      assertMatches(await readAll(chunks(archive, 65536)), want, format);
      assertMatches(await readAll(chunks(archive, randomSizes(7))), want, `${format}, random chunks`);
    }
  });
});

test('GNU base-256 numeric fields are decoded: large uid/gid and a negative mtime', async () => {
  await withTmp(async (tmp) => {
    const f = path.join(tmp, 'old.txt');
    await fs.writeFile(f, 'from 1900\n');
    // (a Date: fs.utimes turns a negative number into "now"; the file system may clamp to -2^31)
    const d = new Date('1900-01-01T00:00:00Z');
    await fs.utimes(f, d, d);
    const when = Math.floor((await fs.stat(f)).mtimeMs / 1000);
    assert.ok(when < 0, `the file system kept a pre-1970 mtime (${when})`);
    const archive = run('tar', [
      '--format=gnu',
      '--owner=big:4000000000',
      '--group=grp:3000000',
      '-cf',
      '-',
      '-C',
      tmp,
      'old.txt',
    ]);
    assert.is((archive[108] as number) & 0x80, 0x80, 'uid is base-256');
    assert.is(archive[136], 0xff, 'mtime is negative base-256');
    const [r] = await readAll(chunks(archive));
    assert.equal(r?.entry, {
      path: 'old.txt',
      kind: 'file',
      typeflag: '0',
      mode: 0o644,
      uid: 4_000_000_000,
      gid: 3_000_000,
      size: 10,
      mtime: when,
      uname: 'big',
      gname: 'grp',
    });
    assert.is(r?.data.toString(), 'from 1900\n');
  });
});

test('a fractional pax mtime from GNU tar keeps its fraction', async () => {
  await withTmp(async (tmp) => {
    const f = path.join(tmp, 'frac.txt');
    await fs.writeFile(f, 'x');
    await fs.utimes(f, 1_577_836_800.5, 1_577_836_800.5);
    const archive = run('tar', ['--format=pax', '-cf', '-', '-C', tmp, 'frac.txt']);
    const [r] = await readAll(chunks(archive));
    assert.is(r?.entry.mtime, 1_577_836_800.5);
  });
});

// ---------------------------------------------------------------- Python tarfile archives

test('FIFO, character and block device entries made by Python tarfile are reported with their kinds', async () => {
  await withTmp(async (tmp) => {
    const file = path.join(tmp, 'dev.tar');
    const script = `
import io, sys, tarfile
with tarfile.open(sys.argv[1], 'w', format=tarfile.USTAR_FORMAT) as tf:
    for name, kind in (('pipe', tarfile.FIFOTYPE), ('dev/null', tarfile.CHRTYPE), ('dev/sda', tarfile.BLKTYPE)):
        ti = tarfile.TarInfo(name)
        ti.type = kind
        ti.mode = 0o620
        ti.devmajor, ti.devminor = 8, 1
        tf.addfile(ti)
    ti = tarfile.TarInfo('after.txt')
    ti.size = 6
    tf.addfile(ti, io.BytesIO(b'after\\n'))
`;
    run(pythonExecutable(), ['-c', script, file]);
    const got = await readAll(chunks(await fs.readFile(file), 100));
    assert.equal(
      got.map((r) => [r.entry.path, r.entry.kind, r.entry.typeflag, r.entry.mode, r.entry.size]),
      [
        ['pipe', 'fifo', '6', 0o620, 0],
        ['dev/null', 'char-device', '3', 0o620, 0],
        ['dev/sda', 'block-device', '4', 0o620, 0],
        ['after.txt', 'file', '0', 0o644, 6],
      ],
    );
    assert.is(got[3]?.data.toString(), 'after\n');
  });
});

test("a global pax header's path never renames entries, while its owner keys apply", async () => {
  await withTmp(async (tmp) => {
    const file = path.join(tmp, 'g.tar');
    const script = `
import io, sys, tarfile
with tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT, pax_headers={'path': 'evil/../../x', 'uname': 'shared', 'comment': 'hi'}) as tf:
    for name in ('one.txt', 'two.txt'):
        ti = tarfile.TarInfo(name)
        ti.size = 3
        ti.uname = 'local'
        tf.addfile(ti, io.BytesIO(b'abc'))
`;
    run(pythonExecutable(), ['-c', script, file]);
    const archive = await fs.readFile(file);
    assert.is(String.fromCharCode(archive[156] as number), 'g');
    const got = await readAll(chunks(archive));
    assert.equal(
      got.map((r) => r.entry.path),
      ['one.txt', 'two.txt'],
    );
    assert.equal(
      got.map((r) => r.entry.uname),
      ['shared', 'shared'],
    );
    assert.equal(
      got.map((r) => r.data.toString()),
      ['abc', 'abc'],
    );
  });
});

// ---------------------------------------------------------------- round trips with the writer

function sampleItems(): WItem[] {
  const file = (p: string, body: Buffer, extra: Partial<TarHeader> = {}): WItem => ({
    header: {
      path: p,
      type: 'file',
      mode: 0o644,
      size: body.length,
      mtime: 1_700_000_000,
      uid: 1000,
      gid: 1000,
      uname: 'me',
      gname: 'us',
      ...extra,
    },
    body,
  });
  return [
    { header: { path: 'dé', type: 'directory', mode: 0o755, size: 0, mtime: 1_600_000_000, uid: 0, gid: 0 } },
    file('dé/jà vu/ファイル.txt', Buffer.from('こんにちは\n')),
    file('p'.repeat(160) + '/' + 'q'.repeat(139), Buffer.from('long name')),
    file('s/' + 'x'.repeat(140), randomBytes(1000), { mode: 0o4755, mtime: -12345 }),
    {
      header: {
        path: 'link',
        type: 'symlink',
        mode: 0o777,
        size: 0,
        mtime: 9_000_000_000,
        uid: 0,
        gid: 0,
        linkTarget: 'ü'.repeat(300),
      },
    },
    file('empty', Buffer.alloc(0)),
    file('big', randomBytes(300_001), { uid: 5_000_000, gid: 6_000_000, uname: 'ü'.repeat(40) }),
    file('exactly-512', randomBytes(512)),
  ];
}

test('the reader reads back what the writer writes, whatever the input chunking', async () => {
  const items = sampleItems();
  const { archive } = writeArchive(items);
  const want = items.map((i) => ({ entry: expectedEntry(i.header), data: i.body ?? Buffer.alloc(0) }));
  assertMatches(await readAll(chunks(archive)), want, 'one chunk');
  for (const seed of [1, 2, 3, 4, 5])
    assertMatches(await readAll(chunks(archive, randomSizes(seed))), want, `seed ${seed}`);
  // 1-byte chunks: every header, pax record and padding straddles chunk boundaries
  const small = writeArchive(items.filter((i) => (i.body?.length ?? 0) < 2000));
  const smallWant = want.filter((w) => w.data.length < 2000);
  assertMatches(await readAll(chunks(small.archive, 1)), smallWant, '1-byte chunks');
  // a Uint8Array source (not Buffer) works too
  async function* plain(): AsyncGenerator<Uint8Array> {
    yield new Uint8Array(archive.buffer, archive.byteOffset, archive.byteLength);
  }
  assertMatches(await readAll(plain()), want, 'Uint8Array chunks');
});

test('bodies are views of the input chunks, not copies', async () => {
  const body = randomBytes(4096);
  const { archive } = writeArchive([
    { header: { path: 'f', type: 'file', mode: 0o644, size: body.length, mtime: 0, uid: 0, gid: 0 }, body },
  ]);
  for await (const { body: b } of readTar(chunks(archive))) {
    for await (const c of b) assert.is(c.buffer, archive.buffer);
  }
});

test('with release, each input chunk is handed back once, after the reader is done with everything it gave out of it', async () => {
  const items = sampleItems();
  const { archive } = writeArchive(items);
  const want = items.map((i) => ({ entry: expectedEntry(i.header), data: i.body ?? Buffer.alloc(0) }));
  for (const seed of [1, 2, 3, 4, 5]) {
    // copies, so that wiping a chunk's bytes on release cannot touch the archive or another chunk
    const given: Buffer[] = [];
    async function* owned(): AsyncGenerator<Buffer> {
      for await (const c of chunks(archive, randomSizes(seed))) {
        const copy = Buffer.from(c);
        given.push(copy);
        yield copy;
      }
    }
    const released: Buffer[] = [];
    // A release that destroys: a header, pax record or body read from a chunk after its
    // release would come out as 0xee bytes, and the entries would not match.
    const release = (chunk: Buffer) => {
      released.push(chunk);
      chunk.fill(0xee);
    };
    const out: Read[] = [];
    // each body chunk is done with (copied) before the next is asked for, as the contract says
    for await (const { entry, body } of readTar(owned(), { release })) {
      const parts: Buffer[] = [];
      for await (const c of body) parts.push(Buffer.from(c));
      out.push({ entry, data: Buffer.concat(parts) });
    }
    assertMatches(out, want, `seed ${seed}`);
    assert.is(released.length, given.length, `seed ${seed}: every chunk released, the last one at the end of input`);
    assert.is(new Set(released).size, released.length, `seed ${seed}: no chunk released twice`);
    for (const chunk of released) assert.ok(given.includes(chunk), `seed ${seed}: only chunks it was given`);
  }
});

test('an unconsumed or partly consumed body is skipped and the next entry is read correctly', async () => {
  const sizes = [0, 1, 511, 512, 513, 100_000, 3, 70_000, 2];
  const items: WItem[] = sizes.map((n, i) => {
    const body = randomBytes(n);
    return { header: { path: `f${i}`, type: 'file', mode: 0o644, size: n, mtime: i, uid: 0, gid: 0 }, body };
  });
  const { archive } = writeArchive(items);
  for (const seed of [11, 12, 13]) {
    const seen: string[] = [];
    let i = 0;
    for await (const { entry, body } of readTar(chunks(archive, randomSizes(seed)))) {
      seen.push(entry.path);
      const want = items[i]?.body as Buffer;
      if (i % 3 === 1) {
        // read everything
        const parts: Buffer[] = [];
        for await (const c of body) parts.push(c);
        assert.ok(Buffer.concat(parts).equals(want), `content of ${entry.path}`);
      } else if (i % 3 === 2) {
        // read the first piece only
        for await (const c of body) {
          assert.ok(c.equals(want.subarray(0, c.length)));
          break;
        }
      } // else: ignore the body
      i++;
    }
    assert.equal(
      seen,
      items.map((it) => it.header.path),
      `seed ${seed}`,
    );
  }
});

test('reading a body after asking for the next entry, or after stopping, throws instead of returning short data', async () => {
  const body = randomBytes(2000);
  const { archive } = writeArchive([
    { header: { path: 'a', type: 'file', mode: 0o644, size: body.length, mtime: 0, uid: 0, gid: 0 }, body },
    { header: { path: 'b', type: 'file', mode: 0o644, size: 0, mtime: 0, uid: 0, gid: 0 }, body: Buffer.alloc(0) },
  ]);
  const it = readTar(chunks(archive, 100));
  const first = await it.next();
  assert.is(first.value?.entry.path, 'a');
  const second = await it.next();
  assert.is(second.value?.entry.path, 'b');
  const stale = (first.value as { body: AsyncIterable<Buffer> }).body[Symbol.asyncIterator]();
  try {
    await stale.next();
    assert.unreachable('stale body read did not throw');
  } catch (e) {
    assert.match(String(e), /after the next entry/);
  }
  assert.ok((await it.next()).done);

  // the same when the consumer stops iterating while holding a body
  const it2 = readTar(chunks(archive, 100));
  const held = (await it2.next()).value as { body: AsyncIterable<Buffer> };
  await it2.return(undefined);
  try {
    for await (const _ of held.body);
    assert.unreachable('body read after return() did not throw');
  } catch (e) {
    assert.match(String(e), /iteration ended/);
  }
});

test('an archive cut at any offset throws TarFormatError unless it ends between entries', async () => {
  const items: WItem[] = [
    { header: { path: 'dir', type: 'directory', mode: 0o755, size: 0, mtime: 1, uid: 0, gid: 0 } },
    {
      header: { path: 'dir/ü.txt', type: 'file', mode: 0o644, size: 700, mtime: 2, uid: 0, gid: 0 },
      body: randomBytes(700),
    },
    {
      header: {
        path: 'l',
        type: 'symlink',
        mode: 0o777,
        size: 0,
        mtime: 3,
        uid: 0,
        gid: 0,
        linkTarget: 't'.repeat(150),
      },
    },
    {
      header: { path: 'small', type: 'file', mode: 0o644, size: 5, mtime: -4, uid: 0, gid: 0 },
      body: Buffer.from('small'),
    },
  ];
  const { archive, starts, end } = writeArchive(items);
  const boundaries = [...starts.slice(1), end];
  for (const consume of [true, false]) {
    for (let cut = 0; cut < archive.length; cut++) {
      const input = archive.subarray(0, cut);
      const complete = boundaries.indexOf(cut) + 1; // entries before a boundary cut
      const read = async (): Promise<number> => {
        let n = 0;
        for await (const { body } of readTar(chunks(input, 300))) {
          if (consume) for await (const _ of body);
          n++;
        }
        return n;
      };
      if (complete > 0) {
        assert.is(await read(), complete, `cut at entry boundary ${cut}`);
      } else if (cut >= end + 512) {
        // the first zero block is a complete end-of-archive marker
        assert.is(await read(), items.length, `cut at ${cut}, after one zero block`);
      } else {
        await rejectsWithFormatError(read(), `cut at ${cut} (consume=${consume})`);
      }
    }
  }
});

test('empty input is not an archive', async () => {
  await rejectsWithFormatError(readAll(chunks(Buffer.alloc(0))), 'empty input');
});

test('a single zero block ends the archive and anything after the marker is ignored', async () => {
  const items = sampleItems().slice(0, 3);
  const { archive, end } = writeArchive(items);
  const input = Buffer.concat([archive.subarray(0, end + 512), Buffer.from('trailing garbage, not a header')]);
  const got = await readAll(chunks(input, 1000));
  assert.equal(
    got.map((r) => r.entry.path),
    items.map((i) => i.header.path),
  );
});

test('after the end marker the rest of the input is read, so a corrupt gzip trailer still surfaces', async () => {
  const items = sampleItems();
  const { archive } = writeArchive(items);
  // trailing zeros after the marker (as GNU tar's record padding, only longer) so that the
  // entries are delivered well before gunzip reaches its trailer
  const gz = gzipSync(Buffer.concat([archive, Buffer.alloc(1 << 20)]));
  // intact: a Node stream source parses completely
  const ok = await readAll(Readable.from([gz]).pipe(createGunzip()));
  assert.equal(
    ok.map((r) => r.entry.path),
    items.map((i) => i.header.path),
  );
  // a wrong CRC-32 in the gzip trailer is only detected at the very end of the stream
  const bad = Buffer.from(gz);
  bad[bad.length - 8] = (bad[bad.length - 8] as number) ^ 0xff;
  const seen: string[] = [];
  try {
    for await (const { entry } of readTar(Readable.from([bad]).pipe(createGunzip()))) seen.push(entry.path);
    assert.unreachable('the gzip CRC error was swallowed');
  } catch (e) {
    assert.not.instance(e, TarFormatError);
    assert.match(String((e as { code?: string }).code), /Z_DATA_ERROR/);
  }
  assert.equal(
    seen,
    items.map((i) => i.header.path),
  );
});

// ---------------------------------------------------------------- hostile input

test('a corrupted header checksum throws TarFormatError after the intact entries', async () => {
  const items = sampleItems();
  const { archive, starts } = writeArchive(items);
  for (const [where, offset] of [
    ['name', 10],
    ['mode', 101],
    ['checksum field', 150],
    ['padding', 510],
  ] as const) {
    const bad = Buffer.from(archive);
    const at = (starts[2] as number) + offset;
    bad[at] = (bad[at] as number) ^ 0x01;
    const seen: string[] = [];
    const iterate = async (): Promise<void> => {
      for await (const { entry } of readTar(chunks(bad, 4096))) seen.push(entry.path);
    };
    const err = await rejectsWithFormatError(iterate(), `flipped ${where}`);
    assert.match(err.message, /checksum/);
    assert.equal(
      seen,
      items.slice(0, 2).map((i) => i.header.path),
    );
  }
  // random garbage is not an archive
  await rejectsWithFormatError(readAll(chunks(randomBytes(4096))), 'random bytes');
});

test('a huge size field with tiny input throws TarFormatError for truncation, without allocating it', async () => {
  const base256 = Buffer.from([0x80, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0]); // 2^52 bytes
  const inputs: Array<[string, Buffer]> = [
    [
      'octal 8 GiB - 1',
      Buffer.concat([rawHeader({ name: 'f', typeflag: '0', size: 0o77777777777 }), randomBytes(600)]),
    ],
    [
      'base-256 2^52',
      Buffer.concat([rawHeader({ name: 'f', typeflag: '0', sizeField: base256, magic: 'gnu' }), randomBytes(600)]),
    ],
    ['pax size 2^53 - 1', archiveWithPax(paxRecord('size', String(Number.MAX_SAFE_INTEGER))).subarray(0, 2048)],
    [
      'symlink with size',
      Buffer.concat([rawHeader({ name: 'l', typeflag: '2', size: 0o7777777777 }), randomBytes(600)]),
    ],
  ];
  for (const [what, input] of inputs) {
    const err = await rejectsWithFormatError(readAll(chunks(input, 256)), what);
    assert.match(err.message, /truncated/, what);
  }
  // the body iterator itself throws: a consumer never sees a short file as complete
  const it = readTar(chunks(inputs[0]?.[1] as Buffer, 256));
  const first = await it.next();
  assert.is(first.value?.entry.size, 0o77777777777);
  let got = 0;
  const drain = async (): Promise<void> => {
    for await (const c of (first.value as { body: AsyncIterable<Buffer> }).body) got += c.length;
  };
  await rejectsWithFormatError(drain(), 'body of a truncated entry');
  assert.is(got, 600);
});

test('absurd or garbage numeric fields and oversized metadata throw TarFormatError', async () => {
  const garbage = Buffer.from('12ab5670000\0', 'latin1');
  const negative = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]);
  const absurd = Buffer.from([0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  const cases: Array<[string, Buffer]> = [
    ['non-octal size', Buffer.concat([rawHeader({ name: 'f', typeflag: '0', sizeField: garbage }), TAR_END])],
    [
      'negative base-256 size',
      Buffer.concat([rawHeader({ name: 'f', typeflag: '0', sizeField: negative, magic: 'gnu' }), TAR_END]),
    ],
    [
      'base-256 size beyond 2^53',
      Buffer.concat([rawHeader({ name: 'f', typeflag: '0', sizeField: absurd, magic: 'gnu' }), TAR_END]),
    ],
    [
      'pax header of 2 MiB',
      Buffer.concat([rawHeader({ name: 'x', typeflag: 'x', size: 2 << 20 }), Buffer.alloc(4096, 0x41)]),
    ],
    [
      'global pax header of 1 GiB',
      Buffer.concat([rawHeader({ name: 'g', typeflag: 'g', size: 1 << 30 }), Buffer.alloc(4096, 0x41)]),
    ],
    [
      'GNU long name of 1 MiB',
      Buffer.concat([
        rawHeader({ name: '././@LongLink', typeflag: 'L', size: 1 << 20, magic: 'gnu' }),
        Buffer.alloc(4096, 0x41),
      ]),
    ],
    ['pax size beyond 2^53', archiveWithPax(paxRecord('size', '99999999999999999999'))],
  ];
  for (const [what, input] of cases) {
    const err = await rejectsWithFormatError(readAll(chunks(input, 100)), what);
    assert.not.match(err.message, /truncated/, `${what} is rejected for itself, not for truncation: ${err.message}`);
  }
});

test('malformed pax records throw TarFormatError', async () => {
  // the harness itself works: a well-formed record renames the entry
  const [ok] = await readAll(chunks(archiveWithPax(paxRecord('path', 'renamed/ok') + paxRecord('mtime', '-1.25'))));
  assert.is(ok?.entry.path, 'renamed/ok');
  assert.is(ok?.entry.mtime, -1.25);
  assert.is(ok?.data.toString(), 'hello');

  const bad: Array<[string, string | Buffer]> = [
    ['length too short', '5 path=abc\n'],
    ['length beyond the header', '99 path=abc\n'],
    ['no length', 'path=abc\n'],
    ['no space after the length', '12path=abc\n'],
    ['no newline', '12 path=abcd'],
    ['no key=value', '9 pathab\n'],
    ['empty key', '7 =abc\n'],
    ['NUL in path', paxRecord('path', 'a\0b')],
    ['NUL in linkpath', paxRecord('linkpath', 'a\0b')],
    ['NUL in a global path', paxRecord('path', 'a\0b')],
    ['non-numeric size', paxRecord('size', '12abc')],
    ['negative size', paxRecord('size', '-1')],
    ['non-numeric uid', paxRecord('uid', '0x10')],
    ['bad mtime', paxRecord('mtime', '1.2.3')],
    ['garbage after NUL padding', Buffer.concat([Buffer.from(paxRecord('path', 'a')), Buffer.from([0, 0, 0x41])])],
  ];
  for (const [what, records] of bad) {
    const typeflag = what.includes('global') ? 'g' : 'x';
    await rejectsWithFormatError(readAll(chunks(archiveWithPax(records, typeflag), 7)), what);
  }
});

test('GNU long names are applied and capped, and ustar prefixes are joined', async () => {
  const longName = 'n/'.repeat(100) + 'file';
  const longLink = 'ü'.repeat(200);
  const name = Buffer.from(longName + '\0');
  const link = Buffer.from(longLink + '\0');
  const archive = Buffer.concat([
    rawHeader({ name: '././@LongLink', typeflag: 'L', size: name.length, magic: 'gnu' }),
    padded(name),
    rawHeader({ name: '././@LongLink', typeflag: 'K', size: link.length, magic: 'gnu' }),
    padded(link),
    rawHeader({ name: 'truncated-name', typeflag: '2', magic: 'gnu' }),
    TAR_END,
  ]);
  const [r] = await readAll(chunks(archive, 33));
  assert.is(r?.entry.path, longName);
  assert.is(r?.entry.kind, 'symlink');
  assert.is(r?.entry.linkTarget, longLink);
  // an extended header followed by the end of the archive is an error
  await rejectsWithFormatError(readAll(chunks(archive.subarray(0, 1024))), 'long name then EOF');
  await rejectsWithFormatError(
    readAll(chunks(Buffer.concat([archive.subarray(0, 1024), TAR_END]))),
    'long name then end marker',
  );
});

test('unknown typeflags are reported as other and their data is skipped', async () => {
  const data = randomBytes(1500);
  const archive = Buffer.concat([
    rawHeader({ name: 'weird', typeflag: 'Z', size: data.length }),
    padded(data),
    rawHeader({ name: 'hard', typeflag: '1', size: 3 }), // a hardlink with a (pax-style) data size
    padded(Buffer.from('xyz')),
    rawHeader({ name: 'after', typeflag: '0', size: 2 }),
    padded(Buffer.from('ok')),
    TAR_END,
  ]);
  const got = await readAll(chunks(archive, 100));
  assert.equal(
    got.map((r) => [r.entry.path, r.entry.kind, r.entry.size, r.data.length]),
    [
      ['weird', 'other', 0, 0],
      ['hard', 'hardlink', 0, 0],
      ['after', 'file', 2, 2],
    ],
  );
  assert.is(got[2]?.data.toString(), 'ok');
});

// ---------------------------------------------------------------- property

const segment = fc
  .oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 120 }),
    fc.string({ unit: 'grapheme-ascii', minLength: 90, maxLength: 260 }),
  )
  .filter((s) => !s.includes('/') && !s.includes('\0'));
const noNul = (o: { minLength?: number; maxLength?: number }) =>
  fc.string({ unit: 'binary', ...o }).filter((s) => !s.includes('\0'));
const id = fc.oneof(fc.integer({ min: 0, max: 0o7777777 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));

const itemArb = fc
  .record({
    type: fc.constantFrom<TarHeader['type']>('file', 'directory', 'symlink'),
    path: fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('/')),
    mode: fc.integer({ min: 0, max: 0o7777 }),
    mtime: fc.oneof(
      fc.integer({ min: 0, max: 0o77777777777 }),
      fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    ),
    uid: id,
    gid: id,
    uname: fc.option(noNul({ minLength: 1, maxLength: 40 }), { nil: undefined }),
    gname: fc.option(noNul({ minLength: 1, maxLength: 40 }), { nil: undefined }),
    linkTarget: fc.oneof(noNul({ maxLength: 20 }), noNul({ minLength: 90, maxLength: 400 })),
    body: fc.uint8Array({ maxLength: 3000 }),
  })
  .map(({ type, body, linkTarget, ...rest }): WItem => {
    const header: TarHeader = { ...rest, type, size: type === 'file' ? body.length : 0 };
    if (header.uname === undefined) delete header.uname;
    if (header.gname === undefined) delete header.gname;
    if (type === 'symlink') header.linkTarget = linkTarget;
    return type === 'file' ? { header, body: Buffer.from(body) } : { header };
  });

test('property: random headers and bodies survive writer -> reader unchanged', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(itemArb, { minLength: 1, maxLength: 6 }), fc.integer(), async (items, seed) => {
      const { archive } = writeArchive(items);
      const got = await readAll(chunks(archive, randomSizes(seed)));
      assert.is(got.length, items.length);
      got.forEach((r, i) => {
        const item = items[i] as WItem;
        assert.equal(r.entry, expectedEntry(item.header));
        assert.ok(r.data.equals(item.body ?? Buffer.alloc(0)));
      });
    }),
    { numRuns: 150 },
  );
});

test.run();
