/**
 * dump at the operation level: by the archive's index it reads what holds the file and no
 * more; a snapshot without an index (as earlier versions wrote them, its manifest rewritten
 * here by gpg) is read whole, with the same result.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IntegrityError } from '../../src/domain/errors.ts';
import { createBackup } from '../../src/ops/backup.ts';
import { dumpFile } from '../../src/ops/dump.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { CountingStore, largeTreeWithSmallFile } from '../helpers/counting-store.ts';
import { rewriteManifest } from '../helpers/rewrite-manifest.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const keys = { mode: 'passphrase', passphrase: 'ops dump' } as const;
const origin = { host: 'test', user: 'test' };
const exec = promisify(execFile);
const GPG = ['--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', keys.passphrase];

async function dumpToBuffer(store: Store, reference: string, file: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const output = new PassThrough();
  output.on('data', (c: Buffer) => chunks.push(c));
  await dumpFile({ store, reference, file, keys, output });
  return Buffer.concat(chunks);
}

/** The snapshot as earlier versions wrote it: its manifest without `at` and the index. */
function withoutIndex(repo: string, id: string): Promise<void> {
  return rewriteManifest(repo, id, keys.passphrase, (text) => {
    const older = text
      .replace(/,"at":\d+/g, '')
      .replace(/,"archiveKey":\{[^}]*\}/, '')
      .replace(/,"index":\{[^}]*\}/, '');
    assert.not.match(older, /"index"|"at":|"archiveKey"/);
    return older;
  });
}

test('dump of a small file from a large archive reads the members that hold it, and a snapshot without an index is read whole to the same bytes', async () => {
  const dir = await tempDir();
  try {
    const small = await largeTreeWithSmallFile(dir);
    const repo = path.join(dir, 'repo');
    const store = new CountingStore(new LocalStore(repo));
    const { snapshot } = await createBackup({ store, paths: ['data'], cwd: dir, keys, origin });
    assert.ok(snapshot.archiveBytes > 16 << 20);

    assert.equal(await dumpToBuffer(store, snapshot.id, 'data/blob07-app.yaml'), small);
    assert.ok(store.archiveBytes() < 2 << 20, `read ${store.archiveBytes()} of ${snapshot.archiveBytes} bytes`);
    store.served.clear();
    const blob = await dumpToBuffer(store, snapshot.id, 'data/blob12');
    assert.equal(blob, await fs.readFile(path.join(dir, 'data/blob12')));
    assert.ok(store.archiveBytes() < 3.5 * (1 << 20), `read ${store.archiveBytes()} bytes for a 1 MiB file`);

    await withoutIndex(repo, snapshot.id);
    store.served.clear();
    assert.equal(await dumpToBuffer(store, snapshot.id, 'data/blob07-app.yaml'), small);
    assert.ok(store.archiveBytes() >= snapshot.archiveBytes, 'without an index, the whole archive is read');
  } finally {
    await removeDir(dir);
  }
});

/** A snapshot of two small files (data/app.yaml among them) in a repository of its own under `dir`. */
async function smallSnapshot(dir: string) {
  await fs.mkdir(path.join(dir, 'data'));
  await fs.writeFile(path.join(dir, 'data/app.yaml'), 'replicas: 3\n');
  await fs.writeFile(path.join(dir, 'data/other.txt'), 'x'.repeat(5000));
  const repo = path.join(dir, 'repo');
  const store = new LocalStore(repo);
  const { snapshot } = await createBackup({ store, paths: ['data'], cwd: dir, keys, origin });
  return { repo, store, snapshot };
}

/** The archive key a snapshot's manifest carries, read with gpg. */
async function archiveKeyOf(repo: string, id: string): Promise<{ algorithm: number; key: string }> {
  const { stdout } = await exec('gpg', [...GPG, '--decrypt', path.join(repo, id, 'manifest.json.pgp')], {
    maxBuffer: 64 << 20,
  });
  const trailer = JSON.parse(`{${stdout.trimEnd().split('\n').at(-1)!.slice(2)}`) as {
    archiveKey?: { algorithm: number; key: string };
  };
  assert.ok(trailer.archiveKey, 'the manifest names its archive key');
  return trailer.archiveKey;
}

test("the manifest carries its archive's session key: gpg opens the archive with it alone, and dump reads by it even when the archive's own session-key packet is damaged", async () => {
  const dir = await tempDir();
  try {
    const { repo, store, snapshot } = await smallSnapshot(dir);
    const { algorithm, key } = await archiveKeyOf(repo, snapshot.id);
    assert.is(algorithm, 9);
    assert.match(key, /^[0-9a-f]{64}$/);
    const archive = path.join(repo, snapshot.id, 'archive.tar.gz.pgp');
    const listed = await exec('sh', [
      '-c',
      `gpg --batch --quiet --override-session-key ${algorithm}:${key} --decrypt "$1" | tar -tz`,
      'sh',
      archive,
    ]);
    assert.match(listed.stdout, /^data\/app\.yaml$/m, 'gpg decrypts with the key alone, no passphrase');

    // offset 8 lies in the salt of the archive's session-key packet: the passphrase no longer opens it
    const bytes = await fs.readFile(archive);
    bytes[8]! ^= 0x01;
    await fs.writeFile(archive, bytes);
    assert.equal(await dumpToBuffer(store, snapshot.id, 'data/app.yaml'), Buffer.from('replicas: 3\n'));

    // as the previous version wrote them: an index, no archive key; the key comes from the archive
    bytes[8]! ^= 0x01;
    await fs.writeFile(archive, bytes);
    await rewriteManifest(repo, snapshot.id, keys.passphrase, (text) => text.replace(/,"archiveKey":\{[^}]*\}/, ''));
    assert.equal(await dumpToBuffer(store, snapshot.id, 'data/app.yaml'), Buffer.from('replicas: 3\n'));
  } finally {
    await removeDir(dir);
  }
});

test('a manifest whose archive key does not open the archive (a key holder rewrote it) is refused as damage, and dump prints nothing', async () => {
  const dir = await tempDir();
  try {
    const { repo, store, snapshot } = await smallSnapshot(dir);
    const { key } = await archiveKeyOf(repo, snapshot.id);
    const other = key.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    await rewriteManifest(repo, snapshot.id, keys.passphrase, (text) => text.replace(key, other));
    const chunks: Buffer[] = [];
    const output = new PassThrough();
    output.on('data', (c: Buffer) => chunks.push(c));
    let failure: unknown;
    try {
      await dumpFile({ store, reference: snapshot.id, file: 'data/app.yaml', keys, output });
    } catch (error) {
      failure = error;
    }
    assert.instance(failure, IntegrityError);
    assert.match(String((failure as Error).message), /archive key in its manifest does not open it/);
    assert.is(Buffer.concat(chunks).length, 0, 'nothing printed');
  } finally {
    await removeDir(dir);
  }
});

test.run();
