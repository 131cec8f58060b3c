/**
 * ripcord as users install it, without a clone: the README's install-from-tarball block run
 * as printed (npm pack in this checkout, npm install -g of the tarball into a prefix of the
 * test's own), then the installed commands run from a folder elsewhere with only Node on
 * PATH. The npm registry is used as a user's npm uses it, for zx, the one dependency.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROJECT_ROOT } from '../helpers/cli.ts';
import { packTarball, readmeBlocks, readPackageJson, runAs, runShell, userEnv } from '../helpers/package.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const PASSPHRASE = 'install test passphrase';

test('package.json names ripcord-backup (the npm name ripcord is an unrelated project) and keeps the ripcord command', async () => {
  const pkg = await readPackageJson();
  assert.is(pkg.name, 'ripcord-backup');
  assert.equal(pkg.bin, {
    ripcord: 'dist/cli.cjs',
    'ripcord-pre-deploy': 'scripts/pre-deploy.mjs',
    'ripcord-deploy-with-rollback': 'scripts/deploy-with-rollback.mjs',
    'ripcord-nightly-backup': 'scripts/nightly-backup.mjs',
    'ripcord-restore': 'scripts/restore.mjs',
  });
  for (const file of Object.values(pkg.bin)) {
    assert.match(
      (await fs.readFile(path.join(PROJECT_ROOT, file), 'utf8')).split('\n')[0]!,
      /^#!\/usr\/bin\/env node$/,
      `${file} starts with a shebang that needs only Node`,
    );
  }
});

test('the packed tarball holds dist/, scripts/, schema/, docs/, action.yml and the README, and none of src/, test/ or bench/', async () => {
  const tmp = await tempDir('ripcord-pack-');
  try {
    const { files } = await packTarball(tmp, { dryRun: true });
    for (const needed of [
      'package.json',
      'README.md',
      'LICENSE',
      'action.yml',
      'dist/cli.cjs',
      'dist/cli.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cfb-worker.js',
      'dist/stage-worker.js',
      'dist/walk-worker.js',
      'dist/action/main.js',
      'dist/action/post.js',
      'schema/ripcord.config.schema.json',
      'scripts/pre-deploy.mjs',
      'scripts/restore.mjs',
      'scripts/README.md',
      'docs/cli.md',
    ]) {
      assert.ok(files.includes(needed), `${needed} is not in the package`);
    }
    assert.equal(
      files.filter((f) => /^(src|test|bench|node_modules|\.ripcord)\//.test(f)),
      [],
    );
  } finally {
    await removeDir(tmp);
  }
});

test("the README's install block, run as printed, installs ripcord and the recipe commands; they back up, verify and deploy in a folder outside the clone with only Node on PATH", async () => {
  const pkg = await readPackageJson();
  const [fromRegistry, fromTarball] = await readmeBlocks('Install on a server or a laptop');
  assert.match(
    fromRegistry!,
    new RegExp(`^npm install -g ${pkg.name}$`, 'm'),
    'the registry install names this package',
  );
  assert.ok(fromTarball, 'README.md has no install-from-tarball block');
  const tmp = await tempDir('ripcord-install-');
  const prefix = path.join(tmp, 'global');
  const env = userEnv({ npm_config_prefix: prefix, RIPCORD_PASSPHRASE: PASSPHRASE });
  env.PATH = `${prefix}/bin:${env.PATH}`;
  try {
    // npm pack writes into the clone: the tarball is removed again below
    const install = await runShell(fromTarball!, { cwd: PROJECT_ROOT, env });
    assert.is(install.code, 0, install.stdout + install.stderr);
    const installed = await fs.realpath(path.join(prefix, 'bin/ripcord'));
    assert.is(
      installed,
      path.join(prefix, 'lib/node_modules', pkg.name, 'dist/cli.cjs'),
      'ripcord runs the installed copy, not the clone',
    );
    assert.is(await fs.stat(path.join(prefix, 'lib/node_modules', pkg.name, 'src')).catch(() => undefined), undefined);
    assert.is(
      (await runShell('command -v zx || true', { cwd: tmp, env })).stdout,
      '',
      'zx is not a command here: the recipes need only Node',
    );

    const app = path.join(tmp, 'app');
    await fs.mkdir(path.join(app, 'config'), { recursive: true });
    await fs.writeFile(path.join(app, 'config/app.json'), '{"release": 1}\n');
    const version = await runAs('ripcord', ['--version'], { cwd: app, env });
    assert.is(version.stdout.trim(), pkg.version, version.stderr);

    const backup = await runAs('ripcord', ['backup', 'config'], { cwd: app, env });
    assert.is(backup.code, 0, backup.stderr);
    const preDeploy = await runAs('ripcord-pre-deploy', ['--paths', 'config', '--read-data'], { cwd: app, env });
    assert.is(preDeploy.code, 0, preDeploy.stderr);
    assert.match(preDeploy.stderr, /verified \(every file decrypted and checked\)/);
    const nightly = await runAs('ripcord-nightly-backup', ['--paths', 'config', '--keep-last', '1'], { cwd: app, env });
    assert.is(nightly.code, 0, nightly.stderr);
    assert.match(nightly.stdout, /pruned\s+kept 1/, 'prune ran through the installed CLI');
    await fs.writeFile(path.join(app, 'deploy.sh'), '#!/bin/sh\necho \'{"release": 2}\' > config/app.json\nexit 1\n', {
      mode: 0o755,
    });
    const deploy = await runAs(
      'ripcord-deploy-with-rollback',
      ['--paths', 'config', '--deploy', './deploy.sh', '--yes'],
      { cwd: app, env: { ...env, CI: 'true' } },
    );
    assert.is(deploy.code, 10, deploy.stdout + deploy.stderr);
    assert.is(await fs.readFile(path.join(app, 'config/app.json'), 'utf8'), '{"release": 1}\n', 'rolled back');

    const listed = await runAs('ripcord', ['list', '--json'], { cwd: app, env });
    assert.is(listed.code, 0, listed.stderr);
    assert.equal((JSON.parse(listed.stdout) as { kind: string }[]).map((s) => s.kind).sort(), [
      'manual',
      'pre-deploy',
      'pre-deploy',
      'pre-restore',
      'scheduled',
    ]);
  } finally {
    for (const name of await fs.readdir(PROJECT_ROOT))
      if (name.startsWith(`${pkg.name}-`) && name.endsWith('.tgz')) await fs.rm(path.join(PROJECT_ROOT, name));
    await removeDir(tmp);
  }
});

const CONSUMER_TSCONFIG = {
  compilerOptions: {
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    target: 'ES2022',
    strict: true,
    noEmit: true,
    // the package's own declarations are checked too, not taken on trust
    skipLibCheck: false,
    types: ['node'],
    typeRoots: [path.join(PROJECT_ROOT, 'node_modules/@types')],
  },
};

test('a TypeScript program that imports ripcord-backup is type-checked against the packed declarations', async () => {
  const tmp = await tempDir('ripcord-types-');
  try {
    const { tarball } = await packTarball(tmp);
    const installed = path.join(tmp, 'app/node_modules', 'ripcord-backup');
    await fs.mkdir(installed, { recursive: true });
    const untar = await runAs('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'], {
      cwd: tmp,
      env: userEnv(),
    });
    assert.is(untar.code, 0, untar.stderr);
    const app = path.join(tmp, 'app');
    await fs.writeFile(path.join(app, 'package.json'), '{ "type": "module" }\n');
    await fs.writeFile(path.join(app, 'tsconfig.json'), JSON.stringify({ ...CONSUMER_TSCONFIG, files: ['backup.ts'] }));
    await fs.writeFile(
      path.join(app, 'backup.ts'),
      [
        "import { createBackup, describeOrigin, ExitCode, openStore, RipcordError, VERSION } from 'ripcord-backup';",
        "import type { BackupResult, Reporter, SnapshotMetadata, Store } from 'ripcord-backup';",
        "const store: Store = await openStore('./repo');",
        'const reporter: Reporter = { emit: () => {} };',
        "const origin = await describeOrigin('.', process.env);",
        "const keys = { mode: 'passphrase', passphrase: 'p' } as const;",
        "const result: BackupResult = await createBackup({ store, paths: ['config'], cwd: '.', keys, origin, reporter });",
        'const snapshot: SnapshotMetadata = result.snapshot;',
        'const failed = (error: unknown): number => (error instanceof RipcordError ? error.exitCode : ExitCode.failure);',
        'export { failed, snapshot, VERSION };',
        '',
      ].join('\n'),
    );
    const tsc = [path.join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'), '-p', app, '--pretty', 'false'];
    const checked = await runAs(process.execPath, tsc, { cwd: app, env: userEnv() });
    assert.is(checked.code, 0, checked.stdout + checked.stderr);

    // and the types are real ones, not any: a wrong use is an error that names the type
    await fs.writeFile(path.join(app, 'tsconfig.json'), JSON.stringify({ ...CONSUMER_TSCONFIG, files: ['wrong.ts'] }));
    await fs.writeFile(
      path.join(app, 'wrong.ts'),
      "import { VERSION } from 'ripcord-backup';\nexport const major: number = VERSION;\n",
    );
    const wrong = await runAs(process.execPath, tsc, { cwd: app, env: userEnv() });
    assert.is.not(wrong.code, 0, wrong.stdout + wrong.stderr);
    assert.match(wrong.stdout, /wrong\.ts\(2,14\): error TS2322: Type 'string' is not assignable to type 'number'/);
  } finally {
    await removeDir(tmp);
  }
});

test.run();
