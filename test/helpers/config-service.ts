/**
 * The config service of test/fixtures/config-service.mjs, started as a real process in a folder
 * that holds config/app.json, and the shell command that makes it reload and waits until it has.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROJECT_ROOT } from './cli.ts';

export interface ConfigService {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the service in `dir` (which must hold config/app.json) and waits until it listens. */
export async function startConfigService(dir: string, env?: NodeJS.ProcessEnv): Promise<ConfigService> {
  await fs.rm(path.join(dir, 'service.port'), { force: true });
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'test/fixtures/config-service.mjs')], {
    cwd: dir,
    stdio: 'ignore',
    env,
  });
  for (let i = 0; i < 100; i++) {
    const port = await fs.readFile(path.join(dir, 'service.port'), 'utf8').catch(() => '');
    if (port) {
      return {
        url: `http://127.0.0.1:${port}/health`,
        process: child,
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error('the test service did not start');
}

/**
 * A shell command, run in the service's folder, that makes it reload its config and returns
 * once it has: a signal is handled asynchronously, so a health check sent right after a bare
 * `kill -HUP` may still be answered from the old config.
 */
export const RELOAD_SERVICE =
  '{ loads="$(cat service.loads)"; kill -HUP "$(cat service.pid)"; ' +
  'while [ "$(cat service.loads)" = "$loads" ]; do sleep 0.01; done; }';
