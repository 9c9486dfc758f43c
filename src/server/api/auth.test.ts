// Authentication and roles over the whole route table: every write route refuses a missing or wrong token
// (401) and a viewer (403), and lets a deployer through; every read route lets a viewer through.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API_ROUTES } from './index.js';
import { MINIMAL_SPEC, startApiFixture, type ApiFixture } from './testing.js';

const SAMPLE_BODIES: Record<string, unknown> = {
  applyApp: { file: '/tmp/greenlight.yaml', text: MINIMAL_SPEC },
  validateSpec: { file: '/tmp/greenlight.yaml', text: MINIMAL_SPEC },
  deploy: { version: 'v1' },
  promote: { full: true },
  pause: { reason: 'looking' },
  resume: {},
  abort: { reason: 'bad numbers' },
  retry: {},
  rollback: { reason: 'bad numbers' },
  switchTraffic: { to: 'v2', percentage: 10, reason: 'try it' },
};

const concretePath = (path: string): string => path.replace('{app}', 'shop').replace('{id}', '1');
const writeRoutes = API_ROUTES.filter((r) => r.access === 'deploy');
const readRoutes = API_ROUTES.filter((r) => r.access === 'read' && r.id !== 'streamEvents');

void describe('API authentication and roles', () => {
  let f: ApiFixture;
  before(async () => {
    f = await startApiFixture();
  });
  after(() => f.close());

  void it('classes exactly the operations that change releases, traffic or specs as writes', () => {
    assert.deepEqual(writeRoutes.map((r) => r.id).sort(), [
      'abort',
      'deploy',
      'pause',
      'promote',
      'resume',
      'retry',
      'rollback',
      'switchTraffic',
    ]);
  });

  for (const r of writeRoutes) {
    const path = concretePath(r.path);
    const body = SAMPLE_BODIES[r.id];
    void describe(`${r.method.toUpperCase()} ${r.path}`, () => {
      void it('answers 401 GL1004 without a token', async () => {
        const response = await f.call(r.method, path, { token: null, body });
        assert.equal(response.status, 401);
        assert.equal(((await response.json()) as { code: string }).code, 'GL1004');
      });
      void it('answers 401 to an unknown token', async () => {
        const response = await f.call(r.method, path, { token: 'glt_nobody', body });
        assert.equal(response.status, 401);
      });
      void it('answers 403 to a viewer', async () => {
        const response = await f.call(r.method, path, { token: f.tokens.viewer, body });
        assert.equal(response.status, 403);
        const error = (await response.json()) as { code: string; details: { needed: string[] } };
        assert.equal(error.code, 'GL1004');
        assert.deepEqual(error.details.needed, ['deployer', 'admin']);
      });
      void it('lets a deployer through', async () => {
        const response = await f.call(r.method, path, { token: f.tokens.deployer, body });
        assert.ok(![401, 403].includes(response.status), `answered ${response.status}`);
      });
    });
  }

  void it('lets a viewer and an approver read, and refuses reads without a token', async () => {
    for (const r of readRoutes) {
      const path = concretePath(r.path) + (r.id === 'planRelease' ? '?version=v1' : '');
      const body = SAMPLE_BODIES[r.id];
      for (const token of [f.tokens.viewer, f.tokens.approver]) {
        const response = await f.call(r.method, path, { token, body });
        assert.ok(![401, 403].includes(response.status), `${r.id} answered ${response.status}`);
      }
      assert.equal((await f.call(r.method, path, { token: null, body })).status, 401, r.id);
    }
  });

  void it('refuses a revoked token', async () => {
    await f.store.revokeToken('deployer-token', { name: 'test', role: 'system' });
    const response = await f.call('get', '/v1/apps', { token: f.tokens.deployer });
    assert.equal(response.status, 401);
  });

  void it('serves the open routes without a token', async () => {
    const health = await f.call('get', '/healthz', { token: null });
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { ok: true, version: f.ctx.version });
    const metrics = await f.call('get', '/metrics', { token: null });
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(await metrics.text(), /greenlight_releases_in_progress/);
  });
});
