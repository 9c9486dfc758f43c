// The role × operation matrix over the whole route table (the list the router itself uses, so a route added
// later is covered without touching this file): for every route and every caller, open routes never answer
// 401/403; other routes answer 401 without a token or with a revoked one, 403 exactly to the roles their
// access does not grant, and never 401/403 to the roles it grants (any other answer is the route's business).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { ACCESSES, ROLES, hashToken, rolesFor, type TokenRole } from '../auth.js';
import { API_ROUTES } from './index.js';
import { pathParams, type Route } from './route.js';
import { startApiFixture, type ApiFixture } from './testing.js';

/**
 * POST routes that may be open, each with the reason. None today: every write needs a token. A route listed
 * here must exist and be open (so the list cannot silently outlive its routes).
 */
const OPEN_WRITES: Record<string, string> = {};

/** Path parameter values: an app and a release that do not exist, a token name nobody holds. */
const PARAM_VALUES: Record<string, string> = { app: 'shop', id: '1', name: 'nobody' };

const REVOKED_TOKEN = 'glt_test_revoked';

type Caller = 'no token' | 'revoked token' | TokenRole;
const CALLERS: readonly Caller[] = ['no token', 'revoked token', ...ROLES];

const concretePath = (r: Route): string =>
  pathParams(r.path).reduce(
    (path, name) => path.replace(`{${name}}`, encodeURIComponent(PARAM_VALUES[name] ?? 'x')),
    r.path,
  );

/** The status the caller must get, or `allowed` for anything but 401/403. */
function expected(r: Route, caller: Caller): 401 | 403 | 'allowed' {
  if (r.access === 'open') return 'allowed';
  if (caller === 'no token' || caller === 'revoked token') return 401;
  return rolesFor(r.access).includes(caller) ? 'allowed' : 403;
}

void describe('API role × operation matrix', () => {
  let f: ApiFixture;
  before(async () => {
    f = await startApiFixture();
    const system = { name: 'test', role: 'system' };
    // An admin token, revoked: it must be worth nothing anywhere.
    await f.store.createToken('revoked-admin', 'admin', null, hashToken(REVOKED_TOKEN), system);
    await f.store.revokeToken('revoked-admin', system);
  });
  after(() => f.close());

  const tokenOf = (caller: Caller): string | null => {
    if (caller === 'no token') return null;
    if (caller === 'revoked token') return REVOKED_TOKEN;
    return f.tokens[caller];
  };

  void it('uses only known accesses', () => {
    const unknown = API_ROUTES.filter((r) => !ACCESSES.includes(r.access)).map((r) => `${r.id}: ${r.access}`);
    assert.deepEqual(unknown, []);
  });

  void it('never leaves a write (POST) open, except the ones listed with a reason', () => {
    const open = API_ROUTES.filter((r) => r.method === 'post' && r.access === 'open').map((r) => r.id);
    assert.deepEqual(open.sort(), Object.keys(OPEN_WRITES).sort());
  });

  void it('has a unique method and path for every route (the matrix would test one twice)', () => {
    const keys = API_ROUTES.map((r) => `${r.method} ${r.path}`);
    assert.equal(new Set(keys).size, keys.length);
  });

  for (const r of API_ROUTES) {
    const path = concretePath(r);
    void describe(`${r.method.toUpperCase()} ${r.path} (${r.id}, access ${r.access})`, () => {
      for (const caller of CALLERS) {
        const want = expected(r, caller);
        const title =
          want === 'allowed' ? `lets ${caller} through (no 401/403)` : `answers ${want} to ${caller}`;
        void it(title, async () => {
          const response = await f.call(r.method, path, {
            token: tokenOf(caller),
            ...(r.method === 'post' ? { body: {} } : {}),
          });
          // Read what is needed and drop the rest: a granted stream route would otherwise never end.
          const isJson = (response.headers.get('content-type') ?? '').includes('application/json');
          const body = want !== 'allowed' && isJson ? ((await response.json()) as { code?: string }) : null;
          if (!response.bodyUsed) await response.body?.cancel();
          const where = `${r.method.toUpperCase()} ${path} as ${caller}`;
          if (want === 'allowed') {
            assert.ok(![401, 403].includes(response.status), `${where} answered ${response.status}`);
          } else {
            assert.equal(response.status, want, `${where} answered ${response.status}, expected ${want}`);
            assert.equal(body?.code, 'GL1004', `${where}: error code`);
          }
        });
      }
    });
  }

  for (const [id, reason] of Object.entries(OPEN_WRITES)) {
    void it(`lists ${id} as an open write because ${reason}: it exists and is open`, () => {
      const r = API_ROUTES.find((candidate) => candidate.id === id);
      assert.equal(r?.access, 'open');
    });
  }

  // Tokens limited to environments: every route that acts in an environment refuses one it does not name.
  void describe('tokens limited to environments', () => {
    const STAGING_ONLY = {
      deployer: 'glt_test_staging_deployer',
      approver: 'glt_test_staging_approver',
    } as const;
    /** A valid body per route, in production; a route that takes `environment` and is missing here fails. */
    const BODIES: Record<string, Record<string, unknown>> = {
      deploy: { version: 'v1' },
      promote: {},
      pause: {},
      resume: {},
      abort: { reason: 'test' },
      retry: {},
      rollback: { reason: 'test' },
      approve: { reason: 'test' },
      switchTraffic: { to: 'v2', percentage: 10, reason: 'test' },
    };
    const scoped = API_ROUTES.filter(
      (r) =>
        r.method === 'post' &&
        (r.access === 'deploy' || r.access === 'approve') &&
        r.body instanceof z.ZodObject &&
        'environment' in r.body.shape,
    );

    before(async () => {
      const system = { name: 'test', role: 'system' };
      for (const [role, token] of Object.entries(STAGING_ONLY))
        await f.store.createToken(`staging-${role}`, role, ['staging'], hashToken(token), system);
      const text = [
        'apiVersion: greenlight.dev/v1alpha1',
        'kind: App',
        'metadata: { name: envs }',
        'spec:',
        '  target: { local: { listen: 127.0.0.1:0, run: { command: [node, server.js] } } }',
        '  environments:',
        '    staging: { listen: 127.0.0.1:0 }',
        '    production: { listen: 127.0.0.1:0 }',
        '',
      ].join('\n');
      const applied = await f.call('post', '/v1/apps', { body: { file: '/tmp/envs.yaml', text } });
      assert.equal(applied.status, 200, await applied.text());
    });

    void it('covers every route that takes an environment', () => {
      assert.deepEqual(
        scoped.map((r) => r.id).filter((id) => !(id in BODIES)),
        [],
      );
      assert.ok(scoped.length >= Object.keys(BODIES).length);
    });

    for (const r of scoped) {
      void it(`${r.method.toUpperCase()} ${r.path} (${r.id}) answers 403 in production to a staging-only token, not in staging`, async () => {
        const token = r.access === 'approve' ? STAGING_ONLY.approver : STAGING_ONLY.deployer;
        const path = concretePath(r).replace('/shop/', '/envs/');
        const response = await f.call(r.method, path, {
          token,
          body: { ...BODIES[r.id], environment: 'production' },
        });
        const body = (await response.json()) as { code?: string; message?: string };
        assert.equal(response.status, 403, `${r.id}: ${response.status} ${body.message}`);
        assert.equal(body.code, 'GL1004');
        assert.match(body.message ?? '', /staging only, not in production/);
        // ...and lets it through in staging (any answer but 401/403 is the route's business).
        const allowed = await f.call(r.method, path, {
          token,
          body: { ...BODIES[r.id], environment: 'staging' },
        });
        await allowed.body?.cancel();
        assert.ok(![401, 403].includes(allowed.status), `${r.id} in staging answered ${allowed.status}`);
      });
    }
  });
});
