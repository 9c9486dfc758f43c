// Mirroring, maintenance (reject and hold) and retry-on-stable, through a real listener.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
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
  function statsOf(h: RouterHarness, version: string) {
    const v = h.router.stats('app').versions.find((s) => s.version === version);
    assert.ok(v !== undefined, `no stats for ${version}`);
    return v;
  }

  void describe(`router (${engine}): mirror`, () => {
    let stable: Upstream;
    let mirror: Upstream;
    let h: RouterHarness;
    const held: (() => void)[] = [];

    before(async () => {
      stable = await startUpstream('stable');
      // The mirror never answers on its own: the client must not wait for it.
      mirror = await startUpstream('mirror', (_req, res) => held.push(() => res.end('late')));
      h = await startRouter(
        engine,
        traffic({ weights: { v1: 100 }, mirror: { version: 'v2', percent: 100 } }),
      );
      h.router.setEndpoints('app', 'v1', [{ id: 's', host: '127.0.0.1', port: stable.port }]);
      h.router.setEndpoints('app', 'v2', [{ id: 'm', host: '127.0.0.1', port: mirror.port }]);
    });

    after(async () => {
      for (const release of held) release();
      await h?.close();
      await Promise.all([stable?.close(), mirror?.close()]);
    });

    void it('copies requests to the mirror version without affecting the client', async () => {
      for (let i = 0; i < 10; i++) {
        const r = await send(h.port, { path: `/m${i}` });
        assert.equal(r.status, 200);
        assert.equal(r.body, 'stable');
      }
      await waitFor(() => mirror.seen.length === 10, 5_000, 'mirrored copies');
      assert.deepEqual(
        mirror.seen.map((s) => s.url),
        stable.seen.map((s) => s.url),
      );
      const v2 = statsOf(h, 'v2');
      assert.equal(v2.mirrored, 10);
      assert.equal(v2.cumulative.requests, 0, 'copies are not counted as the mirror version’s requests');
      assert.equal(statsOf(h, 'v1').cumulative.responses['2xx'], 10);
    });

    void it('is unaffected by a failing mirror', async () => {
      await mirror.close();
      for (let i = 0; i < 5; i++) assert.equal((await send(h.port)).status, 200);
    });
  });

  void describe(`router (${engine}): maintenance`, () => {
    let up: Upstream;
    let h: RouterHarness;

    before(async () => {
      up = await startUpstream('v1');
      h = await startRouter(engine, traffic({ weights: { v1: 100 } }));
      h.router.setEndpoints('app', 'v1', [{ id: 'a', host: '127.0.0.1', port: up.port }]);
    });
    afterEach(() => h.router.setTraffic('app', traffic({ weights: { v1: 100 } })));
    after(async () => {
      await h?.close();
      await up?.close();
    });

    void it('reject: 503 with Retry-After, counted', async () => {
      h.router.setTraffic(
        'app',
        traffic({ weights: { v1: 100 }, maintenance: { mode: 'reject', retryAfterSeconds: 7, holdMs: 0 } }),
      );
      const r = await send(h.port);
      assert.equal(r.status, 503);
      assert.equal(r.headers['retry-after'], '7');
      assert.equal((JSON.parse(r.body) as { code: string }).code, 'maintenance');
      assert.equal(h.router.stats('app').maintenance.rejected, 1);
      assert.equal(up.seen.length, 0);
    });

    void it('hold: a held request is served once maintenance ends', async () => {
      h.router.setTraffic(
        'app',
        traffic({
          weights: { v1: 100 },
          maintenance: { mode: 'hold', retryAfterSeconds: 3, holdMs: 30_000 },
        }),
      );
      const pending = send(h.port);
      await waitFor(() => h.router.held('app') === 1, 5_000, 'the request to be held');
      assert.equal(up.seen.length, 0, 'not forwarded while in maintenance');
      h.router.setTraffic('app', traffic({ weights: { v1: 100 } }));
      const r = await pending;
      assert.equal(r.status, 200);
      assert.equal(r.body, 'v1');
      assert.equal(h.router.stats('app').maintenance.heldThenServed, 1);
    });

    void it('hold: 503 with Retry-After once holdMs has passed', async () => {
      h.router.setTraffic(
        'app',
        traffic({ weights: { v1: 100 }, maintenance: { mode: 'hold', retryAfterSeconds: 3, holdMs: 100 } }),
      );
      const r = await send(h.port);
      assert.equal(r.status, 503);
      assert.equal(r.headers['retry-after'], '3');
    });
  });

  void describe(`router (${engine}): retry on stable`, () => {
    let stable: Upstream;
    let canary: Upstream;
    let h: RouterHarness;

    before(async () => {
      stable = await startUpstream('stable');
      canary = await startUpstream('canary', (_req, res) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('canary failed');
      });
      h = await startRouter(
        engine,
        traffic({ weights: { v1: 0, v2: 100 }, stable: 'v1', retryOnStable: true }),
      );
      h.router.setEndpoints('app', 'v1', [{ id: 's', host: '127.0.0.1', port: stable.port }]);
      h.router.setEndpoints('app', 'v2', [{ id: 'c', host: '127.0.0.1', port: canary.port }]);
    });
    after(async () => {
      await h?.close();
      await Promise.all([stable?.close(), canary?.close()]);
    });

    void it('re-sends a failed idempotent request to stable; the canary keeps the error', async () => {
      for (let i = 0; i < 5; i++) {
        const r = await send(h.port);
        assert.equal(r.status, 200);
        assert.equal(r.body, 'stable');
      }
      const v2 = statsOf(h, 'v2');
      assert.equal(v2.retriedOnStable, 5);
      assert.equal(v2.cumulative.responses['5xx'], 5);
      assert.equal(v2.cumulative.errorRate, 1);
      assert.equal(statsOf(h, 'v1').cumulative.responses['2xx'], 5);
    });

    void it('does the same for a canary that refuses connections', async () => {
      await canary.close();
      const r = await send(h.port);
      assert.equal(r.status, 200);
      assert.equal(r.body, 'stable');
      assert.equal(statsOf(h, 'v2').cumulative.upstreamErrors, 1);
    });

    void it('does not retry a request with a body', async () => {
      const r = await send(h.port, { method: 'POST', body: 'x' });
      assert.equal(r.status, 502);
    });
  });
}
