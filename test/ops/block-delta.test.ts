/**
 * Block deltas (ops/block-delta.ts, ops/delta-read.ts): a large file changed since a link's
 * parent is stored as its new blocks and a plan; restore, dump and verify give back exactly
 * the file, and a delta that lies, or damage in what is read of it, is refused before the
 * target is touched.
 */
import { createCipheriv, createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Block } from '../../src/domain/manifest.ts';
import { IntegrityError } from '../../src/domain/errors.ts';
import { createBackup } from '../../src/ops/backup.ts';
import { segmentsFor } from '../../src/ops/block-delta.ts';
import { parsePlan } from '../../src/ops/delta-read.ts';
import { dumpFile } from '../../src/ops/dump.ts';
import { readManifest } from '../../src/ops/read-snapshot.ts';
import { applyRestore, planRestore } from '../../src/ops/restore.ts';
import { verifySnapshots } from '../../src/ops/verify.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import { CountingStore } from '../helpers/counting-store.ts';
import { rewriteManifest } from '../helpers/rewrite-manifest.ts';
import { readTree, removeDir, tempDir } from '../helpers/tree.ts';

const keys = { mode: 'passphrase', passphrase: 'block delta' } as const;
const decryption = { passphrase: keys.passphrase };
const origin = { host: 'test', user: 'test' };

test('the segments of a plan build the new file from the old one and the new blocks, whatever the blocks', () => {
  // blocks are named by small numbers; a block's bytes are its name repeated
  const bytesOf = (name: number) => Buffer.alloc(1 + (name % 7), name);
  const blockOf = (name: number): Block => {
    const bytes = bytesOf(name);
    return [bytes.length, createHash('sha256').update(bytes).digest('hex')];
  };
  fc.assert(
    fc.property(fc.array(fc.nat(20), { maxLength: 30 }), fc.array(fc.nat(20), { maxLength: 30 }), (before, after) => {
      const old = Buffer.concat(before.map(bytesOf));
      const wanted = Buffer.concat(after.map(bytesOf));
      const oldKeys = new Set(before.map((n) => blockOf(n).join()));
      const data = Buffer.concat(after.filter((n) => !oldKeys.has(blockOf(n).join())).map(bytesOf));
      const segments = segmentsFor(after.map(blockOf), before.map(blockOf));
      const built = Buffer.concat(
        segments.map((s) => (s.from === 'old' ? old : data).subarray(s.offset, s.offset + s.length)),
      );
      assert.equal(built, wanted);
      // neighbours merge: no two segments in a row that one could be
      for (let i = 1; i < segments.length; i++) {
        const [a, b] = [segments[i - 1]!, segments[i]!];
        assert.ok(!(a.from === b.from && a.offset + a.length === b.offset), 'merged');
      }
    }),
    { numRuns: 300 },
  );
});

test('a plan that reaches outside what it copies from, or is not one, is damage', () => {
  assert.equal(parsePlan('old 0 10\nnew 0 5\nold 10 90\n', 100, 5, 'x'), [
    { from: 'old', offset: 0, length: 10 },
    { from: 'new', offset: 0, length: 5 },
    { from: 'old', offset: 10, length: 90 },
  ]);
  for (const plan of [
    'old 0 101\n',
    'new 1 5\n',
    'old 0 10',
    'copy 0 10\n',
    'old -1 10\n',
    'old 0 0\n',
    'old 0x10 1\n',
    'old 0 1\n\n',
    'old  0 1\n',
    `old ${2 ** 53} 1\n`,
  ]) {
    assert.throws(
      () => parsePlan(plan, 100, 5, 'x'),
      (e: unknown) => e instanceof IntegrityError,
      plan,
    );
  }
});

/**
 * The size of the large files below, and the threshold the backups are given for them: 4 MiB
 * files with blocks from 1 MiB make the same chains as the default's 8 MiB would, at under half
 * of the bytes. The first delta test keeps the default, with a 9 MiB file.
 */
const SMALLER = { size: 4 << 20, blockedFileMin: 1 << 20 };

/**
 * `size` bytes that look random and are the same every run (AES-CTR under a key made from
 * `seed`): where the chunker cuts them is the same every run too, so whether a change is
 * small enough for a delta never depends on the luck of a run.
 */
function bytesOf(seed: string, size: number): Buffer {
  const key = createHash('sha256').update(seed).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

/** A large file backed up full, then changed by `change` and backed up incremental. */
async function chain(
  dir: string,
  change: (before: Buffer) => Buffer,
  { name = 'db.bin', size = SMALLER.size, blockedFileMin = SMALLER.blockedFileMin as number | undefined } = {},
) {
  const source = path.join(dir, 'source');
  await fs.mkdir(path.join(source, 'data'), { recursive: true });
  const db = path.join(source, 'data', name);
  const original = bytesOf(name, size);
  await fs.writeFile(db, original);
  await fs.writeFile(path.join(source, 'data', 'small.txt'), 'small\n');
  const repo = path.join(dir, 'repo');
  const store = new CountingStore(new LocalStore(repo));
  const full = await createBackup({ store, paths: ['data'], cwd: source, keys, origin });
  await fs.writeFile(db, change(original));
  const link = await backUpLink(store, source, blockedFileMin);
  const { entries } = await readManifest(store, link.snapshot, decryption);
  const entry = entries.find((e) => e.path === `data/${name}`)!;
  return { source, repo, store, db, full: full.snapshot, link: link.snapshot, entry, entries };
}

/** An incremental of `source`'s data folder on the newest snapshot in `store`. */
function backUpLink(store: CountingStore, source: string, blockedFileMin: number | undefined) {
  return createBackup({
    store,
    paths: ['data'],
    cwd: source,
    keys,
    origin,
    level: 'incremental',
    parentKeys: async () => decryption,
    ...(blockedFileMin ? { blockedFileMin } : {}),
  });
}

const insertMiddle = (before: Buffer) =>
  Buffer.concat([
    before.subarray(0, before.length >> 1),
    bytesOf('inserted', 100_000),
    before.subarray(before.length >> 1),
  ]);

async function dump(store: CountingStore, reference: string, file: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const output = new PassThrough();
  output.on('data', (c: Buffer) => chunks.push(c));
  await dumpFile({ store, reference, file, keys: decryption, output });
  return Buffer.concat(chunks);
}

test('100 KB inserted into a 9 MiB file is stored as a delta of about that, and restore, dump and verify --read-data give back the file', async () => {
  const dir = await tempDir();
  try {
    // the default threshold (BLOCKED_FILE_MIN, 8 MiB), as a user's backups have it
    const { source, store, db, full, link, entry, entries } = await chain(dir, insertMiddle, {
      size: 9 << 20,
      blockedFileMin: undefined,
    });
    assert.is(entry.delta, true);
    assert.is(entry.at, undefined, 'the archive does not hold the file');
    assert.ok(link.archiveBytes < 2.5e6, `the link's archive: ${link.archiveBytes} bytes`);
    assert.ok(entries.some((e) => e.path === '.ripcord-chain/delta/data/db.bin'));
    assert.ok(entries.some((e) => e.path === '.ripcord-chain/data/data/db.bin'));

    const target = path.join(dir, 'target');
    const plan = await planRestore({ store, reference: link.id, target, keys: decryption });
    await applyRestore(plan, { store, keys: decryption, origin });
    assert.equal(await readTree(target), await readTree(source));

    assert.equal(await dump(store, link.id, 'data/db.bin'), await fs.readFile(db));
    const outcomes = await verifySnapshots({ store, references: [link.id], readData: true, keys: decryption });
    assert.equal(
      outcomes.map((o) => [o.id, o.ok, o.problems]),
      [
        [full.id, true, []],
        [link.id, true, []],
      ],
    );
  } finally {
    await removeDir(dir);
  }
});

test('a large file whose name needs escaping in the manifest (quote, backslash, newline, non-ASCII) is stored and read back as a delta', async () => {
  const dir = await tempDir();
  try {
    const name = 'we"ird\\na\nme ü.bin';
    const { source, store, link, entry } = await chain(dir, insertMiddle, { name });
    assert.is(entry.delta, true);
    assert.equal(await dump(store, link.id, `data/${name}`), await fs.readFile(path.join(source, 'data', name)));
    const target = path.join(dir, 'target');
    const plan = await planRestore({ store, reference: link.id, target, keys: decryption });
    await applyRestore(plan, { store, keys: decryption, origin });
    assert.equal(await readTree(target), await readTree(source));
  } finally {
    await removeDir(dir);
  }
});

test("a restore and a verify that build several deltas read each link's manifest once for all of them", async () => {
  const dir = await tempDir();
  try {
    const source = path.join(dir, 'source');
    await fs.mkdir(path.join(source, 'data'), { recursive: true });
    const names = ['a.bin', 'b.bin', 'c.bin'];
    for (const name of names) await fs.writeFile(path.join(source, 'data', name), bytesOf(name, SMALLER.size));
    const store = new CountingStore(new LocalStore(path.join(dir, 'repo')));
    const full = await createBackup({ store, paths: ['data'], cwd: source, keys, origin });
    for (const name of names) {
      const file = path.join(source, 'data', name);
      await fs.writeFile(file, insertMiddle(await fs.readFile(file)));
    }
    const link = await backUpLink(store, source, SMALLER.blockedFileMin);
    const { entries } = await readManifest(store, link.snapshot, decryption);
    assert.equal(entries.filter((e) => e.delta).length, names.length, 'each file is a delta');
    const manifestReads = (snapshot: { id: string; objects: Record<string, { bytes: number }> }) =>
      (store.served.get(`${snapshot.id}/manifest.json.pgp`) ?? 0) / snapshot.objects['manifest.json.pgp']!.bytes;

    store.served.clear();
    const target = path.join(dir, 'target');
    const plan = await planRestore({ store, reference: link.snapshot.id, target, keys: decryption });
    await applyRestore(plan, { store, keys: decryption, origin });
    assert.equal(await readTree(target), await readTree(source));
    // the plan reads the link's manifest, staging the full's; the deltas one more read of each
    assert.ok(manifestReads(link.snapshot) <= 2, `the link's manifest read ${manifestReads(link.snapshot)} times`);
    assert.ok(manifestReads(full.snapshot) <= 2, `the full's manifest read ${manifestReads(full.snapshot)} times`);

    store.served.clear();
    const outcomes = await verifySnapshots({ store, references: [link.snapshot.id], readData: true, keys: decryption });
    assert.ok(outcomes.every((o) => o.ok));
    // its checksum, its content check, then one read for all three deltas (five, one a file)
    assert.ok(
      manifestReads(full.snapshot) <= 3,
      `verify read the full's manifest ${manifestReads(full.snapshot)} times`,
    );
  } finally {
    await removeDir(dir);
  }
});

test('a file rewritten whole is stored whole, with its new blocks; a full snapshot lists none', async () => {
  const dir = await tempDir();
  try {
    const { store, full, link, entry } = await chain(dir, (before) => bytesOf('rewritten', before.length));
    const inFull = (await readManifest(store, full, decryption)).entries.find((e) => e.path === 'data/db.bin');
    assert.is(inFull?.blocks, undefined, 'a full backup does not cut its files into blocks');
    assert.is(entry.delta, undefined);
    assert.ok(entry.at !== undefined);
    assert.is(
      entry.blocks!.reduce((sum, [size]) => sum + size, 0),
      SMALLER.size,
    );
    assert.ok(link.archiveBytes > SMALLER.size);
  } finally {
    await removeDir(dir);
  }
});

test("a flipped bit in a delta's new blocks is refused before the target is touched", async () => {
  const dir = await tempDir();
  try {
    const { source, repo, store, link } = await chain(dir, insertMiddle);
    // the link's archive is mostly the data record (random bytes, stored as they are)
    const archive = path.join(repo, link.id, 'archive.tar.gz.pgp');
    const bytes = await fs.readFile(archive);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x10;
    await fs.writeFile(archive, bytes);
    const target = path.join(dir, 'target');
    await fs.cp(source, target, { recursive: true });
    await fs.appendFile(path.join(target, 'data', 'db.bin'), 'drift');
    const before = await readTree(target);
    const plan = await planRestore({ store, reference: link.id, target, keys: decryption });
    const error = await applyRestore(plan, { store, keys: decryption, origin }).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(error instanceof IntegrityError, String(error));
    assert.match(error!.message, new RegExp(`snapshot ${link.id}: archive\\.tar\\.gz\\.pgp`));
    assert.equal(await readTree(target), before, 'the target is untouched');
    const dumped = await dump(store, link.id, 'data/db.bin').then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(dumped instanceof IntegrityError, 'dump refuses it too');
  } finally {
    await removeDir(dir);
  }
});

test("a delta whose manifest lists another file's content, or lacks a record, is refused before the target is touched", async () => {
  for (const forge of [
    (text: string) => text.replace(/("path":"data\/db\.bin".*?"sha256":")[0-9a-f]{64}/, `$1${'ab'.repeat(32)}`),
    (text: string) => text.replace(/\n,\{"path":"\.ripcord-chain\/data\/data\/db\.bin"[^\n]*/, ''),
  ]) {
    const dir = await tempDir();
    try {
      const { repo, store, link } = await chain(dir, insertMiddle);
      await rewriteManifest(repo, link.id, keys.passphrase, (text) => {
        const forged = forge(text);
        assert.is.not(forged, text, 'forged');
        return forged;
      });
      const target = path.join(dir, 'target');
      const error = await (async () => {
        const plan = await planRestore({ store, reference: link.id, target, keys: decryption });
        await applyRestore(plan, { store, keys: decryption, origin });
      })().then(
        () => undefined,
        (e: Error) => e,
      );
      assert.ok(error instanceof IntegrityError, String(error));
      assert.match(error!.message, /block delta/, error!.message);
      assert.equal(
        (await fs.readdir(target).catch(() => [])).filter((n) => !n.startsWith('.ripcord')),
        [],
        'nothing restored',
      );
      // verify --read-data builds the delta as a restore would, so it sees it too
      const outcomes = await verifySnapshots({ store, references: [link.id], readData: true, keys: decryption });
      const outcome = outcomes.find((o) => o.id === link.id);
      assert.is(outcome!.ok, false, JSON.stringify(outcome));
      assert.match(outcome!.problems.join('\n'), /db\.bin|block delta|\.ripcord-chain/);
    } finally {
      await removeDir(dir);
    }
  }
});

test.run();
