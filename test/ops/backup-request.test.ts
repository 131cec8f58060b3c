import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backupRequestFrom, deployRequestFrom } from '../../src/ops/backup-request.ts';

const refuse = (field: string, value: string, problem: string) => new Error(`${field}=${value} ${problem}`);

test('no paths given means the working directory without .git and node_modules, after the excludes given', () => {
  const request = backupRequestFrom({ paths: [], exclude: ['*.log'], kind: undefined, tags: [] }, 'manual', refuse);
  assert.equal(request.paths, ['.']);
  assert.equal(request.exclude, ['*.log', '.git', 'node_modules']);
});

test('paths given are backed up as given, with only the excludes given', () => {
  const request = backupRequestFrom(
    { paths: ['config', 'state'], exclude: ['*.log'], kind: undefined, tags: ['nightly'] },
    'manual',
    refuse,
  );
  assert.equal(request, { paths: ['config', 'state'], exclude: ['*.log'], kind: 'manual', tags: ['nightly'] });
});

test("the kind given wins over the adapter's default, and an unknown kind is refused through the adapter's own error", () => {
  assert.is(
    backupRequestFrom({ paths: [], exclude: [], kind: 'scheduled', tags: [] }, 'pre-deploy', refuse).kind,
    'scheduled',
  );
  assert.is(
    backupRequestFrom({ paths: [], exclude: [], kind: undefined, tags: [] }, 'pre-deploy', refuse).kind,
    'pre-deploy',
  );
  assert.throws(
    () => backupRequestFrom({ paths: [], exclude: [], kind: 'weekly', tags: [] }, 'manual', refuse),
    /^kind=weekly is not one of manual, /,
  );
});

test("a deploy's pre-deploy snapshot takes the same default paths as a backup, and the rest of its request as given", () => {
  const validation = { commands: ['true'], healthUrls: [], retries: 0, intervalMs: 1000 };
  const request = deployRequestFrom({ paths: [], exclude: [], command: ['./deploy.sh'], validation, noRollback: true });
  assert.equal(request, {
    paths: ['.'],
    exclude: ['.git', 'node_modules'],
    command: ['./deploy.sh'],
    validation,
    noRollback: true,
  });
});

test.run();
