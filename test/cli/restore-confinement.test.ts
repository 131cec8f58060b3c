/**
 * Restore stays inside what a snapshot claims and what the target can bear: entries only
 * under the manifest's roots, never over the local repository, symlinks judged by where
 * they resolve, and an entry longer than its manifest size stopped at the first byte too
 * many. Every snapshot here is forged from docs/format.md with Python's tarfile and gpg
 * (test/helpers/hostile.ts), through the bundled CLI.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI, ripcord, runCommand } from '../helpers/cli.ts';
import type { PyTarMember } from '../helpers/hostile.ts';
import { gnupgHome, manifestFor, pythonTarGz, writeHandmadeSnapshot } from '../helpers/hostile.ts';
import { diffTrees, readTree, removeDir, tempDir } from '../helpers/tree.ts';

const PASSPHRASE = 'confinement test passphrase';
const env = { RIPCORD_PASSPHRASE: PASSPHRASE };
const lines = (stderr: string) => stderr.trim().split('\n').filter(Boolean);

/** A forged snapshot (honest manifest of these members, these roots) in `repo`. */
async function forge(dir: string, repo: string, members: PyTarMember[], roots: string[]): Promise<string> {
  return writeHandmadeSnapshot({
    repo,
    tarGz: await pythonTarGz(members),
    manifest: manifestFor(members),
    roots,
    passphrase: PASSPHRASE,
    gnupgHome: await gnupgHome(dir),
  });
}

async function inTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await tempDir('ripcord-confine-');
  try {
    await run(dir);
  } finally {
    await removeDir(dir);
  }
}

const restore = (id: string, repo: string, target: string, ...flags: string[]) =>
  ripcord(['restore', id, '--repo', repo, '--target', target, '--yes', ...flags], { env });

/** Restores `id` (its pre-restore snapshot covering `scope`), then restores that pre-restore snapshot: the target is `original` again. */
async function restoreThenUndo(id: string, repo: string, target: string, scope: string[], original: string) {
  const restored = await restore(id, repo, target, '--json');
  assert.is(restored.code, 0, restored.stderr);
  const report = JSON.parse(restored.stdout) as { scope: string[]; preRestoreSnapshot: string };
  assert.equal(report.scope, scope);
  const undo = await restore(report.preRestoreSnapshot, repo, target);
  assert.is(undo.code, 0, undo.stderr);
  assert.equal(await diffTrees(original, target), []);
}

const CONFIG: PyTarMember[] = [
  { name: 'config', type: 'dir', mode: 0o755 },
  { name: 'config/app.yaml', type: 'file', data: 'port: 8080\n' },
];

test('restore refuses a file entry .ripcord outside the snapshot\'s roots ["config"]: the local repository and every snapshot in it are kept, exit 1', () =>
  inTempDir(async (dir) => {
    const target = path.join(dir, 'app');
    await fs.mkdir(path.join(target, 'config'), { recursive: true });
    await fs.writeFile(path.join(target, 'config/app.yaml'), 'port: 1\n');
    const honest = await ripcord(['backup', '--repo', '.ripcord', '-q', 'config'], { cwd: target, env });
    assert.is(honest.code, 0, honest.stderr);
    const id = await forge(
      dir,
      path.join(target, '.ripcord'),
      [...CONFIG, { name: '.ripcord', type: 'file', data: 'replaced\n' }],
      ['config'],
    );
    const before = await readTree(target);
    const run = await ripcord(['restore', id, '--repo', '.ripcord', '--yes'], { cwd: target, env });
    assert.ok(
      (await fs.lstat(path.join(target, '.ripcord'))).isDirectory(),
      `the repository folder was replaced (exit ${run.code}):\n${run.stdout}${run.stderr}`,
    );
    assert.is(run.code, 1, run.stdout);
    assert.is(lines(run.stderr).length, 1, run.stderr);
    assert.match(run.stderr, /"\.ripcord" lies outside the snapshot's roots \("config"\)/);
    const after = await readTree(target);
    for (const [name, entry] of before) assert.equal(after.get(name), entry, `${name} changed`);
    assert.ok(after.has(`.ripcord/${honest.stdout.trim()}/snapshot.json`), 'the honest snapshot is still there');
  }));

test('restore refuses a file entry "data" outside the snapshot\'s roots that would replace the folder data/ (with data/important.db): target untouched', () =>
  inTempDir(async (dir) => {
    const repo = path.join(dir, 'repo');
    const target = path.join(dir, 'target');
    await fs.mkdir(path.join(target, 'data'), { recursive: true });
    await fs.writeFile(path.join(target, 'data/important.db'), 'the one copy\n');
    const id = await forge(
      dir,
      repo,
      [...CONFIG, { name: 'data', type: 'file', data: 'not a database\n' }],
      ['config'],
    );
    const before = await readTree(target);
    const run = await restore(id, repo, target);
    assert.equal(await readTree(target), before, `the target changed (exit ${run.code}):\n${run.stdout}${run.stderr}`);
    assert.is(run.code, 1);
    assert.is(lines(run.stderr).length, 1, run.stderr);
    assert.match(run.stderr, /entry "data" lies outside the snapshot's roots/);
  }));

test('restore of a snapshot of "." that lists a file where the local repository is refuses, and the repository is kept', () =>
  inTempDir(async (dir) => {
    const target = path.join(dir, 'app');
    await fs.mkdir(target, { recursive: true });
    await fs.writeFile(path.join(target, 'keep.txt'), 'keep\n');
    const honest = await ripcord(['backup', '--repo', 'state/repo', '-q', 'keep.txt'], { cwd: target, env });
    assert.is(honest.code, 0, honest.stderr);
    const members: PyTarMember[] = [
      { name: 'state', type: 'dir', mode: 0o755 },
      { name: 'state/repo', type: 'file', data: 'replaced\n' },
    ];
    const id = await forge(dir, path.join(target, 'state/repo'), members, ['.']);
    const run = await ripcord(['restore', id, '--repo', 'state/repo', '--yes'], { cwd: target, env });
    assert.ok(
      (await fs.lstat(path.join(target, 'state/repo'))).isDirectory(),
      `the repository folder was replaced (exit ${run.code}):\n${run.stdout}${run.stderr}`,
    );
    assert.is(run.code, 1, run.stdout);
    assert.is(lines(run.stderr).length, 1, run.stderr);
    assert.match(run.stderr, /would replace or write into the repository \(state\/repo\)/);
    assert.ok(await fs.stat(path.join(target, 'state/repo', honest.stdout.trim(), 'snapshot.json')));
  }));

test('restore --delete never removes a folder that holds the local repository, though the snapshot lacks that folder', () =>
  inTempDir(async (dir) => {
    const target = path.join(dir, 'app');
    await fs.mkdir(path.join(target, 'var'), { recursive: true });
    await fs.writeFile(path.join(target, 'var/extra.txt'), 'not in the snapshot\n');
    const id = await forge(dir, path.join(target, 'var/repo'), CONFIG, ['.']);
    const run = await ripcord(['restore', id, '--repo', 'var/repo', '--yes', '--delete'], { cwd: target, env });
    assert.ok(
      await fs.stat(path.join(target, 'var/repo', id, 'snapshot.json')).catch(() => undefined),
      `the repository was removed (exit ${run.code}):\n${run.stdout}${run.stderr}`,
    );
    assert.is(run.code, 0, run.stderr);
    assert.not.ok(
      await fs.stat(path.join(target, 'var/extra.txt')).catch(() => undefined),
      'what the snapshot lacks beside the repository is removed',
    );
    assert.is(await fs.readFile(path.join(target, 'config/app.yaml'), 'utf8'), 'port: 8080\n');
  }));

test('restoring the pre-restore snapshot also removes the folders the restore made above a root (deep/ for the root deep/er)', () =>
  inTempDir(async (dir) => {
    const repo = path.join(dir, 'repo');
    const source = path.join(dir, 'source');
    await fs.mkdir(path.join(source, 'deep/er'), { recursive: true });
    await fs.writeFile(path.join(source, 'deep/er/file.txt'), 'deep\n');
    const backup = await ripcord(['backup', '--repo', repo, '-q', 'deep/er'], { cwd: source, env });
    assert.is(backup.code, 0, backup.stderr);
    const target = path.join(dir, 'target');
    await fs.mkdir(target);
    await fs.writeFile(path.join(target, 'keep.txt'), 'before the restore\n');
    const original = path.join(dir, 'original');
    await fs.cp(target, original, { recursive: true });
    await restoreThenUndo(backup.stdout.trim(), repo, target, ['deep'], original);
  }));

test('the pre-restore snapshot holds what the restore changes, not the whole root: one changed file of a folder of many', () =>
  inTempDir(async (dir) => {
    const repo = path.join(dir, 'repo');
    const target = path.join(dir, 'target');
    const members: PyTarMember[] = [{ name: 'config', type: 'dir', mode: 0o755 }];
    for (let i = 0; i < 20; i++) members.push({ name: `config/f${i}.txt`, type: 'file', data: `file ${i}\n` });
    const id = await forge(dir, repo, members, ['config']);
    const first = await restore(id, repo, target);
    assert.is(first.code, 0, first.stderr);
    await fs.writeFile(path.join(target, 'config/f7.txt'), 'drifted\n');
    await fs.writeFile(path.join(target, 'config/new.txt'), 'kept: no --delete\n');
    const drifted = path.join(dir, 'drifted');
    await fs.cp(target, drifted, { recursive: true });
    await restoreThenUndo(id, repo, target, ['config/f7.txt'], drifted);
  }));

test('restore into a folder inside the local repository is refused before anything is written', () =>
  inTempDir(async (dir) => {
    const repo = path.join(dir, 'repo');
    const id = await forge(dir, repo, CONFIG, ['config']);
    const before = await readTree(repo);
    const run = await ripcord(['restore', id, '--repo', repo, '--target', path.join(repo, 'inside'), '--yes'], { env });
    assert.is(run.code, 1, run.stdout);
    assert.is(lines(run.stderr).length, 1, run.stderr);
    assert.match(run.stderr, /lies inside the repository/);
    const after = await readTree(repo);
    assert.not.ok(
      [...after.keys()].some((name) => name.startsWith('inside') || name.startsWith('config')),
      [...after.keys()].join(', '),
    );
    for (const [name, entry] of before) assert.equal(after.get(name), entry, name);
  }));

test('the undo command a restore prints brings back a link out of the target that the restore removed (it carries --allow-outside-symlinks)', () =>
  inTempDir(async (dir) => {
    const repo = path.join(dir, 'repo');
    const target = path.join(dir, 'target');
    await fs.mkdir(path.join(dir, 'elsewhere'));
    await fs.mkdir(target);
    await fs.symlink('../elsewhere', path.join(target, 'out'));
    const original = path.join(dir, 'original');
    await fs.cp(target, original, { recursive: true, verbatimSymlinks: true });
    const id = await forge(dir, repo, CONFIG, ['.']);
    const run = await restore(id, repo, target, '--delete');
    assert.is(run.code, 0, run.stderr);
    assert.not.ok(await fs.lstat(path.join(target, 'out')).catch(() => undefined), '--delete removed the link');
    const undo = /to undo: ripcord (restore .*)$/m.exec(run.stdout)?.[1];
    assert.ok(undo, run.stdout);
    const again = await ripcord(undo!.split(' '), { env: { ...env, RIPCORD_REPO: repo } });
    assert.is(again.code, 0, `${undo}: ${again.stderr}`);
    assert.equal(await diffTrees(original, target), []);
  }));

/** a -> ., l1 -> a/.., l2 -> l1/.., ... l8 -> l7/.., passwd -> l8/etc/passwd: each text stays inside, the chain climbs to /. */
const CHAIN: PyTarMember[] = [
  { name: 'a', type: 'symlink', linkname: '.' },
  { name: 'l1', type: 'symlink', linkname: 'a/..' },
  ...[2, 3, 4, 5, 6, 7, 8].map((i): PyTarMember => ({ name: `l${i}`, type: 'symlink', linkname: `l${i - 1}/..` })),
  { name: 'passwd', type: 'symlink', linkname: 'l8/etc/passwd' },
];

test('restore refuses a chain of in-snapshot links that resolves to /etc/passwd (a -> ., l1 -> a/.., ..., passwd -> l8/etc/passwd) without --allow-outside-symlinks, target untouched', () =>
  inTempDir(async (dir) => {
    const repo = path.join(dir, 'repo');
    const target = path.join(dir, 'target');
    await fs.mkdir(target);
    await fs.writeFile(path.join(target, 'keep.txt'), 'keep\n');
    const id = await forge(dir, repo, CHAIN, ['.']);
    const run = await restore(id, repo, target);
    assert.equal(
      [...(await readTree(target)).keys()],
      ['keep.txt'],
      `links were restored (exit ${run.code}):\n${run.stdout}${run.stderr}`,
    );
    assert.is(run.code, 1);
    assert.is(lines(run.stderr).length, 1, run.stderr);
    assert.match(run.stderr, /--allow-outside-symlinks/);
    const allowed = await ripcord(
      ['restore', id, '--repo', repo, '--target', target, '--yes', '--allow-outside-symlinks'],
      { env },
    );
    assert.is(allowed.code, 0, allowed.stderr);
    assert.is(await fs.readlink(path.join(target, 'passwd')), 'l8/etc/passwd', 'restored as stored when allowed');
  }));

test('restore refuses a link whose text stays inside but that leaves through a symlink already in the target (up -> .. in the target, x -> up/secret in the snapshot)', () =>
  inTempDir(async (dir) => {
    const repo = path.join(dir, 'repo');
    const target = path.join(dir, 'target');
    await fs.mkdir(target);
    await fs.symlink('..', path.join(target, 'up'));
    const id = await forge(dir, repo, [{ name: 'x', type: 'symlink', linkname: 'up/secret' }], ['x']);
    const run = await restore(id, repo, target);
    assert.not.ok(
      await fs.lstat(path.join(target, 'x')).catch(() => undefined),
      `x was restored (exit ${run.code}):\n${run.stdout}${run.stderr}`,
    );
    assert.is(run.code, 1);
    assert.is(lines(run.stderr).length, 1, run.stderr);
    assert.match(run.stderr, /after following up/);
  }));

test('links that resolve inside the target, through each other and through a folder the snapshot makes in place of a link, are restored', () =>
  inTempDir(async (dir) => {
    const repo = path.join(dir, 'repo');
    const target = path.join(dir, 'target');
    await fs.mkdir(target);
    await fs.symlink('/', path.join(target, 'sub')); // replaced by the snapshot's folder sub/
    const members: PyTarMember[] = [
      { name: 'a', type: 'symlink', linkname: '.' },
      { name: 'c.txt', type: 'file', data: 'c\n' },
      { name: 'b', type: 'symlink', linkname: 'a/a/c.txt' },
      { name: 'sub', type: 'dir', mode: 0o755 },
      { name: 'sub/up', type: 'symlink', linkname: '..' },
      { name: 'sub/d', type: 'symlink', linkname: 'up/b' },
      { name: 'sub/e', type: 'symlink', linkname: path.join(target, 'c.txt') },
    ];
    const id = await forge(dir, repo, members, ['.']);
    const run = await restore(id, repo, target);
    assert.is(run.code, 0, run.stderr);
    assert.is(await fs.readFile(path.join(target, 'sub/d'), 'utf8'), 'c\n');
    assert.is(await fs.readFile(path.join(target, 'sub/e'), 'utf8'), 'c\n');
  }));

test('restore stops writing an entry at its manifest size: a 16 MiB member listed as 5 bytes is refused under a 1 MiB file-size limit, with one line and the target untouched', () =>
  inTempDir(async (dir) => {
    const repo = path.join(dir, 'repo');
    const target = path.join(dir, 'target');
    await fs.mkdir(target);
    await fs.writeFile(path.join(target, 'keep.txt'), 'keep\n');
    const member: PyTarMember = { name: 'big.txt', type: 'file', data: 'x'.repeat(16 << 20) };
    const manifest = manifestFor([{ name: 'big.txt', type: 'file', data: 'small' }]);
    const id = await writeHandmadeSnapshot({
      repo,
      tarGz: await pythonTarGz([member]),
      manifest,
      roots: ['.'],
      passphrase: PASSPHRASE,
      gnupgHome: await gnupgHome(dir),
    });
    // RLIMIT_FSIZE (dash counts 512-byte blocks): Node ignores SIGXFSZ, so a write past 1 MiB fails with EFBIG.
    const run = await runCommand(
      'sh',
      [
        '-c',
        'ulimit -f 2048 && exec "$0" "$@"',
        process.execPath,
        CLI,
        'restore',
        id,
        '--repo',
        repo,
        '--target',
        target,
        '--yes',
      ],
      { env },
    );
    assert.not.match(
      run.stderr,
      /EFBIG|too large/i,
      `the restore wrote 1 MiB of a 5-byte entry before refusing: ${run.stderr}`,
    );
    assert.is(run.code, 1, run.stderr);
    assert.is(lines(run.stderr).length, 1, run.stderr);
    assert.match(run.stderr, /big\.txt holds more than the 5 bytes the manifest lists/);
    assert.equal([...(await readTree(target)).keys()], ['keep.txt']);
  }));

test('rollback refuses a snapshot that claims an absent root outside the target ("../x", an absolute path): with --delete semantics it would remove it; nothing is touched', () =>
  inTempDir(async (dir) => {
    const repo = path.join(dir, 'repo');
    const target = path.join(dir, 'app');
    await fs.mkdir(path.join(target, 'config'), { recursive: true });
    await fs.writeFile(path.join(target, 'config/app.yaml'), 'port: 1\n');
    await fs.mkdir(path.join(dir, 'x'));
    await fs.writeFile(path.join(dir, 'x/precious'), 'keep\n');
    for (const absentRoot of ['../x', path.join(dir, 'x')]) {
      const id = await forge(dir, repo, CONFIG, ['config', absentRoot]);
      const before = await readTree(dir);
      const run = await ripcord(['rollback', id, '--repo', repo], { cwd: target, env });
      assert.is(run.code, 20, run.stdout + run.stderr);
      assert.ok(
        run.stderr.includes(`its manifest root ${JSON.stringify(absentRoot)} `) &&
          run.stderr.includes('refusing to restore anything'),
        run.stderr,
      );
      const after = await readTree(dir);
      for (const [name, entry] of before)
        if (!name.startsWith('repo/')) assert.equal(after.get(name), entry, `${name} changed`);
    }
  }));

test.run();
