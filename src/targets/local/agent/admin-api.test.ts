// The admin API in process (no sockets): every /v1 route refuses a missing or wrong token, bad input gets a
// 400 that names the field, and an app can be put, routed and read back.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { createAdminApi } from './admin-api.js';
import { Agent } from './agent.js';

const routes: Array<[string, string]> = [
  ['GET', '/v1/apps'],
  ['PUT', '/v1/apps/shop'],
  ['GET', '/v1/apps/shop'],
  ['GET', '/v1/apps/shop/desired'],
  ['DELETE', '/v1/apps/shop'],
  ['PUT', '/v1/apps/shop/versions/v1'],
  ['DELETE', '/v1/apps/shop/versions/v1'],
  ['PUT', '/v1/apps/shop/traffic'],
  ['PUT', '/v1/apps/shop/maintenance'],
  ['DELETE', '/v1/apps/shop/maintenance'],
  ['POST', '/v1/apps/shop/probe'],
  ['GET', '/v1/apps/shop/instances/v1-1/logs'],
  ['GET', '/v1/apps/shop/stats'],
  ['GET', '/v1/apps/shop/stats/stream'],
  ['POST', '/v1/shutdown'],
];

describe('agent admin API', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gl-admin-'));
  const token = 'test-token-123';
  let agent: Agent;
  let api: Hono;
  let shutdowns = 0;
  const call = (method: string, path: string, body?: unknown, auth = `Bearer ${token}`): Promise<Response> =>
    Promise.resolve(
      api.request(path, {
        method,
        headers: { authorization: auth, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );

  before(() => {
    agent = new Agent({ dataDir });
    api = createAdminApi({ agent, token, version: 'test', onShutdown: () => (shutdowns += 1) });
  });
  after(async () => {
    await agent.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const [method, path] of routes) {
    for (const [label, auth] of [
      ['no', ''],
      ['a wrong', 'Bearer not-the-token'],
      ['a malformed', token],
    ] as const) {
      it(`${method} ${path} refuses ${label} token with 401`, async () => {
        const response = await call(
          method,
          path,
          method === 'GET' || method === 'DELETE' ? undefined : {},
          auth,
        );
        assert.equal(response.status, 401);
        assert.equal(((await response.json()) as { code: string }).code, 'GL1004');
      });
    }
  }

  it('never ran a refused shutdown', () => assert.equal(shutdowns, 0));

  it('serves /healthz and /metrics without a token', async () => {
    assert.equal((await call('GET', '/healthz', undefined, '')).status, 200);
    const metrics = await call('GET', '/metrics', undefined, '');
    assert.equal(metrics.status, 200);
  });

  it('refuses a bad app with 400 naming the field', async () => {
    const response = await call('PUT', '/v1/apps/shop', { listen: { port: 'eighty' }, extra: 1 });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { code: string; details: { problems: Array<{ path: string }> } };
    assert.equal(body.code, 'GL1001');
    const paths = body.details.problems.map((p) => p.path);
    assert.ok(paths.includes('listen.port'), paths.join(','));
    assert.ok(body.details.problems.length >= 2, 'all problems are reported at once');
  });

  it('puts an app, sets traffic, refuses removing a weighted version, and reports 404 for unknown apps', async () => {
    const put = await call('PUT', '/v1/apps/shop', { listen: { port: 0 } });
    assert.equal(put.status, 200);
    const traffic = await call('PUT', '/v1/apps/shop/traffic', { weights: { v1: 100 } });
    assert.equal(traffic.status, 200);
    const status = (await (await call('GET', '/v1/apps/shop')).json()) as { trafficVerified: string };
    assert.equal(status.trafficVerified, 'verified');
    const badTraffic = await call('PUT', '/v1/apps/shop/traffic', { weights: { v1: -5 } });
    assert.equal(badTraffic.status, 400);
    const version = await call('PUT', '/v1/apps/shop/versions/v1', {
      instances: 0,
      run: { command: [process.execPath, '-e', 'setTimeout(() => {}, 1e6)'] },
    });
    assert.equal(version.status, 200);
    assert.equal((await call('DELETE', '/v1/apps/shop/versions/v1')).status, 409);
    assert.equal((await call('GET', '/v1/apps/nope')).status, 404);
    const maintenance = await call('PUT', '/v1/apps/shop/maintenance', { retryAfterSeconds: 7 });
    const spec = (await maintenance.json()) as { maintenance: { mode: string; retryAfterSeconds: number } };
    assert.deepEqual([spec.maintenance.mode, spec.maintenance.retryAfterSeconds], ['reject', 7]);
  });
});
