// The router with a worker process (workers: 2): both processes serve the same port, changes reach the
// worker, and its requests show up in the primary's statistics, stream and drain accounting.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StatsBucket } from '../types.js';
import {
  send,
  ENGINES_UNDER_TEST,
  startRouter,
  startUpstream,
  traffic,
  waitFor,
  type RouterHarness,
  type Upstream,
} from './test-support.js';

for (const engine of ENGINES_UNDER_TEST) {
  void describe(`router (${engine}): worker processes`, () => {
    let v1: Upstream;
    let v2: Upstream;
    let h: RouterHarness;

    before(async () => {
      [v1, v2] = await Promise.all([startUpstream('v1'), startUpstream('v2')]);
      h = await startRouter(engine, traffic({ weights: { v1: 100 } }), undefined, { workers: 2 });
      h.router.setEndpoints('app', 'v1', [{ id: 'a', host: '127.0.0.1', port: v1.port }]);
      h.router.setEndpoints('app', 'v2', [{ id: 'b', host: '127.0.0.1', port: v2.port }]);
      // Resolves once every worker has applied everything sent so far.
      assert.equal(await h.router.waitDrained('app', 'none', 20_000), true);
    });
    after(async () => {
      await h?.close();
      await Promise.all([v1?.close(), v2?.close()]);
    });

    const requests = (version: string) =>
      h.router.stats('app').versions.find((v) => v.version === version)?.cumulative.requests ?? 0;

    void it('serves from both processes and merges the worker’s statistics', async () => {
      const buckets: StatsBucket[] = [];
      const unsubscribe = h.router.subscribe('app', (b) => buckets.push(b));
      try {
        for (let i = 0; i < 200; i++) assert.equal((await send(h.port)).body, 'v1');
        const ids = v1.seen.map((s) => String(s.headers['x-request-id']));
        assert.ok(
          ids.some((id) => id.startsWith('test-w0-')),
          'the worker served some',
        );
        assert.ok(
          ids.some((id) => /^test-\d+$/.test(id)),
          'the primary served some',
        );
        await waitFor(() => requests('v1') === 200, 5_000, 'merged stats');
        const streamed = () => buckets.reduce((n, b) => n + (b.versions.v1?.requests ?? 0), 0);
        await waitFor(() => streamed() === 200, 5_000, 'merged stream buckets');
      } finally {
        unsubscribe();
      }
      assert.match(
        await h.router.metrics(),
        /greenlight_router_requests_total\{app="app",version="v1",code="2xx"\} 200/,
      );
    });

    void it('applies traffic changes in the worker too', async () => {
      h.router.setTraffic('app', traffic({ weights: { v2: 100 } }));
      assert.equal(await h.router.waitDrained('app', 'none', 10_000), true);
      for (let i = 0; i < 50; i++) assert.equal((await send(h.port)).body, 'v2');
      await waitFor(() => requests('v2') === 50, 5_000, 'merged stats');
    });

    void it('closes the worker with the router', async () => {
      await h.close();
      await assert.rejects(send(h.port));
    });
  });
}
