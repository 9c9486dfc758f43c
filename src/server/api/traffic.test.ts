// Health checks on demand and manual traffic control through the API.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { AgentClient } from '../../targets/local/agent/client.js';
import { MINIMAL_SPEC, startApiFixture, type ApiFixture } from './testing.js';

void describe('health-check and traffic API', () => {
  let f: ApiFixture | undefined;
  afterEach(() => f?.close());

  async function liveOnV1(fixture: ApiFixture): Promise<void> {
    await fixture.call('post', '/v1/apps', { body: { file: 'greenlight.yaml', text: MINIMAL_SPEC } });
    await fixture.call('post', '/v1/apps/shop/releases', { body: { version: 'v1' } });
    for (let i = 0; i < 5; i++) {
      fixture.clock.advance(1000);
      fixture.engine.resync();
      await fixture.engine.idle();
    }
  }

  void it('answers 422 for a health check without a local agent', async () => {
    f = await startApiFixture();
    await liveOnV1(f);
    const response = await f.call('post', '/v1/apps/shop/health-check', { token: f.tokens.viewer });
    assert.equal(response.status, 422);
    assert.equal(((await response.json()) as { code: string }).code, 'GL1005');
  });

  void it('probes through the agent and records health.checked with the summary', async () => {
    const agent = {
      probe: async () => ({
        results: [
          { instance: 'v1-1', version: 'v1', readiness: { ok: true, message: '200' }, liveness: null },
          { instance: 'v1-2', version: 'v1', readiness: { ok: false, message: '503' }, liveness: null },
        ],
      }),
    } as unknown as AgentClient;
    f = await startApiFixture({ agent });
    await liveOnV1(f);
    const before = f.notified();
    const response = await f.call('post', '/v1/apps/shop/health-check', { token: f.tokens.viewer });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { healthy: boolean; summary: { failing: string[] } };
    assert.equal(body.healthy, false);
    assert.deepEqual(body.summary.failing, ['v1-2']);
    const [event] = await f.store
      .listEvents({ app: 'shop', afterId: 0, limit: 1000 })
      .then((e) => e.filter((x) => x.action === 'health.checked'));
    assert.deepEqual([event?.actor.name, event?.data.ready, event?.data.instances], ['viewer-token', 1, 2]);
    assert.equal(f.notified(), before + 1);
  });

  void it('switches traffic by hand to a version with ready instances, recording who and why', async () => {
    f = await startApiFixture();
    await liveOnV1(f);
    const body = { to: 'v2', percentage: 20, reason: 'try v2 on a fifth' };
    const noInstances = await f.call('post', '/v1/apps/shop/traffic', { body });
    assert.equal(noInstances.status, 409);
    await f.target.ensureVersionSet((await f.store.getApp('shop'))!.spec, {
      version: 'v2',
      role: 'canary',
      instances: 1,
    });

    const response = await f.call('post', '/v1/apps/shop/traffic', { token: f.tokens.deployer, body });
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(((await response.json()) as { weights: unknown }).weights, { v2: 20, v1: 80 });
    assert.deepEqual(f.target.traffic('shop').weights, { v2: 20, v1: 80 });
    const events = await f.store.listEvents({ app: 'shop', afterId: 0, limit: 1000 });
    const switched = events.find((e) => e.action === 'traffic.switched');
    assert.deepEqual([switched?.actor.name, switched?.reason], ['deployer-token', 'try v2 on a fifth']);

    const toLive = await f.call('post', '/v1/apps/shop/traffic', { body: { ...body, to: 'v1' } });
    assert.equal(toLive.status, 400);
  });

  void it('refuses manual traffic while a release is in progress', async () => {
    f = await startApiFixture();
    await liveOnV1(f);
    assert.equal((await f.call('post', '/v1/apps/shop/releases', { body: { version: 'v2' } })).status, 201);
    const response = await f.call('post', '/v1/apps/shop/traffic', {
      body: { to: 'v2', percentage: 50, reason: 'r' },
    });
    assert.equal(response.status, 409);
    assert.match(((await response.json()) as { message: string }).message, /in progress/);
  });
});
