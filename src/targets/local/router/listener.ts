// An app's listening socket, behind one interface for both engines: `node` (node:http with the app's limits:
// header size → 431, headers and request timeouts against slowloris, keep-alive) and `fast` (fast/listener.ts,
// raw sockets and llhttp). Either is bound to an address or to a listening handle shared by the primary
// router process, and closed gracefully.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { ExternalError } from '../../../errors.js';
import type { RouterLimits } from '../types.js';
import type { AppContext } from './context.js';
import { handleRequest } from './proxy.js';
import type { UpgradeRequest } from './websocket.js';

type ServerWithHeaderSize = Server & { maxHeaderSize?: number };

/** What a listener serves: the app's request path, plus Upgrade tunnels. */
export interface ListenerApp extends AppContext {
  upgrade(req: UpgradeRequest, socket: Duplex, head: Buffer): void;
}

export interface AppListener {
  /** The listening server (node:http's is a net.Server too); its handle is what workers accept on. */
  readonly server: NetServer;
  /** New limits; each engine applies them to new connections or requests. */
  applyLimits(limits: RouterLimits): void;
  /** Stops accepting; lets busy connections finish for up to `graceMs` (asking clients to reconnect). */
  close(graceMs: number): Promise<void>;
}

/** How often timeouts of open connections are checked (node's own default is 30 s). */
export function checkingInterval(limits: RouterLimits): number {
  return Math.min(1000, Math.max(50, Math.floor(limits.headersTimeoutMs / 4)));
}

/** The whole request, body included; node requires it to be at least the headers timeout. */
function requestTimeout(limits: RouterLimits): number {
  return Math.max(300_000, limits.headersTimeoutMs);
}

class NodeListener implements AppListener {
  readonly server: Server;
  private closing = false;

  constructor(limits: RouterLimits, app: ListenerApp) {
    const server: Server = createServer(
      {
        maxHeaderSize: limits.maxHeaderBytes,
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: requestTimeout(limits),
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        connectionsCheckingInterval: checkingInterval(limits),
        noDelay: true,
      },
      (req, res) => {
        // A listener being replaced or closed asks its clients to reconnect (to the new one, if any).
        if (this.closing) res.shouldKeepAlive = false;
        handleRequest(app, req, res);
      },
    );
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      app.upgrade(
        {
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          rawHeaders: req.rawHeaders,
          remoteAddress: req.socket.remoteAddress ?? '',
        },
        socket,
        head,
      ),
    );
    this.server = server;
  }

  /** node reads these for each new connection. */
  applyLimits(limits: RouterLimits): void {
    const s = this.server as ServerWithHeaderSize;
    s.maxHeaderSize = limits.maxHeaderBytes;
    s.headersTimeout = limits.headersTimeoutMs;
    s.requestTimeout = requestTimeout(limits);
    s.keepAliveTimeout = limits.keepAliveTimeoutMs;
  }

  /**
   * No new connections; idle keep-alive ones are closed as soon as they are idle (busy ones get
   * `Connection: close` on their next response), and whatever is left after `graceMs` is cut.
   */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    const server = this.server;
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
}

export function createNodeListener(limits: RouterLimits, app: ListenerApp): AppListener {
  return new NodeListener(limits, app);
}

/** Binds to an address, or to a listening handle passed by the primary. Resolves with the bound port. */
export function bindServer(
  server: NetServer,
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
