/**
 * Captured deployment state: what is not a file (a database dump, `kubectl get -o yaml`,
 * a crontab) is captured by a command's stdout into `.ripcord-captured/NAME` in the
 * archive, and given back on stdin to a restore command. Output is spooled to files in a
 * private scratch folder (see private-folder.ts: one a killed backup leaves behind is removed
 * by the next command), never held in memory.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import { RipcordError, UsageError } from '../domain/errors.ts';
import { commandEnvironment } from './command-env.ts';
import { makeScratchFolder } from './private-folder.ts';

export const CAPTURED_DIR = '.ripcord-captured';

/** What a capture may be called (and so the only files under CAPTURED_DIR). */
export const CAPTURE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface CaptureCommand {
  name: string;
  /** a shell command line, run with sh -c */
  command: string;
}

/** Parse NAME=command (as given to --capture and --restore-capture). */
export function parseCaptureSpec(spec: string, flag: string): CaptureCommand {
  const eq = spec.indexOf('=');
  const name = eq > 0 ? spec.slice(0, eq) : '';
  const command = eq > 0 ? spec.slice(eq + 1).trim() : '';
  if (!CAPTURE_NAME.test(name) || command === '') {
    throw new UsageError(
      `${flag} ${JSON.stringify(spec)}: write it as NAME='command' (NAME of letters, digits, ".", "_" or "-")`,
    );
  }
  return { name, command };
}

export interface ShellOptions {
  cwd: string;
  /** default: this process's environment */
  env?: NodeJS.ProcessEnv | undefined;
}

/** Last lines of a command's stderr, for one-line messages. */
function tail(text: string, lines = 3): string {
  return text.trim().split('\n').slice(-lines).join(' | ').slice(0, 400);
}

/** Run every capture, spooling stdout into files named after the captures in a new private folder. */
export async function runCaptures(
  captures: readonly CaptureCommand[],
  options: ShellOptions,
): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const { spawn } = await childProcess();
  const { dir, remove: cleanup } = await makeScratchFolder('capture');
  try {
    const seen = new Set<string>();
    for (const capture of captures) {
      if (seen.has(capture.name)) throw new UsageError(`--capture ${capture.name} is given twice`);
      seen.add(capture.name);
      const out = createWriteStream(path.join(dir, capture.name), { mode: 0o600 });
      await once(out, 'open');
      const child = spawn('sh', ['-c', capture.command], {
        cwd: options.cwd,
        env: commandEnvironment(options.env),
        stdio: ['ignore', out, 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
      const [code, signal] = (await once(child, 'close')) as [number | null, string | null];
      out.close();
      if (code !== 0) {
        throw new RipcordError(
          `capture ${capture.name} failed: \`${capture.command}\` ${signal ? `was killed by ${signal}` : `exited with ${code}`}${stderr.trim() ? `: ${tail(stderr)}` : ''}`,
        );
      }
    }
    return { dir, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Feed a captured file to its restore command on stdin. */
export async function runRestoreCapture(
  capture: CaptureCommand,
  content: string,
  options: ShellOptions,
): Promise<void> {
  const { spawn } = await childProcess();
  const child = spawn('sh', ['-c', capture.command], {
    cwd: options.cwd,
    env: commandEnvironment(options.env),
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const input = createReadStream(content);
  input.pipe(child.stdin);
  child.stdin.on('error', () => {}); // a command that does not read its input is judged by its exit code
  const [code, signal] = (await once(child, 'close')) as [number | null, string | null];
  if (code !== 0) {
    throw new RipcordError(
      `restoring captured ${capture.name} failed: \`${capture.command}\` ${signal ? `was killed by ${signal}` : `exited with ${code}`}${stderr.trim() ? `: ${tail(stderr)}` : ''}`,
    );
  }
}

/**
 * node:child_process, loaded when a capture runs, not with the module: it costs every command
 * that runs none (dump, ls, restore) about 6 ms of start-up on Node 20.
 */
function childProcess(): Promise<typeof import('node:child_process')> {
  return import('node:child_process');
}
