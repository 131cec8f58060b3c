/**
 * Ranged reads by the archive's index against the whole read: random trees of real files,
 * packed and encrypted by the real pipeline, read back entry by entry from a file on disk.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { packArchive } from '../../src/archive/pack.ts';
import { openIndexedArchive } from '../../src/archive/ranged-read.ts';
import type { ReadRange } from '../../src/archive/ranged-read.ts';
import { createEncryptStream } from '../../src/archive/seipd-encrypt.ts';
import { resolveRoots, walkSources } from '../../src/archive/walk-sources.ts';
import { KeyError } from '../../src/domain/errors.ts';
import type { ArchiveIndex, ManifestEntry } from '../../src/domain/manifest.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const keys = { mode: 'passphrase', passphrase: 'ranged reads' } as const;

/** A seeded generator, so that a failure names a tree that can be made again. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** Files of every kind of size around the batch and part boundaries, some compressible, with long names (pax headers). */
async function makeTree(root: string, random: () => number): Promise<void> {
  const count = 20 + Math.floor(random() * 40);
  for (let i = 0; i < count; i++) {
    const folder = path.join(root, 'data', `d${Math.floor(random() * 5)}`);
    await fs.mkdir(folder, { recursive: true });
    const kind = random();
    const size =
      kind < 0.1 ? 0 : kind < 0.6 ? Math.floor(random() * 4000) : kind < 0.9 ? Math.floor(random() * 70_000) : 300_000;
    const name = random() < 0.15 ? `${'long-name-'.repeat(12)}${i}.txt` : `f${i}.txt`;
    const body =
      random() < 0.5
        ? randomBytes(size)
        : Buffer.from(`line ${i} of a config file that compresses\n`.repeat(Math.ceil(size / 40))).subarray(0, size);
    await fs.writeFile(path.join(folder, name), body);
  }
  await fs.symlink('d0', path.join(root, 'data', 'link'));
}

async function writeArchive(
  root: string,
  archive: string,
  batchBytes: number,
): Promise<{ entries: ManifestEntry[]; index: ArchiveIndex }> {
  const entries: ManifestEntry[] = [];
  const index: ArchiveIndex = { batch: batchBytes, members: [], parts: [], head: 0 };
  const roots = await resolveRoots(['data'], root);
  await pipeline(
    packArchive(walkSources(roots, { cwd: root }), {
      batchBytes,
      onEntry: (e) => entries.push(e),
      onMember: (bytes) => index.members.push(bytes),
    }),
    createEncryptStream(keys, {
      parallel: true,
      ownsChunks: true,
      onLayout: {
        head: (bytes) => (index.head = bytes),
        part: (literal, plaintext) => index.parts.push([literal, plaintext]),
      },
    }),
    createWriteStream(archive),
  );
  return { entries, index };
}

function fileRange(file: string, counted?: { bytes: number }): ReadRange {
  return async (offset, length) => {
    if (counted) counted.bytes += length;
    return createReadStream(file, { start: offset, end: offset + length - 1 });
  };
}

async function readBody(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

for (const seed of [1, 2, 3, 4, 5, 6]) {
  test(`every entry read alone by the index is the file it names, and any run of entries too (tree ${seed})`, async () => {
    const dir = await tempDir();
    try {
      const random = rng(seed);
      await makeTree(dir, random);
      const archive = path.join(dir, 'archive.pgp');
      // small batches: many gzip members, entries across them; above 1 MiB: several SEIPD parts
      const { entries, index } = await writeArchive(dir, archive, [8192, 65536, 1 << 20][seed % 3]!);
      const size = (await fs.stat(archive)).size;
      const counted = { bytes: 0 };
      const reader = await openIndexedArchive(fileRange(archive, counted), size, index, keys);
      const next = (i: number) => entries[i + 1]?.at;
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i]!;
        const items = [];
        for await (const item of reader.items(entry.at!, next(i), 1)) {
          items.push({ item, body: await readBody(item.body) });
        }
        assert.is(items.length, 1);
        const { item, body } = items[0]!;
        assert.is(item.entry.path, entry.path);
        assert.is(item.entry.kind, entry.type);
        if (entry.type === 'file') {
          assert.is(body.length, entry.size);
          assert.is(createHash('sha256').update(body).digest('hex'), entry.sha256, entry.path);
          assert.equal(body, await fs.readFile(path.join(dir, entry.path)));
        }
      }
      // a run of entries in one read
      const from = Math.floor(random() * entries.length);
      const to = Math.min(entries.length, from + 1 + Math.floor(random() * 10));
      const paths: string[] = [];
      for await (const item of reader.items(entries[from]!.at!, next(to - 1), to - from)) {
        paths.push(item.entry.path);
        await readBody(item.body);
      }
      assert.equal(
        paths,
        entries.slice(from, to).map((e) => e.path),
      );
      assert.ok(reader.stats.bytes > 0);
    } finally {
      await removeDir(dir);
    }
  });
}

test('reading one small file reads a small part of a large archive', async () => {
  const dir = await tempDir();
  try {
    await fs.mkdir(path.join(dir, 'data'));
    for (let i = 0; i < 8; i++) await fs.writeFile(path.join(dir, 'data', `blob${i}`), randomBytes(1 << 20));
    await fs.writeFile(path.join(dir, 'data', 'blob4-small.conf'), 'port=8080\n');
    for (let i = 8; i < 16; i++) await fs.writeFile(path.join(dir, 'data', `blob${i}`), randomBytes(1 << 20));
    const archive = path.join(dir, 'archive.pgp');
    const { entries, index } = await writeArchive(dir, archive, 1 << 20);
    const size = (await fs.stat(archive)).size;
    const counted = { bytes: 0 };
    const reader = await openIndexedArchive(fileRange(archive, counted), size, index, keys);
    const at = entries.findIndex((e) => e.path === 'data/blob4-small.conf');
    for await (const item of reader.items(entries[at]!.at!, entries[at + 1]!.at, 1)) {
      assert.is((await readBody(item.body)).toString(), 'port=8080\n');
    }
    assert.ok(size > 16 << 20);
    assert.ok(counted.bytes < 2.5 * (1 << 20), `read ${counted.bytes} bytes of ${size}`);
  } finally {
    await removeDir(dir);
  }
});

test('a wrong passphrase is a KeyError before anything is read past the start', async () => {
  const dir = await tempDir();
  try {
    await makeTree(dir, rng(9));
    const archive = path.join(dir, 'archive.pgp');
    const { index } = await writeArchive(dir, archive, 65536);
    const size = (await fs.stat(archive)).size;
    const error = await openIndexedArchive(fileRange(archive), size, index, { passphrase: 'not it' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.instance(error, KeyError);
  } finally {
    await removeDir(dir);
  }
});

test('a malformed index is refused, not followed', async () => {
  const dir = await tempDir();
  try {
    await makeTree(dir, rng(10));
    const archive = path.join(dir, 'archive.pgp');
    const { index } = await writeArchive(dir, archive, 65536);
    const size = (await fs.stat(archive)).size;
    for (const bad of [
      { ...index, batch: 1000 },
      { ...index, members: [] },
      { ...index, parts: [...index.parts].reverse() },
      { ...index, head: -1 },
      { ...index, members: ['x'] as unknown as number[] },
    ]) {
      const error = await openIndexedArchive(fileRange(archive), size, bad, keys).then(
        () => undefined,
        (e: Error) => e,
      );
      assert.ok(error, JSON.stringify(bad).slice(0, 80));
      assert.match(error!.message, /index|malformed|layout/);
    }
  } finally {
    await removeDir(dir);
  }
});

test.run();
