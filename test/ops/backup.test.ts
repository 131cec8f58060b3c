/** backup at the operation level: what it reports, and the work it leaves out when nobody needs it. */
import { spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  createPassphraseCheck,
  deriveKey,
  isFullStrengthCheck,
  matchesPassphraseCheck,
} from '../../src/archive/skesk.ts';
import { createBackup } from '../../src/ops/backup.ts';
import type { PassphraseCheck } from '../../src/domain/snapshot.ts';
import type { RipcordEvent } from '../../src/domain/events.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import type { PutOptions } from '../../src/storage/store.ts';
import { withGnupgHome } from '../helpers/gpg.ts';
import { PassThroughStore } from '../helpers/pass-through-store.ts';
import { diffTrees, removeDir, tempDir } from '../helpers/tree.ts';

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

test('a backup carries the passphrase check its passphrase matched; after a new key it makes one anew', async () => {
  const dir = await tempDir();
  try {
    await fs.writeFile(path.join(dir, 'a.txt'), 'a');
    const store = new LocalStore(path.join(dir, 'repo'));
    const backUp = async (options: { newKey?: boolean; passphrase?: string } = {}) => {
      const { snapshot } = await createBackup({
        store,
        paths: ['a.txt'],
        cwd: dir,
        keys: { mode: 'passphrase', passphrase: options.passphrase ?? keys.passphrase },
        origin,
        ...(options.newKey ? { newKey: true } : {}),
      });
      const file = path.join(dir, 'repo', snapshot.id, 'snapshot.json');
      return JSON.parse(await fs.readFile(file, 'utf8')).encryption.keyCheck as PassphraseCheck;
    };
    const first = await backUp();
    const second = await backUp();
    assert.equal(second, first, 'the matched check, carried again');
    assert.equal(Object.keys(second), ['s2k', 'salt', 'count', 'hmac']);
    const rotated = await backUp({ newKey: true, passphrase: 'another passphrase' });
    assert.not.equal(rotated.hmac, first.hmac, 'a new passphrase, a new check');
    assert.not.equal(rotated.salt, first.salt);
    assert.ok(matchesPassphraseCheck('another passphrase', rotated));
  } finally {
    await removeDir(dir);
  }
});

test('only a check as costly to guess against as a new one is carried again: a lower S2K count is not', () => {
  const made = createPassphraseCheck(keys.passphrase);
  assert.ok(isFullStrengthCheck(made));
  const count = 96; // coded: 65,536 bytes hashed, where a new check hashes 16 MiB
  const salt = Buffer.from('0123456789abcdef', 'hex');
  const weak: PassphraseCheck = {
    s2k: 'iterated-sha256',
    salt: salt.toString('hex'),
    count,
    hmac: createHmac('sha256', deriveKey(Buffer.from(keys.passphrase), 8, 3, salt, count, 32))
      .update('ripcord key check')
      .digest('hex'),
  };
  assert.ok(matchesPassphraseCheck(keys.passphrase, weak), 'it matches the passphrase');
  assert.not.ok(isFullStrengthCheck(weak), 'but is not carried');
  assert.not.ok(isFullStrengthCheck({ ...made, salt: 'not hex' }), 'nor is a malformed one');
});

test('a local backup frees each archive buffer once it is on disk, not before: gpg and tar restore the archive whole', async () => {
  const dir = await tempDir();
  try {
    // enough data for the encryption worker to start, text and random, in many gzip members
    const source = path.join(dir, 'tree');
    await fs.mkdir(path.join(source, 'logs'), { recursive: true });
    for (let i = 0; i < 6; i++)
      await fs.writeFile(
        path.join(source, 'logs', `app-${i}.log`),
        `${i} GET /health 200 ${'x'.repeat(i * 7)}\n`.repeat(40_000),
      );
    await fs.writeFile(path.join(source, 'blob.bin'), randomBytes(6 << 20));
    let freed = 0;
    let written = 0;
    class WatchingStore extends PassThroughStore {
      override put(key: string, body: Readable | Uint8Array, options: PutOptions = {}): Promise<void> {
        const { onWritten } = options;
        if (!onWritten) return super.put(key, body, options);
        return super.put(key, body, {
          ...options,
          onWritten(chunk) {
            written += 1;
            onWritten(chunk);
            if (chunk.buffer.byteLength === 0) freed += 1; // detached: its memory is gone
          },
        });
      }
    }
    const repo = path.join(dir, 'repo');
    const { snapshot } = await createBackup({
      store: new WatchingStore(new LocalStore(repo)),
      paths: ['.'],
      cwd: source,
      keys,
      origin,
    });
    assert.ok(freed >= 4, `buffers freed as they were written: ${freed} of ${written} chunks`);
    const restored = path.join(dir, 'restored');
    await fs.mkdir(restored);
    await withGnupgHome((home) => {
      const archive = home.decrypt(readFileSync(path.join(repo, snapshot.id, 'archive.tar.gz.pgp')), keys.passphrase);
      assert.is(archive.status, 0, archive.stderr);
      const untar = spawnSync('tar', ['-xzf', '-', '-C', restored], { input: archive.stdout });
      assert.is(untar.status, 0, untar.stderr.toString());
    });
    assert.equal(await diffTrees(source, restored), []);
  } finally {
    await removeDir(dir);
  }
});

test.run();
