// @ts-check
// Runs commands, measured or not. A measured command runs under GNU time, which waits for it
// and reports the rusage of the whole process tree it waited for: CPU (user + sys) summed over
// every process, peak RSS of the largest single process (Linux ru_maxrss semantics).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { tmpdir } from 'node:os';

export const GNU_TIME = '/usr/bin/time';
const KEEP = 64 << 10; // last bytes of stdout/stderr kept for error messages

export class BenchError extends Error {}

/**
 * A command: an argv, or a bash line run with pipefail; `cwd` where a step needs its own.
 * @typedef {({ argv: string[], shell?: undefined } | { shell: string, argv?: undefined }) & { cwd?: string, expectCode?: number }} Command
 */
/** @typedef {{ cwd?: string | undefined, env?: NodeJS.ProcessEnv | undefined, allowFailure?: boolean, input?: string }} RunOptions */
/** @typedef {{ code: number, signal: NodeJS.Signals | null, stdout: string, stderr: string }} RunResult */
/**
 * @typedef {{ wallS: number, userS: number, sysS: number, cpuS: number, peakRssMiB: number,
 *   otherCpuS: number | null, stealS: number | null, stdout: string, stderr: string }} Measurement
 */

/**
 * Run argv (or `bash -o pipefail -c shell`) to completion. Rejects on a non-zero exit with the
 * tail of its stderr, unless allowFailure.
 * @param {Command} cmd @param {RunOptions} [options] @returns {Promise<RunResult>}
 */
export function run(cmd, { cwd, env, allowFailure = false, input } = {}) {
  const [program = '', ...args] = commandArgv(cmd);
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd, env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout = (stdout + d).slice(-KEEP)));
    child.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-KEEP)));
    if (input !== undefined) child.stdin?.end(input);
    child.on('error', (error) => reject(new BenchError(`cannot start ${program}: ${error.message}`)));
    child.on('close', (code, signal) => {
      const result = { code: code ?? 128, signal, stdout, stderr };
      if ((code !== 0 || signal) && !allowFailure) {
        reject(
          new BenchError(
            `command failed (${signal ?? `exit ${code}`}): ${describe(cmd)}\n${stderr.trim().split('\n').slice(-15).join('\n')}`,
          ),
        );
      } else resolve(result);
    });
  });
}

let timeFiles = 0;

/** Machine-wide CPU jiffies from /proc/stat: busy (everything but idle and iowait), steal. */
function machineCpu() {
  try {
    const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f; // idle and iowait are not busy time
    return { busy: user + nice + system + irq + softirq + steal, steal };
  } catch {
    return null;
  }
}
const HZ = 100; // USER_HZ: /proc/stat counts in 1/100 s on Linux

let quietBudgetS = 180;

/**
 * On a shared machine, wait (at most maxS, and at most 180 s per benchmark in all) until the
 * rest of the machine uses less than a quarter of a core over one second. Returns seconds waited.
 */
export async function waitForQuiet(maxS = 10) {
  const t0 = Date.now();
  for (;;) {
    const a = machineCpu();
    await new Promise((r) => setTimeout(r, 1000));
    const b = machineCpu();
    const waited = (Date.now() - t0) / 1000;
    if (!a || !b || (b.busy - a.busy) / HZ < 0.25 || waited >= Math.min(maxS, quietBudgetS)) {
      const extra = Math.max(0, waited - 1);
      quietBudgetS = Math.max(0, quietBudgetS - extra);
      return round(extra, 1);
    }
  }
}

/**
 * Before a measured command: write every dirty page to disk (`sync`, untimed), then wait for
 * a quiet machine. Without the sync, what the command before left in the page cache (half a
 * GB of restored files, say) is written back during the next command, whichever tool it is.
 */
export async function settle() {
  await run({ argv: ['sync'] }, { allowFailure: true });
  return waitForQuiet();
}

/**
 * Run cmd under GNU time. Wall time is taken here (monotonic clock around spawn and exit);
 * CPU and peak RSS come from GNU time. Any failure rejects: a figure from a failed command
 * is never recorded.
 * @param {Command} cmd @param {RunOptions} [options] @returns {Promise<Measurement>}
 */
export async function measure(cmd, { cwd, env } = {}) {
  const timeFile = path.join(tmpdir(), `ripcord-bench-time-${process.pid}-${timeFiles++}`);
  const cpuBefore = machineCpu();
  const started = process.hrtime.bigint();
  let result;
  try {
    result = await run(
      { argv: [GNU_TIME, '-o', timeFile, '-f', 'RUSAGE %e %U %S %M', ...commandArgv(cmd)] },
      { cwd, env, allowFailure: true },
    );
    const wallS = Number(process.hrtime.bigint() - started) / 1e9;
    const cpuAfter = machineCpu();
    // (a command whose success is another exit code says so: a deploy that rolled back exits 10)
    if (result.code !== (cmd.expectCode ?? 0) || result.signal) {
      throw new BenchError(
        `command failed (${result.signal ?? `exit ${result.code}`}): ${describe(cmd)}\n${result.stderr.trim().split('\n').slice(-15).join('\n')}`,
      );
    }
    const line = existsSync(timeFile)
      ? readFileSync(timeFile, 'utf8')
          .split('\n')
          .find((l) => l.startsWith('RUSAGE '))
      : undefined;
    if (!line) throw new BenchError(`GNU time reported nothing for: ${describe(cmd)}`);
    const [, , user = NaN, sys = NaN, rssKiB = NaN] = line.trim().split(/\s+/).map(Number);
    // CPU that the rest of the machine used meanwhile (other processes, the hypervisor's steal):
    // the noise floor of this figure on a shared machine.
    const otherCpuS =
      cpuBefore && cpuAfter ? Math.max(0, round((cpuAfter.busy - cpuBefore.busy) / HZ - (user + sys), 2)) : null;
    const stealS = cpuBefore && cpuAfter ? round((cpuAfter.steal - cpuBefore.steal) / HZ, 2) : null;
    return {
      wallS: round(wallS, 3),
      userS: user,
      sysS: sys,
      cpuS: round(user + sys, 2),
      peakRssMiB: round(rssKiB / 1024, 1),
      otherCpuS,
      stealS,
      stdout: result.stdout,
      stderr: result.stderr,
    };
  } finally {
    rmSync(timeFile, { force: true });
  }
}

/** @param {Command} cmd @returns {string[]} */
export function commandArgv(cmd) {
  if (cmd.shell !== undefined) return ['bash', '-o', 'pipefail', '-c', cmd.shell];
  return cmd.argv;
}

/** @param {Command} cmd */
export function describe(cmd) {
  return cmd.shell ?? cmd.argv.map(shellQuote).join(' ');
}

/** @param {string} s */
export function shellQuote(s) {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${String(s).replace(/'/g, `'\\''`)}'`;
}

/** The median of the finite numbers among values, or null when there are none. @param {readonly unknown[]} values */
export function median(values) {
  const v = /** @type {number[]} */ (values.filter((x) => typeof x === 'number' && Number.isFinite(x))).sort(
    (a, b) => a - b,
  );
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  const at = (/** @type {number} */ i) => /** @type {number} */ (v[i]);
  return v.length % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

/** @param {number} x @param {number} digits */
export function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
