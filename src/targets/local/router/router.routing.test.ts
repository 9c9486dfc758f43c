// Routing through a real listener: weighted split, weight 0 and preview, header and cookie routes, sticky
// sessions, forwarded headers, and 503 when no version can take a request.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  destroyAgents,
  keepAliveAgent,
  send,
  ENGINES_UNDER_TEST,
  startRouter,
  startUpstream,
  traffic,
  type RouterHarness,
  type Upstream,
} from './test-support.js';

for (const engine of ENGINES_UNDER_TEST) {
  void describe(`router (${engine}): routing`, () => {
    let v1: Upstream;
    let v2: Upstream;
    let v3: Upstream;
    let h: RouterHarness;

    before(async () => {
      [v1, v2, v3] = await Promise.all([startUpstream('v1'), startUpstream('v2'), startUpstream('v3')]);
      h = await startRouter(engine, traffic({ weights: { v1: 80, v2: 20 } }));
      h.router.setEndpoints('app', 'v1', [{ id: 'v1-a', host: '127.0.0.1', port: v1.port }]);
      h.router.setEndpoints('app', 'v2', [{ id: 'v2-a', host: '127.0.0.1', port: v2.port }]);
      h.router.setEndpoints('app', 'v3', [{ id: 'v3-a', host: '127.0.0.1', port: v3.port }]);
    });

    after(async () => {
      destroyAgents();
      await h?.close();
      await Promise.all([v1?.close(), v2?.close(), v3?.close()]);
    });

    /** Sends `n` requests over 4 keep-alive connections and counts the answers by body. */
    async function split(n: number, headers?: Record<string, string>): Promise<Record<string, number>> {
      const agent = keepAliveAgent(4);
      const counts: Record<string, number> = {};
      let next = 0;
      const worker = async () => {
        while (next < n) {
          next += 1;
          const r = await send(h.port, { agent, headers });
          assert.equal(r.status, 200);
          counts[r.body] = (counts[r.body] ?? 0) + 1;
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      return counts;
    }

    void it('splits by weight: 2,000 requests at 80/20 give 20% ± 4% to v2, none to v3', async () => {
      const counts = await split(2000);
      const share = (counts.v2 ?? 0) / 2000;
      assert.ok(share > 0.16 && share < 0.24, `v2 got ${share}`);
      assert.equal(counts.v3, undefined);
      const v1Stats = h.router.stats('app').versions.find((v) => v.version === 'v1');
      assert.equal(v1Stats?.cumulative.responses['2xx'], counts.v1);
    });

    void it('sends nothing to a weight-0 version, but the preview header reaches it', async () => {
      h.router.setTraffic('app', traffic({ weights: { v1: 100, v3: 0 } }));
      assert.deepEqual(await split(100), { v1: 100 });
      assert.deepEqual(await split(20, { 'X-Greenlight-Version': 'v3' }), { v3: 20 });
    });

    void it('routes by header value, header regex and cookie presence', async () => {
      h.router.setTraffic(
        'app',
        traffic({
          weights: { v1: 100 },
          headerRoutes: [
            { header: { name: 'x-beta', value: 'on' }, version: 'v2' },
            { header: { name: 'x-tenant', regex: '^acme-' }, version: 'v3' },
            { cookie: { name: 'canary' }, version: 'v2' },
          ],
        }),
      );
      assert.equal((await send(h.port, { headers: { 'x-beta': 'on' } })).body, 'v2');
      assert.equal((await send(h.port, { headers: { 'x-beta': 'off' } })).body, 'v1');
      assert.equal((await send(h.port, { headers: { 'x-tenant': 'acme-eu' } })).body, 'v3');
      assert.equal((await send(h.port, { headers: { 'x-tenant': 'other' } })).body, 'v1');
      assert.equal((await send(h.port, { headers: { cookie: 'a=b; canary=1' } })).body, 'v2');
      assert.equal((await send(h.port, { headers: { cookie: 'a=b' } })).body, 'v1');
    });

    void it('keeps a client on its version with a sticky cookie', async () => {
      h.router.setTraffic(
        'app',
        traffic({ weights: { v1: 50, v2: 50 }, sticky: { cookie: 'gl', ttlSeconds: 300 } }),
      );
      const first = await send(h.port);
      const setCookie = first.headers['set-cookie']?.[0] ?? '';
      assert.match(setCookie, new RegExp(`^gl=${first.body}; Max-Age=300`));
      const cookie = setCookie.split(';')[0] as string;
      for (let i = 0; i < 30; i++) {
        const r = await send(h.port, { headers: { cookie } });
        assert.equal(r.body, first.body);
        assert.equal(r.headers['set-cookie'], undefined);
      }
    });

    void it('forwards X-Forwarded-* and keeps or creates x-request-id', async () => {
      h.router.setTraffic('app', traffic({ weights: { v1: 100 } }));
      await send(h.port, {
        headers: { 'x-request-id': 'client-id', 'x-forwarded-for': '10.1.2.3', host: 'shop.test' },
      });
      await send(h.port);
      const [withId, withoutId] = v1.seen.slice(-2);
      assert.equal(withId?.headers['x-request-id'], 'client-id');
      assert.equal(withId?.headers['x-forwarded-for'], '10.1.2.3, 127.0.0.1');
      assert.equal(withId?.headers['x-forwarded-host'], 'shop.test');
      assert.equal(withId?.headers['x-forwarded-proto'], 'http');
      assert.equal(withId?.headers.host, 'shop.test');
      assert.match(String(withoutId?.headers['x-request-id']), /^test-\d+$/);
    });

    void it('answers 503 with a JSON body when no version has a ready endpoint', async () => {
      h.router.setTraffic('app', traffic({ weights: { v9: 100 } }));
      const r = await send(h.port);
      assert.equal(r.status, 503);
      const body = JSON.parse(r.body) as Record<string, unknown>;
      assert.equal(body.code, 'no_version_available');
      assert.match(String(body.requestId), /^test-/);
    });
  });
}
