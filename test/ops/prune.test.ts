/** prune at the operation level: a fixed clock, real files, and a store that can fail mid-prune. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StorageError } from '../../src/domain/errors.ts';
import { RetentionPolicyError } from '../../src/domain/retention.ts';
import { applyPrune, planPrune } from '../../src/ops/prune.ts';
import type { PrunePlan } from '../../src/ops/prune.ts';
import { listSnapshots } from '../../src/ops/repository.ts';
import { verifySnapshots } from '../../src/ops/verify.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import type { Store } from '../../src/storage/store.ts';
import {
  addUnfinishedFolder,
  createFixtureRepo,
  damageSnapshot,
  repositoryFiles,
  repositoryFolders,
} from '../helpers/fixture-repo.ts';
import type { FixtureSnapshot } from '../helpers/fixture-repo.ts';
import { PassThroughStore } from '../helpers/pass-through-store.ts';

const HOUR = 60 * 60 * 1000;

/** The worked example of docs/retention.md: a scheduled group and a pre-deploy env:prod group. */
const WORKED_EXAMPLE: FixtureSnapshot[] = [
  { created: '2024-03-13T18:00:00Z', kind: 'scheduled', host: 'runner-1' }, // 0001
  { created: '2024-03-13T09:00:00Z', kind: 'scheduled', host: 'runner-2' }, // 0002
  { created: '2024-03-12T20:00:00Z', kind: 'scheduled', host: 'runner-3' }, // 0003
  { created: '2024-03-12T07:00:00Z', kind: 'scheduled' }, // 0004
  { created: '2024-03-11T08:00:00Z', kind: 'scheduled' }, // 0005
  { created: '2024-03-10T22:00:00Z', kind: 'scheduled' }, // 0006
  { created: '2024-03-10T10:00:00Z', kind: 'scheduled' }, // 0007
  { created: '2024-03-07T12:00:00Z', kind: 'scheduled' }, // 0008
  { created: '2024-03-03T12:00:00Z', kind: 'scheduled' }, // 0009
  { created: '2024-03-01T12:00:00Z', kind: 'scheduled' }, // 000a
  { created: '2024-02-20T12:00:00Z', kind: 'scheduled' }, // 000b
  { created: '2024-02-10T12:00:00Z', kind: 'scheduled' }, // 000c
  { created: '2024-03-13T16:00:00Z', kind: 'pre-deploy', tags: ['env:prod'] }, // 000d
  { created: '2024-03-12T15:00:00Z', kind: 'pre-deploy', tags: ['env:prod'] }, // 000e
  { created: '2024-03-05T04:00:00Z', kind: 'pre-deploy', tags: ['env:prod'] }, // 000f
];
const WORKED_POLICY = { last: 2, daily: 3, weekly: 2 };
const AFTER_WORKED_EXAMPLE = new Date('2024-03-14T00:00:00Z');

function rows(plan: PrunePlan): string[] {
  return plan.snapshots.map((d) => `${d.snapshot.id} ${d.action}${d.reasons.length ? ` ${d.reasons.join(',')}` : ''}`);
}

async function folderBytes(repo: string, id: string): Promise<number> {
  let total = 0;
  for (const name of await fs.readdir(path.join(repo, id))) total += (await fs.stat(path.join(repo, id, name))).size;
  return total;
}

/** A real local store whose delete() fails on its n-th call (fault injection, no fakes of the data). */
class FailingDeleteStore extends PassThroughStore {
  deleteCalls = 0;
  constructor(
    inner: Store,
    private readonly failOnCall: number,
  ) {
    super(inner);
  }
  override async delete(keys: readonly string[]): Promise<void> {
    this.deleteCalls += 1;
    if (this.deleteCalls === this.failOnCall) throw new StorageError('injected failure: the disk went away');
    await this.inner.delete(keys);
  }
}

test('planPrune reproduces the worked example of docs/retention.md group by group, and changes nothing on disk', async () => {
  const f = await createFixtureRepo(WORKED_EXAMPLE);
  try {
    const before = await repositoryFiles(f.repo);
    const plan = await planPrune(new LocalStore(f.repo), { policy: WORKED_POLICY, now: AFTER_WORKED_EXAMPLE });
    assert.equal(rows(plan), [
      '20240313T180000.000Z-0001 keep last,daily,weekly',
      '20240313T090000.000Z-0002 keep last',
      '20240312T200000.000Z-0003 keep daily',
      '20240312T070000.000Z-0004 remove',
      '20240311T080000.000Z-0005 keep daily',
      '20240310T220000.000Z-0006 keep weekly',
      '20240310T100000.000Z-0007 remove',
      '20240307T120000.000Z-0008 remove',
      '20240303T120000.000Z-0009 remove',
      '20240301T120000.000Z-000a remove',
      '20240220T120000.000Z-000b remove',
      '20240210T120000.000Z-000c remove',
      '20240313T160000.000Z-000d keep last,daily,weekly',
      '20240312T150000.000Z-000e keep last,daily',
      '20240305T040000.000Z-000f keep daily,weekly',
    ]);
    assert.is(plan.outOfScope, 0);
    assert.equal(plan.unfinished, []);
    assert.equal(plan.damaged, []);
    assert.equal(await repositoryFiles(f.repo), before);
  } finally {
    await f.remove();
  }
});

test('applyPrune removes exactly the planned snapshots, whole folders, and reports the bytes it freed', async () => {
  const f = await createFixtureRepo(WORKED_EXAMPLE);
  try {
    const store = new LocalStore(f.repo);
    const plan = await planPrune(store, { policy: WORKED_POLICY, now: AFTER_WORKED_EXAMPLE });
    const doomed = plan.snapshots.filter((d) => d.action === 'remove').map((d) => d.snapshot.id);
    let expectedBytes = 0;
    for (const id of doomed) expectedBytes += await folderBytes(f.repo, id);

    const result = await applyPrune(store, plan);
    assert.equal(result.removedSnapshots, doomed);
    assert.equal(result.removedUnfinished, []);
    assert.is(result.bytesFreed, expectedBytes);
    assert.equal(await repositoryFolders(f.repo), [
      '20240305T040000.000Z-000f',
      '20240310T220000.000Z-0006',
      '20240311T080000.000Z-0005',
      '20240312T150000.000Z-000e',
      '20240312T200000.000Z-0003',
      '20240313T090000.000Z-0002',
      '20240313T160000.000Z-000d',
      '20240313T180000.000Z-0001',
    ]);
    const listing = await listSnapshots(store);
    assert.equal(listing.unfinished, []);
    assert.equal(listing.damaged, []);
  } finally {
    await f.remove();
  }
});

test('an unfinished folder is removed only when its id time and every object are more than an hour before now', async () => {
  const f = await createFixtureRepo([{ created: '2024-03-13T18:00:00Z' }]);
  try {
    const now = new Date('2024-03-14T12:00:00Z');
    const ago = (ms: number) => new Date(now.getTime() - ms);
    const old = await addUnfinishedFolder(f.repo, { started: ago(3 * HOUR), modified: ago(2 * HOUR), suffix: '0a0a' });
    const freshWrite = await addUnfinishedFolder(f.repo, {
      started: ago(3 * HOUR),
      modified: ago(30 * 60 * 1000),
      suffix: '0b0b',
    });
    const freshStart = await addUnfinishedFolder(f.repo, {
      started: ago(10 * 60 * 1000),
      modified: ago(2 * HOUR),
      suffix: '0c0c',
    });
    const exactlyAnHour = await addUnfinishedFolder(f.repo, {
      started: ago(HOUR),
      modified: ago(2 * HOUR),
      suffix: '0d0d',
    });
    const oneFreshObject = await addUnfinishedFolder(f.repo, {
      started: ago(3 * HOUR),
      modified: ago(2 * HOUR),
      suffix: '0e0e',
    });
    const [first] = await fs.readdir(path.join(f.repo, oneFreshObject));
    await fs.utimes(path.join(f.repo, oneFreshObject, first!), ago(59 * 60 * 1000), ago(59 * 60 * 1000));

    const store = new LocalStore(f.repo);
    const plan = await planPrune(store, { policy: { last: 1 }, now });
    const actions = Object.fromEntries(plan.unfinished.map((u) => [u.id, u.action]));
    assert.equal(actions, {
      [old]: 'remove',
      [freshWrite]: 'keep',
      [freshStart]: 'keep',
      [exactlyAnHour]: 'keep',
      [oneFreshObject]: 'keep',
    });
    assert.match(plan.unfinished.find((u) => u.id === old)!.reason, /last written 2h ago/);
    assert.match(
      plan.unfinished.find((u) => u.id === freshStart)!.reason,
      /started 10m ago: a backup may still be writing it/,
    );

    const result = await applyPrune(store, plan);
    assert.equal(result.removedUnfinished, [old]);
    assert.equal(
      await repositoryFolders(f.repo),
      [f.ids[0], freshStart, freshWrite, exactlyAnHour, oneFreshObject].sort(),
    );
  } finally {
    await f.remove();
  }
});

test('applyPrune leaves an unfinished folder alone when it gains snapshot.json or a fresh write after planning', async () => {
  const f = await createFixtureRepo([{ created: '2024-03-13T18:00:00Z' }]);
  try {
    const now = new Date('2024-03-14T12:00:00Z');
    const threeHoursAgo = new Date(now.getTime() - 3 * HOUR);
    const committedLater = await addUnfinishedFolder(f.repo, {
      started: threeHoursAgo,
      modified: threeHoursAgo,
      suffix: '1111',
    });
    const writtenLater = await addUnfinishedFolder(f.repo, {
      started: threeHoursAgo,
      modified: threeHoursAgo,
      suffix: '2222',
    });
    const store = new LocalStore(f.repo);
    const plan = await planPrune(store, { policy: { last: 1 }, now });
    assert.equal(
      plan.unfinished.map((u) => u.action),
      ['remove', 'remove'],
    );

    // a slow backup commits one folder and writes to the other between plan and apply
    await fs.copyFile(
      path.join(f.repo, f.ids[0]!, 'snapshot.json'),
      path.join(f.repo, committedLater, 'snapshot.json'),
    );
    await fs.writeFile(path.join(f.repo, writtenLater, 'archive.tar.gz.pgp.partial-abcd'), 'still writing');

    const result = await applyPrune(store, plan);
    assert.equal(result.removedUnfinished, []);
    assert.equal(result.skippedUnfinished.map((s) => s.id).sort(), [writtenLater, committedLater].sort());
    assert.match(result.skippedUnfinished.find((s) => s.id === committedLater)!.reason, /committed/);
    assert.match(
      result.skippedUnfinished.find((s) => s.id === writtenLater)!.reason,
      /archive\.tar\.gz\.pgp\.partial-abcd was written to/,
    );
    assert.equal(await repositoryFolders(f.repo), [f.ids[0], committedLater, writtenLater].sort());
  } finally {
    await f.remove();
  }
});

test('applyPrune removes snapshot.json before any other object: an interrupted prune leaves an unfinished folder, never a listed snapshot with missing objects', async () => {
  const f = await createFixtureRepo([
    { created: '2024-03-13T18:00:00Z', kind: 'scheduled' },
    { created: '2024-03-12T18:00:00Z', kind: 'scheduled' },
  ]);
  try {
    const [newest, older] = f.ids as [string, string];
    const local = new LocalStore(f.repo);
    const failing = new FailingDeleteStore(local, 2); // the first delete goes through, the second fails
    const plan = await planPrune(failing, { policy: { last: 1 }, now: AFTER_WORKED_EXAMPLE });
    const error = await applyPrune(failing, plan).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.instance(error, StorageError);
    assert.match(
      (error as Error).message,
      /^prune stopped: injected failure: the disk went away \(removed 0 of 1 snapshot\(s\) .*run ripcord prune again to finish\)$/,
    );

    assert.equal((await fs.readdir(path.join(f.repo, older))).sort(), [
      'SHA256SUMS',
      'archive.tar.gz.pgp',
      'manifest.json.pgp',
    ]);
    const listing = await listSnapshots(local);
    assert.equal(
      listing.snapshots.map((s) => s.id),
      [newest],
    );
    assert.equal(listing.damaged, []);
    assert.equal(
      listing.unfinished.map((u) => u.id),
      [older],
    );
    const outcomes = await verifySnapshots({ store: local, references: [], all: true });
    assert.equal(
      outcomes.map((o) => [o.id, o.ok]),
      [[newest, true]],
    );

    // the next prune finishes the job: the left-over objects are old by then
    const later = await planPrune(local, { policy: { last: 1 }, now: new Date(Date.now() + 2 * HOUR) });
    assert.equal(
      later.unfinished.map((u) => [u.id, u.action]),
      [[older, 'remove']],
    );
    const result = await applyPrune(local, later);
    assert.equal(result.removedUnfinished, [older]);
    assert.equal(await repositoryFolders(f.repo), [newest]);
  } finally {
    await f.remove();
  }
});

test('a damaged snapshot is reported in the plan and never removed, even when it is the oldest of its group', async () => {
  const f = await createFixtureRepo([
    { created: '2024-03-13T18:00:00Z', kind: 'scheduled' },
    { created: '2024-03-12T18:00:00Z', kind: 'scheduled' },
    { created: '2024-03-11T18:00:00Z', kind: 'scheduled' },
  ]);
  try {
    const [newest, middle, oldest] = f.ids as [string, string, string];
    await damageSnapshot(f.repo, oldest);
    const store = new LocalStore(f.repo);
    const plan = await planPrune(store, { policy: { last: 1 }, now: AFTER_WORKED_EXAMPLE });
    assert.equal(rows(plan), [`${newest} keep last`, `${middle} remove`]);
    assert.equal(
      plan.damaged.map((d) => d.id),
      [oldest],
    );
    assert.match(plan.damaged[0]!.problem, /does not match its own checksum/);
    const damagedBefore = await fs.readFile(path.join(f.repo, oldest, 'snapshot.json'));
    await applyPrune(store, plan);
    assert.equal(await repositoryFolders(f.repo), [oldest, newest]);
    assert.equal(await fs.readFile(path.join(f.repo, oldest, 'snapshot.json')), damagedBefore);
  } finally {
    await f.remove();
  }
});

test('planPrune refuses a policy with no keep rule with a usage error (exit code 2)', async () => {
  const f = await createFixtureRepo([{ created: '2024-03-13T18:00:00Z' }, { created: '2024-03-12T18:00:00Z' }]);
  try {
    for (const policy of [{}, { daily: 0, within: 0 }, { tags: [] }]) {
      const error = await planPrune(new LocalStore(f.repo), { policy, now: AFTER_WORKED_EXAMPLE }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.instance(error, RetentionPolicyError, JSON.stringify(policy));
      assert.is((error as RetentionPolicyError).exitCode, 2);
      assert.match((error as Error).message, /refusing to prune without a keep rule/);
    }
    assert.equal(await repositoryFolders(f.repo), [...f.ids].sort());
  } finally {
    await f.remove();
  }
});

test('a --tag scope never splits a group: snapshots with extra tags form their own group, and each keeps its newest', async () => {
  const f = await createFixtureRepo([
    { created: '2024-03-13T18:00:00Z', kind: 'pre-deploy', tags: ['env:prod', 'app:web'] }, // 0001
    { created: '2024-03-13T12:00:00Z', kind: 'pre-deploy', tags: ['app:web', 'env:prod'] }, // 0002, same group as 0001
    { created: '2024-03-13T10:00:00Z', kind: 'pre-deploy', tags: ['env:prod'] }, // 0003
    { created: '2024-03-13T09:00:00Z', kind: 'pre-deploy', tags: ['env:prod'] }, // 0004
    { created: '2024-03-13T20:00:00Z', kind: 'pre-deploy', tags: ['env:staging'] }, // 0005, out of scope
    { created: '2024-03-13T08:00:00Z', kind: 'pre-deploy', tags: ['env:staging'] }, // 0006, out of scope
  ]);
  try {
    const plan = await planPrune(new LocalStore(f.repo), {
      policy: { last: 1 },
      scope: { tags: ['env:prod'] },
      now: AFTER_WORKED_EXAMPLE,
    });
    assert.equal(rows(plan), [
      '20240313T180000.000Z-0001 keep last',
      '20240313T120000.000Z-0002 remove',
      '20240313T100000.000Z-0003 keep last',
      '20240313T090000.000Z-0004 remove',
    ]);
    assert.is(plan.outOfScope, 2);
    assert.equal(plan.scope, { tags: ['env:prod'] });
  } finally {
    await f.remove();
  }
});

test('a pre-deploy snapshot whose deploy recorded no outcome is pinned; once an outcome is recorded it is pruned normally', async () => {
  const f = await createFixtureRepo([
    { created: '2024-03-13T18:00:00Z', kind: 'pre-deploy' }, // 0001: newest, kept anyway
    { created: '2024-03-12T18:00:00Z', kind: 'pre-deploy', outcome: false }, // 0002: deploy never finished
    { created: '2024-03-11T18:00:00Z', kind: 'pre-deploy' }, // 0003: finished
  ]);
  try {
    const store = new LocalStore(f.repo);
    const plan = await planPrune(store, { policy: { last: 1 }, now: new Date('2024-03-14T00:00:00Z') });
    const decisions = Object.fromEntries(plan.snapshots.map((d) => [d.snapshot.id, [d.action, d.reasons.join(',')]]));
    assert.equal(decisions, {
      [f.ids[0]!]: ['keep', 'last'],
      [f.ids[1]!]: ['keep', 'pinned'],
      [f.ids[2]!]: ['remove', ''],
    });
    await fs.writeFile(path.join(f.repo, f.ids[1]!, 'outcome.json'), '{"result":"rolled-back"}\n');
    const after = await planPrune(store, { policy: { last: 1 }, now: new Date('2024-03-14T00:00:00Z') });
    assert.is(after.snapshots.find((d) => d.snapshot.id === f.ids[1])!.action, 'remove');
    // a pin without an outcome lapses after seven days (a guard whose job succeeded records none)
    await fs.rm(path.join(f.repo, f.ids[1]!, 'outcome.json'));
    const later = await planPrune(store, { policy: { last: 1 }, now: new Date('2024-03-19T18:00:01Z') });
    assert.is(later.snapshots.find((d) => d.snapshot.id === f.ids[1])!.action, 'remove');
    const sooner = await planPrune(store, { policy: { last: 1 }, now: new Date('2024-03-19T17:59:59Z') });
    assert.is(sooner.snapshots.find((d) => d.snapshot.id === f.ids[1])!.action, 'keep');
  } finally {
    await f.remove();
  }
});

test('applyPrune removes partial files that killed runs left beside audit records, once they are over an hour old', async () => {
  const f = await createFixtureRepo([{ created: '2024-03-13T18:00:00Z' }, { created: '2024-03-12T18:00:00Z' }]);
  try {
    const audit = path.join(f.repo, 'audit', '2024-03');
    await fs.mkdir(audit, { recursive: true });
    const stale = path.join(audit, '20240313T180000.000Z-aaaa.json.partial-0badc0de');
    const fresh = path.join(audit, '20240313T190000.000Z-bbbb.json.partial-0feedbee');
    const record = path.join(audit, '20240313T180000.000Z-cccc.json');
    for (const file of [stale, fresh, record]) await fs.writeFile(file, '{}');
    const old = new Date('2024-03-13T20:00:00Z');
    await fs.utimes(stale, old, old);
    const now = new Date('2024-03-13T21:30:00Z');
    await fs.utimes(fresh, new Date('2024-03-13T21:00:00Z'), new Date('2024-03-13T21:00:00Z'));
    const store = new LocalStore(f.repo);
    const result = await applyPrune(store, await planPrune(store, { policy: { last: 5 }, now }));
    assert.equal(result.removedPartials, ['audit/2024-03/20240313T180000.000Z-aaaa.json.partial-0badc0de']);
    assert.not.ok(await fs.stat(stale).catch(() => undefined));
    assert.ok(await fs.stat(fresh), 'a partial file written within the hour may belong to a running backup');
    assert.ok(await fs.stat(record), 'audit records stay');
  } finally {
    await f.remove();
  }
});

test.run();
