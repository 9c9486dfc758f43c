// An app's listening HTTP server: node:http with the app's limits (header size → 431, headers and request
// timeouts against slowloris, keep-alive), bound to an address or to a listening handle shared by the primary
// router process, and closed gracefully.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { ExternalError } from '../../../errors.js';
import type { RouterLimits } from '../types.js';

type ServerWithHeaderSize = Server & { maxHeaderSize?: number };

/** How often node checks the headers/request timeouts of open connections (it defaults to 30 s). */
function checkingInterval(limits: RouterLimits): number {
  return Math.min(1000, Math.max(50, Math.floor(limits.headersTimeoutMs / 4)));
}

/** The whole request, body included; node requires it to be at least the headers timeout. */
function requestTimeout(limits: RouterLimits): number {
  return Math.max(300_000, limits.headersTimeoutMs);
}

export function createAppServer(
  limits: RouterLimits,
  onRequest: (server: Server, req: IncomingMessage, res: ServerResponse) => void,
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
): Server {
  const server: Server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: requestTimeout(limits),
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: checkingInterval(limits),
      noDelay: true,
    },
    (req, res) => onRequest(server, req, res),
  );
  server.on('upgrade', onUpgrade);
  return server;
}

/** Applies new limits to a running server; node reads them for each new connection. */
export function applyLimits(server: Server, limits: RouterLimits): void {
  const s = server as ServerWithHeaderSize;
  s.maxHeaderSize = limits.maxHeaderBytes;
  s.headersTimeout = limits.headersTimeoutMs;
  s.requestTimeout = requestTimeout(limits);
  s.keepAliveTimeout = limits.keepAliveTimeoutMs;
}

/** Binds to an address, or to a listening handle passed by the primary. Resolves with the bound port. */
export function bindServer(
  server: Server,
  app: string,
  target: { host: string; port: number } | NetServer,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const where = 'host' in target ? `${target.host}:${target.port}` : 'a shared handle';
      reject(
        new ExternalError(`app ${app}: cannot listen on ${where}: ${err.code ?? err.message}`, {
          app,
          ...('host' in target ? { host: target.host, port: target.port } : {}),
          cause: err.code,
        }),
      );
    };
    const onListening = (): void => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    };
    server.once('error', onError);
    if ('host' in target) server.listen(target.port, target.host, onListening);
    else server.listen(target, onListening);
  });
}

/**
 * Closes a listener: no new connections; idle keep-alive ones are closed as soon as they are idle (busy ones
 * get `Connection: close` on their next response), and whatever is left after `graceMs` is cut.
 */
export async function closeServer(server: Server, graceMs: number): Promise<void> {
  let done = false;
  const closed = new Promise<void>((resolve) => server.close(() => resolve())).then(() => (done = true));
  const deadline = performance.now() + graceMs;
  while (!done && performance.now() < deadline) {
    server.closeIdleConnections();
    await new Promise((r) => setTimeout(r, 25));
  }
  server.closeAllConnections();
  await closed;
}
