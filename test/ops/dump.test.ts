/**
 * dump at the operation level: by the archive's index it reads what holds the file and no
 * more; a snapshot without an index (as earlier versions wrote them, its manifest rewritten
 * here by gpg) is read whole, with the same result.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatChecksums, sealMetadata, serializeMetadata } from '../../src/domain/snapshot.ts';
import type { SnapshotMetadata } from '../../src/domain/snapshot.ts';
import { createBackup } from '../../src/ops/backup.ts';
import { dumpFile } from '../../src/ops/dump.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { CountingStore, largeTreeWithSmallFile } from '../helpers/counting-store.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const exec = promisify(execFile);
const keys = { mode: 'passphrase', passphrase: 'ops dump' } as const;
const origin = { host: 'test', user: 'test' };
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function dumpToBuffer(store: Store, reference: string, file: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const output = new PassThrough();
  output.on('data', (c: Buffer) => chunks.push(c));
  await dumpFile({ store, reference, file, keys, output });
  return Buffer.concat(chunks);
}

/**
 * The snapshot as earlier versions wrote it: its manifest without `at` and the index,
 * encrypted again by gpg with the passphrase, and its checksums and seal updated.
 */
async function withoutIndex(repo: string, id: string): Promise<void> {
  const folder = path.join(repo, id);
  const manifest = path.join(folder, 'manifest.json.pgp');
  const gpg = ['--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', keys.passphrase];
  const { stdout } = await exec('gpg', [...gpg, '--decrypt', manifest], { encoding: 'buffer', maxBuffer: 64 << 20 });
  const text = stdout
    .toString()
    .replace(/,"at":\d+/g, '')
    .replace(/,"index":\{[^}]*\}/, '');
  assert.not.match(text, /"index"|"at":/);
  const plain = path.join(folder, '..', `${id}-manifest.json`);
  await fs.writeFile(plain, text);
  await fs.rm(manifest);
  await exec('gpg', [...gpg, '--symmetric', '--cipher-algo', 'AES256', '--output', manifest, plain]);
  await fs.rm(plain);
  const bytes = await fs.readFile(manifest);
  const metadata = JSON.parse(await fs.readFile(path.join(folder, 'snapshot.json'), 'utf8')) as SnapshotMetadata;
  const { metadataSha256: _old, ...rest } = metadata;
  const sealed = sealMetadata({
    ...rest,
    objects: { ...metadata.objects, 'manifest.json.pgp': { sha256: sha256(bytes), bytes: bytes.length } },
  });
  await fs.writeFile(path.join(folder, 'snapshot.json'), serializeMetadata(sealed));
  await fs.writeFile(path.join(folder, 'SHA256SUMS'), formatChecksums(sealed.objects));
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

test.run();
