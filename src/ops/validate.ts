/**
 * Post-deploy validation: shell commands that must exit 0 and health URLs that must answer
 * with the expected status (and body), retried so that a service that needs a few seconds
 * to come up is not rolled back by mistake.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../domain/errors.ts';
import type { Reporter } from '../domain/events.ts';
import { silentReporter } from '../domain/events.ts';
import { commandEnvironment } from './command-env.ts';

export interface ValidationPlan {
  /** shell command lines (sh -c) that must exit 0 */
  commands: readonly string[];
  /** URLs that must answer with an expected status */
  healthUrls: readonly string[];
  /** "2xx" (default), "200", "200,204", "200-399" */
  expectStatus?: string;
  /** a regular expression the body must match */
  expectBody?: string;
  /** extra attempts after the first (default 0) */
  retries?: number;
  /** wait between attempts, ms (default 5000) */
  intervalMs?: number;
  /** limit per check per attempt, ms (default 60000) */
  timeoutMs?: number;
}

export interface ShellContext {
  cwd: string;
  env?: NodeJS.ProcessEnv | undefined;
  /** where command output is streamed (default: discarded) */
  output?: Writable | undefined;
  reporter?: Reporter | undefined;
}

export interface CheckFailure {
  check: string;
  detail: string;
}

export interface ValidationResult {
  ok: boolean;
  attempts: number;
  /** failures of the last attempt */
  failures: CheckFailure[];
  durationMs: number;
}

export function hasChecks(plan: ValidationPlan): boolean {
  return plan.commands.length + plan.healthUrls.length > 0;
}

/** "2xx", "200", "200,204", "200-399" -> a predicate; throws UsageError on anything else. */
export function parseExpectedStatus(spec: string): (status: number) => boolean {
  const parts = spec.split(',').map((p) => p.trim());
  const tests = parts.map((part) => {
    let m = /^([1-5])xx$/i.exec(part);
    if (m) return (s: number) => Math.floor(s / 100) === Number(m![1]);
    m = /^(\d{3})-(\d{3})$/.exec(part);
    if (m) return (s: number) => s >= Number(m![1]) && s <= Number(m![2]);
    m = /^(\d{3})$/.exec(part);
    if (m) return (s: number) => s === Number(m![1]);
    throw new UsageError(
      `--expect-status ${spec}: give a status (200), a class (2xx), a range (200-399) or a comma-separated list`,
    );
  });
  return (status) => tests.some((t) => t(status));
}

export function compileBodyPattern(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (error) {
    throw new UsageError(
      `--expect-body ${JSON.stringify(source)} is not a regular expression: ${(error as Error).message}`,
    );
  }
}

export async function validateDeployment(plan: ValidationPlan, context: ShellContext): Promise<ValidationResult> {
  const started = Date.now();
  const attemptsAllowed = (plan.retries ?? 0) + 1;
  const statusOk = parseExpectedStatus(plan.expectStatus ?? '2xx');
  const body = plan.expectBody !== undefined ? compileBodyPattern(plan.expectBody) : undefined;
  const reporter = context.reporter ?? silentReporter;
  let failures: CheckFailure[] = [];
  let attempt = 0;
  while (attempt < attemptsAllowed) {
    attempt += 1;
    reporter.emit({
      type: 'phase',
      phase: 'validate',
      message: `validating (attempt ${attempt} of ${attemptsAllowed})`,
    });
    failures = [];
    for (const command of plan.commands) {
      const failure = await runCheckCommand(command, plan.timeoutMs ?? 60_000, context);
      if (failure) failures.push({ check: command, detail: failure });
    }
    for (const url of plan.healthUrls) {
      const failure = await checkHealth(url, statusOk, body, plan.timeoutMs ?? 60_000);
      if (failure) failures.push({ check: url, detail: failure });
    }
    if (failures.length === 0) return { ok: true, attempts: attempt, failures, durationMs: Date.now() - started };
    const summary = failures.map((f) => `${f.check}: ${f.detail}`).join('; ');
    if (attempt < attemptsAllowed) {
      reporter.emit({
        type: 'info',
        message: `validation attempt ${attempt} failed (${summary}); retrying in ${Math.round((plan.intervalMs ?? 5000) / 1000)}s`,
      });
      await sleep(plan.intervalMs ?? 5000);
    }
  }
  return { ok: false, attempts: attempt, failures, durationMs: Date.now() - started };
}

export interface CommandOutcome {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  /** the last lines of stdout and stderr together */
  tail: string;
}

/** Run a command, streaming its output, keeping its last lines. */
export async function runStreaming(
  file: string,
  args: readonly string[],
  timeoutMs: number | undefined,
  context: ShellContext,
): Promise<CommandOutcome> {
  // loaded here, not with the module: node:child_process costs every command that never runs
  // one (dump, ls, restore) about 6 ms of start-up on Node 20 (see origin.ts)
  const { spawn } = await import('node:child_process');
  const child = spawn(file, args, {
    cwd: context.cwd,
    env: commandEnvironment(context.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8000);
    context.output?.write(chunk);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let timedOut = false;
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        }, timeoutMs);
  const spawned = once(child, 'spawn').then(
    () => undefined,
    (error: Error) => error,
  );
  const [code, signal] = (await once(child, 'close').catch(() => [127, null])) as [number | null, string | null];
  if (timer) clearTimeout(timer);
  const spawnError = await spawned;
  if (spawnError) tail = `${tail}${spawnError.message}`;
  return { code: spawnError ? 127 : code, signal, timedOut, tail: lastLines(tail, 20) };
}

export function lastLines(text: string, lines: number): string {
  return text.replace(/\s+$/, '').split('\n').slice(-lines).join('\n');
}

async function runCheckCommand(command: string, timeoutMs: number, context: ShellContext): Promise<string | undefined> {
  const outcome = await runStreaming('sh', ['-c', command], timeoutMs, context);
  if (outcome.code === 0) return undefined;
  const why = outcome.timedOut
    ? `timed out after ${Math.round(timeoutMs / 1000)}s`
    : outcome.signal
      ? `killed by ${outcome.signal}`
      : `exited with ${outcome.code}`;
  const last = lastLines(outcome.tail, 1);
  return last ? `${why}: ${last}` : why;
}

async function checkHealth(
  url: string,
  statusOk: (status: number) => boolean,
  body: RegExp | undefined,
  timeoutMs: number,
): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    const text = (await response.text()).slice(0, 1 << 20);
    if (!statusOk(response.status)) return `answered ${response.status}`;
    if (body && !body.test(text)) return `answered ${response.status} but the body does not match ${body}`;
    return undefined;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if ((error as Error).name === 'TimeoutError') return `no answer within ${Math.round(timeoutMs / 1000)}s`;
    return `unreachable (${cause?.code ?? cause?.message ?? (error as Error).message})`;
  }
}
