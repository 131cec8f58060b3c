/**
 * The package as users install it: `npm pack` of this checkout, and npm runs with an
 * environment of their own (none of the npm_* variables an enclosing `npm test` sets, no
 * node_modules/.bin of this checkout on PATH), so that what runs is what got installed.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { cleanEnv, outputOf, PROJECT_ROOT } from './cli.ts';
import type { RunResult } from './cli.ts';

export interface PackageJson {
  name: string;
  version: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
}

export async function readPackageJson(): Promise<PackageJson> {
  return JSON.parse(await fs.readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as PackageJson;
}

/** The environment of a user's shell: Node first on PATH, then `extra`; npm answers from its cache when it can. */
export function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = cleanEnv();
  for (const key of Object.keys(env)) if (/^npm_/i.test(key)) delete env[key];
  const inherited = (env.PATH ?? '').split(':').filter((dir) => dir && !dir.includes('node_modules'));
  return {
    ...env,
    PATH: [path.dirname(process.execPath), ...inherited].join(':'),
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    FORCE_COLOR: '0',
    ...extra,
  };
}

/** Run a command with exactly `env` (runCommand of ./cli.ts adds this process's environment back). */
export function runAs(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<RunResult> {
  return outputOf(spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Run a shell script (a README block, as printed) with bash. */
export function runShell(script: string, options: { cwd: string; env: Record<string, string> }): Promise<RunResult> {
  return runAs('bash', ['-c', script], options);
}

/** `npm pack` of this checkout into `dir`: the tarball's path and the files it holds. */
export async function packTarball(dir: string, { dryRun = false } = {}): Promise<{ tarball: string; files: string[] }> {
  const run = await runAs('npm', ['pack', '--json', '--pack-destination', dir, ...(dryRun ? ['--dry-run'] : [])], {
    cwd: PROJECT_ROOT,
    env: userEnv(),
  });
  if (run.code !== 0) throw new Error(`npm pack failed: ${run.stderr}`);
  const [packed] = JSON.parse(run.stdout) as { filename: string; files: { path: string }[] }[];
  return { tarball: path.join(dir, packed!.filename), files: packed!.files.map((f) => f.path).sort() };
}

/** The ```sh blocks of README.md under `## heading`, or above the first `## ` heading when it is undefined. */
export async function readmeBlocks(heading?: string): Promise<string[]> {
  const readme = await fs.readFile(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  const start = heading === undefined ? 0 : readme.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "## ${heading}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^```sh\n([\s\S]*?)\n```$/gm)].map((m) => m[1]!);
}
