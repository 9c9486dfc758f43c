// The Router's management surface: stats, /metrics text, the stats stream, rebinding, input errors, removal.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvalidInputError, NotFoundError } from '../../../errors.js';
import type { StatsBucket } from '../types.js';
import {
  LIMITS,
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
  void describe(`router (${engine}): stats, metrics and stream`, () => {
    let ok: Upstream;
    let failing: Upstream;
    let h: RouterHarness;

    before(async () => {
      ok = await startUpstream('v1');
      failing = await startUpstream('v2', (_req, res) => {
        res.statusCode = 503;
        res.end('no');
      });
      h = await startRouter(engine, traffic({ weights: { v1: 100, v2: 0 } }));
      h.router.setEndpoints('app', 'v1', [{ id: 'a', host: '127.0.0.1', port: ok.port }]);
      h.router.setEndpoints('app', 'v2', [{ id: 'b', host: '127.0.0.1', port: failing.port }]);
    });
    after(async () => {
      await h?.close();
      await Promise.all([ok?.close(), failing?.close()]);
    });

    void it('streams buckets with per-version counts and latencies while subscribed', async () => {
      const buckets: StatsBucket[] = [];
      const unsubscribe = h.router.subscribe('app', (b) => buckets.push(b));
      try {
        for (let i = 0; i < 6; i++) await send(h.port);
        for (let i = 0; i < 3; i++) await send(h.port, { headers: { 'x-greenlight-version': 'v2' } });
        const total = (v: string, f: 'requests' | 'errors') =>
          buckets.reduce((n, b) => n + (b.versions[v]?.[f] ?? 0), 0);
        await waitFor(() => total('v1', 'requests') === 6 && total('v2', 'requests') === 3, 5_000, 'buckets');
        assert.equal(total('v2', 'errors'), 3);
        assert.equal(total('v1', 'errors'), 0);
        const latencies = buckets.flatMap((b) => b.versions.v1?.latenciesMs ?? []);
        assert.equal(latencies.length, 6);
        assert.ok(latencies.every((ms) => ms > 0));
        for (const b of buckets) {
          assert.equal(b.app, 'app');
          assert.ok(b.end >= b.start);
        }
      } finally {
        unsubscribe();
      }
      const seen = buckets.length;
      await send(h.port);
      await new Promise((r) => setTimeout(r, 250));
      assert.equal(buckets.length, seen, 'no bucket after unsubscribing');
    });

    void it('reports cumulative and windowed stats per version', () => {
      const stats = h.router.stats('app');
      const v1 = stats.versions.find((v) => v.version === 'v1');
      const v2 = stats.versions.find((v) => v.version === 'v2');
      assert.equal(v1?.cumulative.requests, 7);
      assert.equal(v1?.windows['10s'].requests, 7);
      assert.equal(v1?.cumulative.errorRate, 0);
      assert.ok((v1?.cumulative.latency.p99Ms ?? 0) > 0);
      assert.equal(v2?.cumulative.responses['5xx'], 3);
      assert.equal(v2?.windows['1m'].errorRate, 1);
    });

    void it('exposes the Prometheus series', async () => {
      const text = await h.router.metrics();
      assert.match(h.router.metricsContentType, /^text\/plain/);
      assert.match(text, /greenlight_router_requests_total\{app="app",version="v1",code="2xx"\} 7/);
      assert.match(text, /greenlight_router_requests_total\{app="app",version="v2",code="5xx"\} 3/);
      assert.match(text, /greenlight_router_upstream_errors_total\{app="app",version="v1"\} 0/);
      assert.match(text, /greenlight_router_in_flight\{app="app",version="v1"\} 0/);
      assert.match(text, /# TYPE greenlight_router_request_duration_seconds histogram/);
      assert.match(
        text,
        /greenlight_router_request_duration_seconds_bucket\{app="app",version="v1",le="\+Inf"\} 7/,
      );
      assert.match(text, /greenlight_router_request_duration_seconds_count\{app="app",version="v1"\} 7/);
    });
  });

  void describe(`router (${engine}): management`, () => {
    let up: Upstream;
    let h: RouterHarness;

    before(async () => {
      up = await startUpstream('v1');
      h = await startRouter(engine, traffic({ weights: { v1: 100 } }));
      h.router.setEndpoints('app', 'v1', [{ id: 'a', host: '127.0.0.1', port: up.port }]);
    });
    after(async () => {
      await h?.close();
      await up?.close();
    });

    void it('refuses bad input with typed errors and keeps serving the old table', async () => {
      assert.throws(
        () => h.router.setTraffic('app', traffic({ weights: { v1: -5 } })),
        (e: unknown) => e instanceof InvalidInputError,
      );
      assert.throws(() => h.router.setTraffic('nope', traffic()), NotFoundError);
      assert.throws(
        () => h.router.setEndpoints('app', 'v1', [{ id: 'x', host: '127.0.0.1', port: 0 }]),
        InvalidInputError,
      );
      await assert.rejects(
        h.router.putApp('app2', { host: '127.0.0.1', port: 0 }, { ...LIMITS, maxBodyBytes: -1 }, traffic()),
        InvalidInputError,
      );
      assert.equal((await send(h.port)).body, 'v1');
      assert.deepEqual(h.router.table('app')?.traffic.weights, { v1: 100 });
      assert.equal(h.router.table('nope'), undefined);
    });

    void it('putApp with the same address keeps the port; a new port rebinds and the old one closes', async () => {
      const same = await h.router.putApp(
        'app',
        { host: '127.0.0.1', port: 0 },
        LIMITS,
        traffic({ weights: { v1: 100 } }),
      );
      assert.equal(same.port, h.port);
      const other = await startRouter(engine, traffic());
      const free = other.port;
      await other.close();
      const rebound = await h.router.putApp(
        'app',
        { host: '127.0.0.1', port: free },
        LIMITS,
        traffic({ weights: { v1: 100 } }),
      );
      assert.equal(rebound.port, free);
      assert.equal((await send(free)).body, 'v1');
      const old = h.port;
      let refused = false;
      for (let i = 0; i < 200 && !refused; i++) {
        refused = await send(old).then(
          () => false,
          () => true,
        );
        if (!refused) await new Promise((r) => setTimeout(r, 25));
      }
      assert.equal(refused, true, 'the old listener closed');
      h.port = free;
    });

    void it('removeApp closes the listener', async () => {
      await h.router.removeApp('app');
      await assert.rejects(send(h.port));
      assert.equal(h.router.table('app'), undefined);
      assert.throws(() => h.router.stats('app'), NotFoundError);
    });
  });
}
