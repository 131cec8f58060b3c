/**
 * docs/cli.md is the help of every command, generated from the command table: this test
 * fails when they drift. Regenerate with `npm run docs`.
 *
 * README.md's commands are run as printed, from its ```sh blocks: the first command in a
 * folder where the packed package is installed (as in any project that depends on it),
 * and the emergency restore with gpg and tar alone. (Its install block runs in
 * test/project/package.test.ts; its second command, npm test, is this suite.)
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatHelp, parseCommandLine } from '../../src/cli/command.ts';
import { COMMANDS } from '../../src/cli/main.ts';
import { PROJECT_ROOT, ripcord } from '../helpers/cli.ts';
import { packTarball, readmeBlocks, readPackageJson, runAs, runShell, userEnv } from '../helpers/package.ts';
import { readTree, removeDir, tempDir } from '../helpers/tree.ts';

function render(): string {
  const sections = COMMANDS.map(
    (command) =>
      `## ripcord ${command.name}\n\n${command.summary}\n\n\`\`\`text\n${formatHelp(command).trimEnd()}\n\`\`\`\n`,
  );
  return [
    '# ripcord command reference',
    '',
    '<!-- generated from the command table by `npm run docs`; do not edit by hand -->',
    '',
    'Every command accepts `--help`, `--json`, `--repo URL`, `--quiet`, `--debug` and the S3 options.',
    'Exit codes: 0 success; 1 failure (one line on stderr); 2 a usage error; `deploy` adds 10 (rolled back)',
    'and 20 (the rollback failed: a human must act).',
    '',
    ...COMMANDS.map((c) => `- [${c.name}](#ripcord-${c.name}): ${c.summary}`),
    '',
    ...sections,
  ].join('\n');
}

test('docs/cli.md documents every command and option exactly as --help prints them (npm run docs regenerates it)', async () => {
  const file = path.join(PROJECT_ROOT, 'docs/cli.md');
  const expected = render();
  if (process.env.UPDATE_DOCS === '1') await fs.writeFile(file, expected);
  const actual = await fs.readFile(file, 'utf8').catch(() => '');
  assert.ok(actual === expected, 'docs/cli.md is out of date: run npm run docs');
});

test('README.md starts with exactly two commands: one that installs ripcord and backs up, and npm test', async () => {
  const readme = await fs.readFile(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  const firstBlock = /^```(\w*)\n([\s\S]*?)\n```$/m.exec(readme);
  assert.ok(firstBlock && firstBlock.index < readme.indexOf('\n## '), 'the first block comes before the first section');
  assert.is(firstBlock[1], 'sh');
  const commands = firstBlock[2]!.split('\n');
  assert.is(commands.length, 2, firstBlock[2]);
  assert.match(commands[0]!, /^npm ci && RIPCORD_PASSPHRASE='[^']+' npx ripcord backup$/);
  assert.is(commands[1], 'npm test');
  const pkg = await readPackageJson();
  assert.ok(pkg.scripts.test, 'package.json has a test script');
  assert.is(pkg.bin.ripcord, 'dist/cli.cjs', 'npx ripcord runs this package in a clone');
});

test("in a clone, the README's npx ripcord runs the clone's own command, never the registry's unrelated ripcord (npx --no refuses to download)", async () => {
  const pkg = await readPackageJson();
  const run = await runAs('npx', ['--no', '--', 'ripcord', '--version'], { cwd: PROJECT_ROOT, env: userEnv() });
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stdout.trim(), pkg.version);
});

test("README.md's first command, run as printed in a folder where the packed package is installed, backs up into ./.ripcord, and a zx recipe runs from node_modules there", async () => {
  const [first] = (await readmeBlocks())[0]!.split('\n');
  const tmp = await tempDir('ripcord-readme-');
  const app = path.join(tmp, 'app');
  const env = userEnv();
  try {
    const { tarball } = await packTarball(tmp);
    await fs.mkdir(app);
    const install = await runAs('npm', ['install', tarball], { cwd: app, env });
    assert.is(install.code, 0, install.stderr);
    await fs.writeFile(path.join(app, 'app.conf'), 'replicas: 2\n');

    const run = await runShell(first!, { cwd: app, env });
    assert.is(run.code, 0, run.stdout + run.stderr);
    const ids = await fs.readdir(path.join(app, '.ripcord'));
    const snapshots = ids.filter((id) => /^\d{8}T/.test(id));
    assert.is(snapshots.length, 1, ids.join(', '));
    const passphrase = /RIPCORD_PASSPHRASE='([^']+)'/.exec(first!)![1]!;
    const listed = await runShell(`npx ripcord ls --json ${snapshots[0]}`, {
      cwd: app,
      env: { ...env, RIPCORD_PASSPHRASE: passphrase },
    });
    assert.is(listed.code, 0, listed.stderr);
    const paths = listed.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { path: string }).path);
    assert.ok(paths.includes('app.conf') && paths.includes('package.json'), paths.join(', '));
    assert.not.ok(
      paths.some((p) => p.startsWith('node_modules')),
      'node_modules is left out',
    );

    // scripts/README.md's way to run a recipe in a project that depends on ripcord-backup
    const recipe = await runShell('npx zx node_modules/ripcord-backup/scripts/pre-deploy.mjs --paths app.conf', {
      cwd: app,
      env: { ...env, RIPCORD_PASSPHRASE: passphrase },
    });
    assert.is(recipe.code, 0, recipe.stderr);
    assert.match(recipe.stdout.trim(), /^\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{4}$/);
    const command = await runShell('npx ripcord-restore --help', { cwd: app, env });
    assert.match(command.stdout, /^Usage: ripcord-restore /);
    // a copy of a recipe in the project finds the library and the CLI through the dependency
    await fs.copyFile(
      path.join(app, 'node_modules/ripcord-backup/scripts/nightly-backup.mjs'),
      path.join(app, 'my-nightly.mjs'),
    );
    const copy = await runAs(process.execPath, ['my-nightly.mjs', '--paths', 'app.conf', '--dry-run'], {
      cwd: app,
      env: { ...env, RIPCORD_PASSPHRASE: passphrase },
    });
    assert.is(copy.code, 0, copy.stderr);
    assert.match(copy.stdout, /dry run: nothing is written; prune as it stands now/);
  } finally {
    await removeDir(tmp);
  }
});

/** The command lines of a shell block: continuations joined, comments dropped, words split as sh would (quotes, no expansions). */
function commandLines(block: string): string[][] {
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => shellWords(line.replace(/(^|\s)#.*$/, '')))
    .filter((words) => words.length > 0);
}

/** Words as sh splits them: quotes may stand inside a word (db='a b' is one word, db=a b). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/(?:'[^']*'|"[^"]*"|[^\s'"])+/g)].map((m) =>
    m[0].replace(/'([^']*)'|"([^"]*)"/g, (_, single, double) => single ?? double),
  );
}

test("every ripcord command line in README.md and scripts/README.md names a command and only options it has (the CLI's own parser, the recipes' --help)", async () => {
  let checked = 0;
  const blocks = [
    ...(await readmeBlocks()),
    ...(
      await Promise.all(
        [
          'Install on a server or a laptop',
          'Guarded deploys',
          'S3 and copies (3-2-1)',
          'Scheduled backups you can watch',
        ].map((h) => readmeBlocks(h)),
      )
    ).flat(),
  ];
  for (const words of blocks.flatMap(commandLines)) {
    const at = words.indexOf('ripcord');
    if (at < 0 || words[at - 1] === '-g') continue;
    const [name, ...args] = words.slice(at + 1).filter((w) => w !== '&&');
    if (name === '--version') continue;
    const command = COMMANDS.find((c) => c.name === name);
    assert.ok(command, `README.md: ripcord ${name} is not a command`);
    const end = args.indexOf('--');
    assert.not.throws(
      () => parseCommandLine(command, end < 0 ? args : args.slice(0, end)),
      `README.md: ${words.join(' ')}`,
    );
    checked += 1;
  }
  const scriptsReadme = await fs.readFile(path.join(PROJECT_ROOT, 'scripts/README.md'), 'utf8');
  for (const [, block] of scriptsReadme.matchAll(/^```sh\n([\s\S]*?)\n```$/gm)) {
    for (const words of commandLines(block!)) {
      const at = words.findIndex((w) => /^ripcord-[a-z-]+$/.test(w) || /ripcord-[a-z-]+\)?$/.test(w));
      if (at < 0) continue;
      const name = /ripcord-([a-z-]+)/.exec(words[at]!)![1]!;
      const help = await runAs(process.execPath, [path.join(PROJECT_ROOT, 'scripts', `${name}.mjs`), '--help'], {
        cwd: PROJECT_ROOT,
        env: userEnv(),
      });
      assert.is(help.code, 0, `scripts/README.md: ${words[at]} is not a recipe`);
      for (const option of words
        .slice(at + 1)
        .filter((w) => w.startsWith('--'))
        .map((w) => w.replace(/[=)].*$/, ''))) {
        assert.match(
          help.stdout,
          new RegExp(`(^\\s+|, )${option}[ ,]`, 'm'),
          `scripts/README.md: ripcord-${name} has no ${option}`,
        );
      }
      checked += 1;
    }
  }
  assert.ok(checked >= 12, `only ${checked} command lines found`);
});

/** A real snapshot of a small tree, in the folder named by the README's emergency restore. */
async function emergencyFixture(): Promise<{
  tmp: string;
  work: string;
  home: string;
  id: string;
  block: string;
  original: Awaited<ReturnType<typeof readTree>>;
}> {
  const [block] = await readmeBlocks('Emergency restore, without ripcord');
  assert.ok(block, 'README.md has no emergency restore block');
  const id = /^id=(\S+)/m.exec(block)?.[1];
  assert.ok(id, 'the block names the snapshot with id=...');
  const tmp = await tempDir('ripcord-emergency-');
  const work = path.join(tmp, 'work');
  const home = path.join(tmp, 'home');
  await fs.mkdir(path.join(work, 'config'), { recursive: true });
  await fs.mkdir(home);
  await fs.writeFile(path.join(work, 'config/app.yaml'), 'replicas: 2\n');
  await fs.writeFile(path.join(work, 'config/db.env'), 'DB_HOST=db.internal\n');
  const passphrase = 'emergency restore passphrase';
  await fs.writeFile(path.join(home, 'ripcord-passphrase'), `${passphrase}\n`, { mode: 0o600 });
  const backup = await ripcord(['backup', 'config', '--json'], { cwd: work, env: { RIPCORD_PASSPHRASE: passphrase } });
  assert.is(backup.code, 0, backup.stderr);
  const taken = (JSON.parse(backup.stdout) as { snapshot: { id: string } }).snapshot.id;
  await fs.rename(path.join(work, '.ripcord', taken), path.join(work, '.ripcord', id)); // gpg, tar and sha256sum never look at the name
  return { tmp, work, home, id, block, original: await readTree(path.join(work, 'config')) };
}

test("README.md's emergency restore, run as printed without a terminal, restores a snapshot with sha256sum, gpg and tar alone", async () => {
  const { tmp, work, home, id, block, original } = await emergencyFixture();
  try {
    const run = await runShell(block, { cwd: work, env: userEnv({ HOME: home }) });
    assert.is(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /archive\.tar\.gz\.pgp: OK/);
    assert.is(run.stdout.trim().split('\n').pop(), `restored ${id}: gpg checked it`);
    assert.equal(await readTree(path.join(home, `restore-${id}`, 'config')), original);
  } finally {
    await removeDir(tmp);
  }
});

test("README.md's emergency restore fails, and never says restored, when gpg finds the archive tampered with at its end after tar has written the files", async () => {
  const { tmp, work, home, id, block } = await emergencyFixture();
  try {
    // the last byte is inside the integrity code: the data decrypts, the check fails; checksums recomputed to match
    const folder = path.join(work, '.ripcord', id);
    const archive = await fs.readFile(path.join(folder, 'archive.tar.gz.pgp'));
    archive[archive.length - 1]! ^= 0x01;
    await fs.writeFile(path.join(folder, 'archive.tar.gz.pgp'), archive);
    const sums = await fs.readFile(path.join(folder, 'SHA256SUMS'), 'utf8');
    const hash = createHash('sha256').update(archive).digest('hex');
    await fs.writeFile(
      path.join(folder, 'SHA256SUMS'),
      sums.replace(/^[0-9a-f]{64}( {2}archive\.tar\.gz\.pgp)$/m, `${hash}$1`),
    );

    const run = await runShell(block, { cwd: work, env: userEnv({ HOME: home }) });
    assert.is.not(run.code, 0, 'pipefail: the pipe fails with gpg');
    assert.match(run.stdout, /archive\.tar\.gz\.pgp: OK/, 'the recomputed checksums pass');
    assert.not.match(run.stdout, /restored/);
    assert.ok(
      await fs.stat(path.join(home, `restore-${id}`, 'config/app.yaml')),
      "tar did write the files: only gpg's status tells",
    );
  } finally {
    await removeDir(tmp);
  }
});

test("README.md's sqlite recipe, run as printed, rolls a destructive migration back: files and database as before the deploy (exit 10)", async () => {
  const [block] = (await readmeBlocks('Guarded deploys')).filter((b) => b.includes('--restore-capture'));
  assert.ok(block, 'README.md has the sqlite recipe under "Guarded deploys"');
  const tmp = await tempDir('ripcord-readme-sqlite-');
  try {
    const app = path.join(tmp, 'app');
    const bin = path.join(tmp, 'bin');
    await fs.mkdir(path.join(app, 'config'), { recursive: true });
    await fs.mkdir(bin);
    await fs.writeFile(path.join(app, 'config/app.yaml'), 'schema: 1\n');
    // `ripcord` as an installed command would be: this checkout's
    await fs.writeFile(
      path.join(bin, 'ripcord'),
      `#!/bin/sh\nexec "${process.execPath}" "${path.join(PROJECT_ROOT, 'dist/cli.cjs')}" "$@"\n`,
      { mode: 0o755 },
    );
    await fs.writeFile(
      path.join(app, 'migrate.sh'),
      '#!/bin/sh\necho "schema: 2" > config/app.yaml\nsqlite3 app.db "DROP TABLE users; CREATE TABLE accounts(id INTEGER);"\n',
      { mode: 0o755 },
    );
    const db = path.join(app, 'app.db');
    await runAs(
      'sqlite3',
      [db, "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users(name) VALUES ('ada'), ('grace');"],
      { cwd: app, env: userEnv() },
    );
    const dumpBefore = (await runAs('sqlite3', [db, '.dump'], { cwd: app, env: userEnv() })).stdout;
    const env = userEnv({ RIPCORD_PASSPHRASE: 'readme recipe' });
    const run = await runShell(block, { cwd: app, env: { ...env, PATH: `${bin}:${env.PATH}` } });
    assert.is(run.code, 10, run.stdout + run.stderr);
    assert.match(run.stderr, /ROLLED BACK/);
    assert.is((await runAs('sqlite3', [db, '.dump'], { cwd: app, env: userEnv() })).stdout, dumpBefore);
    assert.is(await fs.readFile(path.join(app, 'config/app.yaml'), 'utf8'), 'schema: 1\n');
  } finally {
    await removeDir(tmp);
  }
});

test.run();
