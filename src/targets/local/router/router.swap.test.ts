// Table and endpoint swaps under load lose no request; a removed endpoint drains its in-flight requests.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  destroyAgents,
  keepAliveAgent,
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
  void describe(`router (${engine}): swaps and drain`, () => {
    const upstreams = new Set<Upstream>();
    let h: RouterHarness | undefined;

    after(async () => {
      destroyAgents();
      await h?.close();
      await Promise.all([...upstreams].map((u) => u.close()));
    });

    async function upstream(name: string, handler?: Parameters<typeof startUpstream>[1]): Promise<Upstream> {
      const u = await startUpstream(name, handler);
      upstreams.add(u);
      return u;
    }

    void it('loses no request while weights and endpoints change every 20 ms', async () => {
      const router = (h = await startRouter(engine, traffic({ weights: { v1: 50, v2: 50 } }))).router;
      const current: Record<string, { id: string; up: Upstream }> = {};
      let generation = 0;
      const replace = async (version: string): Promise<void> => {
        generation += 1;
        const up = await upstream(version);
        const id = `${version}-${generation}`;
        const old = current[version];
        current[version] = { id, up };
        router.setEndpoints('app', version, [{ id, host: '127.0.0.1', port: up.port }]);
        if (old !== undefined) {
          assert.equal(await router.waitDrained('app', old.id, 5_000), true);
          upstreams.delete(old.up);
          await old.up.close();
        }
      };
      await replace('v1');
      await replace('v2');

      let stop = false;
      let swaps = 0;
      const churn = (async () => {
        while (!stop) {
          await new Promise((r) => setTimeout(r, 20));
          const w = Math.floor(Math.random() * 101);
          router.setTraffic('app', traffic({ weights: { v1: w, v2: 100 - w } }));
          await replace(swaps % 2 === 0 ? 'v1' : 'v2');
          swaps += 1;
        }
      })();

      const agent = keepAliveAgent(4);
      const failures: string[] = [];
      let sent = 0;
      const client = async () => {
        while (sent < 2000) {
          sent += 1;
          const r = await send(h!.port, { agent }).catch((e: Error) => ({ status: 0, body: e.message }));
          if (r.status !== 200 || (r.body !== 'v1' && r.body !== 'v2'))
            failures.push(`${r.status} ${r.body}`);
        }
      };
      await Promise.all([client(), client(), client(), client()]);
      stop = true;
      await churn;
      assert.deepEqual(failures, []);
      assert.ok(swaps >= 5, `only ${swaps} swaps happened`);
      assert.equal(router.inFlight('app'), 0);
    });

    void it('lets a slow request to a removed endpoint finish, then waitDrained resolves true', async () => {
      const router = h!.router;
      const release: (() => void)[] = [];
      const slow = await upstream('slow', (_req, res) => release.push(() => res.end('slow done')));
      const fresh = await upstream('fresh');
      router.setTraffic('app', traffic({ weights: { v1: 100 } }));
      router.setEndpoints('app', 'v1', [{ id: 'slow', host: '127.0.0.1', port: slow.port }]);
      const pending = send(h!.port);
      await waitFor(() => release.length === 1, 5_000, 'the slow request to arrive');
      assert.equal(router.inFlight('app', 'slow'), 1);

      router.setEndpoints('app', 'v1', [{ id: 'fresh', host: '127.0.0.1', port: fresh.port }]);
      let drained: boolean | undefined;
      const draining = router.waitDrained('app', 'slow', 10_000).then((d) => (drained = d));
      assert.equal((await send(h!.port)).body, 'fresh', 'new requests go to the new endpoint');
      assert.equal(drained, undefined, 'still draining while the slow request is in flight');
      assert.deepEqual(router.table('app')?.endpoints.v1, [
        { id: 'fresh', host: '127.0.0.1', port: fresh.port },
      ]);

      release[0]?.();
      const r = await pending;
      assert.equal(r.status, 200);
      assert.equal(r.body, 'slow done');
      await draining;
      assert.equal(drained, true);
      assert.equal(router.inFlight('app', 'slow'), 0);
    });

    void it('waitDrained resolves false at the timeout when a request does not finish', async () => {
      const router = h!.router;
      const stuck = await upstream('stuck', () => undefined);
      const other = await upstream('other');
      router.setEndpoints('app', 'v1', [{ id: 'stuck', host: '127.0.0.1', port: stuck.port }]);
      const pending = send(h!.port).catch(() => null);
      await waitFor(() => router.inFlight('app', 'stuck') === 1, 5_000, 'the request to be in flight');
      router.setEndpoints('app', 'v1', [{ id: 'other', host: '127.0.0.1', port: other.port }]);
      assert.equal(await router.waitDrained('app', 'stuck', 100), false);
      await stuck.close();
      await pending;
    });
  });
}
