import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv, PROJECT_ROOT, ripcord, runCommand } from '../helpers/cli.ts';
import type { RunResult } from '../helpers/cli.ts';
import { RELOAD_SERVICE, startConfigService } from '../helpers/config-service.ts';
import { readTree, removeDir, tempDir } from '../helpers/tree.ts';

// No terminal, no colours (uvu sets FORCE_COLOR=1 for itself), a passphrase.
const ENV = { RIPCORD_PASSPHRASE: 'scripts tests', CI: 'true', FORCE_COLOR: '0' };
const SCRIPTS = ['pre-deploy', 'deploy-with-rollback', 'nightly-backup', 'restore'];

function script(
  name: string,
  args: string[],
  cwd: string,
  env: Record<string, string | undefined> = ENV,
): Promise<RunResult> {
  return runCommand(process.execPath, [path.join(PROJECT_ROOT, 'scripts', `${name}.mjs`), ...args], { cwd, env });
}

// What the scripts left in a repository, read by the CLI in this process (the scripts are
// the processes under test here, not these checks).
async function listSnapshots(repo: string): Promise<{ id: string; kind: string; tags: string[] }[]> {
  const run = await ripcord(['list', '--json', '--repo', repo], { env: ENV });
  assert.is(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as { id: string; kind: string; tags: string[] }[];
}

async function snapshotPaths(repo: string, id: string): Promise<string[]> {
  const run = await ripcord(['ls', id, '--json', '--repo', repo], { env: ENV });
  assert.is(run.code, 0, run.stderr);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { path: string }).path);
}

/** A project folder with configs, scripts, deploy state and a folder no default takes. */
async function project(): Promise<{ root: string; app: string; repo: string }> {
  const root = await tempDir('ripcord-scripts-');
  const app = path.join(root, 'app');
  const files: Record<string, string> = {
    'config/app.json': JSON.stringify({ healthy: true, message: 'v1' }),
    'config/limits.conf': 'max=10\n',
    'scripts/migrate.sh': '#!/bin/sh\necho migrate\n',
    'state/release': 'v1\n',
    'docs/notes.md': 'not deploy state\n',
  };
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(path.join(app, path.dirname(name)), { recursive: true });
    await fs.writeFile(path.join(app, name), content);
  }
  return { root, app, repo: path.join(root, 'repo') };
}

async function inProject(run: (dirs: { root: string; app: string; repo: string }) => Promise<void>): Promise<void> {
  const dirs = await project();
  try {
    await run(dirs);
  } finally {
    await removeDir(dirs.root);
  }
}

/** deploy-with-rollback of config, running ./deploy.sh, with these options, confirmed. */
const deployWithRollback = (app: string, repo: string, options: string[]) =>
  script(
    'deploy-with-rollback',
    ['--repo', repo, '--paths', 'config', '--deploy', './deploy.sh', ...options, '--yes'],
    app,
  );

function oneLine(run: RunResult): string {
  const lines = run.stderr.trim().split('\n');
  assert.is(lines.length, 1, `expected one line on stderr, got:\n${run.stderr}`);
  return lines[0]!;
}

for (const name of SCRIPTS) {
  test(`${name} --help prints its usage under its installed command name, ripcord-${name}, and exits 0`, async () => {
    const run = await script(name, ['--help'], PROJECT_ROOT);
    assert.is(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      new RegExp(`^Usage: ripcord-${name} [\\s\\S]*?\\(in a clone: npx zx scripts/${name}\\.mjs`),
    );
    assert.match(run.stdout, /--dry-run/);
    assert.is(run.stderr, '');
  });
}

test('the scripts also run under the zx CLI (npx zx scripts/<name>.mjs)', async () => {
  const run = await runCommand(
    process.execPath,
    [path.join(PROJECT_ROOT, 'node_modules/zx/build/cli.js'), 'scripts/restore.mjs', '--help'],
    { env: ENV },
  );
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /^Usage: ripcord-restore /);
});

test('pre-deploy snapshots the default paths that exist, verifies the data and prints only the id on stdout', () =>
  inProject(async ({ app, repo }) => {
    const run = await script('pre-deploy', ['--repo', repo, '--read-data', '--tag', 'release-42'], app);
    assert.is(run.code, 0, run.stderr);
    const id = run.stdout.trim();
    assert.match(run.stderr, /verified \(every file decrypted and checked\)/);
    const [listed] = await listSnapshots(repo);
    assert.equal(
      { id: listed!.id, kind: listed!.kind, tags: listed!.tags },
      { id, kind: 'pre-deploy', tags: ['release-42'] },
    );
    const paths = await snapshotPaths(repo, id);
    assert.ok(
      paths.includes('config/app.json') && paths.includes('scripts/migrate.sh') && paths.includes('state/release'),
      paths.join(', '),
    );
    assert.not.ok(
      paths.some((p) => p.startsWith('docs')),
      'docs/ is not a default path',
    );
  }));

test('pre-deploy without a key fails with one line, writes nothing, and exits non-zero', () =>
  inProject(async ({ app, repo }) => {
    const run = await script('pre-deploy', ['--repo', repo], app, { ...ENV, RIPCORD_PASSPHRASE: undefined });
    assert.is(run.code, 1);
    assert.match(oneLine(run), /^pre-deploy: no encryption key configured/);
    assert.is(await fs.stat(repo).catch(() => undefined), undefined, 'no repository was created');
  }));

test('deploy-with-rollback: a deploy that breaks the service fails its check, is rolled back by the library, and exits 10', async () => {
  const { root, app, repo } = await project();
  const service = await startConfigService(app, cleanEnv());
  try {
    const before = await readTree(path.join(app, 'config'));
    await fs.writeFile(
      path.join(app, 'deploy.sh'),
      `#!/bin/sh\necho deploying v2\necho '{"healthy": false, "message": "v2"}' > config/app.json\necho new > config/added.json\n${RELOAD_SERVICE}\n`,
      { mode: 0o755 },
    );
    const check = `node -e "fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(2))" ${service.url}`;
    const run = await deployWithRollback(app, repo, ['--check', check, '--on-rollback', RELOAD_SERVICE]);
    assert.is(run.code, 10, run.stderr);
    assert.match(run.stdout, /ROLLED BACK \(exit 10\)/);
    assert.match(run.stdout, /what failed\s+validation failed/);
    assert.match(run.stdout, /status \(node -e .*\): ok/, 'the status print runs the check once more, through zx $');
    assert.match(run.stderr, /deploying v2/, 'the deploy output is streamed');
    assert.equal(await readTree(path.join(app, 'config')), before, 'config is back and the added file is gone');
    assert.is((await fetch(service.url)).status, 200);
    const kinds = (await listSnapshots(repo)).map((s) => s.kind).sort();
    assert.equal(
      kinds,
      ['pre-deploy', 'pre-restore'],
      'the pre-deploy snapshot, and the broken state kept as a pre-restore snapshot',
    );
  } finally {
    await service.stop();
    await removeDir(root);
  }
});

test('deploy-with-rollback --capture and --restore-capture: state outside --paths that a failed deploy changed is captured, then fed back on rollback', () =>
  inProject(async ({ app, repo }) => {
    const config = await readTree(path.join(app, 'config'));
    // state/release stands for state that is not a file of the snapshot (a database): only the capture keeps it
    await fs.writeFile(
      path.join(app, 'deploy.sh'),
      '#!/bin/sh\necho v2 > state/release\necho broken > config/app.json\nexit 3\n',
      { mode: 0o755 },
    );
    const run = await deployWithRollback(app, repo, [
      '--capture',
      'release=cat state/release',
      '--restore-capture',
      'release=cat > state/release',
    ]);
    assert.is(run.code, 10, run.stdout + run.stderr);
    assert.match(run.stdout, /capture\s+release: cat state\/release/);
    assert.match(run.stdout, /on failure: restore the snapshot, then feed release to cat > state\/release/);
    assert.is(await fs.readFile(path.join(app, 'state/release'), 'utf8'), 'v1\n', 'the captured state was fed back');
    assert.equal(await readTree(path.join(app, 'config')), config);
    const preDeploy = (await listSnapshots(repo)).find((s) => s.kind === 'pre-deploy')!;
    assert.ok((await snapshotPaths(repo, preDeploy.id)).includes('.ripcord-captured/release'));
  }));

test('deploy-with-rollback refuses a --restore-capture with no --capture of that name, and a malformed --capture, before taking any snapshot', () =>
  inProject(async ({ app, repo }) => {
    const refusals: [string[], RegExp][] = [
      [
        ['--restore-capture', 'db=sqlite3 app.db'],
        /^deploy-with-rollback: --restore-capture db: nothing is captured under that name \(add --capture db='CMD'\)$/,
      ],
      [
        ['--capture', 'sqlite3 app.db .dump'],
        /^deploy-with-rollback: --capture "sqlite3 app\.db \.dump": write it as NAME='command'/,
      ],
    ];
    for (const [options, message] of refusals) {
      const run = await script('deploy-with-rollback', ['--repo', repo, '--deploy', 'true', ...options, '--yes'], app);
      assert.is(run.code, 2, options.join(' '));
      assert.match(oneLine(run), message);
    }
    assert.is(await fs.stat(repo).catch(() => undefined), undefined);
  }));

test('deploy-with-rollback refuses a deploy script that is not executable, before taking any snapshot', () =>
  inProject(async ({ app, repo }) => {
    await fs.writeFile(path.join(app, 'deploy.sh'), '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    const run = await script('deploy-with-rollback', ['--repo', repo, '--deploy', './deploy.sh', '--yes'], app);
    assert.is(run.code, 2);
    assert.is(oneLine(run), 'deploy-with-rollback: --deploy: ./deploy.sh is not executable (chmod +x ./deploy.sh)');
    assert.is(await fs.stat(repo).catch(() => undefined), undefined);
  }));

test('deploy-with-rollback without --deploy, or without --yes and no terminal, fails with one clear line', () =>
  inProject(async ({ app, repo }) => {
    const missing = await script('deploy-with-rollback', ['--repo', repo, '--yes'], app);
    assert.is(missing.code, 2);
    assert.is(oneLine(missing), 'deploy-with-rollback: which deploy? give --deploy CMD (see --help)');
    const unconfirmed = await script('deploy-with-rollback', ['--repo', repo, '--deploy', 'true'], app);
    assert.is(unconfirmed.code, 2);
    assert.is(oneLine(unconfirmed), 'deploy-with-rollback: no terminal to confirm on: add --yes to deploy');
    assert.is(await fs.stat(repo).catch(() => undefined), undefined);
  }));

test('nightly-backup backs up, verifies, prunes only scheduled snapshots by the policy, and copies each new snapshot to --copy-to', async () => {
  const { root, app, repo } = await project();
  const offsite = path.join(root, 'offsite');
  try {
    const manual = await script('pre-deploy', ['--repo', repo], app);
    assert.is(manual.code, 0, manual.stderr);
    const ids: string[] = [];
    for (let night = 0; night < 2; night++) {
      const run = await script(
        'nightly-backup',
        ['--repo', repo, '--keep-last', '1', '--read-data', '--copy-to', offsite, '--paths', 'config,state'],
        app,
      );
      assert.is(run.code, 0, run.stderr);
      const id = /backed up\s+(\S+):/.exec(run.stdout)?.[1];
      assert.ok(id, run.stdout);
      ids.push(id!);
      assert.match(run.stdout, new RegExp(`verified\\s+${id} \\(every file decrypted and checked\\)`));
      assert.match(run.stdout, /pruned\s+kept 1, removed \d+ snapshot/);
      assert.match(run.stdout, /copied\s+1 copied, 0 already present/);
    }
    const kept = await listSnapshots(repo);
    assert.equal(
      kept.map((s) => s.kind).sort(),
      ['pre-deploy', 'scheduled'],
      'the pre-deploy snapshot is outside the nightly scope',
    );
    assert.is(kept.find((s) => s.kind === 'scheduled')!.id, ids[1], 'keep-last 1 keeps the newest scheduled snapshot');
    assert.equal(
      (await listSnapshots(offsite)).map((s) => s.id).sort(),
      [...ids].sort(),
      'each night copied its snapshot off-site',
    );
    assert.equal(await snapshotPaths(offsite, ids[1]!), [
      'config',
      'config/app.json',
      'config/limits.conf',
      'state',
      'state/release',
    ]);
  } finally {
    await removeDir(root);
  }
});

test('nightly-backup --level auto: the second night is an incremental on the first, and keep-last 1 keeps the first because the second needs it', () =>
  inProject(async ({ app, repo }) => {
    const ids: string[] = [];
    for (let night = 0; night < 2; night++) {
      await fs.writeFile(path.join(app, 'config/app.json'), `{"night": ${night}}`);
      const run = await script('nightly-backup', ['--repo', repo, '--keep-last', '1', '--level', 'auto'], app);
      assert.is(run.code, 0, run.stderr);
      ids.push(/backed up\s+([^\s:]+)/.exec(run.stdout)![1]!);
      if (night === 1) assert.match(run.stdout, `backed up  ${ids[1]} (incremental on ${ids[0]})`);
    }
    assert.equal((await listSnapshots(repo)).map((s) => s.id).sort(), [...ids].sort());
  }));

test('nightly-backup with a bad retention flag fails with one line before backing up', () =>
  inProject(async ({ app, repo }) => {
    const run = await script('nightly-backup', ['--repo', repo, '--keep-daily', 'many'], app);
    assert.is(run.code, 2);
    assert.match(oneLine(run), /^nightly-backup: prune: --keep-daily/);
    assert.is(await fs.stat(repo).catch(() => undefined), undefined, 'nothing was backed up');
  }));

test('restore --snapshot latest --yes shows the diff, restores the tree, and prints an undo command that brings the edits back', () =>
  inProject(async ({ app, repo }) => {
    const taken = await script('pre-deploy', ['--repo', repo], app);
    assert.is(taken.code, 0, taken.stderr);
    const original = await readTree(path.join(app, 'config'));
    await fs.writeFile(path.join(app, 'config/app.json'), '{"broken": true}');
    await fs.rm(path.join(app, 'config/limits.conf'));
    const edited = await readTree(path.join(app, 'config'));

    const run = await script('restore', ['--repo', repo, '--snapshot', 'latest', '--target', app, '--yes'], app);
    assert.is(run.code, 0, run.stderr);
    assert.match(run.stdout, /~ config\/app\.json {2}\(content\)/);
    assert.match(run.stdout, /- config\/limits\.conf/);
    assert.match(run.stdout, /restore will add 1, change 1 and remove 0 entries/);
    assert.equal(await readTree(path.join(app, 'config')), original, 'the snapshot is back');

    const undo = /to undo: node (.+)$/m.exec(run.stdout)?.[1];
    assert.ok(undo, run.stdout);
    assert.match(undo!, / --snapshot \S+ --target /);
    const undone = await runCommand('sh', ['-c', `node ${undo}`], { cwd: PROJECT_ROOT, env: ENV });
    assert.is(undone.code, 0, undone.stderr);
    assert.equal(
      await readTree(path.join(app, 'config')),
      edited,
      'the undo command restores the pre-restore snapshot exactly',
    );
  }));

test('restore without --snapshot, or without --yes, and no terminal fails with one clear line and changes nothing', () =>
  inProject(async ({ app, repo }) => {
    assert.is((await script('pre-deploy', ['--repo', repo], app)).code, 0);
    await fs.writeFile(path.join(app, 'config/app.json'), 'edited');
    const noSnapshot = await script('restore', ['--repo', repo], app);
    assert.is(noSnapshot.code, 2);
    assert.is(
      oneLine(noSnapshot),
      'restore: which snapshot? give --snapshot ID or --snapshot latest (there is no terminal to choose on)',
    );
    const unconfirmed = await script('restore', ['--repo', repo, '--snapshot', 'latest'], app);
    assert.is(unconfirmed.code, 2);
    assert.match(oneLine(unconfirmed), /^restore: no terminal to confirm on: add --yes to restore \S+ into /);
    assert.is(await fs.readFile(path.join(app, 'config/app.json'), 'utf8'), 'edited');
    assert.equal(
      (await listSnapshots(repo)).map((s) => s.kind),
      ['pre-deploy'],
      'no pre-restore snapshot either',
    );
  }));

test.run();
