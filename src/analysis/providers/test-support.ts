// Test support for the provider suites: a real in-process router in front of two upstreams, after a fixed
// amount of traffic (v1: 60 requests, all 200; v2: 40 requests, 10 of them 500), and its Prometheus exposition
// served on loopback like the agent's GET /metrics, for a real Prometheus to scrape.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from '../../targets/local/router/router.js';
import { send, startRouter, startUpstream, traffic } from '../../targets/local/router/test-support.js';

export const ROUTED_APP = 'app';
/** What the fixture's traffic leaves in the router's counters. */
export const ROUTED = { v1: { requests: 60, errors: 0 }, v2: { requests: 40, errors: 10 } } as const;

export interface RoutedTraffic {
  router: Router;
  /** host:port of the /metrics endpoint. */
  metricsTarget: string;
  close(): Promise<void>;
}

export async function routerWithTraffic(): Promise<RoutedTraffic> {
  const v1 = await startUpstream('v1');
  const v2 = await startUpstream('v2', (req, res) => {
    req.resume();
    res.writeHead(req.url === '/fail' ? 500 : 200, { 'content-type': 'text/plain' });
    res.end('v2');
  });
  const harness = await startRouter('node', traffic({ weights: { v1: 100 }, stable: 'v1' }));
  harness.router.setEndpoints(ROUTED_APP, 'v1', [{ id: 'v1-a', host: '127.0.0.1', port: v1.port }]);
  harness.router.setEndpoints(ROUTED_APP, 'v2', [{ id: 'v2-a', host: '127.0.0.1', port: v2.port }]);
  for (let i = 0; i < ROUTED.v1.requests; i++) await send(harness.port);
  for (let i = 0; i < ROUTED.v2.requests; i++) {
    const path = i < ROUTED.v2.errors ? '/fail' : '/';
    await send(harness.port, { path, headers: { 'x-greenlight-version': 'v2' } });
  }
  const metrics = createServer((req, res) => {
    void harness.router.metrics().then((text) => {
      res.writeHead(200, { 'content-type': harness.router.metricsContentType });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => metrics.listen(0, '127.0.0.1', resolve));
  return {
    router: harness.router,
    metricsTarget: `127.0.0.1:${(metrics.address() as AddressInfo).port}`,
    async close() {
      metrics.closeAllConnections();
      await new Promise<void>((resolve) => metrics.close(() => resolve()));
      await harness.close();
      await v1.close();
      await v2.close();
    },
  };
}
