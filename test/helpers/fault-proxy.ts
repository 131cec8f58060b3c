/**
 * A fault-injecting HTTP proxy for tests: put it between a client (the ripcord CLI with
 * --s3-endpoint <proxy>) and a real server (s3rver), and tell it, request by request, what
 * to break. Nothing is random here: the test decides which request fails and how, so a
 * failing run reproduces.
 *
 * A rule matches requests (by a predicate over method and URL), lets the first `skip` of
 * them through, then applies its fault to the next `times` (Infinity: until cleared):
 *
 *   status     answer with an S3 error (500 InternalError, 503 SlowDown, 403 AccessDenied...)
 *              without forwarding; the request body is read first, as a server would
 *   reset      read `afterBytes` of the request body (0: none), then destroy the connection:
 *              what a client sees when the network drops mid-upload
 *   truncate   forward the request, send the response headers and `afterBytes` of the body,
 *              then destroy the connection: a download that breaks mid-body
 *   delay      forward the request, hold the response for `ms` before answering
 *
 * The Host header is forwarded unchanged, so SigV4 signatures made for the proxy's address
 * still match at the server. Every request is logged with the fault it got.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; code?: string; message?: string }
  | { kind: 'reset'; afterBytes?: number }
  | { kind: 'truncate'; afterBytes: number }
  | { kind: 'delay'; ms: number };

export interface ProxiedRequest {
  method: string;
  url: string;
}

export interface FaultRule {
  /** which requests the rule applies to (default: all) */
  match?: (request: ProxiedRequest) => boolean;
  /** let this many matching requests through first (default 0) */
  skip?: number;
  /** how many matching requests get the fault (default 1; Infinity: until cleared) */
  times?: number;
  fault: Fault;
  /** a name for logs and reports */
  label?: string;
}

export interface ProxyLogEntry extends ProxiedRequest {
  /** the fault applied, if any */
  fault?: Fault['kind'];
  label?: string;
  /** HTTP status the client received (undefined when the connection was cut first) */
  status?: number;
}

export interface FaultProxy {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** add a rule; rules are tried in the order added, the first live match applies */
  inject(rule: FaultRule): void;
  /** remove every rule (faults in flight finish) */
  clear(): void;
  /** every request seen, in arrival order */
  log(): ProxyLogEntry[];
  /** how many requests got a fault since start or resetLog() */
  faultsInjected(): number;
  resetLog(): void;
  close(): Promise<void>;
}

interface LiveRule {
  rule: FaultRule;
  skip: number;
  times: number;
}

const S3_ERRORS: Record<number, { code: string; message: string }> = {
  400: { code: 'BadRequest', message: 'Bad Request' },
  403: { code: 'AccessDenied', message: 'Access Denied' },
  404: { code: 'NoSuchKey', message: 'The specified key does not exist.' },
  500: { code: 'InternalError', message: 'We encountered an internal error. Please try again.' },
  503: { code: 'SlowDown', message: 'Please reduce your request rate.' },
};

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const rules: LiveRule[] = [];
  let entries: ProxyLogEntry[] = [];
  const sockets = new Set<Socket>();

  const take = (request: ProxiedRequest): LiveRule | undefined => {
    for (const live of rules) {
      if (live.times <= 0) continue;
      if (live.rule.match && !live.rule.match(request)) continue;
      if (live.skip > 0) {
        live.skip -= 1;
        return undefined;
      }
      live.times -= 1;
      return live;
    }
    return undefined;
  };

  const server = http.createServer((req, res) => {
    const request = { method: req.method ?? 'GET', url: req.url ?? '/' };
    const live = take(request);
    const fault = live?.rule.fault;
    const entry: ProxyLogEntry = {
      ...request,
      ...(fault ? { fault: fault.kind } : {}),
      ...(live?.rule.label ? { label: live.rule.label } : {}),
    };
    entries.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });

    if (fault?.kind === 'status') {
      req.resume();
      req.on('end', () => {
        const known = S3_ERRORS[fault.status] ?? { code: 'InternalError', message: 'injected fault' };
        const body =
          req.method === 'HEAD'
            ? ''
            : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${fault.code ?? known.code}</Code><Message>${fault.message ?? known.message}</Message><RequestId>fault-proxy</RequestId></Error>`;
        res.writeHead(fault.status, {
          'content-type': 'application/xml',
          'content-length': Buffer.byteLength(body),
          'x-amz-request-id': 'fault-proxy',
        });
        res.end(body);
      });
      return;
    }
    if (fault?.kind === 'reset') {
      const limit = fault.afterBytes ?? 0;
      if (limit === 0) {
        req.socket.destroy();
        return;
      }
      let seen = 0;
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen >= limit) req.socket.destroy();
      });
      req.on('end', () => req.socket.destroy());
      return;
    }

    const upstreamRequest = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (upstreamResponse) => {
        const respond = () => {
          if (res.destroyed) {
            upstreamResponse.destroy();
            return;
          }
          res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
          if (fault?.kind === 'truncate') {
            let sent = 0;
            upstreamResponse.on('data', (chunk: Buffer) => {
              if (res.destroyed) return;
              const room = fault.afterBytes - sent;
              if (room > 0) res.write(chunk.subarray(0, room));
              sent += Math.min(room, chunk.length);
              if (sent >= fault.afterBytes) {
                upstreamResponse.destroy();
                // flush what was written, then cut the connection mid-body
                res.socket?.end();
                setTimeout(() => res.socket?.destroy(), 20);
              }
            });
            upstreamResponse.on('end', () => {
              if (!res.destroyed) res.socket?.destroy(); // a body shorter than afterBytes is still cut before its end marker
            });
            return;
          }
          upstreamResponse.pipe(res);
        };
        if (fault?.kind === 'delay') setTimeout(respond, fault.ms);
        else respond();
      },
    );
    upstreamRequest.on('error', () => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('fault proxy: upstream unreachable');
      } else {
        res.destroy();
      }
    });
    req.on('aborted', () => upstreamRequest.destroy());
    req.pipe(upstreamRequest);
  });
  server.keepAliveTimeout = 1000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    inject(rule) {
      rules.push({ rule, skip: rule.skip ?? 0, times: rule.times ?? 1 });
    },
    clear() {
      rules.length = 0;
    },
    log() {
      return [...entries];
    },
    faultsInjected() {
      return entries.filter((e) => e.fault !== undefined).length;
    },
    resetLog() {
      entries = [];
    },
    async close() {
      rules.length = 0;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Request predicates for S3 paths (path-style: /bucket/prefix/id/object). */
export const s3Requests = {
  put: (object?: string) => (r: ProxiedRequest) =>
    r.method === 'PUT' && (object === undefined || objectOf(r).endsWith(object)),
  get: (object?: string) => (r: ProxiedRequest) =>
    r.method === 'GET' && !isList(r) && (object === undefined || objectOf(r).endsWith(object)),
  list: () => (r: ProxiedRequest) => isList(r),
  any: () => () => true,
};

function objectOf(request: ProxiedRequest): string {
  return decodeURIComponent(new URL(request.url, 'http://proxy').pathname);
}

function isList(request: ProxiedRequest): boolean {
  return request.method === 'GET' && new URL(request.url, 'http://proxy').searchParams.get('list-type') === '2';
}
