/**
 * No plaintext outlives a command, even one killed with SIGKILL: real CLI processes are
 * killed in the middle of dump, ls and a backup's capture, and the disk is searched for
 * what they had decrypted or captured. Each command gets a TMPDIR of its own, so that the
 * search covers every temporary file it could have made and nothing of any other run.
 *
 * The kills need no sleeping: dump and ls are killed when their first output arrives (the
 * whole file, or the whole manifest, has been decrypted by then, and the output is far
 * larger than a pipe holds, so they cannot have finished); the capture command tells the
 * test through a fifo that it has written its output, and then waits on another fifo.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI, cleanEnv, runCommand, ripcord } from '../helpers/cli.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const PASSPHRASE = 'plaintext tests';

/** Every file (not folder) below `dir`, with its content. */
async function filesBelow(dir: string): Promise<{ file: string; content: Buffer }[]> {
  const found: { file: string; content: Buffer }[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isDirectory()) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    found.push({ file, content: await fs.readFile(file).catch(() => Buffer.alloc(0)) });
  }
  return found;
}

/** Start the CLI and SIGKILL it as soon as its first output arrives. */
async function killAtFirstOutput(
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdout.once('data', () => {
    child.kill('SIGKILL');
    child.stdout.pause();
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, s) => resolve(s)));
  return { signal, stderr: Buffer.concat(stderr).toString() };
}

async function setup(): Promise<{
  dir: string;
  tmp: string;
  source: string;
  repo: string;
  env: Record<string, string>;
}> {
  const dir = await tempDir();
  const tmp = path.join(dir, 'tmp');
  await fs.mkdir(tmp);
  const source = path.join(dir, 'source');
  await fs.mkdir(source);
  return { dir, tmp, source, repo: path.join(dir, 'repo'), env: { RIPCORD_PASSPHRASE: PASSPHRASE, TMPDIR: tmp } };
}

test('dump killed with SIGKILL while it writes the file out leaves none of its content on disk', async () => {
  const s = await setup();
  try {
    const needle = `secret-${randomBytes(8).toString('hex')}`;
    // 4 MiB: the first chunk that reaches stdout comes only after the whole file was decrypted and authenticated
    await fs.writeFile(
      path.join(s.source, 'big.env'),
      Buffer.concat(Array.from({ length: 4096 }, () => Buffer.from(`${needle}\n`.padEnd(1024, '.')))),
    );
    const backup = await ripcord(['backup', '--repo', s.repo, '-q', 'big.env'], { cwd: s.source, env: s.env });
    assert.is(backup.code, 0, backup.stderr);
    const killed = await killAtFirstOutput(['dump', '--repo', s.repo, 'latest', 'big.env'], { cwd: s.dir, env: s.env });
    assert.is(killed.signal, 'SIGKILL', `dump was not killed in the middle: ${killed.stderr}`);
    const left = await filesBelow(s.tmp);
    assert.equal(
      left.filter((f) => f.content.includes(needle)).map((f) => f.file),
      [],
      'decrypted content left on disk',
    );
    assert.equal(
      left.map((f) => f.file),
      [],
      'no file is left in TMPDIR at all',
    );
  } finally {
    await removeDir(s.dir);
  }
});

test('ls killed with SIGKILL while it prints leaves no decrypted manifest on disk', async () => {
  const s = await setup();
  try {
    const marker = `name-${randomBytes(8).toString('hex')}`;
    // about 1 MB of listing, far more than a pipe holds: ls cannot finish before the kill
    await fs.mkdir(path.join(s.source, 'many'));
    for (let i = 0; i < 4000; i++)
      await fs.writeFile(path.join(s.source, 'many', `${marker}-${String(i).padStart(5, '0')}-${'x'.repeat(180)}`), '');
    const backup = await ripcord(['backup', '--repo', s.repo, '-q', 'many'], { cwd: s.source, env: s.env });
    assert.is(backup.code, 0, backup.stderr);
    const killed = await killAtFirstOutput(['ls', '--repo', s.repo, 'latest'], { cwd: s.dir, env: s.env });
    assert.is(killed.signal, 'SIGKILL', `ls was not killed in the middle: ${killed.stderr}`);
    const left = await filesBelow(s.tmp);
    assert.equal(
      left.filter((f) => f.content.includes(marker)).map((f) => f.file),
      [],
      'a decrypted manifest left on disk',
    );
    assert.equal(
      left.map((f) => f.file),
      [],
      'no file is left in TMPDIR at all',
    );
  } finally {
    await removeDir(s.dir);
  }
});

test("captured output a backup killed with SIGKILL left behind is removed by this user's next command", async () => {
  const s = await setup();
  try {
    const needle = `captured-${randomBytes(8).toString('hex')}`;
    await fs.writeFile(path.join(s.source, 'a.txt'), 'a\n');
    const ready = path.join(s.dir, 'ready.fifo');
    const hold = path.join(s.dir, 'hold.fifo');
    for (const fifo of [ready, hold]) assert.is((await runCommand('mkfifo', [fifo])).code, 0);
    const capture = `db=printf %s ${needle}; echo ready > '${ready}'; cat '${hold}' > /dev/null`;
    const child = spawn(process.execPath, [CLI, 'backup', '--repo', s.repo, '-q', '--capture', capture, 'a.txt'], {
      cwd: s.source,
      env: cleanEnv(s.env),
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('close', (_code, signal) => resolve(signal)),
    );
    assert.is((await fs.readFile(ready, 'utf8')).trim(), 'ready', 'the capture has written its output');
    child.kill('SIGKILL');
    assert.is(await exited, 'SIGKILL');
    await fs.writeFile(hold, 'go\n'); // let the orphaned capture command end
    const before = await filesBelow(s.tmp);
    assert.ok(
      before.some((f) => f.content.includes(needle)),
      'the killed backup left its captured output (if not, this test proves nothing)',
    );
    const next = await ripcord(['backup', '--repo', s.repo, '-q', '--capture', 'other=echo fine', 'a.txt'], {
      cwd: s.source,
      env: s.env,
    });
    assert.is(next.code, 0, next.stderr);
    const after = await filesBelow(s.tmp);
    assert.equal(
      after.filter((f) => f.content.includes(needle)).map((f) => f.file),
      [],
      'captured output left on disk',
    );
  } finally {
    await removeDir(s.dir);
  }
});

test.run();
