/** Run the bundled CLI exactly as a user would: a child process, real env, real files. */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(PROJECT_ROOT, 'dist/cli.cjs');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  /** run as another user (uid) through setpriv, for permission tests as root */
  uid?: number;
}

/** Environment without any RIPCORD_* or GITHUB_* variable of the developer's shell. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('RIPCORD_') && !k.startsWith('GITHUB_') && !k.startsWith('INPUT_')) env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export function runCommand(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const [file, argv] =
      options.uid === undefined
        ? [command, args]
        : ['setpriv', [`--reuid=${options.uid}`, `--regid=${options.uid}`, '--clear-groups', command, ...args]];
    const child = spawn(file, argv, {
      cwd: options.cwd ?? PROJECT_ROOT,
      env: cleanEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
    );
    // a command that exits before it reads its input (or is killed) closes the pipe: not this helper's failure
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

export function ripcord(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return runCommand(process.execPath, [CLI, ...args], options);
}
