/**
 * dump at the operation level: by the archive's index it reads what holds the file and no
 * more; a snapshot without an index (as earlier versions wrote them, its manifest rewritten
 * here by gpg) is read whole, with the same result.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBackup } from '../../src/ops/backup.ts';
import { dumpFile } from '../../src/ops/dump.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { CountingStore, largeTreeWithSmallFile } from '../helpers/counting-store.ts';
import { rewriteManifest } from '../helpers/rewrite-manifest.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const keys = { mode: 'passphrase', passphrase: 'ops dump' } as const;
const origin = { host: 'test', user: 'test' };

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
    const older = text.replace(/,"at":\d+/g, '').replace(/,"index":\{[^}]*\}/, '');
    assert.not.match(older, /"index"|"at":/);
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

test.run();
