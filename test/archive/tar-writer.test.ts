import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeTarHeader, tarPadding, TAR_END, type TarHeader } from '../../src/archive/tar-writer.ts';
import { pythonExecutable } from '../helpers/python.ts';

interface Item {
  header: TarHeader;
  body?: Buffer;
}

function buildArchive(items: Item[]): Buffer {
  const parts: Buffer[] = [];
  for (const { header, body } of items) {
    parts.push(encodeTarHeader(header));
    if (body !== undefined) {
      parts.push(body);
      parts.push(tarPadding(body.length));
    }
  }
  parts.push(TAR_END);
  return Buffer.concat(parts);
}

async function withTmp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ripcord-tar-writer-'));
  try {
    return await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], input?: Buffer): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(cmd, args, {
    input,
    maxBuffer: 64 << 20,
    env: { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC' },
  });
  if (r.error) throw r.error;
  return { stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), status: r.status };
}

const ts = (iso: string): number => Date.parse(iso) / 1000;

/** 150 bytes: splits into ustar prefix/name */
const path150 = 'long/' + 'a'.repeat(60) + '/' + 'b'.repeat(60) + '/' + 'c'.repeat(19) + '.txt';
/** 300 bytes: the only '/' is at 160, too far for the 155-byte prefix */
const path300 = 'p'.repeat(160) + '/' + 'q'.repeat(139);
const unicodeTarget = 'zïel/' + 'ü'.repeat(150) + '/ファイル-' + '€'.repeat(40);

function sampleTree(): Item[] {
  const dir = (p: string, mode: number, mtime: number): Item => ({
    header: { path: p, type: 'directory', mode, size: 0, mtime, uid: 0, gid: 0, uname: 'root', gname: 'root' },
  });
  const file = (p: string, mode: number, mtime: number, body: Buffer, extra: Partial<TarHeader> = {}): Item => ({
    header: {
      path: p,
      type: 'file',
      mode,
      size: body.length,
      mtime,
      uid: 0,
      gid: 0,
      uname: 'root',
      gname: 'root',
      ...extra,
    },
    body,
  });
  return [
    dir('dé', 0o755, ts('2021-03-04T05:06:07Z')),
    dir('dé/jà vu', 0o750, ts('2020-01-02T03:04:05Z')),
    file('dé/jà vu/ファイル.txt', 0o644, ts('2019-05-06T07:08:09Z'), Buffer.from('こんにちは, wörld\n')),
    dir('long', 0o755, ts('2018-01-01T00:00:00Z')),
    dir('long/' + 'a'.repeat(60), 0o755, ts('2018-01-01T00:00:01Z')),
    dir('long/' + 'a'.repeat(60) + '/' + 'b'.repeat(60), 0o755, ts('2018-01-01T00:00:02Z')),
    file(path150, 0o600, ts('2017-07-07T07:07:07Z'), Buffer.from('one hundred and fifty\n')),
    dir('p'.repeat(160), 0o755, ts('2016-06-06T06:06:06Z')),
    file(path300, 0o640, ts('2015-05-05T05:05:05Z'), Buffer.from('three hundred\n')),
    {
      header: {
        path: 'link-ü',
        type: 'symlink',
        mode: 0o777,
        size: 0,
        mtime: ts('2014-04-04T04:04:04Z'),
        uid: 0,
        gid: 0,
        uname: 'root',
        gname: 'root',
        linkTarget: unicodeTarget,
      },
    },
    {
      header: {
        path: 'short-link',
        type: 'symlink',
        mode: 0o777,
        size: 0,
        mtime: ts('2014-04-05T00:00:00Z'),
        uid: 0,
        gid: 0,
        linkTarget: 'run.sh',
      },
    },
    dir('empty', 0o700, ts('2013-03-03T03:03:03Z')),
    file('empty.txt', 0o644, ts('2012-02-02T02:02:02Z'), Buffer.alloc(0)),
    file('run.sh', 0o755, ts('2011-01-01T01:01:01Z'), Buffer.from('#!/bin/sh\necho hi\n')),
    file('suid', 0o4755, ts('2010-10-10T10:10:10Z'), Buffer.from('setuid\n')),
    file('random.bin', 0o644, ts('2022-12-12T12:12:12Z'), randomBytes(300 * 1024 + 123)),
    // out of the ustar octal range: carried in pax 'mtime' records
    file('old.txt', 0o644, -86_400 * 400, Buffer.from('before 1970\n')),
    file('future.txt', 0o644, 9_000_000_000, Buffer.from('year 2255\n')),
    // owner names that need pax
    file('owners.txt', 0o644, ts('2023-01-01T00:00:00Z'), Buffer.from('owners\n'), {
      uid: 1234,
      gid: 5678,
      uname: 'jürgen',
      gname: 'g'.repeat(40),
    }),
  ];
}

function modeString(h: TarHeader): string {
  const m = h.mode;
  const t = h.type === 'directory' ? 'd' : h.type === 'symlink' ? 'l' : '-';
  const bit = (b: number, c: string): string => (m & b ? c : '-');
  const x = (b: number, s: number, lower: string, upper: string): string =>
    m & s ? (m & b ? lower : upper) : m & b ? 'x' : '-';
  return (
    t +
    bit(0o400, 'r') +
    bit(0o200, 'w') +
    x(0o100, 0o4000, 's', 'S') +
    bit(0o40, 'r') +
    bit(0o20, 'w') +
    x(0o10, 0o2000, 's', 'S') +
    bit(0o4, 'r') +
    bit(0o2, 'w') +
    x(0o1, 0o1000, 't', 'T')
  );
}

test('writer output extracts with GNU tar to an identical tree', async () => {
  await withTmp(async (tmp) => {
    const items = sampleTree();
    const archive = buildArchive(items);
    const out = path.join(tmp, 'out');
    await fs.mkdir(out);
    // (--warning=no-timestamp: the 1968 and 2255 mtimes are deliberate)
    const r = run('tar', ['-xf', '-', '-C', out, '--no-same-owner', '--warning=no-timestamp'], archive);
    assert.is(r.stderr, '');
    assert.is(r.status, 0);

    for (const { header, body } of items) {
      const p = path.join(out, header.path);
      const st = await fs.lstat(p);
      assert.is(st.mtimeMs / 1000, header.mtime, `mtime of ${header.path}`);
      if (header.type === 'file') {
        assert.ok(st.isFile(), `${header.path} is a file`);
        assert.is(st.mode & 0o7777, header.mode, `mode of ${header.path}`);
        assert.ok((await fs.readFile(p)).equals(body as Buffer), `content of ${header.path}`);
      } else if (header.type === 'directory') {
        assert.ok(st.isDirectory(), `${header.path} is a directory`);
        assert.is(st.mode & 0o7777, header.mode, `mode of ${header.path}`);
      } else {
        assert.ok(st.isSymbolicLink(), `${header.path} is a symlink`);
        assert.is(await fs.readlink(p), header.linkTarget);
      }
    }
    // nothing else was created (a reader that ignored pax would leave PaxHeaders/ files or truncated names)
    const found = (await fs.readdir(out, { recursive: true })).map(String).sort();
    const expected = items.map((i) => i.header.path).sort();
    assert.equal(found, expected);
  });
});

test('GNU tar -tvf lists the exact names, modes, sizes, times and symlink targets', async () => {
  await withTmp(async (tmp) => {
    const items = sampleTree();
    const file = path.join(tmp, 'a.tar');
    await fs.writeFile(file, buildArchive(items));
    const names = run('tar', ['-tf', file, '--quoting-style=literal']);
    assert.is(names.status, 0);
    assert.equal(
      names.stdout.split('\n').filter((l) => l !== ''),
      items.map((i) => (i.header.type === 'directory' ? i.header.path + '/' : i.header.path)),
    );

    const long = run('tar', ['-tvf', file, '--quoting-style=literal', '--numeric-owner', '--full-time']);
    assert.is(long.status, 0);
    const lines = long.stdout.split('\n').filter((l) => l !== '');
    assert.is(lines.length, items.length);
    items.forEach(({ header }, i) => {
      const line = lines[i] as string;
      const fields = line.split(/ +/);
      assert.is(fields[0], modeString(header), `mode string of ${header.path}`);
      assert.is(fields[1], `${header.uid}/${header.gid}`);
      assert.is(Number(fields[2]), header.size);
      const when = new Date(header.mtime * 1000).toISOString().replace('T', ' ').replace('.000Z', '');
      assert.is(`${fields[3]} ${fields[4]}`, when, `mtime of ${header.path}`);
      const name = header.type === 'directory' ? header.path + '/' : header.path;
      const tail = header.type === 'symlink' ? `${name} -> ${header.linkTarget}` : name;
      assert.ok(line.endsWith(' ' + tail), `listing line ${JSON.stringify(line)} ends with ${JSON.stringify(tail)}`);
    });
  });
});

const PY_LIST = `
import json, sys, tarfile
out = []
with tarfile.open(sys.argv[1]) as tf:
    for m in tf:
        out.append({"name": m.name, "type": m.type.decode(), "size": m.size, "mode": m.mode,
                    "mtime": m.mtime, "linkname": m.linkname, "uid": m.uid, "gid": m.gid,
                    "uname": m.uname, "gname": m.gname})
print(json.dumps(out))
`;

test("Python's tarfile reads the same names, types, sizes, modes, times, owners and link targets", async () => {
  await withTmp(async (tmp) => {
    const items = sampleTree();
    const file = path.join(tmp, 'a.tar');
    await fs.writeFile(file, buildArchive(items));
    const r = run(pythonExecutable(), ['-c', PY_LIST, file]);
    assert.is(r.stderr, '');
    assert.is(r.status, 0);
    const members = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    assert.equal(
      members,
      items.map(({ header: h }) => ({
        name: h.path,
        type: h.type === 'file' ? '0' : h.type === 'directory' ? '5' : '2',
        size: h.size,
        mode: h.mode,
        mtime: h.mtime,
        linkname: h.linkTarget ?? '',
        uid: h.uid,
        gid: h.gid,
        uname: h.uname ?? '',
        gname: h.gname ?? '',
      })),
    );
  });
});

test('sizes over 8 GiB, ids over 0o7777777 and negative mtimes are read back by GNU tar from pax records', async () => {
  await withTmp(async (tmp) => {
    const header: TarHeader = {
      path: 'huge.bin',
      type: 'file',
      mode: 0o644,
      size: 10 * 1024 ** 3 + 7,
      mtime: -5,
      uid: 3_000_000,
      gid: 4_000_000,
    };
    const bytes = encodeTarHeader(header);
    assert.is(bytes.length, 1536); // pax header, one block of records, ustar header
    assert.is(String.fromCharCode(bytes[156] as number), 'x');
    const records = bytes.toString('utf8', 512, 512 + parseInt(bytes.toString('latin1', 124, 135), 8));
    assert.is(records, '20 size=10737418247\n15 uid=3000000\n15 gid=4000000\n12 mtime=-5\n');
    // the ustar fields hold in-range placeholders
    assert.is(bytes.toString('latin1', 1024 + 124, 1024 + 136), '00000000000\0'); // size
    assert.is(bytes.toString('latin1', 1024 + 108, 1024 + 116), '0000000\0'); // uid
    assert.is(bytes.toString('latin1', 1024 + 136, 1024 + 148), '00000000000\0'); // mtime

    const file = path.join(tmp, 'huge.tar');
    await fs.writeFile(file, Buffer.concat([bytes, Buffer.alloc(512, 0x61)])); // content is cut short on purpose
    const r = run('tar', ['-tvf', file, '--numeric-owner', '--full-time']);
    const line = r.stdout.split('\n')[0] as string;
    assert.is(line.split(/ +/).slice(0, 5).join(' '), '-rw-r--r-- 3000000/4000000 10737418247 1969-12-31 23:59:55');
    assert.ok(line.endsWith(' huge.bin'));
    assert.is(r.status, 2); // the 10 GiB of content are missing, and GNU tar noticed
  });
});

test('pax record lengths include their own digits across the 2-to-3 and 3-to-4 digit boundaries', async () => {
  await withTmp(async (tmp) => {
    const items: Item[] = [];
    // a record is "<len> path=<value>\n": lengths 90..110 and 990..1010 cross the digit boundaries
    for (const n of [
      ...Array.from({ length: 21 }, (_, i) => 85 + i),
      ...Array.from({ length: 21 }, (_, i) => 985 + i),
    ]) {
      // one non-ASCII character forces a pax path whatever the length
      items.push({
        header: { path: 'é' + 'x'.repeat(n - 2), type: 'file', mode: 0o644, size: 0, mtime: 0, uid: 0, gid: 0 },
        body: Buffer.alloc(0),
      });
    }
    for (const { header } of items) {
      const bytes = encodeTarHeader(header);
      const size = parseInt(bytes.toString('latin1', 124, 135), 8);
      const data = bytes.subarray(512, 512 + size);
      const space = data.indexOf(0x20);
      assert.is(
        Number(data.toString('latin1', 0, space)),
        data.length,
        `record length for a ${header.path.length}-char path`,
      );
      assert.is(data.toString('utf8'), `${data.length} path=${header.path}\n`);
    }
    const file = path.join(tmp, 'a.tar');
    await fs.writeFile(file, buildArchive(items));
    const r = run(pythonExecutable(), ['-c', PY_LIST, file]);
    assert.is(r.status, 0, r.stderr);
    assert.equal(
      (JSON.parse(r.stdout) as Array<{ name: string }>).map((m) => m.name),
      items.map((i) => i.header.path),
    );
    const g = run('tar', ['-tf', file, '--quoting-style=literal']);
    assert.is(g.stderr, '');
    assert.equal(
      g.stdout.split('\n').filter((l) => l !== ''),
      items.map((i) => i.header.path),
    );
  });
});

test('ASCII paths that fit ustar name or prefix/name use a single block; others get a pax header', () => {
  const base = { type: 'file' as const, mode: 0o644, size: 0, mtime: 1, uid: 0, gid: 0 };
  const exactly100 = 'n'.repeat(100);
  const one = encodeTarHeader({ ...base, path: exactly100 });
  assert.is(one.length, 512);
  assert.is(one.toString('latin1', 0, 100), exactly100);

  const split = encodeTarHeader({ ...base, path: path150 });
  assert.is(split.length, 512);
  const cut = path150.lastIndexOf('/');
  assert.is(split.toString('latin1', 345, 345 + cut), path150.slice(0, cut));
  assert.is(split[345 + cut], 0);
  assert.is(split.toString('latin1', 0, path150.length - cut - 1), path150.slice(cut + 1));

  // a directory of 100 chars becomes 101 with its '/', and must split
  const dir = encodeTarHeader({ ...base, type: 'directory', path: 'd'.repeat(50) + '/' + 'e'.repeat(49) });
  assert.is(dir.length, 512);
  assert.is(dir.toString('latin1', 0, 51), 'e'.repeat(49) + '/\0');

  const unsplittable = encodeTarHeader({ ...base, path: path300 });
  assert.is(unsplittable.length, 1536);
  assert.is(String.fromCharCode(unsplittable[156] as number), 'x');
  assert.is(unsplittable.toString('latin1', 512, 512 + 16), '310 path=' + 'p'.repeat(7));

  const symlink = encodeTarHeader({ ...base, type: 'symlink', path: 'l', linkTarget: 't'.repeat(100) });
  assert.is(symlink.length, 512);
  const longLink = encodeTarHeader({ ...base, type: 'symlink', path: 'l', linkTarget: 't'.repeat(101) });
  assert.is(longLink.length, 1536);

  const nonAscii = encodeTarHeader({ ...base, path: 'ü' });
  assert.is(nonAscii.length, 1536);
  assert.is(nonAscii.toString('utf8', 512, 523), '11 path=ü\n');
  // a non-ASCII name that fits still appears in the ustar name (as UTF-8) for pax-unaware readers
  assert.is(nonAscii.toString('utf8', 1024, 1027), 'ü\0');
});

test('headers carry correct ustar magic, typeflags and checksums', () => {
  const types: Array<[TarHeader['type'], string]> = [
    ['file', '0'],
    ['directory', '5'],
    ['symlink', '2'],
  ];
  for (const [type, flag] of types) {
    const b = encodeTarHeader({
      path: 'x/ÿ',
      type,
      mode: 0o4755,
      size: 0,
      mtime: 1_700_000_000,
      uid: 1,
      gid: 2,
      linkTarget: 'y',
    });
    // the pax header is the first block, the entry's ustar header the last one
    for (const h of [0, b.length - 512]) {
      const block = b.subarray(h, h + 512);
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] as number);
      assert.is(parseInt(block.toString('latin1', 148, 154), 8), sum);
      assert.is(block.toString('latin1', 154, 156), '\0 ');
      assert.is(block.toString('latin1', 257, 265), 'ustar\x0000');
    }
    const ustar = b.subarray(b.length - 512);
    assert.is(String.fromCharCode(ustar[156] as number), flag);
    assert.is(ustar.toString('latin1', 100, 108), '0004755\0');
    assert.is(String.fromCharCode(b[156] as number), 'x');
    assert.is(b.toString('latin1', 100, 108), '0000644\0');
  }
});

test('the pax header is named PaxHeaders/<basename>, cut to 100 bytes on a character boundary', () => {
  const b = encodeTarHeader({
    path: 'dir/' + 'ä'.repeat(80),
    type: 'file',
    mode: 0o644,
    size: 0,
    mtime: 0,
    uid: 0,
    gid: 0,
  });
  const end = b.indexOf(0);
  assert.ok(end <= 100);
  const name = b.toString('utf8', 0, end);
  assert.is(name, 'PaxHeaders/' + 'ä'.repeat(44)); // 11 + 88 bytes; a 45th 'ä' would need 101
  assert.not.ok(name.includes('\uFFFD'));
});

test('tarPadding pads content to a 512-byte boundary and TAR_END is two zero blocks', () => {
  assert.is(tarPadding(0).length, 0);
  assert.is(tarPadding(1).length, 511);
  assert.is(tarPadding(511).length, 1);
  assert.is(tarPadding(512).length, 0);
  assert.is(tarPadding(10 * 1024 ** 3 + 7).length, 505);
  assert.ok(tarPadding(3).every((x) => x === 0));
  assert.is(TAR_END.length, 1024);
  assert.ok(TAR_END.every((x) => x === 0));
});

test('headers that cannot be encoded are rejected', () => {
  const ok: TarHeader = { path: 'a', type: 'file', mode: 0o644, size: 0, mtime: 0, uid: 0, gid: 0 };
  encodeTarHeader(ok);
  const bad: Array<Partial<TarHeader>> = [
    { path: '' },
    { path: '/etc/passwd' },
    { path: 'dir/' },
    { path: 'a\0b' },
    { size: -1 },
    { size: 1.5 },
    { type: 'directory', size: 10 },
    { type: 'symlink' }, // no target
    { type: 'symlink', linkTarget: 'x\0y' },
    { mtime: 1.5 },
    { uid: -1 },
    { gid: Number.MAX_SAFE_INTEGER + 2 },
    { uname: 'ro\0ot' },
    { type: 'fifo' as TarHeader['type'] },
  ];
  for (const patch of bad) {
    assert.throws(() => encodeTarHeader({ ...ok, ...patch }), undefined, JSON.stringify(patch));
  }
});

test.run();
