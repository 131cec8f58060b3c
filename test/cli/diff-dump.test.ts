/** diff and dump through the bundled CLI. */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI, cleanEnv, ripcord } from '../helpers/cli.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const env = { RIPCORD_PASSPHRASE: 'diff dump' };

/** stdout as raw bytes (binary content must survive unchanged). */
function ripcordBytes(args: string[]): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(env) });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (err += c));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: err }));
  });
}

test('dump writes one file byte for byte; a missing path or a directory is one clear line', async () => {
  const dir = await tempDir();
  try {
    const blob = randomBytes(3 << 20);
    await fs.mkdir(path.join(dir, 'src/sub'), { recursive: true });
    await fs.writeFile(path.join(dir, 'src/sub/blob.bin'), blob);
    const repo = path.join(dir, 'repo');
    const id = (await ripcord(['backup', '--repo', repo, '-q', 'src'], { cwd: dir, env })).stdout.trim();
    const dumped = await ripcordBytes(['dump', '--repo', repo, id, 'src/sub/blob.bin']);
    assert.is(dumped.code, 0, dumped.stderr);
    assert.ok(Buffer.compare(dumped.stdout, blob) === 0, 'identical bytes');
    const missing = await ripcord(['dump', '--repo', repo, id, 'src/nope'], { env });
    assert.is(missing.code, 1);
    assert.match(missing.stderr.trim(), /^ripcord: snapshot \S+ has no file src\/nope \(see ripcord ls/);
    const directory = await ripcord(['dump', '--repo', repo, id, 'src/sub'], { env });
    assert.is(directory.code, 2);
    assert.match(directory.stderr, /src\/sub .* is a directory, not a file/);
  } finally {
    await removeDir(dir);
  }
});

test('dump reads only what holds the file, releases it only when it is what the authenticated manifest lists, and nothing of it when its bytes were changed', async () => {
  const dir = await tempDir();
  try {
    const secret = randomBytes(30_000).toString('hex');
    await fs.writeFile(path.join(dir, 'a.txt'), secret);
    await fs.writeFile(path.join(dir, 'b.bin'), randomBytes(3 << 20));
    const repo = path.join(dir, 'repo');
    const id = (await ripcord(['backup', '--repo', repo, '-q', 'a.txt', 'b.bin'], { cwd: dir, env })).stdout.trim();
    const archive = path.join(repo, id, 'archive.tar.gz.pgp');
    const original = await fs.readFile(archive);

    // The integrity code at the end broken: a whole read fails, but every byte of a.txt is
    // still the one the manifest's SHA-256 vouches for, so dump releases it, checked.
    const endBroken = Buffer.from(original);
    endBroken[endBroken.length - 5]! ^= 0xff;
    await fs.writeFile(archive, endBroken);
    const dumped = await ripcordBytes(['dump', '--repo', repo, id, 'a.txt']);
    assert.is(dumped.code, 0, dumped.stderr);
    assert.is(dumped.stdout.toString(), secret);
    const verified = await ripcord(['verify', '--read-data', '--repo', repo, id], { env });
    assert.is.not(verified.code, 0, 'the whole read still finds the damage');

    // a byte inside what holds a.txt changed: not one byte released
    const broken = Buffer.from(original);
    broken[2000]! ^= 0x01;
    await fs.writeFile(archive, broken);
    const refused = await ripcordBytes(['dump', '--repo', repo, id, 'a.txt']);
    assert.is(refused.code, 1, refused.stderr);
    assert.is(refused.stdout.length, 0, 'not one byte was released');
    assert.match(refused.stderr, new RegExp(`snapshot ${id}: archive\\.tar\\.gz\\.pgp is damaged`));
  } finally {
    await removeDir(dir);
  }
});

test('diff between two snapshots lists added, removed and changed files from the manifests', async () => {
  const dir = await tempDir();
  try {
    const repo = path.join(dir, 'repo');
    await fs.mkdir(path.join(dir, 'c'));
    for (const [name, content] of [
      ['keep', 'k'],
      ['change', 'v1'],
      ['remove', 'r'],
      ['chmod', 'x'],
    ])
      await fs.writeFile(path.join(dir, 'c', name!), content!);
    const first = (await ripcord(['backup', '--repo', repo, '-q', 'c'], { cwd: dir, env })).stdout.trim();
    await fs.writeFile(path.join(dir, 'c/change'), 'v2');
    await fs.rm(path.join(dir, 'c/remove'));
    await fs.writeFile(path.join(dir, 'c/add'), 'a');
    await fs.chmod(path.join(dir, 'c/chmod'), 0o600);
    const second = (await ripcord(['backup', '--repo', repo, '-q', 'c'], { cwd: dir, env })).stdout.trim();
    const run = await ripcord(['diff', '--repo', repo, first, second], { env });
    assert.is(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim().split('\n'), [
      '+ c/add',
      '~ c/change  (content)',
      '~ c/chmod  (mode 0644 -> 0600)',
      '- c/remove',
      `1 added, 1 removed, 2 changed (${first} -> ${second})`,
    ]);
    // and against the folder on disk: the second snapshot matches it exactly
    const folder = await ripcord(['diff', '--repo', repo, '--json', second, '--target', dir], { env });
    assert.is(folder.code, 0, folder.stderr);
    assert.equal(JSON.parse(folder.stdout).counts, { added: 0, removed: 0, changed: 0 });
    await fs.writeFile(path.join(dir, 'c/late'), 'l');
    const drift = JSON.parse(
      (await ripcord(['diff', '--repo', repo, '--json', second, '--target', dir], { env })).stdout,
    );
    assert.equal(drift.lines, [{ path: 'c/late', change: 'added' }]);
  } finally {
    await removeDir(dir);
  }
});

test('diff latest . compares with that folder; right after a backup of the working directory it lists nothing, .git and node_modules included', async () => {
  const dir = await tempDir();
  try {
    const work = path.join(dir, 'work');
    for (const folder of ['config', '.git/objects', 'node_modules/zx'])
      await fs.mkdir(path.join(work, folder), { recursive: true });
    await fs.writeFile(path.join(work, 'config/app.yaml'), 'replicas: 2\n');
    await fs.writeFile(path.join(work, '.git/HEAD'), 'ref: refs/heads/main\n');
    await fs.writeFile(path.join(work, 'node_modules/zx/index.js'), '// zx\n');
    const backup = await ripcord(['backup', '-q'], { cwd: work, env });
    assert.is(backup.code, 0, backup.stderr);
    for (const args of [
      ['diff', 'latest'],
      ['diff', 'latest', '.'],
    ]) {
      const run = await ripcord(args, { cwd: work, env });
      assert.is(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
      assert.is(run.stdout.trim().split('\n').length, 1, `${args.join(' ')}: ${run.stdout}`);
      assert.match(run.stdout, /^0 added, 0 removed, 0 changed /);
    }
    await fs.writeFile(path.join(work, 'config/app.yaml'), 'replicas: 3\n');
    const changed = await ripcord(['diff', 'latest', 'config/..'], { cwd: work, env });
    assert.match(changed.stdout, /^~ config\/app\.yaml/m);
  } finally {
    await removeDir(dir);
  }
});

test('ls, show and dump into a pipe that closes early (| head) exit 0 without a word on stderr', async () => {
  const dir = await tempDir();
  try {
    await fs.mkdir(path.join(dir, 'src'));
    for (let i = 0; i < 3000; i++) await fs.writeFile(path.join(dir, 'src', `file-${i}.yaml`), `key: ${i}\n`);
    await fs.writeFile(path.join(dir, 'src/big.bin'), randomBytes(2 << 20));
    const repo = path.join(dir, 'repo');
    const id = (await ripcord(['backup', '--repo', repo, '-q', 'src'], { cwd: dir, env })).stdout.trim();
    for (const args of [
      ['ls', id],
      ['show', id],
      ['dump', id, 'src/big.bin'],
    ]) {
      // the reader takes the first chunk and closes its end, as head does; ls prints far more than a pipe holds
      const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args, '--repo', repo], { env: cleanEnv(env) });
        let err = '';
        child.stdout.once('data', () => child.stdout.destroy());
        child.stderr.on('data', (c: Buffer) => (err += c));
        child.on('close', (code) => resolve({ code, stderr: err }));
      });
      assert.is(run.stderr, '', `${args[0]}: ${run.stderr}`);
      assert.is(run.code, 0, `${args.join(' ')}`);
    }
  } finally {
    await removeDir(dir);
  }
});

test('a flipped byte at the start of the archive, or at the start or in the middle of the manifest, is reported as damage (its checksum), not as a wrong passphrase or a malformed manifest, by ls, diff and restore; dump reads the archive by the key in its manifest', async () => {
  const dir = await tempDir();
  try {
    await fs.writeFile(path.join(dir, 'a.txt'), 'content\n');
    const repo = path.join(dir, 'repo');
    const id = (await ripcord(['backup', '--repo', repo, '-q', 'a.txt'], { cwd: dir, env })).stdout.trim();
    const target = path.join(dir, 'target');
    await fs.mkdir(target);
    const commands: Record<string, string[][]> = {
      'archive.tar.gz.pgp': [['restore', id, '--target', target, '--yes']],
      'manifest.json.pgp': [
        ['ls', id],
        ['diff', id, '--target', target],
        ['restore', id, '--target', target, '--yes'],
      ],
    };
    for (const [object, runs] of Object.entries(commands)) {
      const file = path.join(repo, id, object);
      const original = await fs.readFile(file);
      // Offset 8 is in the salt of the session-key packet: the passphrase would derive another
      // key. The middle of the manifest is in its encrypted data: it decrypts to garbage that
      // fails to inflate or parse before the MDC is reached.
      const offsets = object === 'manifest.json.pgp' ? [8, original.length >> 1] : [8];
      for (const [offset, args] of offsets.flatMap((o) => runs.map((r) => [o, r] as const))) {
        const damaged = Buffer.from(original);
        damaged[offset]! ^= 0x01;
        await fs.writeFile(file, damaged);
        const run = await ripcord([...args.slice(0, 1), '--repo', repo, ...args.slice(1)], { env });
        const what = `${args[0]} with ${object} damaged at ${offset}`;
        assert.is(run.code, 1, `${what}: ${run.stderr}`);
        if (args[0] !== 'restore') assert.is(run.stdout, '', what); // restore prints its plan before it reads the archive
        const lines = run.stderr.trim().split('\n');
        assert.is(lines.length, 1, `${what}: ${run.stderr}`);
        assert.match(
          lines[0]!,
          new RegExp(`snapshot ${id}: ${object.replace(/\./g, '\\.')} is damaged: it does not match its checksum`),
          what,
        );
        assert.not.match(lines[0]!, /passphrase/, what);
      }
      if (object === 'archive.tar.gz.pgp') {
        // the file's bytes are intact and checked against the manifest's SHA-256; the archive's
        // own session-key packet is not needed (the manifest gives the key), so dump prints it
        const damaged = Buffer.from(original);
        damaged[8]! ^= 0x01;
        await fs.writeFile(file, damaged);
        const dump = await ripcord(['dump', '--repo', repo, id, 'a.txt'], { env });
        assert.is(dump.code, 0, dump.stderr);
        assert.is(dump.stdout, 'content\n');
      }
      await fs.writeFile(file, original);
    }
    assert.equal(await fs.readdir(target), [], 'nothing restored');
  } finally {
    await removeDir(dir);
  }
});

test.run();
