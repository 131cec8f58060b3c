/**
 * A TEST DOUBLE of the GitHub Actions cache service (v2), for running the real
 * @actions/cache client in tests: startCacheServiceDouble().
 *
 * - The twirp API (github.actions.results.api.v1.CacheService: CreateCacheEntry,
 *   FinalizeCacheEntryUpload, GetCacheEntryDownloadURL) is a small node:http server on
 *   127.0.0.1 that keeps entries in memory: key, version, scope, blob, size, creation time.
 *   Lookups follow GitHub's documented order, per readable scope (the token's scopes in
 *   order: the job's branch first, then its PR base / default branch): exact key, then
 *   the key as a prefix, then each restore key as a prefix, the most recently created match
 *   first; the version must match exactly. Entries are immutable: creating an existing
 *   key + version in the same scope fails as it does on GitHub.
 * - The scopes come from the bearer token like on GitHub: an (unsigned) JWT whose "ac"
 *   claim is a JSON list of { Scope, Permission } (1 read, 2 write); see token().
 * - Blobs live in a REAL Azurite blob server (npm azurite, a child process on a random
 *   port, temp folder). The signed URLs the double hands out look like production ones,
 *   http://devstoreaccount1.blob.core.windows.net/<container>/<blob>?<SAS> (signed with
 *   Azurite's published dev account key), because @actions/cache only downloads through
 *   @azure/storage-blob when the host ends in .blob.core.windows.net. That host is never
 *   resolved: environment() sets HTTP(S)_PROXY to this same server, which forwards such
 *   requests to Azurite (path-style) and refuses every other proxied host. The twirp
 *   calls go to 127.0.0.1, which @actions/http-client never proxies.
 *
 * Not modelled: eviction (7 days unused, 10 GB per repository), rate limits, https, the
 * cache-mode lattice, the v1 (legacy / GHES) service.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  BlobSASPermissions,
  generateAccountSASQueryParameters,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';

/** Azurite's well-known development account (published in Azurite's README). */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const BLOB_HOST = `${ACCOUNT}.blob.core.windows.net`;
const CONTAINER = 'actions-cache';
const SERVICE = 'github.actions.results.api.v1.CacheService';
const credential = new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY);

export type TwirpMethod = 'CreateCacheEntry' | 'FinalizeCacheEntryUpload' | 'GetCacheEntryDownloadURL';

export interface CacheScope {
  /** e.g. "refs/heads/main" */
  scope: string;
  read: boolean;
  write: boolean;
}

export interface CacheEntry {
  key: string;
  version: string;
  scope: string;
  blob: string;
  /** as reported by FinalizeCacheEntryUpload */
  size: number;
  created: number;
  finalized: boolean;
  id: number;
}

export interface TwirpCall {
  method: TwirpMethod;
  request: Record<string, unknown>;
  /** what the double answered (body), or the twirp error */
  response: Record<string, unknown>;
  status: number;
}

export interface BlobRequest {
  method: string;
  /** the URL as the client sent it (host-style, SAS included) */
  url: string;
  range: string | undefined;
  userAgent: string | undefined;
  status: number;
}

export interface CacheServiceDouble {
  /** ACTIONS_RESULTS_URL */
  readonly resultsUrl: string;
  /** the HTTP proxy that carries blob traffic to Azurite */
  readonly proxyUrl: string;
  /** http://127.0.0.1:<port> of the Azurite blob server */
  readonly azuriteUrl: string;
  /** an ACTIONS_RUNTIME_TOKEN granting these scopes (default: read/write on refs/heads/main) */
  token(scopes?: readonly CacheScope[]): string;
  /**
   * The variables a job on GitHub's runners gives a JavaScript action, pointing here, plus
   * the proxy settings; every other variable @actions/cache reads is set to "unset" ('').
   */
  environment(runnerTemp: string, token?: string): Record<string, string>;
  entries(): CacheEntry[];
  calls(): TwirpCall[];
  blobRequests(): BlobRequest[];
  clearLog(): void;
  /** the next call of `method` answers this instead (twirp JSON body, or an error status) */
  failNext(method: TwirpMethod, answer: { body?: Record<string, unknown>; status?: number; msg?: string }): void;
  /** make blob downloads (GET/HEAD through the proxy) fail with 403 while true */
  refuseDownloads(refuse: boolean): void;
  /** stop the double and Azurite, remove Azurite's folder */
  stop(): Promise<void>;
}

export async function startCacheServiceDouble(): Promise<CacheServiceDouble> {
  const azurite = await startAzurite();
  try {
    await createContainer(azurite.url);
    return await startDouble(azurite);
  } catch (error) {
    await azurite.stop();
    throw error;
  }
}

// ---- the twirp service and the blob proxy ----

async function startDouble(azurite: Azurite): Promise<CacheServiceDouble> {
  const entries: CacheEntry[] = [];
  let calls: TwirpCall[] = [];
  let blobRequests: BlobRequest[] = [];
  const failures = new Map<TwirpMethod, { body?: Record<string, unknown>; status?: number; msg?: string }>();
  let refusingDownloads = false;
  let nextId = 1;
  let clock = 0;
  // Creation order, strictly increasing even within one millisecond.
  const now = () => (clock = Math.max(clock + 1, Date.now()));

  const methods: Record<
    TwirpMethod,
    (
      request: Record<string, unknown>,
      scopes: CacheScope[],
    ) => Promise<Record<string, unknown>> | Record<string, unknown>
  > = {
    CreateCacheEntry(request, scopes) {
      const key = String(request.key ?? '');
      const version = String(request.version ?? '');
      const scope = scopes.find((s) => s.write)?.scope;
      if (!scope)
        throw new TwirpError(403, 'permission_denied', 'cache write denied: the token grants no writable cache scope');
      if (!key || !version) throw new TwirpError(400, 'invalid_argument', 'key and version are required');
      if (entries.some((e) => e.key === key && e.version === version && e.scope === scope)) {
        return {
          ok: false,
          message: `cache entry with key ${key} and version ${version} already exists in scope ${scope}`,
        };
      }
      const blob = `${randomUUID()}.tar`;
      entries.push({ key, version, scope, blob, size: 0, created: now(), finalized: false, id: nextId++ });
      return { ok: true, signed_upload_url: signedUrl(blob, 'cw') };
    },
    async FinalizeCacheEntryUpload(request, scopes) {
      const key = String(request.key ?? '');
      const version = String(request.version ?? '');
      const scope = scopes.find((s) => s.write)?.scope;
      const entry = entries.find((e) => e.key === key && e.version === version && e.scope === scope && !e.finalized);
      if (!entry)
        return { ok: false, message: `no cache entry with key ${key} and version ${version} is being uploaded` };
      const stored = await blobSize(azurite.url, entry.blob);
      const size = Number(request.size_bytes ?? request.sizeBytes ?? -1);
      if (stored === undefined) return { ok: false, message: `cache entry ${key}: nothing was uploaded` };
      if (stored !== size)
        return { ok: false, message: `cache entry ${key}: ${stored} bytes uploaded, ${size} announced` };
      entry.finalized = true;
      entry.size = size;
      entry.created = now();
      return { ok: true, entry_id: String(entry.id) };
    },
    GetCacheEntryDownloadURL(request, scopes) {
      const key = String(request.key ?? '');
      const version = String(request.version ?? '');
      const restoreKeys = Array.isArray(request.restore_keys) ? request.restore_keys.map(String) : [];
      for (const { scope } of scopes.filter((s) => s.read)) {
        const candidates = entries
          .filter((e) => e.finalized && e.scope === scope && e.version === version)
          .sort((a, b) => b.created - a.created);
        const match =
          candidates.find((e) => e.key === key) ??
          candidates.find((e) => e.key.startsWith(key)) ??
          restoreKeys.map((prefix) => candidates.find((e) => e.key.startsWith(prefix))).find(Boolean);
        if (match) return { ok: true, signed_download_url: signedUrl(match.blob, 'r'), matched_key: match.key };
      }
      return { ok: false };
    },
  };

  const handleTwirp = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const method = new URL(req.url ?? '/', 'http://double').pathname.slice(`/twirp/${SERVICE}/`.length) as TwirpMethod;
    const body = await readBody(req);
    let request: Record<string, unknown> = {};
    const answer = (status: number, response: Record<string, unknown>) => {
      calls.push({ method, request, response, status });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(response));
    };
    try {
      if (req.method !== 'POST' || !(method in methods))
        throw new TwirpError(404, 'bad_route', `no handler for ${req.method} ${req.url}`);
      request = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      const scopes = scopesOf(req.headers.authorization);
      const failure = failures.get(method);
      if (failure) {
        failures.delete(method);
        if (failure.status) throw new TwirpError(failure.status, 'internal', failure.msg ?? 'injected failure');
        return answer(200, failure.body ?? { ok: false });
      }
      answer(200, await methods[method](request, scopes));
    } catch (error) {
      if (error instanceof TwirpError) answer(error.status, { code: error.code, msg: error.message });
      else answer(500, { code: 'internal', msg: String((error as Error)?.message ?? error) });
    }
  };

  // A forward proxy for http://devstoreaccount1.blob.core.windows.net/..., path-style to Azurite.
  const handleProxy = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const target = new URL(req.url ?? '');
    const record: BlobRequest = {
      method: req.method ?? '',
      url: target.href,
      range: (req.headers['x-ms-range'] ?? req.headers.range) as string | undefined,
      userAgent: (req.headers['x-ms-useragent'] ?? req.headers['user-agent']) as string | undefined,
      status: 0,
    };
    blobRequests.push(record);
    const refuse = (status: number, code: string) => {
      record.status = status;
      req.resume();
      res.writeHead(status, { 'content-type': 'application/xml', 'x-ms-error-code': code });
      res.end(
        `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>refused by the cache service test double</Message></Error>`,
      );
    };
    if (target.hostname !== BLOB_HOST) return refuse(502, 'NotABlobHost');
    if (refusingDownloads && (req.method === 'GET' || req.method === 'HEAD'))
      return refuse(403, 'AuthorizationFailure');
    const headers: http.OutgoingHttpHeaders = { ...req.headers, host: new URL(azurite.url).host };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    const upstream = http.request(
      `${azurite.url}/${ACCOUNT}${target.pathname}${target.search}`,
      { method: req.method, headers },
      (answer) => {
        record.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      record.status = 502;
      res.destroy(error);
    });
    req.pipe(upstream);
  };

  const server = http.createServer((req, res) => {
    if (/^http:\/\//i.test(req.url ?? '')) handleProxy(req, res);
    else void handleTwirp(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref(); // never keep the test process alive; client sockets keep it busy while used
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;

  const token = (scopes: readonly CacheScope[] = [{ scope: 'refs/heads/main', read: true, write: true }]) => {
    const ac = JSON.stringify(
      scopes.map((s) => ({ Scope: s.scope, Permission: (s.read ? 1 : 0) | (s.write ? 2 : 0) })),
    );
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${part({ alg: 'none', typ: 'JWT' })}.${part({ ac, iss: 'cache-service-test-double' })}.`;
  };

  return {
    resultsUrl: `${base}/`,
    proxyUrl: base,
    azuriteUrl: azurite.url,
    token,
    environment(runnerTemp, bearer = token()) {
      return {
        ACTIONS_CACHE_SERVICE_V2: 'true',
        ACTIONS_RESULTS_URL: `${base}/`,
        ACTIONS_RUNTIME_TOKEN: bearer,
        RUNNER_TEMP: runnerTemp,
        GITHUB_SERVER_URL: 'https://github.com',
        ACTIONS_CACHE_URL: '',
        ACTIONS_CACHE_MODE: '',
        RUNNER_DEBUG: '',
        // Blob traffic goes through the double; both spellings, since the Azure SDK prefers HTTPS_PROXY.
        HTTP_PROXY: base,
        HTTPS_PROXY: base,
        http_proxy: base,
        https_proxy: base,
        ALL_PROXY: '',
        NO_PROXY: '127.0.0.1,localhost',
        no_proxy: '127.0.0.1,localhost',
      };
    },
    entries: () => entries.map((e) => ({ ...e })),
    calls: () => [...calls],
    blobRequests: () => [...blobRequests],
    clearLog() {
      calls = [];
      blobRequests = [];
    },
    failNext(method, answer) {
      failures.set(method, answer);
    },
    refuseDownloads(refuse) {
      refusingDownloads = refuse;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await azurite.stop();
    },
  };
}

class TwirpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The scopes an ACTIONS_RUNTIME_TOKEN grants ("ac" claim), in the order given. */
function scopesOf(authorization: string | undefined): CacheScope[] {
  const bearer = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
  if (!bearer) throw new TwirpError(401, 'unauthenticated', 'no bearer token');
  try {
    const claims = JSON.parse(Buffer.from(bearer.split('.')[1] ?? '', 'base64url').toString('utf8')) as { ac?: string };
    const granted = JSON.parse(claims.ac ?? '[]') as { Scope: string; Permission: number }[];
    return granted.map((g) => ({ scope: g.Scope, read: (g.Permission & 1) !== 0, write: (g.Permission & 2) !== 0 }));
  } catch {
    throw new TwirpError(401, 'unauthenticated', 'the bearer token is not a JWT with an "ac" claim');
  }
}

function signedUrl(blob: string, permissions: string): string {
  const sas = generateBlobSASQueryParameters(
    {
      containerName: CONTAINER,
      blobName: blob,
      permissions: BlobSASPermissions.parse(permissions),
      startsOn: new Date(Date.now() - 60_000),
      expiresOn: new Date(Date.now() + 3600_000),
    },
    credential,
  ).toString();
  return `http://${BLOB_HOST}/${CONTAINER}/${blob}?${sas}`;
}

function accountSas(): string {
  return generateAccountSASQueryParameters(
    {
      services: AccountSASServices.parse('b').toString(),
      resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
      permissions: AccountSASPermissions.parse('rwlc'),
      startsOn: new Date(Date.now() - 60_000),
      expiresOn: new Date(Date.now() + 3600_000),
    },
    credential,
  ).toString();
}

async function createContainer(azuriteUrl: string): Promise<void> {
  // Plain fetch (not an Azure SDK client): no pipeline, so no proxy settings are read here.
  const response = await fetch(`${azuriteUrl}/${ACCOUNT}/${CONTAINER}?restype=container&${accountSas()}`, {
    method: 'PUT',
    headers: { 'x-ms-version': '2021-08-06' },
  });
  if (!response.ok)
    throw new Error(
      `Azurite refused to create container ${CONTAINER}: HTTP ${response.status} ${await response.text()}`,
    );
}

/** The size of a blob in Azurite, or undefined when there is none. */
async function blobSize(azuriteUrl: string, blob: string): Promise<number | undefined> {
  const response = await fetch(`${azuriteUrl}/${ACCOUNT}/${CONTAINER}/${blob}?${accountSas()}`, {
    method: 'HEAD',
    headers: { 'x-ms-version': '2021-08-06' },
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`Azurite: HEAD ${blob}: HTTP ${response.status}`);
  return Number(response.headers.get('content-length'));
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// ---- Azurite ----

interface Azurite {
  url: string;
  stop(): Promise<void>;
}

async function startAzurite(): Promise<Azurite> {
  const directory = await mkdtemp(path.join(tmpdir(), 'ripcord-azurite-'));
  const main = path.join(
    path.dirname(createRequire(import.meta.url).resolve('azurite/package.json')),
    'dist/src/blob/main.js',
  );
  // Azurite's own entry point, run by a launcher that exits when the IPC channel to this
  // process closes: a test run that crashes or is killed never leaves Azurite behind.
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '-e',
      "process.on('disconnect', () => process.exit(0)); require(process.argv[1]);",
      main,
      ...['--blobHost', '127.0.0.1', '--blobPort', '0', '--location', directory],
      ...['--silent', '--loose', '--skipApiVersionCheck', '--disableTelemetry'],
    ],
    { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Azurite did not start within 30 s: ${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
      const listening = /successfully listens on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]!);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited during startup (code ${code}, signal ${signal}): ${output}`));
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await exited;
    await rm(directory, { recursive: true, force: true });
    process.off('exit', killOnExit);
    throw error;
  });
  // Keep draining its output, but never let it keep the test process alive.
  child.stdout?.resume();
  child.stderr?.resume();
  child.unref();
  child.channel?.unref();
  (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.ref();
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      process.off('exit', killOnExit);
      await rm(directory, { recursive: true, force: true });
    },
  };
}
