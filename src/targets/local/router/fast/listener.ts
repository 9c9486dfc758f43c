// The fast engine's listener: a plain net.Server whose connections are ClientConns, their timeouts checked by
// one sweep, and a graceful close (idle connections closed at once, busy ones after their response, whatever
// is left cut after the grace period).
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { RouterLimits } from '../../types.js';
import { checkingInterval, type AppListener, type ListenerApp } from '../listener.js';
import { ClientConn, type ConnectionHost, type FastRequest } from './connection.js';
import { DeadlineSet } from './deadlines.js';
import { handleFastRequest } from './exchange.js';

class FastListener implements AppListener, ConnectionHost {
  readonly server: NetServer;
  limits: RouterLimits;
  closing = false;
  private readonly conns: DeadlineSet<ClientConn>;

  constructor(
    limits: RouterLimits,
    private readonly app: ListenerApp,
  ) {
    this.limits = { ...limits };
    this.conns = new DeadlineSet(checkingInterval(limits));
    this.server = createServer({ noDelay: true }, (socket) => this.conns.add(new ClientConn(socket, this)));
  }

  applyLimits(limits: RouterLimits): void {
    this.limits = { ...limits };
    this.conns.setInterval(checkingInterval(limits));
  }

  onRequest(req: FastRequest): void {
    handleFastRequest(this.app, req);
  }

  onUpgrade(req: FastRequest, socket: Socket, head: Buffer): void {
    const info = {
      method: req.method,
      url: req.url,
      rawHeaders: req.rawHeaders,
      remoteAddress: req.conn.remoteAddress,
    };
    this.app.upgrade(info, socket, head);
  }

  forget(conn: ClientConn): void {
    this.conns.delete(conn);
  }

  async close(graceMs: number): Promise<void> {
    this.closing = true;
    this.server.close();
    const deadline = performance.now() + graceMs;
    while (this.conns.size > 0 && performance.now() < deadline) {
      for (const c of this.conns.values()) c.closeIfIdle();
      if (this.conns.size > 0) await new Promise((r) => setTimeout(r, 25));
    }
    for (const c of [...this.conns.values()]) c.abort();
  }
}

export function createFastListener(limits: RouterLimits, app: ListenerApp): AppListener {
  return new FastListener(limits, app);
}
