/**
 * Stopping a backup half-way, as a user does: a real child process running the bundled CLI,
 * a real SIGINT (Ctrl-C) or SIGTERM, sent once the archive upload is under way.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI, cleanEnv, ripcord } from '../helpers/cli.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const env = { RIPCORD_PASSPHRASE: 'interrupt tests' };

async function filesUnder(dir: string): Promise<string[]> {
  const names = (await fs.readdir(dir, { recursive: true }).catch(() => [] as string[])) as string[];
  return names.sort();
}

/** Start a backup, wait until its archive is being written, send `signal`; what it exits with and prints. */
async function interruptedBackup(
  cwd: string,
  repo: string,
  signal: 'SIGINT' | 'SIGTERM',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'backup', '--repo', repo, '--compression-level', '9', 'data'], {
    cwd,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const names = await filesUnder(repo);
    const partial = names.find((name) => /archive\.tar\.gz\.pgp\.partial-/.test(name));
    if (partial && (await fs.stat(path.join(repo, partial)).catch(() => undefined))?.size) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`the backup never got under way (exit ${child.exitCode}): ${stderr}`);
    }
    await sleep(10);
  }
  child.kill(signal);
  return { code: await closed, stdout, stderr };
}

test('Ctrl-C (SIGINT) or SIGTERM during a backup: one line, exit 130 or 143, the partial upload and its folder removed, an audit record of the interrupted backup', async () => {
  const dir = await tempDir();
  try {
    const data = path.join(dir, 'data');
    await fs.mkdir(data);
    await fs.writeFile(path.join(data, 'small.txt'), 'hello\n');
    const first = await ripcord(['backup', '--repo', 'repo', '-q', 'data'], { cwd: dir, env });
    assert.is(first.code, 0, first.stderr);
    // base64 of random bytes compresses, slowly at level 9: the backup takes seconds
    const handle = await fs.open(path.join(data, 'big.txt'), 'w');
    for (let i = 0; i < 128; i++) await handle.write(randomBytes(768 * 1024).toString('base64'));
    await handle.close();
    const repo = path.join(dir, 'repo');
    const before = (await filesUnder(repo)).filter((name) => !name.startsWith('audit'));

    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const run = await interruptedBackup(dir, repo, signal);
      assert.is(run.code, code, run.stderr);
      const lines = run.stderr.trim().split('\n');
      assert.is(lines.length, 1, run.stderr);
      assert.is(lines[0], `ripcord: backup interrupted; nothing was saved (${signal})`);
      assert.is(run.stdout, '');
      assert.equal(
        (await filesUnder(repo)).filter((name) => !name.startsWith('audit')),
        before,
        `${signal}: the repository holds what it held before`,
      );
    }

    const audit = await ripcord(['audit', '--repo', 'repo', '--json'], { cwd: dir, env });
    assert.is(audit.code, 0, audit.stderr);
    const records = JSON.parse(audit.stdout) as {
      operation: string;
      result: string;
      exitCode: number;
      error?: string;
    }[];
    const interrupted = records.filter((r) => r.operation === 'backup' && r.result === 'failure');
    assert.equal(interrupted.map((r) => r.exitCode).sort(), [130, 143]);
    for (const record of interrupted)
      assert.match(record.error ?? '', /^backup interrupted; nothing was saved \(SIG(INT|TERM)\)$/);
  } finally {
    await removeDir(dir);
  }
});

test.run();
