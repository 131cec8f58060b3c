/**
 * A second local user for tests about what one user can do to another: made with useradd
 * and removed afterwards. Needs root (the tests run as root here and in CI); without it
 * the caller skips with a printed reason.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { CLI, runCommand } from './cli.ts';
import type { RunOptions, RunResult } from './cli.ts';

const exec = promisify(execFile);

export interface LocalUser {
  name: string;
  uid: number;
  gid: number;
  /** run a command as this user (runuser keeps the environment given, but sets HOME and USER) */
  run(command: string, args: string[], options?: Omit<RunOptions, 'uid'>): Promise<RunResult>;
  /** run the bundled CLI as this user */
  ripcord(args: string[], options?: Omit<RunOptions, 'uid'>): Promise<RunResult>;
}

/** Why tests with a second user cannot run here, or undefined when they can. */
export function secondUserUnavailable(): string | undefined {
  return process.getuid?.() === 0 ? undefined : 'needs root to add a second local user with useradd';
}

/** Run `work` with a new local user, removed afterwards whatever happens. */
export async function withLocalUser<T>(work: (user: LocalUser) => Promise<T>): Promise<T> {
  const name = `rc-${randomBytes(5).toString('hex')}`;
  await exec('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', name]);
  try {
    const uid = Number((await exec('id', ['-u', name])).stdout.trim());
    const gid = Number((await exec('id', ['-g', name])).stdout.trim());
    const run = (command: string, args: string[], options: Omit<RunOptions, 'uid'> = {}) =>
      runCommand('runuser', ['-u', name, '--', command, ...args], options);
    return await work({
      name,
      uid,
      gid,
      run,
      ripcord: (args, options) => run(process.execPath, [CLI, ...args], options),
    });
  } finally {
    await exec('userdel', [name]);
  }
}
