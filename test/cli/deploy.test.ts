/**
 * Guarded deploys end to end: a real HTTP service process reading its config, real shell
 * deploy scripts, real sqlite3 for captured state, the bundled CLI.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateKeyPair } from '../../src/archive/openpgp-keys.ts';
import { PROJECT_ROOT, ripcord } from '../helpers/cli.ts';
import { RELOAD_SERVICE, startConfigService } from '../helpers/config-service.ts';
import type { ConfigService } from '../helpers/config-service.ts';
import { readTree, removeDir, tempDir } from '../helpers/tree.ts';

const exec = promisify(execFile);
const env = { RIPCORD_PASSPHRASE: 'deploy tests' };
const exists = (file: string) =>
  fs.lstat(file).then(
    () => true,
    () => false,
  );

async function appDir(): Promise<{ root: string; app: string; repo: string }> {
  const root = await tempDir();
  const app = path.join(root, 'app');
  await fs.mkdir(path.join(app, 'config'), { recursive: true });
  await fs.writeFile(path.join(app, 'config/app.json'), JSON.stringify({ healthy: true, message: 'v1' }));
  await fs.writeFile(path.join(app, 'config/limits.conf'), 'max=10\n');
  return { root, app, repo: path.join(root, 'repo') };
}

/** Captures app.db as an SQL dump, restores it from one, and validates that its users table is there. */
const CAPTURE_USERS_TABLE = [
  '--capture',
  'db=sqlite3 app.db .dump',
  '--restore-capture',
  'db=rm -f app.db && sqlite3 app.db',
  '--validate',
  'sqlite3 app.db "SELECT count(*) FROM users"',
];

type AppDirs = { root: string; app: string; repo: string };

/** Runs a test in a fresh app folder and removes it afterwards. */
async function inApp(run: (dirs: AppDirs) => Promise<void>): Promise<void> {
  const dirs = await appDir();
  try {
    await run(dirs);
  } finally {
    await removeDir(dirs.root);
  }
}

/** Runs a test in a fresh app folder with the config service started in it. */
function withService(run: (dirs: AppDirs & { service: ConfigService }) => Promise<void>): Promise<void> {
  return inApp(async (dirs) => {
    const service = await startConfigService(dirs.app);
    try {
      await run({ ...dirs, service });
    } finally {
      await service.stop();
    }
  });
}

function deployArgs(repo: string, paths: string, options: string[], command: string[]): string[] {
  return ['deploy', '--repo', repo, '--paths', paths, ...options, '--', ...command];
}

async function newestPreDeploy(repo: string): Promise<string> {
  const list = await ripcord(['list', '--json', '--repo', repo, '--kind', 'pre-deploy'], { env });
  return JSON.parse(list.stdout)[0].id as string;
}

test('a deploy that breaks the config fails its health check, rolls back by itself, and the service is healthy again (exit 10)', () =>
  withService(async ({ app, repo, service }) => {
    assert.is((await fetch(service.url)).status, 200);
    const before = await readTree(path.join(app, 'config'));
    const deploy = `echo deploying v2 && echo '{"healthy": false, "message": "v2"}' > config/app.json && echo new > config/added.json && ${RELOAD_SERVICE}`;
    const run = await ripcord(
      deployArgs(
        repo,
        'config',
        [
          '--health-url',
          service.url,
          '--validate-retries',
          '1',
          '--validate-interval',
          '200ms',
          '--on-rollback',
          RELOAD_SERVICE,
        ],
        ['sh', '-c', deploy],
      ),
      { cwd: app, env },
    );
    assert.is(run.code, 10, run.stderr);
    assert.match(run.stderr, /ripcord deploy: ROLLED BACK \(exit 10\)/);
    assert.match(
      run.stderr,
      /what failed\s+validation failed after 2 attempts: http:\/\/127\.0\.0\.1:\d+\/health: answered 500/,
    );
    assert.match(run.stderr, /after rollback\s+validation passed/);
    assert.match(run.stderr, /deploying v2/, 'the deploy output was streamed');
    const health = await fetch(service.url);
    assert.is(health.status, 200);
    assert.is(await health.text(), 'message=v1');
    assert.equal(
      await readTree(path.join(app, 'config')),
      before,
      'config is byte-identical and the added file is gone',
    );
    // the broken state is kept for forensics, and the outcome is recorded next to the snapshot
    const list = JSON.parse((await ripcord(['list', '--json', '--repo', repo], { env })).stdout) as {
      id: string;
      kind: string;
    }[];
    assert.equal(list.map((s) => s.kind).sort(), ['pre-deploy', 'pre-restore']);
    const preDeploy = list.find((s) => s.kind === 'pre-deploy')!.id;
    const outcome = JSON.parse(await fs.readFile(path.join(repo, preDeploy, 'outcome.json'), 'utf8'));
    assert.is(outcome.result, 'rolled-back');
    const broken = await ripcord(['dump', '--repo', repo, outcome.brokenStateSnapshot, 'config/app.json'], { env });
    assert.match(broken.stdout, /"healthy": false/);
  }));

test('a deploy that passes validation exits 0 and keeps the new state', () =>
  withService(async ({ app, repo, service }) => {
    const deploy = `echo '{"healthy": true, "message": "v2"}' > config/app.json && ${RELOAD_SERVICE}`;
    const run = await ripcord(
      deployArgs(repo, 'config', ['--health-url', service.url, '--expect-body', 'v2'], ['sh', '-c', deploy]),
      { cwd: app, env },
    );
    assert.is(run.code, 0, run.stderr);
    assert.match(run.stderr, /DEPLOYED \(exit 0\)/);
    assert.is(await (await fetch(service.url)).text(), 'message=v2');
  }));

test('commands ripcord runs (capture, deploy, validation, rollback hook) never see its passphrase, identity, signing key or webhook', () =>
  inApp(async ({ app, repo }) => {
    const signer = await generateKeyPair('Deploy signer <signer@example.test>', 'signing secret 3b9d');
    const secrets = {
      ...env,
      RIPCORD_IDENTITY_PASSPHRASE: 'identity secret 7f1c',
      RIPCORD_SIGNING_KEY: signer.privateKey,
      RIPCORD_SIGNING_KEY_PASSPHRASE: 'signing secret 3b9d',
      RIPCORD_NOTIFY_WEBHOOK: 'http://127.0.0.1:9/hook-secret',
      DEPLOY_TOKEN: 'kept for the deploy',
    };
    const run = await ripcord(
      deployArgs(
        repo,
        'config',
        [
          '--capture',
          'probe=env > capture.env; echo state',
          '--validate',
          'env > check.env; ! test -e config/broken',
          '--on-rollback',
          'env > hook.env',
        ],
        ['sh', '-c', 'env > deploy.env; touch config/broken'],
      ),
      { cwd: app, env: secrets },
    );
    assert.is(run.code, 10, run.stderr); // validation failed, the rollback removed config/broken and validation passed again
    for (const file of ['capture.env', 'deploy.env', 'check.env', 'hook.env']) {
      const seen = await fs.readFile(path.join(app, file), 'utf8');
      assert.match(seen, /DEPLOY_TOKEN=kept for the deploy/, `${file}: other variables are passed on`);
      assert.not.match(
        seen,
        /deploy tests|identity secret 7f1c|signing secret 3b9d|PGP PRIVATE KEY|hook-secret|RIPCORD_PASSPHRASE|RIPCORD_IDENTITY|RIPCORD_SIGNING_KEY|RIPCORD_NOTIFY_WEBHOOK/,
        `${file}: no secret`,
      );
    }
  }));

test('a service that needs three validation attempts to come up is not rolled back', () =>
  withService(async ({ app, repo, service }) => {
    const deploy = `echo '{"healthy": true, "message": "v2", "warmup": 2}' > config/app.json && ${RELOAD_SERVICE}`;
    const run = await ripcord(
      deployArgs(
        repo,
        'config',
        ['--health-url', service.url, '--validate-retries', '3', '--validate-interval', '100ms', '--json'],
        ['sh', '-c', deploy],
      ),
      { cwd: app, env },
    );
    assert.is(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.is(report.result, 'deployed');
    assert.is(report.validation.attempts, 3);
    assert.is(await (await fetch(service.url)).text(), 'message=v2');
  }));

test('a failing deploy command is rolled back, and a broken --on-rollback gives exit 20 with what a human must do', () =>
  inApp(async ({ app, repo }) => {
    const before = await readTree(path.join(app, 'config'));
    const run = await ripcord(
      deployArgs(
        repo,
        'config',
        ['--on-rollback', 'echo restarting && exit 3'],
        ['sh', '-c', 'echo half-done > config/limits.conf; echo boom >&2; exit 7'],
      ),
      { cwd: app, env },
    );
    assert.is(run.code, 20, run.stderr);
    assert.match(run.stderr, /ROLLBACK FAILED: a human must act now \(exit 20\)/);
    assert.match(run.stderr, /what failed\s+the deploy command exited with 7/);
    assert.match(run.stderr, /output tail\s+\| .*boom/s);
    assert.match(run.stderr, /rollback hook\s+FAILED: echo restarting && exit 3 exited with 3/);
    assert.match(
      run.stderr,
      /ACTION\s+the files are back to \S+, but the rollback hook failed: fix and run it by hand/,
    );
    assert.equal(await readTree(path.join(app, 'config')), before, 'the files were restored all the same');
  }));

test('captured sqlite3 state: a destructive migration is rolled back and the database equals the pre-deploy dump', () =>
  inApp(async ({ app, repo }) => {
    const db = path.join(app, 'app.db');
    await exec('sqlite3', [
      db,
      "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users(name) VALUES ('ada'), ('grace'), ('émile');",
    ]);
    const dumpBefore = (await exec('sqlite3', [db, '.dump'])).stdout;
    const run = await ripcord(
      deployArgs(repo, 'config', CAPTURE_USERS_TABLE, [
        'sqlite3',
        'app.db',
        'DROP TABLE users; CREATE TABLE accounts(id INTEGER);',
      ]),
      { cwd: app, env },
    );
    assert.is(run.code, 10, run.stderr);
    assert.match(run.stderr, /no such table: users/);
    assert.is((await exec('sqlite3', [db, '.dump'])).stdout, dumpBefore);
    // the captured dump is in the archive, as a file any gpg + tar user can read
    const list = JSON.parse(
      (await ripcord(['list', '--json', '--repo', repo, '--kind', 'pre-deploy'], { env })).stdout,
    );
    const captured = await ripcord(['dump', '--repo', repo, list[0].id, '.ripcord-captured/db'], { env });
    assert.is(captured.stdout, dumpBefore);
  }));

test("a deploy with a passphrase other than the repository's is refused before the deploy command runs; --new-key lets it go ahead", () =>
  inApp(async ({ app, repo }) => {
    const first = await ripcord(['backup', '--repo', repo, '-q', 'config'], { cwd: app, env });
    assert.is(first.code, 0, first.stderr);
    const deploy = ['--', 'sh', '-c', 'echo ran >> deployed.txt'];
    const mistyped = { RIPCORD_PASSPHRASE: 'deploy test' };
    const refused = await ripcord(['deploy', '--repo', repo, '--paths', 'config', ...deploy], {
      cwd: app,
      env: mistyped,
    });
    assert.is(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /the passphrase is not the one the newest snapshot in .* was made with: .*--new-key/);
    assert.is(
      await fs.readFile(path.join(app, 'deployed.txt'), 'utf8').catch(() => 'not run'),
      'not run',
      'the deploy command did not run',
    );
    const started = await ripcord(['deploy', '--repo', repo, '--paths', 'config', '--new-key', ...deploy], {
      cwd: app,
      env: mistyped,
    });
    assert.is(started.code, 0, started.stderr);
    assert.is(await fs.readFile(path.join(app, 'deployed.txt'), 'utf8'), 'ran\n');
  }));

test('rollback restores the newest pre-deploy snapshot for a separate rollback job', () =>
  inApp(async ({ app, repo }) => {
    const before = await readTree(path.join(app, 'config'));
    const deployed = await ripcord(
      deployArgs(repo, 'config', [], ['sh', '-c', 'echo v2 > config/limits.conf && echo x > config/extra']),
      { cwd: app, env },
    );
    assert.is(deployed.code, 0, deployed.stderr);
    const run = await ripcord(
      ['rollback', '--repo', repo, '--validate', 'grep -q max=10 config/limits.conf', '--json'],
      { cwd: app, env },
    );
    assert.is(run.code, 0, run.stderr);
    assert.is(JSON.parse(run.stdout).result, 'rolled-back');
    assert.equal(await readTree(path.join(app, 'config')), before);
  }));

test('rollback of a snapshot with captured state refuses, before touching anything, without --restore-capture and names the exact command; with it the database comes back; --skip-captures restores the files alone', () =>
  inApp(async ({ app, repo }) => {
    const db = path.join(app, 'app.db');
    await exec('sqlite3', [
      db,
      "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users(name) VALUES ('ada');",
    ]);
    const dumpBefore = (await exec('sqlite3', [db, '.dump'])).stdout;
    const configBefore = await readTree(path.join(app, 'config'));
    const deployed = await ripcord(
      deployArgs(
        repo,
        'config',
        ['--no-rollback', ...CAPTURE_USERS_TABLE],
        [
          'sh',
          '-c',
          'echo v2 > config/limits.conf && sqlite3 app.db "DROP TABLE users; CREATE TABLE accounts(id INTEGER);"',
        ],
      ),
      { cwd: app, env },
    );
    assert.is(deployed.code, 1, deployed.stderr);
    const id = await newestPreDeploy(repo);
    // the deploy's own hint carries its restore commands, quoted for sh
    assert.ok(
      deployed.stderr.includes(`ripcord rollback ${id} --restore-capture 'db=rm -f app.db && sqlite3 app.db'`),
      deployed.stderr,
    );
    const dumpAfterDeploy = (await exec('sqlite3', [db, '.dump'])).stdout;
    const configAfterDeploy = await readTree(path.join(app, 'config'));

    const refused = await ripcord(['rollback', '--repo', repo, id], { cwd: app, env });
    assert.is(refused.code, 2, refused.stderr);
    assert.is(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.match(
      refused.stderr,
      new RegExp(
        `snapshot ${id} holds captured state \\(db\\).*nothing was rolled back: run ripcord rollback ${id} --restore-capture db=.*--skip-captures`,
      ),
    );
    assert.is((await exec('sqlite3', [db, '.dump'])).stdout, dumpAfterDeploy, 'the database is untouched');
    assert.equal(await readTree(path.join(app, 'config')), configAfterDeploy, 'the files are untouched');

    // the hint, run as printed, brings files and database back
    const hint = /to roll back: (ripcord rollback .*)$/m.exec(deployed.stderr)?.[1] as string;
    const rolled = await exec(
      'sh',
      [
        '-c',
        `${hint.replace(/^ripcord /, `"${process.execPath}" "${path.join(PROJECT_ROOT, 'dist/cli.cjs')}" `)} --repo "${repo}"`,
      ],
      { cwd: app, env: { ...process.env, ...env } },
    );
    assert.match(rolled.stderr, /ROLLED BACK/);
    assert.is((await exec('sqlite3', [db, '.dump'])).stdout, dumpBefore);
    assert.equal(await readTree(path.join(app, 'config')), configBefore);

    // --skip-captures: the files alone, the database as it is
    await exec('sqlite3', [db, 'DROP TABLE users; CREATE TABLE accounts(id INTEGER);']);
    await fs.writeFile(path.join(app, 'config/limits.conf'), 'v3\n');
    const skipped = await ripcord(['rollback', '--repo', repo, id, '--skip-captures'], { cwd: app, env });
    assert.is(skipped.code, 0, skipped.stderr);
    assert.equal(await readTree(path.join(app, 'config')), configBefore);
    assert.match((await exec('sqlite3', [db, '.dump'])).stdout, /accounts/);
  }));

test('deploy --paths may name a folder the deploy creates: the snapshot records it as absent, and the rollback after a failed validation removes it and only it', () =>
  inApp(async ({ root, app, repo }) => {
    const outside = path.join(root, 'outside');
    await fs.mkdir(outside);
    await fs.symlink(outside, path.join(app, 'link'));
    const before = await readTree(path.join(app, 'config'));
    const deploy =
      'mkdir -p releases/v2 && echo v2 > releases/v2/app.js && echo broken > config/limits.conf && echo kept > notes.txt && mkdir link/made';
    const run = await ripcord(
      deployArgs(
        repo,
        'config,releases,link/made',
        ['--validate', 'grep -q max=10 config/limits.conf'],
        ['sh', '-c', deploy],
      ),
      { cwd: app, env },
    );
    assert.is(run.code, 10, run.stderr);
    assert.match(run.stderr, /absent before\s+"link\/made", "releases" \(a rollback removes them\)/);
    assert.not.ok(await exists(path.join(app, 'releases')), 'the folder the deploy created is gone');
    assert.equal(await readTree(path.join(app, 'config')), before, 'the original files are back');
    assert.is(
      await fs.readFile(path.join(app, 'notes.txt'), 'utf8'),
      'kept\n',
      'a file outside the named paths is left alone',
    );
    assert.ok(await exists(path.join(outside, 'made')), 'nothing is removed through a symlink');
  }));

test('rollback <id> of a deploy whose --paths named a folder that did not exist removes that folder and brings the files back', () =>
  inApp(async ({ app, repo }) => {
    const before = await readTree(path.join(app, 'config'));
    const deployed = await ripcord(
      deployArgs(
        repo,
        'config,releases',
        [],
        ['sh', '-c', 'mkdir -p releases/v2 && echo v2 > releases/v2/app.js && echo v2 > config/limits.conf'],
      ),
      { cwd: app, env },
    );
    assert.is(deployed.code, 0, deployed.stderr);
    assert.ok(await exists(path.join(app, 'releases/v2/app.js')));
    const id = await newestPreDeploy(repo);
    const run = await ripcord(['rollback', '--repo', repo, id], { cwd: app, env });
    assert.is(run.code, 0, run.stderr);
    assert.not.ok(await exists(path.join(app, 'releases')), 'the folder the deploy created is gone');
    assert.equal(await readTree(path.join(app, 'config')), before);
  }));

test.run();

test("a deploy's pre-deploy snapshot is an incremental on the newest one of its paths: it stores what changed since, and the rollback writes back only what the deploy changed", () =>
  inApp(async ({ app, repo }) => {
    for (let i = 0; i < 30; i++) await fs.writeFile(path.join(app, `config/unit-${i}.conf`), `unit=${i}\n`);
    const breaks = ['sh', '-c', 'echo broken > config/limits.conf && echo x > config/extra'];
    const check = ['--validate', 'grep -q max=10 config/limits.conf', '--json'];
    const first = await ripcord(deployArgs(repo, 'config', check, breaks), { cwd: app, env });
    assert.is(first.code, 10, first.stderr);
    const firstReport = JSON.parse(first.stdout);
    assert.is(firstReport.preDeployParent, undefined, 'nothing to build on yet: a full one');

    const unchanged = path.join(app, 'config/unit-7.conf');
    const inode = (await fs.stat(unchanged)).ino;
    const second = await ripcord(deployArgs(repo, 'config', check, breaks), { cwd: app, env });
    assert.is(second.code, 10, second.stderr);
    const report = JSON.parse(second.stdout);
    assert.equal(report.preDeployParent, { level: 'incremental', parent: firstReport.preDeploySnapshot });
    assert.match(second.stderr, new RegExp(`pre-deploy +${report.preDeploySnapshot} \\(incremental on `));
    assert.is(await fs.readFile(path.join(app, 'config/limits.conf'), 'utf8'), 'max=10\n');
    assert.not.ok(await exists(path.join(app, 'config/extra')));
    assert.is((await fs.stat(unchanged)).ino, inode, 'a file the deploy did not change is not written back');

    const shown = await ripcord(['ls', '--repo', repo, report.preDeploySnapshot, '--json'], { cwd: app, env });
    assert.is(shown.code, 0, shown.stderr);
    const stored = (JSON.parse(shown.stdout).entries as { path: string; in?: string }[]).filter(
      (e) => e.path.startsWith('config/unit-') && e.in === undefined,
    );
    assert.equal(stored, [], 'unchanged files are carried from the parent, not stored again');

    const full = await ripcord(deployArgs(repo, 'config', [...check, '--level', 'full'], breaks), { cwd: app, env });
    assert.is(full.code, 10, full.stderr);
    assert.is(JSON.parse(full.stdout).preDeployParent, undefined, '--level full takes a full one');
    const unguarded = await ripcord(deployArgs(repo, 'config', ['--no-rollback', '--json'], ['true']), {
      cwd: app,
      env,
    });
    assert.is(unguarded.code, 0, unguarded.stderr);
    assert.is(JSON.parse(unguarded.stdout).preDeployParent, undefined, 'without a rollback, auto builds on nothing');
  }));
