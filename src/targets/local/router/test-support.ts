// Helpers for the router's tests: in-process upstream servers, a router with one app, and a small HTTP
// client that never throws on a status (only on a transport error).
import {
  Agent,
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RouterLimits, TrafficSpec } from '../types.js';
import type { RouterEngine } from './engines.js';
import { Router, type RouterOptions } from './router.js';

/** Every router test runs once per engine. */
export const ENGINES_UNDER_TEST: readonly RouterEngine[] = ['node', 'fast'];

export const LIMITS: RouterLimits = {
  maxHeaderBytes: 16 * 1024,
  maxBodyBytes: 64 * 1024,
  headersTimeoutMs: 5_000,
  upstreamTimeoutMs: 5_000,
  keepAliveTimeoutMs: 5_000,
};

export function traffic(partial: Partial<TrafficSpec> = {}): TrafficSpec {
  return {
    weights: {},
    headerRoutes: [],
    previewHeader: 'x-greenlight-version',
    retryOnStable: false,
    ...partial,
  };
}

export interface Upstream {
  port: number;
  server: Server;
  /** Requests seen, in order (method, url, headers). */
  seen: { method: string; url: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

/** An upstream on 127.0.0.1:0. By default it answers 200 with its `name` as the body. */
export async function startUpstream(
  name: string,
  handler?: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Upstream> {
  const seen: Upstream['seen'] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (handler !== undefined) return handler(req, res);
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': name });
    res.end(name);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RouterHarness {
  router: Router;
  port: number;
  close(): Promise<void>;
}

export async function startRouter(
  engine: RouterEngine,
  spec: TrafficSpec,
  limits: RouterLimits = LIMITS,
  options: RouterOptions = {},
): Promise<RouterHarness> {
  const router = new Router({ bootId: 'test', closeGraceMs: 2_000, engine, ...options });
  const { port } = await router.putApp('app', { host: '127.0.0.1', port: 0 }, limits, spec);
  return { router, port, close: () => router.close() };
}

export interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

const agents = new Set<Agent>();

/** A keep-alive agent for a test; `destroyAgents` closes them all. */
export function keepAliveAgent(maxSockets = 4): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets });
  agents.add(agent);
  return agent;
}

export function destroyAgents(): void {
  for (const a of agents) a.destroy();
  agents.clear();
}

/** One request; resolves with status, headers and body text. */
export function send(
  port: number,
  options: {
    path?: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    agent?: Agent;
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: options.path ?? '/',
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Waits for `condition` to hold, polling every 10 ms, failing after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
