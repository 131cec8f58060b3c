/**
 * Restore locks between users of one machine: a second local user (made with useradd, run
 * with runuser) tries to plant a lock that blocks root's restores and rollbacks, and root's
 * own lock folder must not lock that user out. Every command gets a TMPDIR of its own,
 * world-writable and sticky like /tmp, so that these tests meet no other run's folders.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ripcord } from '../helpers/cli.ts';
import type { RunResult } from '../helpers/cli.ts';
import { secondUserUnavailable, withLocalUser } from '../helpers/local-user.ts';
import type { LocalUser } from '../helpers/local-user.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const unavailable = secondUserUnavailable();
const userTest = (name: string, fn: () => Promise<void>) => {
  if (!unavailable) return test(name, fn);
  console.log(`skipped: ${name}: ${unavailable}`);
  test.skip(name, fn);
};

const PASSPHRASE = 'lock tests';

interface Machine {
  dir: string;
  tmp: string;
  app: string;
  repo: string;
  env: Record<string, string>;
}

/** Runs `body` with a folder every user can reach, holding a shared sticky TMPDIR and an app whose config root has backed up. */
async function onMachine(body: (m: Machine) => Promise<void>): Promise<void> {
  const m = await machine();
  try {
    const backup = await ripcord(['backup', '--repo', m.repo, '-q', 'config'], { cwd: m.app, env: m.env });
    assert.is(backup.code, 0, backup.stderr);
    await body(m);
  } finally {
    await removeDir(m.dir);
  }
}

async function machine(): Promise<Machine> {
  const dir = await tempDir();
  await fs.chmod(dir, 0o755);
  const tmp = path.join(dir, 'tmp');
  await fs.mkdir(tmp);
  await fs.chmod(tmp, 0o1777);
  const app = path.join(dir, 'app');
  await fs.mkdir(path.join(app, 'config'), { recursive: true });
  await fs.writeFile(path.join(app, 'config', 'a.txt'), 'v1\n');
  return { dir, tmp, app, repo: path.join(dir, 'repo'), env: { RIPCORD_PASSPHRASE: PASSPHRASE, TMPDIR: tmp } };
}

/** The lock a restore into `target` takes (restore.ts names it after the target's path). */
function restoreLockName(target: string): string {
  return `restore-${createHash('sha256').update(path.resolve(target)).digest('hex').slice(0, 16)}`;
}

/** What a hostile user writes: a lock held by pid 1 (always alive) with a lease that never ends. */
function plantedLock(target: string): string {
  return JSON.stringify({
    operation: `restore into ${target}`,
    host: 'planted',
    pid: 1,
    acquired: new Date().toISOString(),
    expires: '9999-12-31T23:59:59.000Z',
  });
}

/** A shell script that writes a lock object below folder $1 (made if missing), as another user would by hand. */
const PLANT = 'mkdir -p "$1/locks/$2" && printf %s "$3" > "$1/locks/$2/20261122T000000.000Z-beef.json"';

/** The other user plants a lock on restores into the app below `folder`, then runs `then` (shell) on $1. */
async function plant(other: LocalUser, m: Machine, folder: string, then = 'true'): Promise<void> {
  const script = `${PLANT} && ${then}`;
  const planted = await other.run('sh', ['-c', script, 'plant', folder, restoreLockName(m.app), plantedLock(m.app)], {
    env: m.env,
  });
  assert.is(planted.code, 0, planted.stderr);
}

type Ripcord = (args: string[], options: { cwd?: string; env: Record<string, string> }) => Promise<RunResult>;

/** `run` restores the latest snapshot of `repo` into `app`, and succeeds. */
async function restoresLatest(run: Ripcord, repo: string, app: string, env: Record<string, string>, cwd?: string) {
  const restore = await run(['restore', 'latest', '--repo', repo, '--target', app, '--yes', '-q'], {
    env,
    ...(cwd ? { cwd } : {}),
  });
  assert.is(restore.code, 0, restore.stderr);
}

/** `run` deploys a change to the app's config that fails validation, and the deploy is rolled back. */
async function deployRollsBack(run: Ripcord, repo: string, app: string, env: Record<string, string>) {
  const deploy = await run(
    [
      'deploy',
      '--repo',
      repo,
      '--paths',
      'config',
      '--validate',
      'grep -q v1 config/a.txt',
      '--',
      'sh',
      '-c',
      'echo v2 > config/a.txt',
    ],
    { cwd: app, env },
  );
  assert.is(deploy.code, 10, `the deploy must be rolled back (10), not fail its rollback (20): ${deploy.stderr}`);
  assert.is(await fs.readFile(path.join(app, 'config', 'a.txt'), 'utf8'), 'v1\n');
}

userTest(
  'a lock another user planted in a shared lock folder blocks neither a restore nor the rollback of a failed deploy',
  () =>
    onMachine(async (m) => {
      await withLocalUser(async (other) => {
        // the folder every restore on the machine used to share, made first by the other user
        await plant(other, m, path.join(m.tmp, 'ripcord-locks'));
        await restoresLatest(ripcord, m.repo, m.app, m.env);
        await deployRollsBack(ripcord, m.repo, m.app, m.env);
      });
    }),
);

userTest("another user can restore and roll back after root's restore made its lock folder first", () =>
  onMachine(async (m) => {
    await restoresLatest(ripcord, m.repo, m.app, m.env);
    await withLocalUser(async (other) => {
      const home = path.join(m.dir, 'other');
      await fs.mkdir(home, { mode: 0o700 });
      await fs.chown(home, other.uid, other.gid);
      const env = { ...m.env, HOME: home };
      const made = await other.run('sh', ['-c', 'mkdir -p app/config && echo v1 > app/config/a.txt'], {
        cwd: home,
        env,
      });
      assert.is(made.code, 0, made.stderr);
      const app = path.join(home, 'app');
      const repo = path.join(home, 'repo');
      const backup = await other.ripcord(['backup', '--repo', repo, '-q', 'config'], { cwd: app, env });
      assert.is(backup.code, 0, backup.stderr);
      const run: Ripcord = (args, options) => other.ripcord(args, options);
      await restoresLatest(run, repo, app, env, home);
      await deployRollsBack(run, repo, app, env);
    });
  }),
);

userTest(
  "a private folder name another user took first is passed over: root's restore locks go to a folder root owns, mode 0700",
  () =>
    onMachine(async (m) => {
      await withLocalUser(async (other) => {
        const squatted = path.join(m.tmp, 'ripcord-0');
        await plant(other, m, squatted, 'chmod -R a+rwx "$1"');
        await restoresLatest(ripcord, m.repo, m.app, m.env);
        const chosen = await fs.lstat(path.join(m.tmp, 'ripcord-0-1'));
        assert.ok(chosen.isDirectory());
        assert.is(chosen.uid, 0);
        assert.is(chosen.mode & 0o777, 0o700);
        // the other user's folder is left as it was
        assert.is((await fs.stat(squatted)).uid, other.uid);
        assert.equal(await fs.readdir(path.join(squatted, 'locks', restoreLockName(m.app))), [
          '20261122T000000.000Z-beef.json',
        ]);
      });
    }),
);

test.run();
