/** restore through the bundled CLI: exact round trips, undo, refusals, hostile archives. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { shellQuote } from '../../src/domain/shell-quote.ts';
import { CLI, cleanEnv, ripcord, runCommand } from '../helpers/cli.ts';
import type { PyTarMember } from '../helpers/hostile.ts';
import { gnupgHome, manifestFor, pythonTarGz, writeHandmadeSnapshot } from '../helpers/hostile.ts';
import { diffTrees, makeAwkwardTree, readTree, removeDir, tempDir } from '../helpers/tree.ts';

const PASSPHRASE = 'restore test passphrase';
const env = { RIPCORD_PASSPHRASE: PASSPHRASE };

async function setup() {
  const dir = await tempDir();
  const source = path.join(dir, 'source');
  const repo = path.join(dir, 'repo');
  await fs.mkdir(source);
  return { dir, source, repo };
}

async function backup(repo: string, cwd: string, paths: string[]): Promise<string> {
  const run = await ripcord(['backup', '--repo', repo, '-q', ...paths], { cwd, env });
  assert.is(run.code, 0, run.stderr);
  return run.stdout.trim();
}

type Setup = Awaited<ReturnType<typeof setup>>;

async function inSetup(run: (s: Setup) => Promise<void>): Promise<void> {
  const s = await setup();
  try {
    await run(s);
  } finally {
    await removeDir(s.dir);
  }
}

/** Backs up config/app.yaml holding `text`. */
async function backupConfig(s: Setup, text: string): Promise<string> {
  await fs.mkdir(path.join(s.source, 'config'));
  await fs.writeFile(path.join(s.source, 'config/app.yaml'), text);
  return backup(s.repo, s.source, ['config']);
}

/** The repository holds the backup `id` alone. */
async function assertNoPreRestoreSnapshot(s: Setup, id: string): Promise<void> {
  const listed = JSON.parse((await ripcord(['list', '--json', '--repo', s.repo], { env })).stdout) as { id: string }[];
  assert.equal(
    listed.map((x) => x.id),
    [id],
    'no pre-restore snapshot',
  );
}

const restoreInto = (s: Setup, id: string, target: string, ...flags: string[]) =>
  ripcord(['restore', id, '--repo', s.repo, '--target', target, '--yes', ...flags], { env });

const lines = (stderr: string) => stderr.trim().split('\n').filter(Boolean);

test('restore into an empty folder gives a tree identical to the source', () =>
  inSetup(async (s) => {
    const roots = await makeAwkwardTree(s.source, 2);
    const id = await backup(s.repo, s.source, roots);
    const target = path.join(s.dir, 'target');
    await fs.mkdir(target);
    const run = await restoreInto(s, id, target);
    assert.is(run.code, 0, run.stderr);
    assert.equal(await diffTrees(s.source, target), []);
    assert.match(run.stdout, /pre-restore snapshot \S+; to undo: ripcord restore/);
    assert.equal(
      (await fs.readdir(target)).filter((n) => n.startsWith('.ripcord')),
      [],
      'no staging folder left',
    );
  }));

test('restore into a folder that does not exist creates it, takes no pre-restore snapshot (nothing to lose) and says that removing the folder undoes it', () =>
  inSetup(async (s) => {
    const id = await backupConfig(s, 'port: 8080\n');
    const target = path.join(s.dir, 'new target');
    const run = await restoreInto(s, id, target);
    assert.is(run.code, 0, run.stderr);
    assert.equal(await diffTrees(s.source, target), []);
    assert.match(
      run.stdout,
      /the target does not exist: the restore creates it, and with nothing there to lose no pre-restore snapshot is taken \(to undo, remove the folder\)/,
    );
    assert.ok(
      run.stdout.includes(
        `${target} did not exist before, so no pre-restore snapshot was needed; to undo: rm -r '${target}'\n`,
      ),
      run.stdout,
    );
    await assertNoPreRestoreSnapshot(s, id);
    const undo = await runCommand('sh', ['-c', /to undo: (rm -r .*)$/m.exec(run.stdout)![1]!]);
    assert.is(undo.code, 0, undo.stderr);
    assert.equal(
      await fs.readdir(s.dir).then((names) => names.sort()),
      ['repo', 'source'],
      'the undo command as printed leaves the state as it was',
    );
  }));

test('restore --yes --quiet prints no plan, only what was restored and how to undo it; --dry-run --quiet still shows the plan', () =>
  inSetup(async (s) => {
    const roots = await makeAwkwardTree(s.source, 2);
    const id = await backup(s.repo, s.source, roots);
    const target = path.join(s.dir, 'target');
    const dry = await ripcord(['restore', id, '--repo', s.repo, '--target', target, '--dry-run', '-q'], { env });
    assert.is(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^ {2}\+ /m, 'the dry run shows the plan');
    const run = await restoreInto(s, id, target, '-q');
    assert.is(run.code, 0, run.stderr);
    assert.not.match(run.stdout, /^ {2}\+ /m, 'no plan lines');
    const lines = run.stdout.trim().split('\n');
    assert.ok(lines.length <= 2, run.stdout);
    assert.match(lines[0]!, new RegExp(`^restored snapshot ${id} into `));
    assert.equal(await diffTrees(s.source, target), []);
  }));

test('a restore target nobody may write (chattr +i) is one clear line naming it, exit 1, not an internal error, and nothing is changed', async () => {
  const s = await setup();
  const target = path.join(s.dir, 'target');
  try {
    const id = await backupConfig(s, 'replicas: 2\n');
    await fs.mkdir(target);
    await fs.writeFile(path.join(target, 'keep.txt'), 'mine\n');
    const locked = await runCommand('chattr', ['+i', target]);
    assert.is(
      locked.code,
      0,
      `chattr +i is needed for this test (GNU e2fsprogs, root, a file system with immutable files): ${locked.stderr}`,
    );
    const run = await restoreInto(s, id, target);
    assert.is(run.code, 1, run.stdout + run.stderr);
    const lines = run.stderr.trim().split('\n');
    assert.is(lines.length, 1, run.stderr);
    assert.match(
      lines[0]!,
      new RegExp(`^ripcord: cannot write into the restore target ${target} \\(EPERM\\): nothing was changed`),
    );
    assert.not.match(run.stderr, /internal error/);
    assert.equal(await fs.readdir(target), ['keep.txt']);
  } finally {
    await runCommand('chattr', ['-i', target]);
    await removeDir(s.dir);
  }
});

test('restoring the pre-restore snapshot brings back exactly the tree as it was before the restore', () =>
  inSetup(async (s) => {
    const roots = await makeAwkwardTree(s.source, 1);
    const id = await backup(s.repo, s.source, roots);
    // The live tree drifts: a modified file, an added file, a deleted file, a changed mode, a retargeted link.
    await fs.writeFile(path.join(s.source, 'config/app.yaml'), 'port: 9999\n');
    await fs.writeFile(path.join(s.source, 'config/added.txt'), 'added after the snapshot\n');
    await fs.rm(path.join(s.source, 'config/empty.txt'));
    await fs.chmod(path.join(s.source, 'scripts/deploy.sh'), 0o700);
    await fs.rm(path.join(s.source, 'config/current.yaml'));
    await fs.symlink('added.txt', path.join(s.source, 'config/current.yaml'));
    await fs.mkdir(path.join(s.source, 'newroot'));
    const drifted = path.join(s.dir, 'drifted');
    await fs.cp(s.source, drifted, { recursive: true, verbatimSymlinks: true });

    const restore = await ripcord(
      ['restore', id, '--repo', s.repo, '--target', s.source, '--yes', '--delete', '--json'],
      { env },
    );
    assert.is(restore.code, 0, restore.stderr);
    const report = JSON.parse(restore.stdout);
    assert.equal(report.counts, { add: 1, change: 3, remove: 1, unchanged: report.counts.unchanged });
    const preRestore = report.preRestoreSnapshot as string;
    assert.ok(preRestore);
    // now identical to the snapshot: the added file is gone, the deleted one is back
    const restored = await readTree(s.source);
    assert.not.ok(restored.has('config/added.txt'));
    assert.ok(restored.has('config/empty.txt'));
    assert.is(restored.get('config/app.yaml')!.content, Buffer.from('port: 8080\nname: app\n').toString('base64'));

    const show = JSON.parse((await ripcord(['show', '--json', '--repo', s.repo, preRestore], { env })).stdout);
    assert.is(show.kind, 'pre-restore');
    assert.is(show.restoredFrom, id);
    // latest skips pre-restore snapshots
    assert.is(JSON.parse((await ripcord(['show', '--json', '--repo', s.repo, 'latest'], { env })).stdout).id, id);

    const undo = await ripcord(['restore', preRestore, '--repo', s.repo, '--target', s.source, '--yes'], { env });
    assert.is(undo.code, 0, undo.stderr);
    assert.equal(await diffTrees(drifted, s.source), []);
  }));

test('without --delete, files the snapshot does not have are kept', () =>
  inSetup(async (s) => {
    await fs.mkdir(path.join(s.source, 'config'));
    await fs.writeFile(path.join(s.source, 'config/a.txt'), 'a');
    const id = await backup(s.repo, s.source, ['config']);
    await fs.writeFile(path.join(s.source, 'config/extra.txt'), 'extra');
    const run = await ripcord(['restore', id, '--repo', s.repo, '--target', s.source, '--yes'], { env });
    assert.is(run.code, 0, run.stderr);
    assert.is(await fs.readFile(path.join(s.source, 'config/extra.txt'), 'utf8'), 'extra');
  }));

test('--dry-run shows the plan and changes nothing; without a terminal --yes is required', () =>
  inSetup(async (s) => {
    const roots = await makeAwkwardTree(s.source, 1);
    const id = await backup(s.repo, s.source, roots);
    await fs.writeFile(path.join(s.source, 'config/app.yaml'), 'changed');
    const before = await readTree(s.source);
    const dry = await ripcord(['restore', id, '--repo', s.repo, '--target', s.source, '--dry-run'], { env });
    assert.is(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /0 to add, 1 to change, 0 to remove/);
    assert.match(dry.stdout, /~ config\/app\.yaml {2}\(content\)/);
    assert.match(dry.stdout, /dry run: nothing was changed/);
    const noYes = await ripcord(['restore', id, '--repo', s.repo, '--target', s.source], { env });
    assert.is(noYes.code, 2);
    assert.is(lines(noYes.stderr).length, 1);
    assert.match(noYes.stderr, /add --yes/);
    assert.equal(await readTree(s.source), before);
    const listed = JSON.parse((await ripcord(['list', '--json', '--repo', s.repo], { env })).stdout);
    assert.is(listed.length, 1, 'no pre-restore snapshot for a dry run');
  }));

test('a wrong key or a corrupted archive is detected before the target is touched', () =>
  inSetup(async (s) => {
    const roots = await makeAwkwardTree(s.source, 1);
    const id = await backup(s.repo, s.source, roots);
    const target = path.join(s.dir, 'target');
    await fs.mkdir(target);
    await fs.writeFile(path.join(target, 'precious.txt'), 'keep me');
    const before = await readTree(target);
    const wrong = await ripcord(['restore', id, '--repo', s.repo, '--target', target, '--yes'], {
      env: { RIPCORD_PASSPHRASE: 'wrong' },
    });
    assert.is(wrong.code, 1);
    assert.is(lines(wrong.stderr).length, 1, wrong.stderr);
    assert.match(wrong.stderr, /passphrase/);
    assert.equal(await readTree(target), before);

    const archive = path.join(s.repo, id, 'archive.tar.gz.pgp');
    const bytes = await fs.readFile(archive);
    bytes[bytes.length - 30]! ^= 0x40;
    await fs.writeFile(archive, bytes);
    const corrupt = await restoreInto(s, id, target);
    assert.is(corrupt.code, 1);
    assert.is(lines(corrupt.stderr).length, 1, corrupt.stderr);
    assert.match(corrupt.stderr, new RegExp(`${id.replace('.', '\\.')}.*archive\\.tar\\.gz\\.pgp`));
    assert.equal(await readTree(target), before);
  }));

test('restore never writes through a symlink in the target: the directory it points to stays untouched', () =>
  inSetup(async (s) => {
    const id = await backupConfig(s, 'mine');
    const target = path.join(s.dir, 'target');
    const outside = path.join(s.dir, 'outside');
    await fs.mkdir(target);
    await fs.mkdir(outside);
    await fs.writeFile(path.join(outside, 'app.yaml'), 'outside, do not touch');
    await fs.symlink(outside, path.join(target, 'config'));
    const run = await restoreInto(s, id, target);
    assert.is(run.code, 0, run.stderr);
    assert.is(await fs.readFile(path.join(outside, 'app.yaml'), 'utf8'), 'outside, do not touch');
    assert.ok(
      (await fs.lstat(path.join(target, 'config'))).isDirectory(),
      'the link was replaced by the snapshot directory',
    );
    assert.is(await fs.readFile(path.join(target, 'config/app.yaml'), 'utf8'), 'mine');
  }));

test('setuid and setgid bits are dropped on restore', () =>
  inSetup(async (s) => {
    await fs.writeFile(path.join(s.source, 'tool'), '#!/bin/sh\n');
    await fs.chmod(path.join(s.source, 'tool'), 0o6755);
    const id = await backup(s.repo, s.source, ['tool']);
    const target = path.join(s.dir, 'target');
    const run = await restoreInto(s, id, target);
    assert.is(run.code, 0, run.stderr);
    assert.is((await fs.stat(path.join(target, 'tool'))).mode & 0o7777, 0o755);
  }));

const HOSTILE: { name: string; members: PyTarMember[]; manifestLies?: boolean }[] = [
  { name: '../../escape', members: [{ name: '../../escape.txt', type: 'file', data: 'pwned' }] },
  { name: 'an absolute path', members: [{ name: '/tmp/ripcord-abs-escape.txt', type: 'file', data: 'pwned' }] },
  {
    name: 'a symlink to /tmp followed by a file written through it',
    members: [
      { name: 'link', type: 'symlink', linkname: '/tmp' },
      { name: 'link/ripcord-through-link.txt', type: 'file', data: 'pwned' },
    ],
  },
  {
    name: 'a relative symlink out of the target and a file through it',
    members: [
      { name: 'up', type: 'symlink', linkname: '../..' },
      { name: 'up/ripcord-through-up.txt', type: 'file', data: 'pwned' },
    ],
  },
  {
    name: 'a file and then an entry under that file',
    members: [
      { name: 'x', type: 'file', data: 'a file' },
      { name: 'x/y', type: 'file', data: 'under a file' },
    ],
  },
  {
    name: 'a hardlink to a file outside',
    members: [{ name: 'passwd', type: 'hardlink', linkname: '/etc/passwd' }],
    manifestLies: true,
  },
  { name: 'a FIFO', members: [{ name: 'pipe', type: 'fifo' }], manifestLies: true },
  { name: 'a character device', members: [{ name: 'null', type: 'chardev' }], manifestLies: true },
  {
    name: 'an archive that does not match its manifest (the manifest claims a harmless file)',
    members: [{ name: '../sneaky.txt', type: 'file', data: 'pwned' }],
    manifestLies: true,
  },
];

for (const hostile of HOSTILE) {
  test(`restore refuses a hostile archive with ${hostile.name}: nothing outside the target, target unchanged`, async () => {
    const s = await setup();
    try {
      const home = await gnupgHome(s.dir);
      const tarGz = await pythonTarGz(hostile.members);
      // An honest manifest of hostile content, or (manifestLies) a harmless-looking one.
      const manifest = hostile.manifestLies
        ? manifestFor(hostile.members.map((m) => ({ name: 'harmless.txt', type: 'file', data: m.data ?? '' })))
        : manifestFor(hostile.members);
      const id = await writeHandmadeSnapshot({
        repo: s.repo,
        tarGz,
        manifest,
        roots: ['.'],
        passphrase: PASSPHRASE,
        gnupgHome: home,
      });
      const target = path.join(s.dir, 'a', 'b', 'target');
      await fs.mkdir(target, { recursive: true });
      await fs.writeFile(path.join(target, 'precious.txt'), 'keep me');
      const outsideBefore = await readTree(s.dir);
      const tmpBefore = new Set(await fs.readdir('/tmp'));
      const run = await restoreInto(s, id, target);
      assert.is(run.code, 1, `restore accepted ${hostile.name}: ${run.stdout}`);
      assert.is(lines(run.stderr).length, 1, run.stderr);
      assert.match(run.stderr, new RegExp(id.replace('.', '\\.')));
      const tmpNew = [...(await fs.readdir('/tmp'))].filter(
        (n) => !tmpBefore.has(n) && n.startsWith('ripcord-') && /escape|through/.test(n),
      );
      assert.equal(tmpNew, [], 'nothing written to /tmp');
      const after = await readTree(s.dir);
      // the repository may have grown (nothing else may change)
      const strip = (tree: Map<string, unknown>) => new Map([...tree].filter(([p]) => !p.startsWith('repo')));
      assert.equal(strip(after), strip(outsideBefore));
      await assert.not.ok(await fs.stat(path.join(s.dir, 'a', 'escape.txt')).catch(() => undefined));
    } finally {
      await removeDir(s.dir);
    }
  });
}

test('a restore into a target another live restore is writing to fails with one line naming the holder, target untouched', () =>
  inSetup(async (s) => {
    await fs.mkdir(path.join(s.source, 'config'));
    await fs.writeFile(path.join(s.source, 'config/a.txt'), 'a');
    const id = await backup(s.repo, s.source, ['config']);
    const target = path.join(s.dir, 'target');
    await fs.mkdir(target);
    // the lock a running restore holds (this test process is alive, so its pid is too)
    const { createHash } = await import('node:crypto');
    const { privateFolder } = await import('../../src/ops/private-folder.ts');
    const name = `restore-${createHash('sha256').update(target).digest('hex').slice(0, 16)}`;
    const lockFile = path.join(await privateFolder(), 'locks', name, '20261122T000000.000Z-beef.json');
    await fs.mkdir(path.dirname(lockFile), { recursive: true });
    await fs.writeFile(
      lockFile,
      JSON.stringify({
        operation: `restore into ${target}`,
        host: 'here',
        pid: process.pid,
        acquired: new Date().toISOString(),
        expires: new Date(Date.now() + 600_000).toISOString(),
      }),
    );
    try {
      const run = await restoreInto(s, id, target);
      assert.is(run.code, 1);
      assert.is(lines(run.stderr).length, 1, run.stderr);
      assert.match(
        run.stderr,
        new RegExp(`${name} is locked .*restore into .*target by here \\(pid ${process.pid}\\)`),
      );
      assert.equal(await fs.readdir(target), []);
    } finally {
      await fs.rm(lockFile, { force: true });
    }
    const ok = await restoreInto(s, id, target);
    assert.is(ok.code, 0, ok.stderr);
  }));

for (const umask of ['077', '000']) {
  test(`restore under umask ${umask} gives every file and folder its snapshot mode and time (files are made with their mode, not chmod-ed after)`, async () => {
    const s = await setup();
    try {
      const modes: Record<string, number> = {
        'a.txt': 0o644,
        'run.sh': 0o755,
        'secret.env': 0o600,
        'frozen.txt': 0o444,
        'group.conf': 0o640,
        'open.txt': 0o666,
        'all.sh': 0o777,
        'none.txt': 0o000,
      };
      await fs.mkdir(path.join(s.source, 'tree/private'), { recursive: true });
      const when = new Date('2024-03-01T12:34:56Z');
      for (const [name, mode] of Object.entries(modes)) {
        const file = path.join(s.source, 'tree', name);
        await fs.writeFile(file, `${name}\n`);
        await fs.chmod(file, mode);
        await fs.utimes(file, when, when);
      }
      await fs.chmod(path.join(s.source, 'tree/private'), 0o700);
      const id = await backup(s.repo, s.source, ['tree']);
      const target = path.join(s.dir, 'target');
      const quoted = ['restore', id, '--repo', s.repo, '--target', target, '--yes', '-q']
        .map((a) => `'${a}'`)
        .join(' ');
      const run = await runCommand('sh', ['-c', `umask ${umask} && exec '${process.execPath}' '${CLI}' ${quoted}`], {
        env,
      });
      assert.is(run.code, 0, run.stderr);
      assert.equal(await diffTrees(s.source, target), []);
      for (const name of Object.keys(modes)) {
        const stats = await fs.lstat(path.join(target, 'tree', name));
        assert.is(stats.mtimeMs, when.getTime(), `mtime of ${name}`);
      }
    } finally {
      await removeDir(s.dir);
    }
  });
}

test('answering n at the restore prompt (a real terminal, through script(1)) exits 0, says nothing was changed, and changes nothing', () =>
  inSetup(async (s) => {
    const id = await backupConfig(s, 'port: 8080\n');
    await fs.writeFile(path.join(s.source, 'config/app.yaml'), 'port: 9090\n');
    const before = await readTree(s.source);
    const terminalEnv = cleanEnv(env);
    delete terminalEnv.CI; // the prompt is only offered outside CI
    const command = [process.execPath, CLI, 'restore', id, '--repo', s.repo, '--target', s.source]
      .map(shellQuote)
      .join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: terminalEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    const asked = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('[y/N]')) resolve();
      });
    });
    const code = new Promise<number | null>((resolve) => child.on('close', resolve));
    await Promise.race([asked, code]);
    child.stdin.end('n\n');
    assert.is(await code, 0, output);
    assert.match(output, /Apply this change to .*\? \[y\/N\]/);
    assert.match(output, /nothing was changed/);
    assert.equal(await readTree(s.source), before);
    await assertNoPreRestoreSnapshot(s, id);
  }));

test.run();
