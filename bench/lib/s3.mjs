// @ts-check
// A real S3-compatible server for the benchmark: s3rver, run as the tests run it
// (test/helpers/s3rver-child.cjs), counting the body bytes of every response it sends, so that
// a line can say how much of an object a command read.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('../../test/helpers/s3rver-child.cjs', import.meta.url));

/**
 * Start s3rver on a free port of 127.0.0.1 with one bucket.
 * @param {string} bucket
 * @returns {Promise<{ endpoint: string, servedBytes: (suffix: string) => Promise<number>, clear: () => void, stop: () => void }>}
 */
export async function startS3(bucket) {
  const s3rver = createRequire(import.meta.url).resolve('s3rver');
  const directory = mkdtempSync(path.join(os.tmpdir(), 'ripcord-bench-s3-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', CHILD, s3rver, directory, '0'], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  /** @type {{ url: string, bytes: number }[]} */
  let served = [];
  /** @type {Map<number, () => void>} */
  const flushes = new Map();
  let nextFlush = 0;
  const port = await new Promise((resolve, reject) => {
    child.on('message', (/** @type {any} */ m) => {
      if (m.type === 'listening') resolve(m.port);
      else if (m.type === 'failed') reject(new Error(`s3rver failed to start: ${m.message}`));
      else if (m.type === 'served' && m.method === 'GET') served.push({ url: m.url, bytes: m.bytes });
      else if (m.type === 'flushed') flushes.get(m.id)?.();
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited during start-up (code ${code})`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const created = await fetch(`${endpoint}/${bucket}`, { method: 'PUT' });
  if (!created.ok) throw new Error(`s3rver: cannot create bucket ${bucket}: HTTP ${created.status}`);
  return {
    endpoint,
    /** body bytes of the GETs since clear() of keys ending in `suffix` (all, for '') */
    async servedBytes(suffix) {
      // IPC is ordered: once the child answers, every report sent before has arrived
      const id = nextFlush++;
      await new Promise((resolve) => {
        flushes.set(id, () => resolve(undefined));
        child.send({ type: 'flush', id });
      });
      flushes.delete(id);
      return served.filter((s) => (s.url.split('?')[0] ?? '').endsWith(suffix)).reduce((sum, s) => sum + s.bytes, 0);
    },
    clear: () => {
      served = [];
    },
    stop: () => {
      child.kill('SIGKILL');
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
