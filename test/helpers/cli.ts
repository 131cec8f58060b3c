/**
 * Run the CLI on real files with a real environment: in this process through `main(argv, io)`
 * (the fast way, and the default), or as a child process running the bundle exactly as a user
 * would (`ripcordProcess`), for what only a process shows: exit codes set by the entry, signals,
 * stdin, another user, the bundle itself. RIPCORD_TEST_CLI=process runs every call as a process.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';
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
  /** the CLI's clock (main's io.now): only for a run in this process */
  now?: () => Date;
}

/** Every call as a child process, as before the in-process tier (RIPCORD_TEST_CLI=process). */
const ALWAYS_A_PROCESS = process.env.RIPCORD_TEST_CLI === 'process';

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
    // a command that exits before it reads its input (or is killed) closes the pipe: not this helper's failure
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    outputOf(child).then(resolve, reject);
  });
}

/** A child's exit code (-1 when a signal ended it) and all it wrote to stdout and stderr, as text. */
export function outputOf(child: ChildProcessByStdio<Writable | null, Readable, Readable>): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
    );
  });
}

/**
 * The CLI on `args`: in this process unless the call needs a process of its own (another
 * user, a TMPDIR of its own) or RIPCORD_TEST_CLI=process asks for one. Same environment rules as the
 * process (cleanEnv), same working folder default, stdout and stderr kept as text.
 */
export function ripcord(args: string[], options: RunOptions = {}): Promise<RunResult> {
  // TMPDIR is read from the process's own environment (os.tmpdir), and the private folder under
  // it is claimed once per process: a call with a TMPDIR of its own needs a process of its own.
  const needsProcess = options.uid !== undefined || options.env?.TMPDIR !== undefined;
  if (ALWAYS_A_PROCESS || needsProcess) {
    if (options.now) throw new Error('a clock of its own (now) needs the CLI in this process');
    return ripcordProcess(args, options);
  }
  return ripcordInProcess(args, options);
}

/** The installed command as a child process: the bundle, its entry's exit code, real pipes. */
export function ripcordProcess(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return runCommand(process.execPath, [CLI, ...args], options);
}

/** `main(argv, io)` from the source, in this process, with its output kept. */
export async function ripcordInProcess(args: string[], options: RunOptions = {}): Promise<RunResult> {
  const { main } = await import('../../src/cli/main.ts');
  const stdout = new TextSink();
  const stderr = new TextSink();
  const io = {
    env: cleanEnv(options.env),
    cwd: options.cwd ?? PROJECT_ROOT,
    stdin: Readable.from([Buffer.from(options.input ?? '')]),
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    ...(options.now ? { now: options.now } : {}),
  };
  const code = await main(args, io);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** A stream that keeps what is written to it; not a terminal, as a pipe to a child is not. */
class TextSink extends Writable {
  readonly isTTY = false;
  private readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString();
  }
}
