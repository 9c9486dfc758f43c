// Upgrade requests (WebSocket or any other protocol): chosen like any request, then tunnelled: a TCP
// connection to the endpoint, the request head forwarded, bytes piped both ways until either side closes.
// The tunnel counts as in flight on its endpoint, so draining waits for it.
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AppContext } from './context.js';
import { scanRequestHeaders, type RequestHead } from './headers.js';
import { sendErrorOnSocket } from './responses.js';
import { pickEndpoint, selectVersion } from './select.js';
import { UPSTREAM_ERROR } from './stats.js';

/** An Upgrade request's head, from either engine. */
export interface UpgradeRequest {
  method: string;
  url: string;
  rawHeaders: string[];
  remoteAddress: string;
}

/** The request head as sent upstream: Connection and Upgrade kept, X-Forwarded-* replaced. */
function upstreamHead(req: UpgradeRequest, requestId: string, host: string): string {
  const raw = req.rawHeaders;
  let forwardedFor: string | null = null;
  let head = `${req.method} ${req.url} HTTP/1.1\r\n`;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    const value = raw[i + 1] as string;
    if (lower === 'x-forwarded-for')
      forwardedFor = forwardedFor === null ? value : `${forwardedFor}, ${value}`;
    else if (lower === 'x-forwarded-proto' || lower === 'x-forwarded-host' || lower === 'x-request-id')
      continue;
    else head += `${name}: ${value}\r\n`;
  }
  const remote = req.remoteAddress;
  head += `x-forwarded-for: ${forwardedFor === null ? remote : `${forwardedFor}, ${remote}`}\r\n`;
  head += `x-forwarded-proto: http\r\nx-forwarded-host: ${host}\r\nx-request-id: ${requestId}\r\n\r\n`;
  return head;
}

/** Parses the status code from the first bytes of an HTTP/1.x response, or 0. */
function statusOf(chunk: Buffer): number {
  if (chunk.length < 12 || chunk.toString('latin1', 0, 5) !== 'HTTP/') return 0;
  const code = Number(chunk.toString('latin1', 9, 12));
  return Number.isInteger(code) ? code : 0;
}

export function handleUpgrade(ctx: AppContext, req: UpgradeRequest, client: Duplex, head: Buffer): void {
  const start = performance.now();
  const table = ctx.table;
  const traffic = table.traffic;
  const info: RequestHead = {
    headers: [],
    host: '',
    forwardedFor: null,
    requestId: null,
    cookie: null,
    preview: null,
    contentLength: null,
    chunked: false,
  };
  scanRequestHeaders(req.rawHeaders, traffic.preview, info);
  const requestId = info.requestId ?? ctx.nextRequestId();
  const socket = client as Socket;
  socket.on('error', () => socket.destroy());
  if (traffic.maintenance !== null) {
    // Held upgrades would pin a raw socket with no response object: they are rejected in both modes.
    ctx.countRejected();
    sendErrorOnSocket(socket, 503, 'maintenance', null, requestId, traffic.maintenance.retryAfterSeconds);
    return;
  }
  const route = selectVersion(table, req.rawHeaders, info, { setCookie: null });
  if (route === null) {
    sendErrorOnSocket(socket, 503, 'no_version_available', null, requestId);
    return;
  }
  const endpoint = pickEndpoint(route);
  endpoint.inFlight += 1;
  const upstream = connect({ host: endpoint.host, port: endpoint.port });
  upstream.setNoDelay(true);
  let answered = false;
  let closed = false;
  const timer = setTimeout(() => fail(504), ctx.limits.upstreamTimeoutMs);

  const close = (): void => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    upstream.destroy();
    socket.destroy();
    endpoint.release();
  };
  const fail = (status: 502 | 504): void => {
    if (answered || closed) return close();
    answered = true;
    const now = performance.now();
    route.recorder.record(UPSTREAM_ERROR, now - start, now);
    clearTimeout(timer);
    upstream.destroy();
    // The tunnel is released when the client's socket closes after reading this answer.
    sendErrorOnSocket(
      socket,
      status,
      status === 504 ? 'upstream_timeout' : 'upstream_unavailable',
      route.name,
      requestId,
    );
  };

  upstream.once('connect', () => {
    upstream.write(upstreamHead(req, requestId, info.host));
    if (head.length > 0) upstream.write(head);
    socket.pipe(upstream);
  });
  upstream.once('data', (first: Buffer) => {
    answered = true;
    clearTimeout(timer);
    const now = performance.now();
    route.recorder.record(statusOf(first) || UPSTREAM_ERROR, now - start, now);
    socket.write(first);
    upstream.pipe(socket);
  });
  upstream.on('error', () => fail(502));
  upstream.on('close', () => (answered ? close() : fail(502)));
  socket.on('close', close);
}
