/**
 * copy at the operation level, between two LocalStores. Faults in the destination are
 * injected by FailingStore, the one test double here: a LocalStore wrapper that records
 * the keys written and can break or damage one write.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IntegrityError } from '../../src/domain/errors.ts';
import type { RipcordEvent } from '../../src/domain/events.ts';
import { sealMetadata, serializeMetadata } from '../../src/domain/snapshot.ts';
import type { SnapshotMetadata } from '../../src/domain/snapshot.ts';
import { createBackup } from '../../src/ops/backup.ts';
import { applyCopy, planCopy } from '../../src/ops/copy.ts';
import { chain } from '../../src/ops/read-snapshot.ts';
import { verifySnapshots } from '../../src/ops/verify.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import type { PutOptions, Store } from '../../src/storage/store.ts';
import { makeAwkwardTree, removeDir, tempDir } from '../helpers/tree.ts';
import { PassThroughStore } from '../helpers/pass-through-store.ts';

const keys = { mode: 'passphrase', passphrase: 'ops copy' } as const;
const origin = { host: 'test', user: 'test' };
const OBJECTS = ['SHA256SUMS', 'archive.tar.gz.pgp', 'manifest.json.pgp', 'snapshot.json'];

/** A LocalStore that records every put and can fail one (mid-stream) or flip a byte of one as it is stored. */
class FailingStore extends PassThroughStore {
  readonly puts: string[] = [];
  constructor(
    override readonly inner: LocalStore,
    private readonly fault: { failPutOf?: string; flipByteOf?: string } = {},
  ) {
    super(inner);
  }

  override async put(key: string, body: Readable | Uint8Array, options?: PutOptions): Promise<void> {
    this.puts.push(key);
    const stream = body instanceof Uint8Array ? Readable.from([body]) : body;
    if (this.fault.failPutOf && key.endsWith(`/${this.fault.failPutOf}`)) {
      let seen = 0;
      const breaking = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          seen += chunk.length;
          // pass the first chunk, then fail as a dropped connection would
          callback(seen > chunk.length ? new Error('injected failure: connection lost') : null, chunk);
        },
        flush(callback) {
          callback(new Error('injected failure: connection lost'));
        },
      });
      return this.inner.put(key, chain(stream, breaking), options);
    }
    if (this.fault.flipByteOf && key.endsWith(`/${this.fault.flipByteOf}`)) {
      let first = true;
      const flipping = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          if (first && chunk.length > 0) {
            first = false;
            const copy = Buffer.from(chunk);
            copy[copy.length >> 1]! ^= 0x01;
            callback(null, copy);
          } else callback(null, chunk);
        },
      });
      return this.inner.put(key, chain(stream, flipping), options);
    }
    return this.inner.put(key, stream, options);
  }
}

interface Repos {
  dir: string;
  source: LocalStore;
  destination: LocalStore;
  snapshots: SnapshotMetadata[];
}

async function setup(count = 1): Promise<Repos> {
  const dir = await tempDir();
  const tree = path.join(dir, 'tree');
  await fs.mkdir(tree);
  const roots = await makeAwkwardTree(tree, 1);
  const source = new LocalStore(path.join(dir, 'source'));
  const snapshots: SnapshotMetadata[] = [];
  for (let i = 0; i < count; i++) {
    await fs.writeFile(path.join(tree, 'config/app.yaml'), `revision ${i}\n`);
    snapshots.push((await createBackup({ store: source, paths: roots, cwd: tree, keys, origin })).snapshot);
  }
  return { dir, source, destination: new LocalStore(path.join(dir, 'destination')), snapshots };
}

async function keysIn(store: Store, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for await (const object of store.list(prefix)) out.push(object.key);
  return out.sort();
}

async function bytesOf(store: LocalStore, key: string): Promise<Buffer> {
  return fs.readFile(path.join(store.root, key));
}

async function flipByte(store: LocalStore, key: string, offset?: number): Promise<void> {
  const file = path.join(store.root, key);
  const bytes = await fs.readFile(file);
  bytes[offset ?? bytes.length >> 1]! ^= 0x01;
  await fs.writeFile(file, bytes);
}

async function copyAll(source: Store, destination: Store, events: RipcordEvent[] = []) {
  const plan = await planCopy({ source, destination, references: [], all: true });
  return applyCopy(plan, { reporter: { emit: (event) => events.push(event) } });
}

test('copy writes the four objects byte for byte, snapshot.json last, and the copy verifies', async () => {
  const r = await setup(2);
  try {
    const destination = new FailingStore(r.destination);
    const result = await copyAll(r.source, destination);
    assert.is(result.copied, 2);
    assert.is(result.failed, 0);
    for (const snapshot of r.snapshots) {
      const written = destination.puts
        .filter((key) => key.startsWith(`${snapshot.id}/`))
        .map((key) => key.slice(snapshot.id.length + 1));
      assert.equal(written, ['archive.tar.gz.pgp', 'manifest.json.pgp', 'SHA256SUMS', 'snapshot.json']);
      assert.equal(
        await keysIn(r.destination, `${snapshot.id}/`),
        OBJECTS.map((o) => `${snapshot.id}/${o}`),
      );
      for (const object of OBJECTS) {
        assert.ok(
          (await bytesOf(r.source, `${snapshot.id}/${object}`)).equals(
            await bytesOf(r.destination, `${snapshot.id}/${object}`),
          ),
          object,
        );
      }
    }
    let stored = 0;
    for (const snapshot of r.snapshots)
      for (const object of OBJECTS) stored += (await bytesOf(r.source, `${snapshot.id}/${object}`)).length;
    assert.is(result.bytes, stored, 'bytes transferred: the four objects of each snapshot');
    const verified = await verifySnapshots({
      store: r.destination,
      references: [],
      all: true,
      readData: true,
      keys: { passphrase: keys.passphrase },
    });
    assert.equal(
      verified.map((v) => v.ok),
      [true, true],
    );
  } finally {
    await removeDir(r.dir);
  }
});

test('a second copy finds every snapshot present and writes nothing', async () => {
  const r = await setup(2);
  try {
    await copyAll(r.source, r.destination);
    const destination = new FailingStore(r.destination);
    const result = await copyAll(r.source, destination);
    assert.equal(
      { copied: result.copied, present: result.present, bytes: result.bytes },
      { copied: 0, present: 2, bytes: 0 },
    );
    assert.equal(destination.puts, []);
  } finally {
    await removeDir(r.dir);
  }
});

test('a dry run (planCopy alone) decides without writing anything', async () => {
  const r = await setup(1);
  try {
    const plan = await planCopy({ source: r.source, destination: r.destination, references: ['latest'] });
    assert.equal(
      plan.snapshots.map((s) => [s.id, s.decision]),
      [[r.snapshots[0]!.id, 'copy']],
    );
    assert.ok(plan.snapshots[0]!.bytes > r.snapshots[0]!.archiveBytes);
    assert.is(
      await fs.stat(r.destination.root).catch(() => undefined),
      undefined,
      'the destination was not even created',
    );
  } finally {
    await removeDir(r.dir);
  }
});

for (const object of ['archive.tar.gz.pgp', 'manifest.json.pgp']) {
  test(`a corrupted source ${object} is detected in flight and nothing of the snapshot stays in the destination`, async () => {
    const r = await setup(1);
    try {
      const id = r.snapshots[0]!.id;
      await flipByte(r.source, `${id}/${object}`);
      const destination = new FailingStore(r.destination);
      const result = await copyAll(r.source, destination);
      assert.is(result.copied, 0);
      assert.is(result.failed, 1);
      const problem = result.snapshots[0]!.problem!;
      assert.ok(problem.includes(id) && problem.includes(object), problem);
      assert.match(
        problem,
        new RegExp(`${object.replace(/\./g, '\\.')} read from ${r.source.root}/? does not match snapshot\\.json`),
      );
      const attempted =
        object === 'archive.tar.gz.pgp' ? ['archive.tar.gz.pgp'] : ['archive.tar.gz.pgp', 'manifest.json.pgp'];
      assert.equal(
        destination.puts,
        attempted.map((o) => `${id}/${o}`),
        'stopped at the damaged object',
      );
      assert.equal(await keysIn(r.destination), [], 'no object, not even a partial one');
    } finally {
      await removeDir(r.dir);
    }
  });
}

test('a source snapshot.json that fails its self-checksum is reported as damaged and not copied', async () => {
  const r = await setup(1);
  try {
    const id = r.snapshots[0]!.id;
    const file = path.join(r.source.root, id, 'snapshot.json');
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace('"manual"', '"scheduled"'));
    const plan = await planCopy({ source: r.source, destination: r.destination, references: [id] });
    assert.is(plan.snapshots[0]!.decision, 'damaged');
    assert.match(plan.snapshots[0]!.problem!, /snapshot\.json does not match its own checksum/);
    assert.ok(plan.snapshots[0]!.problem!.includes(id));
    const result = await applyCopy(plan);
    assert.is(result.failed, 1);
    assert.equal(await keysIn(r.destination), []);
  } finally {
    await removeDir(r.dir);
  }
});

test('a source with a truncated archive or a wrong SHA256SUMS is reported as damaged before anything is written', async () => {
  const r = await setup(2);
  try {
    const [first, second] = r.snapshots.map((s) => s.id);
    const archive = path.join(r.source.root, first!, 'archive.tar.gz.pgp');
    await fs.truncate(archive, (await fs.stat(archive)).size - 1);
    await fs.writeFile(path.join(r.source.root, second!, 'SHA256SUMS'), '0'.repeat(64) + '  archive.tar.gz.pgp\n');
    const plan = await planCopy({ source: r.source, destination: r.destination, references: [], all: true });
    const problems = Object.fromEntries(plan.snapshots.map((s) => [s.id, s.problem ?? '']));
    assert.match(problems[first!]!, /archive\.tar\.gz\.pgp is \d+ bytes, snapshot\.json says \d+/);
    assert.match(problems[second!]!, /SHA256SUMS disagrees with snapshot\.json/);
    const destination = new FailingStore(r.destination);
    await applyCopy({ ...plan, destination });
    assert.equal(destination.puts, []);
  } finally {
    await removeDir(r.dir);
  }
});

test('copy --all copies the sound snapshots and reports the damaged one', async () => {
  const r = await setup(3);
  try {
    const damaged = r.snapshots[1]!.id;
    await flipByte(r.source, `${damaged}/archive.tar.gz.pgp`, 10);
    const result = await copyAll(r.source, r.destination);
    assert.equal(
      result.snapshots.map((s) => [s.id, s.status]),
      [...r.snapshots].reverse().map((s) => [s.id, s.id === damaged ? 'failed' : 'copied']),
    );
    assert.equal(await keysIn(r.destination, `${damaged}/`), []);
    const listed = (await keysIn(r.destination)).filter((k) => k.endsWith('/snapshot.json'));
    assert.is(listed.length, 2);
  } finally {
    await removeDir(r.dir);
  }
});

test('an interrupted copy (FailingStore fails the destination put of the manifest) leaves no snapshot.json and removes the archive', async () => {
  const r = await setup(1);
  try {
    const id = r.snapshots[0]!.id;
    const destination = new FailingStore(r.destination, { failPutOf: 'manifest.json.pgp' });
    const error = await copyAll(r.source, destination).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(error, 'the copy failed');
    assert.ok(error!.message.includes(id) && error!.message.includes('manifest.json.pgp'), error!.message);
    assert.match(error!.message, /was not copied .*cannot write .*nothing of it was committed/, error!.message);
    assert.not.match(error!.message, /\n/);
    assert.equal(destination.puts, [`${id}/archive.tar.gz.pgp`, `${id}/manifest.json.pgp`], 'stopped at the manifest');
    assert.is(await r.destination.stat(`${id}/snapshot.json`), undefined);
    assert.equal(await keysIn(r.destination), [], 'the archive written before was removed');
    // and a later copy, with the destination healthy again, completes
    const retry = await copyAll(r.source, r.destination);
    assert.is(retry.copied, 1);
  } finally {
    await removeDir(r.dir);
  }
});

test('the read-back catches an object damaged on arrival (FailingStore flips a byte as it stores the archive) and nothing is committed', async () => {
  const r = await setup(1);
  try {
    const id = r.snapshots[0]!.id;
    const destination = new FailingStore(r.destination, { flipByteOf: 'archive.tar.gz.pgp' });
    const result = await copyAll(r.source, destination);
    assert.is(result.failed, 1);
    const problem = result.snapshots[0]!.problem!;
    assert.match(
      problem,
      new RegExp(`snapshot ${id.replace('.', '\\.')}: archive\\.tar\\.gz\\.pgp as stored in .* does not match`),
    );
    assert.not.ok(destination.puts.includes(`${id}/snapshot.json`), 'snapshot.json never written');
    assert.equal(await keysIn(r.destination), []);
  } finally {
    await removeDir(r.dir);
  }
});

test('a different committed snapshot with the same id in the destination is never overwritten', async () => {
  const r = await setup(1);
  try {
    const snapshot = r.snapshots[0]!;
    const id = snapshot.id;
    // the destination holds a snapshot with this id but other metadata (valid on its own)
    await fs.cp(path.join(r.source.root, id), path.join(r.destination.root, id), { recursive: true });
    const { metadataSha256: _, ...unsealed } = snapshot;
    const other = serializeMetadata(sealMetadata({ ...unsealed, tags: ['not-the-same'] }));
    await fs.writeFile(path.join(r.destination.root, id, 'snapshot.json'), other);
    await flipByte(r.destination, `${id}/archive.tar.gz.pgp`);
    const before = await Promise.all(OBJECTS.map((o) => bytesOf(r.destination, `${id}/${o}`)));

    const destination = new FailingStore(r.destination);
    const plan = await planCopy({ source: r.source, destination, references: [id] });
    assert.is(plan.snapshots[0]!.decision, 'conflict');
    const result = await applyCopy(plan);
    assert.is(result.failed, 1);
    assert.match(
      result.snapshots[0]!.problem!,
      new RegExp(
        `snapshot ${id.replace('.', '\\.')} already exists in .* with a different snapshot\\.json: refusing to overwrite`,
      ),
    );
    assert.equal(destination.puts, []);
    const after = await Promise.all(OBJECTS.map((o) => bytesOf(r.destination, `${id}/${o}`)));
    assert.ok(
      after.every((bytes, i) => bytes.equals(before[i]!)),
      'the destination is untouched',
    );
  } finally {
    await removeDir(r.dir);
  }
});

test('the reporter hears of every object copied, verified and committed', async () => {
  const r = await setup(1);
  try {
    const events: RipcordEvent[] = [];
    await copyAll(r.source, r.destination, events);
    const messages = events.filter((e) => e.type === 'phase').map((e) => (e as { message: string }).message);
    for (const expected of [
      /copying archive\.tar\.gz\.pgp/,
      /copying manifest\.json\.pgp/,
      /verifying archive\.tar\.gz\.pgp/,
      /verifying manifest\.json\.pgp/,
      /writing SHA256SUMS/,
      /committing snapshot\.json/,
    ]) {
      assert.ok(
        messages.some((m) => expected.test(m)),
        `${expected} in ${messages.join(' | ')}`,
      );
    }
    const progress = events.filter((e): e is Extract<RipcordEvent, { type: 'progress' }> => e.type === 'progress');
    const last = progress.at(-1)!;
    assert.equal(last.done, last.total);
    assert.is(last.done.files, 4);
  } finally {
    await removeDir(r.dir);
  }
});

test('copy refuses a destination that is the source, and a snapshot id that does not exist', async () => {
  const r = await setup(1);
  try {
    const same = await planCopy({
      source: r.source,
      destination: new LocalStore(r.source.root),
      references: ['latest'],
    }).catch((e: Error) => e);
    assert.match(String((same as Error).message), /the source and the destination are the same repository/);
    const missing = await planCopy({
      source: r.source,
      destination: r.destination,
      references: ['20200101T000000.000Z-abcd'],
    }).catch((e: Error) => e);
    assert.match(String((missing as Error).message), /snapshot 20200101T000000\.000Z-abcd does not exist/);
    assert.not.instance(missing, IntegrityError);
  } finally {
    await removeDir(r.dir);
  }
});

test.run();
