/**
 * A real S3-compatible server for tests: s3rver 3.7.1 (koa), run in a CHILD PROCESS.
 *
 * Why a child process:
 * - s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node >= 17)
 *   only offers in its legacy provider: in-process on Node 20 every truncated listing fails
 *   with "digital envelope routines::unsupported" (HTTP 500). The child runs with
 *   `--openssl-legacy-provider`, so pagination works without patching s3rver.
 * - kill() is a real crash (SIGKILL): the kernel resets every open connection mid-request,
 *   exactly what a client sees when a server dies; restart() starts a new process on the
 *   same port and directory.
 * - memory measured in the test process is the client's alone.
 *
 * The child reports every request it receives (method, url, headers) over IPC, which lets
 * tests observe what the SDK really sent (multipart parts, SSE headers, ...).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface S3TestServer {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly port: number;
  /** s3rver's data directory (fresh temp folder, removed by stop()) */
  readonly directory: string;
  /** create a bucket (a real CreateBucket request) */
  bucket(name: string): Promise<void>;
  /** every request received since start or clearRequests(), in arrival order */
  requests(): Promise<RecordedRequest[]>;
  /** forgets every request received so far, including those still on their way from the server process */
  clearRequests(): Promise<void>;
  /** resolves once a request matching `match` has arrived (counting those already seen) */
  waitForRequest(match: (request: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** crash the server: SIGKILL, open sockets are reset, data directory kept */
  kill(): Promise<void>;
  /** start a new server process on the same port and directory */
  restart(): Promise<void>;
  /** stop the server and remove its directory */
  stop(): Promise<void>;
}

// The child program (plain CommonJS), shared with the benchmark.
const CHILD = fileURLToPath(new URL('./s3rver-child.cjs', import.meta.url));

type ChildMessage =
  | { type: 'request'; request: RecordedRequest }
  | { type: 'listening'; port: number }
  | { type: 'failed'; message: string }
  | { type: 'flushed'; id: number }
  | { type: 'served'; method: string; url: string; bytes: number };

const s3rverPath = createRequire(import.meta.url).resolve('s3rver');

export async function startS3Server(): Promise<S3TestServer> {
  const directory = await mkdtemp(path.join(tmpdir(), 'ripcord-s3rver-'));
  let recorded: RecordedRequest[] = [];
  const waiters = new Set<{
    match: (request: RecordedRequest) => boolean;
    resolve: (request: RecordedRequest) => void;
  }>();
  const flushes = new Map<number, () => void>();
  let nextFlush = 0;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const launch = async (port: number): Promise<number> => {
    const proc = spawn(process.execPath, ['--openssl-legacy-provider', CHILD, s3rverPath, directory, String(port)], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    child = proc;
    // Never let the server keep the test process alive: the handles are unref'd and only
    // ref'd while the harness itself waits for the child.
    proc.unref();
    proc.channel?.unref();
    (proc.stderr as unknown as { unref?: () => void } | null)?.unref?.();
    let stderr = '';
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    exited = new Promise((resolve) =>
      proc.once('exit', () => {
        for (const flushed of flushes.values()) flushed();
        flushes.clear();
        resolve();
      }),
    );
    proc.on('message', (message: ChildMessage) => {
      if (message.type === 'request') {
        recorded.push(message.request);
        for (const waiter of waiters) {
          if (waiter.match(message.request)) {
            waiters.delete(waiter);
            waiter.resolve(message.request);
          }
        }
      } else if (message.type === 'flushed') {
        flushes.get(message.id)?.();
        flushes.delete(message.id);
      }
    });
    proc.channel?.ref();
    return new Promise<number>((resolve, reject) => {
      const onMessage = (message: ChildMessage) => {
        if (message.type === 'listening') {
          proc.off('exit', onExit);
          proc.channel?.unref();
          resolve(message.port);
        } else if (message.type === 'failed') {
          reject(new Error(`s3rver failed to start: ${message.message}`));
        }
      };
      const onExit = (code: number | null, signal: string | null) =>
        reject(new Error(`s3rver exited during startup (code ${code}, signal ${signal}): ${stderr}`));
      proc.on('message', onMessage);
      proc.once('exit', onExit);
    });
  };

  const kill = async () => {
    const proc = child;
    child = undefined;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      proc.ref(); // wait for the exit below
      proc.kill('SIGKILL');
    }
    await exited;
  };

  const port = await launch(0);
  const endpoint = `http://127.0.0.1:${port}`;

  const server: S3TestServer = {
    endpoint,
    port,
    directory,
    async bucket(name) {
      // s3rver accepts unsigned requests; this is a genuine CreateBucket call.
      const response = await fetch(`${endpoint}/${encodeURIComponent(name)}`, { method: 'PUT' });
      const text = await response.text();
      if (!response.ok) throw new Error(`cannot create bucket ${name}: HTTP ${response.status} ${text}`);
    },
    async requests() {
      const proc = child;
      if (proc?.connected) {
        // IPC is ordered: once the child answers, every earlier request message has arrived.
        const id = nextFlush++;
        proc.channel?.ref();
        try {
          await new Promise<void>((resolve) => {
            flushes.set(id, resolve);
            proc.send({ type: 'flush', id });
          });
        } finally {
          proc.channel?.unref();
        }
      }
      return [...recorded];
    },
    async clearRequests() {
      await server.requests();
      recorded = [];
    },
    waitForRequest(match, timeoutMs = 30_000) {
      const seen = recorded.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching request reached the S3 test server within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = {
          match,
          resolve: (request: RecordedRequest) => {
            clearTimeout(timer);
            resolve(request);
          },
        };
        waiters.add(waiter);
      });
    },
    kill,
    async restart() {
      await kill();
      await launch(port);
    },
    async stop() {
      await kill();
      await rm(directory, { recursive: true, force: true });
    },
  };
  return server;
}
