/** The pack pipeline on real files: gzip members that GNU tar reads, level 0 for random data, flat memory helpers. */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import { pipeline } from 'node:stream/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ManifestEntry } from '../../src/domain/manifest.ts';
import { looksIncompressible, packArchive, storedMember } from '../../src/archive/pack.ts';
import {
  collectGarbage,
  collectGarbageEvery,
  collectGarbageOverSlack,
  freeOnceWritten,
  releaseBuffer,
  written,
} from '../../src/archive/reclaim.ts';
import { resolveRoots, walkSources } from '../../src/archive/walk-sources.ts';
import { diffTrees, removeDir, tempDir } from '../helpers/tree.ts';

const logText = (bytes: number): Buffer =>
  Buffer.from(
    Array.from(
      { length: Math.ceil(bytes / 60) },
      (_, i) => `2026-11-22T10:${String(i % 60).padStart(2, '0')} INFO request ${i} ok\n`,
    ).join(''),
  ).subarray(0, bytes);

async function pack(
  cwd: string,
  into: string,
  options: { batchBytes?: number; concurrency?: number } = {},
): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = [];
  const roots = await resolveRoots(['data'], cwd);
  await pipeline(
    packArchive(walkSources(roots, { cwd }), { ...options, onEntry: (e) => entries.push(e) }),
    createWriteStream(into),
  );
  return entries;
}

/** The gzip members in a file: each starts with the magic bytes and method 8 after the previous one's trailer. */
function countMembers(gz: Buffer): number {
  let members = 0;
  for (let i = 0; i + 3 < gz.length; i += 1)
    if (gz[i] === 0x1f && gz[i + 1] === 0x8b && gz[i + 2] === 8 && gz[i + 3] === 0) members += 1;
  return members; // may over-count by chance inside compressed data; the test only checks a lower bound
}

async function inTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  try {
    await run(dir);
  } finally {
    await removeDir(dir);
  }
}

test('many batches become many gzip members, and gzip -t and GNU tar read them as one stream', () =>
  inTempDir(async (dir) => {
    const data = path.join(dir, 'src', 'data');
    await fs.mkdir(path.join(data, 'logs'), { recursive: true });
    for (let i = 0; i < 30; i += 1)
      await fs.writeFile(path.join(data, 'logs', `app-${i}.log`), logText(20_000 + i * 977));
    await fs.writeFile(path.join(data, 'blob.bin'), randomBytes(300_000));
    const archive = path.join(dir, 'a.tar.gz');
    const entries = await pack(path.join(dir, 'src'), archive, { batchBytes: 64 << 10, concurrency: 3 });
    const gz = await fs.readFile(archive);
    assert.ok(countMembers(gz) >= 10, 'about 1 MB of tar in 64 KiB batches');
    assert.is(spawnSync('gzip', ['-t', archive]).status, 0);
    await fs.mkdir(path.join(dir, 'out'));
    const untar = spawnSync('tar', ['-xzf', archive, '-C', path.join(dir, 'out')], { encoding: 'utf8' });
    assert.is(untar.status, 0, untar.stderr);
    assert.equal(await diffTrees(path.join(dir, 'src'), path.join(dir, 'out')), []);
    const blob = entries.find((e) => e.path === 'data/blob.bin');
    assert.is(
      blob?.sha256,
      createHash('sha256')
        .update(await fs.readFile(path.join(data, 'blob.bin')))
        .digest('hex'),
    );
    assert.is(entries.filter((e) => e.type === 'file').length, 31);
  }));

test('every chunk packArchive emits is a gzip member in memory of its own, so a consumer may encrypt it in place', () =>
  inTempDir(async (dir) => {
    const data = path.join(dir, 'src', 'data');
    await fs.mkdir(data, { recursive: true });
    await fs.writeFile(path.join(data, 'app.log'), logText(3 << 20));
    await fs.writeFile(path.join(data, 'random.bin'), randomBytes(3 << 20));
    const roots = await resolveRoots(['data'], path.join(dir, 'src'));
    const chunks: Buffer[] = [];
    const archive = packArchive(walkSources(roots, { cwd: path.join(dir, 'src') }));
    archive.on('data', (chunk: Buffer) => chunks.push(chunk)); // as a pipeline reads it (an iterator may join chunks)
    await once(archive, 'end');
    assert.ok(chunks.length >= 5, `about 5 MiB of tar in 1 MiB members: ${chunks.length} chunks`);
    assert.is(new Set(chunks.map((chunk) => chunk.buffer)).size, chunks.length, 'no two chunks share memory');
    for (const chunk of chunks) assert.ok(gunzipSync(chunk).length > 0, 'each chunk is a whole gzip member');
  }));

test('random data is stored, not compressed, and text is compressed', () =>
  inTempDir(async (dir) => {
    const data = path.join(dir, 'src', 'data');
    await fs.mkdir(data, { recursive: true });
    await fs.writeFile(path.join(data, 'random.bin'), randomBytes(4 << 20));
    await pack(path.join(dir, 'src'), path.join(dir, 'random.tar.gz'));
    const randomSize = (await fs.stat(path.join(dir, 'random.tar.gz'))).size;
    assert.ok(randomSize > 4 << 20 && randomSize < (4 << 20) + 8192, `stored with only framing added: ${randomSize}`);
    await fs.rm(path.join(data, 'random.bin'));
    await fs.writeFile(path.join(data, 'app.log'), logText(4 << 20));
    await pack(path.join(dir, 'src'), path.join(dir, 'text.tar.gz'));
    assert.ok((await fs.stat(path.join(dir, 'text.tar.gz'))).size < (4 << 20) / 5, 'logs shrink at least fivefold');
  }));

test('stored members are gzip that gzip -d and zlib read back exactly, at sizes around the 65,535-byte block limit', () =>
  inTempDir(async (dir) => {
    for (const size of [0, 1, 65_534, 65_535, 65_536, 131_070, 131_071, 1 << 20]) {
      const data = randomBytes(size);
      const member = storedMember(data);
      assert.ok(member, 'this runtime has zlib.crc32');
      assert.is(member.length, 18 + Math.max(1, Math.ceil(size / 65_535)) * 5 + size, `framing of ${size} bytes`);
      assert.ok(gunzipSync(member).equals(data), `zlib reads ${size} bytes back`);
      const file = path.join(dir, `m${size}.gz`);
      await fs.writeFile(file, Buffer.concat([member, gzipSync(Buffer.from('next member\n'))]));
      const gzip = spawnSync('gzip', ['-dc', file], { maxBuffer: 4 << 20 });
      assert.is(gzip.status, 0, `gzip -d of ${size} bytes: ${gzip.stderr}`);
      assert.ok(
        gzip.stdout.equals(Buffer.concat([data, Buffer.from('next member\n')])),
        `gzip -d gives ${size} bytes and the next member`,
      );
    }
  }));

test('the incompressibility probe: random and gzip data are stored; text, base64 and zeros are compressed', () => {
  const random = randomBytes(1 << 20);
  assert.ok(looksIncompressible(random));
  assert.ok(
    looksIncompressible(
      Buffer.concat([gzipSync(randomBytes(600_000)), gzipSync(randomBytes(600_000))]).subarray(0, 1 << 20),
    ),
  );
  assert.not.ok(looksIncompressible(logText(1 << 20)));
  assert.not.ok(
    looksIncompressible(Buffer.from(randomBytes(800_000).toString('base64')).subarray(0, 1 << 20)),
    'base64 has 6 bits a byte',
  );
  assert.not.ok(looksIncompressible(Buffer.alloc(1 << 20)));
  // random data with a compressible stretch in any one sample is compressed
  const mixed = Buffer.from(random);
  logText(20_000).copy(mixed, (mixed.length >> 1) - 10_000);
  assert.not.ok(looksIncompressible(mixed));
  assert.not.ok(looksIncompressible(randomBytes(32 << 10)), 'too small to sample: compress');
});

/** Forced garbage collections seen while `work` runs (Node reports each collection with its flags). */
async function forcedCollections(work: () => Promise<void> | void): Promise<number> {
  let forced = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      if (((entry as { detail?: { flags?: number } }).detail?.flags ?? 0) & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED)
        forced += 1;
  });
  observer.observe({ entryTypes: ['gc'] });
  await work();
  await new Promise((resolve) => setTimeout(resolve, 100)); // entries arrive asynchronously
  observer.disconnect();
  return forced;
}

test('collectGarbage forces a collection, which frees buffers nothing refers to any more', async () => {
  let dead: Buffer[] | undefined = Array.from({ length: 40 }, () => Buffer.allocUnsafeSlow(1 << 20).fill(7)); // under V8's own trigger of 64 MiB
  const before = process.memoryUsage().arrayBuffers;
  dead = undefined;
  let after = before;
  const forced = await forcedCollections(async () => {
    collectGarbage();
    for (let i = 0; i < 50 && after > before - (32 << 20); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20)); // freeing finishes on a background thread
      after = process.memoryUsage().arrayBuffers;
    }
  });
  assert.is(dead, undefined);
  assert.ok(forced >= 1, 'a forced collection ran');
  assert.ok(
    after <= before - (32 << 20),
    `40 MiB of dead buffers: ${before >> 20} MiB before, ${after >> 20} MiB after`,
  );
});

test('releaseBuffer frees a whole buffer at once, with no collection, and leaves views and pooled memory alone', async () => {
  const externalNow = () => v8.getHeapStatistics().external_memory;
  const whole = Array.from({ length: 16 }, () => Buffer.allocUnsafeSlow(1 << 20).fill(7));
  const before = externalNow();
  const forced = await forcedCollections(() => {
    for (const buffer of whole) releaseBuffer(buffer);
  });
  assert.is(forced, 0, 'no collection');
  for (const buffer of whole) assert.is(buffer.length, 0, 'the released buffer is empty from then on');
  const freed = before - externalNow();
  assert.ok(freed >= 15 << 20, `16 MiB released: ${(freed / (1 << 20)).toFixed(1)} MiB freed at once`);

  const larger = Buffer.allocUnsafeSlow(2 << 20).fill(1);
  const view = larger.subarray(0, 1 << 20);
  releaseBuffer(view); // a view of a larger buffer: others may read the rest
  releaseBuffer(larger.subarray(1 << 20)); // offset: the same
  assert.is(larger.length, 2 << 20);
  assert.is(view[0], 1);
  const small = Buffer.allocUnsafeSlow(1000).fill(2);
  releaseBuffer(small); // too small to be worth it, and the size of a pool's slice
  assert.is(small.length, 1000);
  const pooled = Buffer.from('pooled');
  releaseBuffer(pooled);
  assert.is(pooled.toString(), 'pooled');
  const shared = Buffer.from(new SharedArrayBuffer(1 << 20));
  releaseBuffer(shared);
  assert.is(shared.length, 1 << 20);
});

test('freeOnceWritten: a buffer goes once every marked byte of it is written, not before; small and unmarked ones stay', () => {
  const memory = Buffer.allocUnsafeSlow(512 << 10).fill(3);
  // two views of one member, split where a part ends, and the rest of zlib's output buffer
  const first = memory.subarray(100, 300_000);
  const second = memory.subarray(300_000, 400_000);
  const other = Buffer.allocUnsafeSlow(256 << 10).fill(4);
  freeOnceWritten([first, second, other]);
  written(second.subarray(0, 50_000));
  written(first);
  assert.is(memory.length, 512 << 10, 'still held: 50,000 marked bytes are not written yet');
  assert.is(second[99_999], 3);
  written(second.subarray(50_000));
  assert.is(memory.length, 0, 'freed with its last marked byte');
  assert.is(second.length, 0, 'and every view of it is empty from then on');
  assert.is(other.length, 256 << 10, 'a buffer with nothing written is left alone');

  const unmarked = Buffer.allocUnsafeSlow(1 << 20).fill(5);
  written(unmarked);
  assert.is(unmarked.length, 1 << 20, 'unmarked memory is never freed');
  const small = Buffer.allocUnsafeSlow(4096).fill(6);
  freeOnceWritten([small]);
  written(small);
  assert.is(small.length, 4096, 'too small to be worth it');
});

test('collectGarbageEvery collects once per interval of bytes, not on every call', async () => {
  const tick = collectGarbageEvery(10 << 20);
  const tickTwice = (bytes: number) => {
    tick(bytes);
    tick(bytes);
  };
  assert.is(await forcedCollections(() => tickTwice(4 << 20)), 0, '8 MiB: below the interval');
  assert.is(await forcedCollections(() => tick(4 << 20)), 1, '12 MiB: one collection');
  assert.is(await forcedCollections(() => tickTwice(4 << 20)), 0, 'the count starts again');
  assert.is(await forcedCollections(() => tick(30 << 20)), 1, 'one collection however far past the interval');
});

test('collectGarbageOverSlack: schedules watching the same growth share one floor, and collect once for it', async () => {
  const pipelineSchedule = collectGarbageOverSlack(8 << 20);
  const sinkSchedule = collectGarbageOverSlack(8 << 20);
  const both = () => {
    pipelineSchedule();
    sinkSchedule();
  };
  collectGarbage(); // the floor: now
  assert.is(await forcedCollections(both), 0, 'no growth: no collection');
  const held = Array.from({ length: 12 }, () => Buffer.allocUnsafeSlow(1 << 20).fill(3)); // 12 MiB, alive throughout
  assert.is(await forcedCollections(both), 1, '12 MiB more: one collection, not one per schedule');
  assert.is(await forcedCollections(both), 0, 'the floor moved for both: nothing more until more growth');
  collectGarbage();
  const more = Array.from({ length: 12 }, () => Buffer.allocUnsafeSlow(1 << 20).fill(4));
  assert.is(await forcedCollections(both), 1, 'growth after a collection anyone made counts from it');
  assert.is(held.length + more.length, 24);
});

/** The young generation's size in a fresh process that runs `prelude`, then makes 300,000 small objects that survive. */
function youngSpaceAfter(prelude: string): number {
  const script = `${prelude}
      import * as v8 from 'node:v8';
      const entries = [];
      for (let i = 0; i < 300000; i += 1) entries.push({ path: 'repo/config/' + i, mode: '0644', size: i });
      process.stdout.write(String(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size));`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  assert.is(child.status, 0, child.stderr);
  return Number(child.stdout);
}

test('keepYoungGenerationSmall stops the young generation growing when many objects survive (fresh processes)', () => {
  const youngSpace = (keep: boolean): number => {
    return youngSpaceAfter(`
      import { keepYoungGenerationSmall } from ${JSON.stringify(path.resolve('src/archive/reclaim.ts'))};
      if (${keep}) keepYoungGenerationSmall();
      `);
  };
  const grown = youngSpace(false);
  const kept = youngSpace(true);
  assert.ok(grown >= 16 << 20, `without it V8 grows the young generation: ${grown >> 20} MiB`);
  assert.ok(kept <= 4 << 20, `with it the young generation stays small: ${kept >> 20} MiB`);
});

test('keepYoungGenerationSmall still holds after the encryption worker has started, which resets V8 flags (fresh processes)', () => {
  const youngSpace = (encrypt: 'inline' | 'worker'): number => {
    return youngSpaceAfter(`
      import { keepYoungGenerationSmall } from ${JSON.stringify(path.resolve('src/archive/reclaim.ts'))};
      import { createEncryptStream } from ${JSON.stringify(path.resolve('src/archive/seipd-encrypt.ts'))};
      import { Readable, Writable } from 'node:stream';
      import { pipeline } from 'node:stream/promises';
      keepYoungGenerationSmall();
      const data = Buffer.alloc(4 << 20, 'backup ');
      await pipeline(Readable.from([data]), createEncryptStream({ mode: 'passphrase', passphrase: 'pw' }, { parallel: ${encrypt === 'worker'} }), new Writable({ write(c, e, cb) { cb(); } }));
      `);
  };
  const inline = youngSpace('inline');
  const worker = youngSpace('worker');
  assert.ok(inline <= 4 << 20, `encrypting in this thread: ${inline >> 20} MiB`);
  assert.ok(worker <= 4 << 20, `encrypting on the worker: ${worker >> 20} MiB`);
});

test.run();
