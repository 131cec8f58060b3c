/**
 * Run a bundled Action entry point the way the GitHub runner does: `node dist/...` with
 * INPUT_* variables, and GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY files; state
 * saved by main reaches post as STATE_* variables.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { PROJECT_ROOT, runCommand } from './cli.ts';
import { removeDir, tempDir } from './tree.ts';

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  /** every file the runner gave the step, raw */
  files: { output: string; state: string; summary: string };
}

/** Parse the runner's key<<delimiter file format (and plain key=value lines). */
export function parseCommandFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const body: string[] = [];
      for (i += 1; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i]!);
      values[name!] = body.join('\n');
    } else if (line.includes('=')) {
      values[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return values;
}

export interface RunnerFiles {
  output: string;
  state: string;
  summary: string;
}

export interface StepOptions {
  workspace: string;
  runnerTemp: string;
  inputs: Record<string, string>;
  state?: Record<string, string>;
  env?: Record<string, string>;
}

/** The empty GITHUB_OUTPUT, GITHUB_STATE and GITHUB_STEP_SUMMARY files of one step. */
export async function runnerFiles(runnerTemp: string, stamp: string): Promise<RunnerFiles> {
  const files = {
    output: path.join(runnerTemp, `output-${stamp}`),
    state: path.join(runnerTemp, `state-${stamp}`),
    summary: path.join(runnerTemp, `summary-${stamp}`),
  };
  for (const file of Object.values(files)) await fs.writeFile(file, '');
  return files;
}

/** The environment the runner gives a step: its files, its inputs and the state saved by main. */
export function runnerEnv(options: StepOptions, files: RunnerFiles): Record<string, string> {
  const env: Record<string, string> = {
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.workspace,
    RUNNER_TEMP: options.runnerTemp,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_RUN_ID: '4242',
    GITHUB_REPOSITORY: 'example/app',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_ACTOR: 'octo',
    ...options.env,
  };
  // The runner passes inputs as INPUT_<NAME upper-cased, spaces as _> (dashes stay).
  for (const [name, value] of Object.entries(options.inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value;
  return env;
}

export async function readRunnerFiles(files: RunnerFiles): Promise<RunnerFiles> {
  return {
    output: await fs.readFile(files.output, 'utf8'),
    state: await fs.readFile(files.state, 'utf8'),
    summary: await fs.readFile(files.summary, 'utf8'),
  };
}

export async function runAction(entry: 'main' | 'post', options: StepOptions): Promise<ActionRun> {
  const files = await runnerFiles(options.runnerTemp, `${entry}-${Date.now()}`);
  const env = runnerEnv(options, files);
  const run = await runCommand(process.execPath, [path.join(PROJECT_ROOT, 'dist/action', `${entry}.js`)], {
    cwd: options.workspace,
    env,
  });
  const raw = await readRunnerFiles(files);
  return {
    ...run,
    outputs: parseCommandFile(raw.output),
    state: parseCommandFile(raw.state),
    summary: raw.summary,
    files: raw,
  };
}

export interface ActionWorkspace {
  dir: string;
  /** the checkout, with config/app.yaml */
  ws: string;
  /** RUNNER_TEMP */
  temp: string;
  /** the default repository, ws/.ripcord */
  repo: string;
  /** runs an entry point of the Action as a step of a job in this workspace */
  step(
    entry: 'main' | 'post',
    inputs: Record<string, string>,
    more?: Pick<StepOptions, 'state' | 'env'>,
  ): Promise<ActionRun>;
}

/** Runs `run` in a fresh workspace holding config/app.yaml and `files`, and removes it afterwards. */
export async function inActionWorkspace(
  run: (workspace: ActionWorkspace) => Promise<void>,
  files: Record<string, string> = {},
): Promise<void> {
  const dir = await tempDir();
  const ws = path.join(dir, 'ws');
  const temp = path.join(dir, 'runner-temp');
  try {
    await fs.mkdir(path.join(ws, 'config'), { recursive: true });
    await fs.mkdir(temp);
    await fs.writeFile(path.join(ws, 'config/app.yaml'), 'replicas: 2\n');
    for (const [name, text] of Object.entries(files)) await fs.writeFile(path.join(ws, name), text);
    await run({
      dir,
      ws,
      temp,
      repo: path.join(ws, '.ripcord'),
      step: (entry, inputs, more = {}) => runAction(entry, { workspace: ws, runnerTemp: temp, inputs, ...more }),
    });
  } finally {
    await removeDir(dir);
  }
}
