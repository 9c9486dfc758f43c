// The answers the router gives itself (no upstream involved, or a failed one): a small JSON body
// `{ error, code, version, requestId }`, on an HTTP response or, for upgrade requests, on the raw socket.
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type RouterErrorCode =
  | 'upstream_unavailable' // connect refused, reset, or an unparseable answer
  | 'upstream_timeout' // no response headers within upstreamTimeoutMs
  | 'no_version_available' // no version with weight (or a route) has a ready endpoint
  | 'maintenance' // maintenance mode: rejected, or held past holdMs
  | 'body_too_large'; // request body over maxBodyBytes

const MESSAGES: Record<RouterErrorCode, string> = {
  upstream_unavailable: 'the upstream failed before answering',
  upstream_timeout: 'the upstream did not answer in time',
  no_version_available: 'no version of this app has a ready instance to take the request',
  maintenance: 'the app is in maintenance',
  body_too_large: 'the request body is larger than this app allows',
};

function body(code: RouterErrorCode, version: string | null, requestId: string): string {
  return JSON.stringify({ error: MESSAGES[code], code, version, requestId });
}

/**
 * Answers a request with a router error. `retryAfter` adds Retry-After (seconds); `close` asks the client to
 * close the connection (used when the request body was not read).
 */
export function sendError(
  res: ServerResponse,
  status: number,
  code: RouterErrorCode,
  version: string | null,
  requestId: string,
  retryAfter: number | null = null,
  close = false,
): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const text = body(code, version, requestId);
  const headers: string[] = [
    'content-type',
    'application/json',
    'content-length',
    String(Buffer.byteLength(text)),
    'x-request-id',
    requestId,
  ];
  if (retryAfter !== null) headers.push('retry-after', String(retryAfter));
  if (close) headers.push('connection', 'close');
  res.writeHead(status, headers);
  res.end(text);
}

/**
 * The same answer as one HTTP/1.1 response text, for the fast engine and raw sockets. `keepAlive` false adds
 * `Connection: close`; an HTTP/1.0 client that keeps the connection gets `Connection: keep-alive`.
 */
export function errorResponseText(
  status: number,
  code: RouterErrorCode,
  version: string | null,
  requestId: string,
  retryAfter: number | null,
  keepAlive: boolean,
  http10 = false,
): string {
  const text = body(code, version, requestId);
  const retry = retryAfter === null ? '' : `retry-after: ${retryAfter}\r\n`;
  const connection = !keepAlive ? 'connection: close\r\n' : http10 ? 'connection: keep-alive\r\n' : '';
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json\r\n` +
    `content-length: ${Buffer.byteLength(text)}\r\nx-request-id: ${requestId}\r\n${retry}${connection}\r\n${text}`
  );
}

/** The same answer written on a raw socket (an Upgrade request), then the socket is ended. */
export function sendErrorOnSocket(
  socket: Socket,
  status: number,
  code: RouterErrorCode,
  version: string | null,
  requestId: string,
  retryAfter: number | null = null,
): void {
  if (socket.destroyed) return;
  socket.end(errorResponseText(status, code, version, requestId, retryAfter, false));
}
