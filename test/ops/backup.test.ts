/** backup at the operation level: what it reports, and the work it leaves out when nobody needs it. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBackup } from '../../src/ops/backup.ts';
import type { RipcordEvent } from '../../src/domain/events.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const keys = { mode: 'passphrase', passphrase: 'ops backup' } as const;
const origin = { host: 'test', user: 'test' };

async function backUpWith(wantsTotals: boolean): Promise<RipcordEvent[]> {
  const dir = await tempDir();
  try {
    await fs.mkdir(path.join(dir, 'config'));
    for (let i = 0; i < 5; i++)
      await fs.writeFile(path.join(dir, 'config', `app-${i}.yaml`), `replicas: ${i}\n`.repeat(100));
    const events: RipcordEvent[] = [];
    const reporter = { emit: (event: RipcordEvent) => events.push(event), ...(wantsTotals ? { wantsTotals } : {}) };
    await createBackup({
      store: new LocalStore(path.join(dir, 'repo')),
      paths: ['config'],
      cwd: dir,
      keys,
      origin,
      reporter,
    });
    return events;
  } finally {
    await removeDir(dir);
  }
}

test('a reporter that shows totals gets a counting pass first, and progress against the totals', async () => {
  const events = await backUpWith(true);
  assert.ok(
    events.some((e) => e.type === 'phase' && e.phase === 'scan'),
    'a scan phase',
  );
  const last = events.filter((e) => e.type === 'progress').at(-1);
  assert.equal(last?.type === 'progress' ? last.total : undefined, { files: 5, bytes: 5 * 1200 });
});

test('without anyone showing totals, a local backup walks its sources once: no scan phase, progress without totals', async () => {
  const events = await backUpWith(false);
  assert.not.ok(
    events.some((e) => e.type === 'phase' && e.phase === 'scan'),
    'no scan phase',
  );
  const progress = events.filter((e) => e.type === 'progress');
  assert.ok(progress.length > 0, 'progress is still reported');
  assert.ok(
    progress.every((e) => e.type === 'progress' && e.total === undefined),
    'no totals',
  );
  const last = progress.at(-1);
  assert.equal(last?.type === 'progress' ? last.done : undefined, { files: 5, bytes: 5 * 1200 });
});

test('a file name that contains U+FFFD itself is valid UTF-8 and is backed up', async () => {
  const dir = await tempDir();
  try {
    await fs.mkdir(path.join(dir, 'config'));
    await fs.writeFile(path.join(dir, 'config', 'odd-\ufffd.txt'), 'replacement character\n');
    const events: RipcordEvent[] = [];
    const { snapshot } = await createBackup({
      store: new LocalStore(path.join(dir, 'repo')),
      paths: ['config'],
      cwd: dir,
      keys,
      origin,
      reporter: { emit: (e) => events.push(e) },
    });
    assert.is(snapshot.files, 1);
  } finally {
    await removeDir(dir);
  }
});

test.run();
