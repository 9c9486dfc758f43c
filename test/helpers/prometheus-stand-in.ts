// Loopback HTTP servers standing in for a Prometheus that misbehaves: one that answers too late (slower than
// the provider's timeout), one that answers garbage (200 with a body that is not the API's JSON). Each counts
// the queries it was sent, and closing it drops every pending answer and connection.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInAnswer {
  status: number;
  contentType: string;
  body: string;
}

export interface StandInOptions {
  /** What every request gets. */
  answer: StandInAnswer;
  /** Wait this long before answering (0: at once). */
  delayMs?: number;
}

export interface PrometheusStandIn {
  /** Base URL, as the provider's `address`. */
  url: string;
  /** Requests to the query API received so far (paths under /api/v1/). */
  queries(): number;
  close(): Promise<void>;
}

export async function startPrometheusStandIn(opts: StandInOptions): Promise<PrometheusStandIn> {
  let queries = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url?.startsWith('/api/v1/')) queries += 1;
      const reply = (): void => {
        res.writeHead(opts.answer.status, { 'content-type': opts.answer.contentType });
        res.end(opts.answer.body);
      };
      if (!opts.delayMs) return reply();
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) reply();
      }, opts.delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    queries: () => queries,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
