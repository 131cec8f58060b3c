/** Ranged reads from a real S3 server (s3rver): dump of a small file asks for byte ranges, and gets little. */
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBackup } from '../../src/ops/backup.ts';
import { dumpFile } from '../../src/ops/dump.ts';
import { openStore } from '../../src/storage/open-store.ts';
import { CountingStore, largeTreeWithSmallFile } from '../helpers/counting-store.ts';
import { startS3Server } from '../helpers/s3-server.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
delete process.env.AWS_SESSION_TOKEN;

const keys = { mode: 'passphrase', passphrase: 's3 ranged' } as const;
const server = await startS3Server();
await server.bucket('ranged');

test('dump of a 10 KB file from a 16 MB archive on S3 reads under 2 MB of it, in Range requests', async () => {
  const dir = await tempDir();
  try {
    const small = await largeTreeWithSmallFile(dir);
    const store = new CountingStore(await openStore('s3://ranged/repo', { s3: { endpoint: server.endpoint } }));
    const { snapshot } = await createBackup({
      store,
      paths: ['data'],
      cwd: dir,
      keys,
      origin: { host: 'test', user: 'test' },
    });
    await server.clearRequests();
    const chunks: Buffer[] = [];
    const output = new PassThrough();
    output.on('data', (c: Buffer) => chunks.push(c));
    store.served.clear();
    await dumpFile({ store, reference: snapshot.id, file: path.join('data', 'blob07-app.yaml'), keys, output });
    assert.equal(Buffer.concat(chunks), small);
    assert.ok(snapshot.archiveBytes > 16 << 20);
    assert.ok(store.archiveBytes() < 2 << 20, `served ${store.archiveBytes()} of ${snapshot.archiveBytes} bytes`);
    const ranged = (await server.requests()).filter(
      (r) => r.method === 'GET' && r.url.split('?')[0]!.endsWith('/archive.tar.gz.pgp'),
    );
    assert.ok(ranged.length > 0, 'the archive was read');
    for (const r of ranged) assert.match(String(r.headers.range), /^bytes=\d+-\d+$/, 'every read asks for a range');
    await store.close();
  } finally {
    await removeDir(dir);
    await server.stop();
  }
});

test.run();
