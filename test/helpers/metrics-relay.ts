// The agent's Prometheus exposition on a loopback TCP port, for a real Prometheus to scrape. A controller starts
// its agent with the admin API on a unix socket only (no --admin-listen), and Prometheus cannot scrape a unix
// socket, so this relay forwards each GET /metrics to the agent's socket and sends the answer back unchanged.
import { request, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { agentSocketPath } from '../../src/targets/local/agent/info.js';

export interface MetricsRelay {
  /** host:port to scrape (path /metrics). */
  target: string;
  /** Scrapes relayed so far (answered by the agent or not). */
  scrapes(): number;
  close(): Promise<void>;
}

/** A relay from a free loopback port to the /metrics of the agent whose data directory is `agentDir`. */
export async function startMetricsRelay(agentDir: string): Promise<MetricsRelay> {
  const socketPath = agentSocketPath(agentDir);
  let scrapes = 0;
  const server = createServer((req, res) => {
    scrapes += 1;
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const upstream = request({ socketPath, path: '/metrics', method: 'GET', timeout: 5_000 }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, {
        'content-type': answer.headers['content-type'] ?? 'text/plain',
      });
      answer.pipe(res);
    });
    upstream.on('timeout', () => upstream.destroy(new Error('the agent did not answer in 5 s')));
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`agent unreachable: ${error.message}`);
    });
    upstream.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    target: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    scrapes: () => scrapes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
