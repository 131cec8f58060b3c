/**
 * The audit log at the operation level: one object per record on every store, so that
 * concurrent writers cannot interleave; read back merged in time order. Local disk and a
 * real S3-compatible server (s3rver in a child process).
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AUDIT_FORMAT, appendAudit, auditKey, readAudit } from '../../src/ops/audit.ts';
import type { AuditEntry } from '../../src/ops/audit.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { startS3Server } from '../helpers/s3-server.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

function entry(time: string, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    time,
    operation: 'backup',
    result: 'success',
    snapshots: [],
    actor: 'ops-test',
    host: 'test-host',
    exitCode: 0,
    durationMs: 12,
    tool: 'ripcord test',
    ...overrides,
  };
}

async function keysUnder(store: Store, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of store.list(prefix)) keys.push(object.key);
  return keys.sort();
}

test('each record is its own object under audit/YYYY-MM/ (the UTC month), one JSON line, and readAudit returns them oldest first', async () => {
  const dir = await tempDir();
  try {
    const store = new LocalStore(dir);
    // written out of order, across a month boundary (23:59 on 31 Oct in UTC is October)
    const second = await appendAudit(
      store,
      entry('2026-11-01T00:00:01.000Z', { operation: 'prune', snapshots: ['20261031T235900.000Z-0001'] }),
    );
    const first = await appendAudit(
      store,
      entry('2026-10-31T23:59:59.000Z', { snapshots: ['20261031T235900.000Z-0001'], set: 'configs' }),
    );
    assert.match(first, /^audit\/2026-10\/20261031T235959\.000Z-[0-9a-f]{12}\.json$/);
    assert.match(second, /^audit\/2026-11\/20261101T000001\.000Z-[0-9a-f]{12}\.json$/);
    assert.equal(await keysUnder(store, ''), [first, second].sort());

    const text = await fs.readFile(path.join(dir, first), 'utf8');
    assert.ok(text.endsWith('}\n') && text.split('\n').length === 2, `one JSON line: ${JSON.stringify(text)}`);
    assert.equal(JSON.parse(text), {
      format: AUDIT_FORMAT,
      ...entry('2026-10-31T23:59:59.000Z', { snapshots: ['20261031T235900.000Z-0001'], set: 'configs' }),
    });

    const { records, damaged } = await readAudit(store);
    assert.equal(damaged, []);
    assert.equal(
      records.map((r) => [r.time, r.operation, r.set ?? null]),
      [
        ['2026-10-31T23:59:59.000Z', 'backup', 'configs'],
        ['2026-11-01T00:00:01.000Z', 'prune', null],
      ],
    );
  } finally {
    await removeDir(dir);
  }
});

test('50 concurrent appends to one local repository leave 50 whole, distinct records', async () => {
  const dir = await tempDir();
  try {
    const store = new LocalStore(dir);
    const time = '2026-11-22T12:00:00.000Z'; // the same millisecond for all of them
    const keys = await Promise.all(
      Array.from({ length: 50 }, (_, i) => appendAudit(store, entry(time, { snapshots: [`writer-${i}`] }))),
    );
    assert.is(new Set(keys).size, 50);
    const { records, damaged } = await readAudit(store);
    assert.equal(damaged, []);
    assert.equal(records.map((r) => r.snapshots[0]).sort(), Array.from({ length: 50 }, (_, i) => `writer-${i}`).sort());
    for (const key of keys) JSON.parse(await fs.readFile(path.join(dir, key), 'utf8'));
  } finally {
    await removeDir(dir);
  }
});

test('readAudit --since skips whole months before it and filters the rest by time; --operation filters by operation', async () => {
  const dir = await tempDir();
  try {
    const store = new LocalStore(dir);
    await appendAudit(store, entry('2026-09-30T10:00:00.000Z'));
    await appendAudit(store, entry('2026-11-02T10:00:00.000Z'));
    await appendAudit(store, entry('2026-11-20T10:00:00.000Z', { operation: 'restore' }));
    // a record in a month before --since is never read: make it unreadable to prove it
    const [old] = await keysUnder(store, 'audit/2026-09/');
    await fs.writeFile(path.join(dir, old!), 'not json');

    const since = await readAudit(store, { since: new Date('2026-11-10T00:00:00Z') });
    assert.equal(since.damaged, []);
    assert.equal(
      since.records.map((r) => r.time),
      ['2026-11-20T10:00:00.000Z'],
    );

    const backups = await readAudit(store, { since: new Date('2026-10-01T00:00:00Z'), operation: 'backup' });
    assert.equal(
      backups.records.map((r) => r.time),
      ['2026-11-02T10:00:00.000Z'],
    );
  } finally {
    await removeDir(dir);
  }
});

test('an unreadable record or a stray object under audit/ is reported as damaged and the other records are still read', async () => {
  const dir = await tempDir();
  try {
    const store = new LocalStore(dir);
    await appendAudit(store, entry('2026-11-02T10:00:00.000Z'));
    const broken = auditKey(new Date('2026-11-03T10:00:00Z'));
    await store.put(broken, Buffer.from('{"format":"ripcord-audit/1","time":"2026-11-03T10:00:00Z"'));
    await store.put('audit/notes.txt', Buffer.from('hello'));
    const { records, damaged } = await readAudit(store);
    assert.is(records.length, 1);
    assert.equal(damaged, [
      { key: broken, problem: 'not valid JSON' },
      { key: 'audit/notes.txt', problem: 'not an audit record name' },
    ]);
  } finally {
    await removeDir(dir);
  }
});

test('on S3 (no append there) 20 concurrent writers leave 20 objects, and readAudit merges them in time order', async () => {
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  const server = await startS3Server();
  let store: Store | undefined;
  try {
    await server.bucket('audit-test');
    store = await createS3Store('s3://audit-test/app', { endpoint: server.endpoint });
    const times = Array.from({ length: 20 }, (_, i) => new Date(Date.UTC(2026, 10, 22, 12, 0, 20 - i)).toISOString());
    await Promise.all(times.map((time, i) => appendAudit(store!, entry(time, { snapshots: [`s${i}`] }))));
    const keys = await keysUnder(store, 'audit/');
    assert.is(keys.length, 20);
    assert.ok(keys.every((k) => k.startsWith('audit/2026-11/')));
    const { records, damaged } = await readAudit(store);
    assert.equal(damaged, []);
    assert.equal(
      records.map((r) => r.time),
      [...times].sort(),
    );
  } finally {
    await store?.close();
    await server.stop();
    process.env.AWS_ACCESS_KEY_ID = saved.id;
    process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
  }
});

test.run();
