/**
 * The S3 backend against a real S3-compatible server (s3rver in a child process, see
 * test/helpers/s3-server.ts): the shared store contract plus S3-specific behaviour.
 * No mocked client: every request goes over HTTP, and what the server received is observed
 * there. s3rver cannot enforce SSE, storage classes or Object Lock, and does not verify
 * SigV4 signatures (only the access key id): those tests check the REQUEST and say so.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NotFoundError, StorageError, UsageError } from '../../src/domain/errors.ts';
import { openStore } from '../../src/storage/open-store.ts';
import { createS3Store, type S3StoreOptions } from '../../src/storage/s3-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { startS3Server, type RecordedRequest } from '../helpers/s3-server.ts';
import {
  defineStoreContract,
  failingStream,
  keysOf,
  randomSource,
  readAll,
  settles,
  sha256,
  sha256OfStream,
} from '../helpers/store-contract.ts';

// s3rver's built-in account; set for this test process only.
process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
delete process.env.AWS_SESSION_TOKEN;

const MiB = 1024 * 1024;
const BUCKET = 'ripcord-test';
const server = await startS3Server();
await server.bucket(BUCKET);

let prefixes = 0;
const freshUrl = (label = 'repo') => `s3://${BUCKET}/${label}-${++prefixes}`;
/** a small list page, so that a few hundred keys take several listing requests */
const LIST_PAGE = 100;
/** the wrapped store's delete batch (the plain one keeps S3's 1000, so both sizes are tested) */
const DELETE_BATCH = 100;
const openS3 = (url: string, options: S3StoreOptions = {}) =>
  createS3Store(url, { endpoint: server.endpoint, partSize: 5 * MiB, maxKeys: LIST_PAGE, ...options });

defineStoreContract('s3', async () => ({ store: await openS3(freshUrl('contract')), cleanup: async () => {} }), {
  listPage: LIST_PAGE,
});

defineStoreContract(
  's3, through openStore (retry-wrapped)',
  async () => ({
    store: await openStore(freshUrl('wrapped'), {
      s3: { endpoint: server.endpoint, maxKeys: LIST_PAGE, deleteBatch: DELETE_BATCH },
    }),
    cleanup: async () => {},
  }),
  { listPage: LIST_PAGE, deleteBatch: DELETE_BATCH },
);

const s3 = suite('s3 store');

s3.after(async () => {
  await server.stop();
});

/** run body with the store, closing it afterwards */
const using = (url: string, options: S3StoreOptions, body: (store: Store) => Promise<void>) =>
  settles(async () => {
    const store = await openS3(url, options);
    try {
      await body(store);
    } finally {
      await store.close();
    }
  });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

const query = (request: RecordedRequest) => new URL(request.url, 'http://host').searchParams;
const pathOf = (request: RecordedRequest) => decodeURIComponent(new URL(request.url, 'http://host').pathname);
const isCreateMultipart = (request: RecordedRequest) => request.method === 'POST' && query(request).has('uploads');
const isUploadPart = (request: RecordedRequest) => request.method === 'PUT' && query(request).has('partNumber');
const isComplete = (request: RecordedRequest) => request.method === 'POST' && query(request).has('uploadId');
const isPutObject = (request: RecordedRequest) =>
  request.method === 'PUT' && !query(request).has('uploadId') && !query(request).has('partNumber');
const header = (request: RecordedRequest, name: string) => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};
const md5Base64 = (data: Uint8Array) => createHash('md5').update(data).digest('base64');

s3(
  'a 12 MB stream is uploaded as 3 parts of 5 MiB (observed at the server), without aws-chunked framing, and the stored sha256 equals the source',
  using(freshUrl('big'), {}, async (store) => {
    const size = 12_000_000;
    const source = randomSource(size, 64 * 1024);
    await server.clearRequests();
    await store.put('snap/archive.tar.gz.pgp', source.stream);
    const requests = (await server.requests()).filter((r) => pathOf(r).endsWith('/snap/archive.tar.gz.pgp'));
    assert.is(requests.filter(isCreateMultipart).length, 1, 'one CreateMultipartUpload');
    const parts = requests.filter(isUploadPart);
    assert.equal(
      parts.map((r) => Number(query(r).get('partNumber'))).sort((a, b) => a - b),
      [1, 2, 3],
    );
    for (const part of parts) {
      const last = query(part).get('partNumber') === '3';
      assert.is(
        Number(header(part, 'content-length')),
        last ? size - 2 * 5 * MiB : 5 * MiB,
        `part ${query(part).get('partNumber')} size`,
      );
    }
    assert.is(requests.filter(isComplete).length, 1, 'one CompleteMultipartUpload');
    assert.is(requests.filter(isPutObject).length, 0, 'no single PutObject');
    for (const request of requests) {
      assert.not.match(header(request, 'content-encoding') ?? '', /aws-chunked/);
      assert.not.match(header(request, 'x-amz-content-sha256') ?? '', /STREAMING/);
    }
    const back = await sha256OfStream(await store.get('snap/archive.tar.gz.pgp'));
    assert.is(back.size, size);
    assert.is(back.sha256, source.sha256());
  }),
);

s3(
  'the server killed during an upload: put rejects with a StorageError naming the endpoint; after a restart nothing is stored under the key and a new put succeeds',
  using(freshUrl('crash'), { maxAttempts: 3 }, async (store) => {
    // An endless, paced source: the upload is certainly still running when the server dies.
    let produced = 0;
    const endless = Readable.from(
      (async function* () {
        for (;;) {
          produced += 256 * 1024;
          yield randomBytes(256 * 1024);
          await sleep(2);
        }
      })(),
      { objectMode: false },
    );
    await server.clearRequests();
    const put = rejection(store.put('snap/archive', endless));
    await server.waitForRequest(isUploadPart);
    await server.kill();
    const error = await put;
    assert.instance(error, StorageError, String(error));
    assert.ok((error as StorageError).message.includes(server.endpoint), (error as StorageError).message);
    assert.is((error as StorageError).transient, true);
    assert.not.match((error as StorageError).message, /\n/);
    assert.ok(endless.destroyed, 'put destroys the source stream it could not finish');
    const producedAtFailure = produced;
    await sleep(50);
    assert.is(produced, producedAtFailure, 'the source is no longer read');

    await server.restart();
    assert.is(await store.stat('snap/archive'), undefined);
    assert.equal(await keysOf(store.list('')), []);
    const data = randomBytes(7 * MiB);
    await store.put('snap/archive', data);
    assert.is(sha256(await readAll(await store.get('snap/archive'))), sha256(data));
  }),
);

s3(
  'the server killed during a download: the get stream errors with a transient StorageError instead of ending early',
  using(freshUrl('download'), {}, async (store) => {
    await store.put('big/object', randomBytes(64 * MiB));
    const stream = await store.get('big/object');
    let received = 0;
    const reading = (async () => {
      for await (const chunk of stream) {
        if (received === 0) {
          await server.kill();
        }
        received += (chunk as Buffer).length;
      }
    })();
    const error = await rejection(reading);
    assert.ok(received < 64 * MiB, `received ${received} bytes`);
    assert.instance(error, StorageError, String(error));
    assert.is((error as StorageError).transient, true);
    assert.ok((error as StorageError).message.includes('big/object'), (error as StorageError).message);
    await server.restart();
    assert.is((await store.stat('big/object'))?.size, 64 * MiB);
  }),
);

s3(
  'a missing bucket: put, get, stat, list and delete reject with a non-transient StorageError naming the bucket',
  using('s3://no-such-bucket-here/repo', {}, async (store) => {
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ['put (single request)', () => store.put('k', new Uint8Array([1]))],
      ['put (multipart)', () => store.put('k', randomSource(6 * MiB).stream)],
      ['get', () => store.get('k')],
      ['stat', () => store.stat('k')],
      ['list', () => keysOf(store.list(''))],
      ['delete', () => store.delete(['k'])],
    ];
    for (const [operation, attempt] of attempts) {
      const error = await rejection(attempt());
      assert.instance(error, StorageError, `${operation}: ${String(error)}`);
      assert.not.instance(error, NotFoundError, `${operation}: a missing bucket is not a missing object`);
      const { message, transient } = error as StorageError;
      assert.ok(message.includes('bucket no-such-bucket-here does not exist'), `${operation}: ${message}`);
      assert.ok(message.includes(server.endpoint), `${operation}: ${message}`);
      assert.ok(message.includes('create it or fix the repository URL'), `${operation}: ${message}`);
      assert.is(transient, false, operation);
    }
  }),
);

s3(
  'an unknown access key id: access denied, naming the repository and the credentials to check (s3rver checks the key id, not the secret)',
  settles(async () => {
    const saved = process.env.AWS_ACCESS_KEY_ID;
    process.env.AWS_ACCESS_KEY_ID = 'NOT-A-KEY';
    try {
      const url = freshUrl('denied');
      const store = await openS3(url);
      try {
        for (const attempt of [() => store.put('k', new Uint8Array([1])), () => keysOf(store.list(''))]) {
          const error = await rejection(attempt());
          assert.instance(error, StorageError, String(error));
          const { message, transient } = error as StorageError;
          assert.ok(message.includes(`access denied to ${url}`), message);
          assert.ok(message.includes('AWS_PROFILE / AWS_ACCESS_KEY_ID'), message);
          assert.not.match(message, /S3RVER|NOT-A-KEY/, 'no credentials in messages');
          assert.is(transient, false);
        }
      } finally {
        await store.close();
      }
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved;
    }
  }),
);

s3(
  'no credentials anywhere: a StorageError saying no AWS credentials were found',
  settles(async () => {
    const names = [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_SHARED_CREDENTIALS_FILE',
      'AWS_CONFIG_FILE',
      'AWS_EC2_METADATA_DISABLED',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_ROLE_ARN',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    ];
    const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
    for (const name of names) delete process.env[name];
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/ripcord-test/credentials';
    process.env.AWS_CONFIG_FILE = '/nonexistent/ripcord-test/config';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    try {
      const store = await openS3(freshUrl('nocreds'));
      try {
        const error = await rejection(store.put('k', new Uint8Array([1])));
        assert.instance(error, StorageError, String(error));
        assert.match(
          (error as StorageError).message,
          /no AWS credentials found for s3:\/\/ripcord-test\/nocreds-\d+: set AWS_PROFILE or AWS_ACCESS_KEY_ID/,
        );
        assert.is((error as StorageError).transient, false);
      } finally {
        await store.close();
      }
    } finally {
      for (const name of names) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  }),
);

s3(
  'an endpoint nobody listens on: a transient StorageError "cannot reach the S3 endpoint"',
  settles(async () => {
    const port = await freePort();
    const store = await createS3Store(`s3://${BUCKET}/x`, { endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 });
    try {
      for (const attempt of [() => store.put('k', new Uint8Array([1])), () => store.get('k'), () => store.stat('k')]) {
        const error = await rejection(attempt());
        assert.instance(error, StorageError, String(error));
        assert.match(
          (error as StorageError).message,
          new RegExp(`cannot reach the S3 endpoint http://127\\.0\\.0\\.1:${port}: ECONNREFUSED`),
        );
        assert.is((error as StorageError).transient, true);
      }
    } finally {
      await store.close();
    }
  }),
);

s3(
  'sends x-amz-server-side-encryption aws:kms, the KMS key id and x-amz-storage-class on single and multipart uploads (request only: s3rver cannot enforce SSE or storage classes)',
  using(
    freshUrl('sse'),
    { sse: 'aws:kms', kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/ripcord-test', storageClass: 'STANDARD_IA' },
    async (store) => {
      await server.clearRequests();
      await store.put('small', new Uint8Array([1, 2, 3]));
      const big = randomBytes(11 * MiB);
      await store.put('big', big);
      const requests = await server.requests();
      const starts = [
        ...requests.filter((r) => isPutObject(r) && pathOf(r).endsWith('/small')),
        ...requests.filter((r) => isCreateMultipart(r) && pathOf(r).endsWith('/big')),
      ];
      assert.is(starts.length, 2, 'one PutObject and one CreateMultipartUpload');
      for (const request of starts) {
        assert.is(header(request, 'x-amz-server-side-encryption'), 'aws:kms');
        assert.is(
          header(request, 'x-amz-server-side-encryption-aws-kms-key-id'),
          'arn:aws:kms:us-east-1:111122223333:key/ripcord-test',
        );
        assert.is(header(request, 'x-amz-storage-class'), 'STANDARD_IA');
      }
      assert.is(sha256(await readAll(await store.get('big'))), sha256(big));
    },
  ),
);

s3(
  'sends x-amz-server-side-encryption AES256 without a KMS key id (request only: s3rver cannot enforce SSE)',
  using(freshUrl('sse-s3'), { sse: 'AES256' }, async (store) => {
    await server.clearRequests();
    await store.put('small', new Uint8Array([1]));
    const [put] = (await server.requests()).filter(isPutObject);
    assert.ok(put);
    assert.is(header(put, 'x-amz-server-side-encryption'), 'AES256');
    assert.is(header(put, 'x-amz-server-side-encryption-aws-kms-key-id'), undefined);
    assert.is(header(put, 'x-amz-storage-class'), undefined);
  }),
);

s3(
  'sends the Object Lock mode and retain-until date, and a correct Content-MD5 on every PutObject and UploadPart, as S3 requires with Object Lock (request only: s3rver cannot enforce Object Lock)',
  using(freshUrl('lock'), { objectLockDays: 30, objectLockMode: 'COMPLIANCE' }, async (store) => {
    await server.clearRequests();
    const small = randomBytes(1000);
    await store.put('small', small);
    const big = randomBytes(11 * MiB);
    await store.put('big', Readable.from([big.subarray(0, 3 * MiB), big.subarray(3 * MiB)]));
    const requests = await server.requests();
    const expectedUntil = Date.now() + 30 * 86_400_000;
    const put = requests.find((r) => isPutObject(r) && pathOf(r).endsWith('/small'));
    const create = requests.find((r) => isCreateMultipart(r) && pathOf(r).endsWith('/big'));
    assert.ok(put && create);
    for (const request of [put, create]) {
      assert.is(header(request, 'x-amz-object-lock-mode'), 'COMPLIANCE');
      const until = Date.parse(header(request, 'x-amz-object-lock-retain-until-date') ?? '');
      assert.ok(
        Math.abs(until - expectedUntil) < 5 * 60_000,
        `retain until ${header(request, 'x-amz-object-lock-retain-until-date')}`,
      );
    }
    assert.is(header(put, 'content-md5'), md5Base64(small));
    const parts = requests.filter(isUploadPart);
    assert.is(parts.length, 3);
    for (const part of parts) {
      const n = Number(query(part).get('partNumber'));
      assert.is(header(part, 'content-md5'), md5Base64(big.subarray((n - 1) * 5 * MiB, n * 5 * MiB)), `part ${n}`);
    }
    assert.is(sha256(await readAll(await store.get('big'))), sha256(big));
  }),
);

s3(
  'the AWS CLI lists the objects the store wrote',
  using(freshUrl('cli'), {}, async (store) => {
    const url = store.properties.location;
    await store.put('snap-1/snapshot.json', new Uint8Array(123));
    await store.put('snap-1/archive.tar.gz.pgp', new Uint8Array(4567));
    const version = spawnSync('aws', ['--version'], { encoding: 'utf8' });
    if (version.error || version.status !== 0) {
      console.log('aws CLI not installed: skipping the AWS CLI listing check');
      return;
    }
    const listing = spawnSync('aws', ['s3', 'ls', '--recursive', `${url}/`, '--endpoint-url', server.endpoint], {
      encoding: 'utf8',
      env: { ...process.env, AWS_DEFAULT_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' },
    });
    assert.is(listing.status, 0, listing.stderr);
    const prefix = url.slice(`s3://${BUCKET}/`.length);
    const lines = listing.stdout
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/));
    const seen = lines.map(([, , size, key]) => `${key} ${size}`).sort();
    assert.equal(seen, [`${prefix}/snap-1/archive.tar.gz.pgp 4567`, `${prefix}/snap-1/snapshot.json 123`]);
  }),
);

s3(
  'list skips "folder/" placeholder objects (as the AWS console creates) that no repository key can name',
  using(freshUrl('folders'), {}, async (store) => {
    const prefix = store.properties.location.slice(`s3://${BUCKET}/`.length);
    const response = await fetch(`${server.endpoint}/${BUCKET}/${prefix}/snap-1/`, { method: 'PUT', body: '' });
    assert.ok(response.ok, `placeholder PUT: HTTP ${response.status}`);
    await store.put('snap-1/snapshot.json', new Uint8Array([1]));
    assert.equal(await keysOf(store.list('')), ['snap-1/snapshot.json']);
  }),
);

s3(
  'objects live under the repository prefix and nothing outside it is listed or touched',
  settles(async () => {
    const outer = await openS3(`s3://${BUCKET}`);
    const inner = await openS3(`s3://${BUCKET}/nested/repo/`);
    const sibling = await openS3(`s3://${BUCKET}/nested/repo-old`);
    try {
      await inner.put('a/b', new Uint8Array([1]));
      await sibling.put('a/b', new Uint8Array([2]));
      assert.equal(await keysOf(inner.list('')), ['a/b']);
      assert.is((await outer.stat('nested/repo/a/b'))?.size, 1);
      await inner.delete(['a/b']);
      assert.is((await sibling.stat('a/b'))?.size, 1);
    } finally {
      await Promise.all([outer.close(), inner.close(), sibling.close()]);
    }
  }),
);

s3(
  "the endpoint and region come from the environment the caller passes (AWS_ENDPOINT_URL_S3, AWS_REGION), not from this process's",
  settles(async () => {
    const url = freshUrl('env');
    assert.is(process.env.AWS_ENDPOINT_URL_S3, undefined);
    const store = await createS3Store(
      url,
      { maxAttempts: 1 },
      { AWS_ENDPOINT_URL_S3: server.endpoint, AWS_REGION: 'eu-west-1' },
    );
    try {
      await store.put('snap/snapshot.json', new Uint8Array([1, 2, 3]));
      assert.is((await store.stat('snap/snapshot.json'))?.size, 3);
    } finally {
      await store.close();
    }
    assert.is(process.env.AWS_ENDPOINT_URL_S3, undefined, 'nothing written to process.env');
  }),
);

s3(
  'properties: location is s3://bucket/prefix without endpoint or credentials; listable, deletable, durable, and sized uploads from a size hint',
  settles(async () => {
    for (const [url, location] of [
      [`s3://${BUCKET}/team/prod/`, `s3://${BUCKET}/team/prod`],
      [`s3://${BUCKET}`, `s3://${BUCKET}`],
      [`s3://${BUCKET}/`, `s3://${BUCKET}`],
    ] as const) {
      const store = await openS3(url);
      assert.equal(store.properties, { location, listable: true, deletable: true, durable: true, usesSizeHint: true });
      await store.close();
    }
  }),
);

s3(
  'openStore("s3://...") loads the S3 backend with the s3 options',
  settles(async () => {
    const url = freshUrl('registry');
    const store = await openStore(url, { s3: { endpoint: server.endpoint } });
    try {
      assert.is(store.properties.location, url);
      await store.put('k', new Uint8Array([7]));
      assert.equal([...(await readAll(await store.get('k')))], [7]);
    } finally {
      await store.close();
    }
  }),
);

s3(
  'malformed repository URLs and options are UsageErrors',
  settles(async () => {
    const bad: Array<[string, S3StoreOptions]> = [
      ['s3://', {}],
      ['s3:///prefix', {}],
      ['s3://key:secret@bucket/prefix', {}],
      [`s3://${BUCKET}/a/../b`, {}],
      [`s3://${BUCKET}/a//b`, {}],
      [`s3://${BUCKET}/x?versionId=1`, {}],
      [`s3://${BUCKET}`, { partSize: 1024 }],
      [`s3://${BUCKET}`, { queueSize: 0 }],
      [`s3://${BUCKET}`, { maxKeys: 5000 }],
      [`s3://${BUCKET}`, { sse: 'rot13' as never }],
      [`s3://${BUCKET}`, { kmsKeyId: 'k' }],
      [`s3://${BUCKET}`, { objectLockMode: 'GOVERNANCE' }],
      [`s3://${BUCKET}`, { objectLockDays: 0 }],
      [`s3://${BUCKET}`, { endpoint: 'not a url' }],
    ];
    for (const [url, options] of bad) {
      const error = await rejection(createS3Store(url, options));
      assert.instance(error, UsageError, `${url} ${JSON.stringify(options)}: ${String(error)}`);
      assert.not.match((error as Error).message, /secret/, 'credentials are never echoed');
    }
  }),
);

s3(
  'a body stream that fails after a part was sent: put reports the source failing and aborts the multipart upload (observed: AbortMultipartUpload reaches the server, which answers 405)',
  using(freshUrl('source'), {}, async (store) => {
    await server.clearRequests();
    // the source fails only once the first part has reached the server
    const partSent = () => server.waitForRequest((r) => pathOf(r).endsWith('/k') && isUploadPart(r));
    const source = failingStream(6 * MiB, new Error('tar: file changed as we read it'), partSent);
    const error = await rejection(store.put('k', source));
    assert.instance(error, StorageError);
    assert.match(
      (error as Error).message,
      /cannot write k: reading the data to upload failed: tar: file changed as we read it$/,
    );
    const requests = (await server.requests()).filter((r) => pathOf(r).endsWith('/k'));
    const create = requests.find(isCreateMultipart);
    const part = requests.find(isUploadPart);
    assert.ok(create && part, 'the upload had started');
    const uploadId = query(part).get('uploadId');
    const aborts = requests.filter((r) => r.method === 'DELETE' && query(r).get('uploadId') === uploadId);
    assert.is(aborts.length, 1, 'one AbortMultipartUpload for the upload');
    assert.is(requests.filter(isComplete).length, 0, 'never completed');
  }),
);

s3.run();

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
