// The token API: a created token works at once with its role, a list never shows a secret or a hash, a revoked
// token is refused, only admins manage tokens, and each change is an event naming who made it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashToken } from '../auth.js';
import { startApiFixture, type ApiFixture } from './testing.js';

interface Created {
  name: string;
  role: string;
  environments: string[] | null;
  createdAt: string;
  token: string;
}

interface ErrorAnswer {
  code: string;
  message: string;
}

void describe('token API', () => {
  let f: ApiFixture;
  before(async () => {
    f = await startApiFixture();
  });
  after(() => f.close());

  async function create(body: unknown, token = f.tokens.admin): Promise<Response> {
    return f.call('post', '/v1/tokens', { token, body });
  }

  void it('creates a token shown once, usable at once with its role, recorded as token.created by the caller', async () => {
    const response = await create({ name: 'ci-viewer', role: 'viewer' });
    assert.equal(response.status, 201);
    const created = (await response.json()) as Created;
    assert.deepEqual(Object.keys(created).sort(), ['createdAt', 'environments', 'name', 'role', 'token']);
    assert.equal(created.name, 'ci-viewer');
    assert.equal(created.role, 'viewer');
    assert.equal(created.environments, null);
    assert.match(created.token, /^gl_[A-Za-z0-9_-]{43}$/);
    // Only the hash is stored.
    assert.equal((await f.store.findToken(hashToken(created.token)))?.name, 'ci-viewer');

    assert.equal((await f.call('get', '/v1/apps', { token: created.token })).status, 200);
    const write = await f.call('post', '/v1/apps/shop/pause', { token: created.token, body: {} });
    assert.equal(write.status, 403);

    const events = await f.store.listEvents({});
    const event = events.findLast((e) => e.action === 'token.created');
    assert.deepEqual(event?.actor, { name: 'admin-token', role: 'admin' });
    assert.deepEqual(event?.data, { name: 'ci-viewer', role: 'viewer', environments: null });
    assert.ok(f.notified() > 0);
  });

  void it('gives a new token its own secret every time', async () => {
    const a = (await (await create({ name: 'one', role: 'viewer' })).json()) as Created;
    const b = (await (await create({ name: 'two', role: 'viewer' })).json()) as Created;
    assert.notEqual(a.token, b.token);
  });

  void it('keeps the environments a deployer token is limited to, once each', async () => {
    const response = await create({
      name: 'stage-deployer',
      role: 'deployer',
      environments: ['staging', 'staging'],
    });
    assert.equal(response.status, 201);
    const created = (await response.json()) as Created;
    assert.deepEqual(created.environments, ['staging']);
    assert.deepEqual((await f.store.findToken(hashToken(created.token)))?.environments, ['staging']);
    const empty = (await (
      await create({ name: 'anywhere', role: 'deployer', environments: [] })
    ).json()) as Created;
    assert.equal(empty.environments, null);
  });

  void it('lists tokens without secrets or hashes', async () => {
    const created = (await (await create({ name: 'listed', role: 'approver' })).json()) as Created;
    const response = await f.call('get', '/v1/tokens');
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.ok(!text.includes(created.token), 'the secret is listed');
    assert.ok(!text.includes(hashToken(created.token)), 'the hash is listed');
    const { tokens } = JSON.parse(text) as { tokens: Array<Record<string, unknown>> };
    for (const t of tokens)
      assert.deepEqual(Object.keys(t).sort(), ['createdAt', 'environments', 'name', 'revokedAt', 'role']);
    assert.deepEqual(
      tokens.find((t) => t.name === 'listed'),
      { name: 'listed', role: 'approver', environments: null, createdAt: created.createdAt, revokedAt: null },
    );
  });

  void it('revokes a token: it is refused (401) from then on, listed as revoked, recorded as token.revoked', async () => {
    const created = (await (await create({ name: 'short-lived', role: 'deployer' })).json()) as Created;
    assert.equal((await f.call('get', '/v1/apps', { token: created.token })).status, 200);

    const response = await f.call('post', '/v1/tokens/short-lived/revoke');
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { revoked: true });
    assert.equal((await f.call('get', '/v1/apps', { token: created.token })).status, 401);

    const { tokens } = (await (await f.call('get', '/v1/tokens')).json()) as {
      tokens: Array<{ name: string; revokedAt: string | null }>;
    };
    assert.notEqual(tokens.find((t) => t.name === 'short-lived')?.revokedAt, null);
    const event = (await f.store.listEvents({})).findLast((e) => e.action === 'token.revoked');
    assert.deepEqual(event?.actor, { name: 'admin-token', role: 'admin' });

    const again = await f.call('post', '/v1/tokens/short-lived/revoke');
    assert.equal(again.status, 404);
    assert.equal(((await again.json()) as ErrorAnswer).code, 'GL1002');
  });

  void it('answers 404 for a token that never existed', async () => {
    assert.equal((await f.call('post', '/v1/tokens/nobody/revoke')).status, 404);
  });

  void it('lets only admins manage tokens', async () => {
    for (const role of ['viewer', 'deployer', 'approver'] as const) {
      const token = f.tokens[role];
      const response = await create({ name: `made-by-${role}`, role: 'admin' }, token);
      assert.equal(response.status, 403, role);
      assert.equal(((await response.json()) as ErrorAnswer).code, 'GL1004');
      assert.equal((await f.call('get', '/v1/tokens', { token })).status, 403, role);
      assert.equal((await f.call('post', '/v1/tokens/viewer-token/revoke', { token })).status, 403, role);
    }
    const names = (await f.store.listTokens()).map((t) => t.name);
    assert.ok(!names.some((name) => name.startsWith('made-by-')));
  });

  void it('refuses bad names, roles and environments with 400 messages that say what is expected', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ role: 'viewer' }, /name: expected a DNS label/],
      [{ name: 'Bad Name', role: 'viewer' }, /name: expected a DNS label/],
      [{ name: 'ok', role: 'root' }, /role: expected one of viewer, deployer, approver, admin/],
      [{ name: 'ok' }, /role: expected one of/],
      [{ name: 'ok', role: 'deployer', environments: ['Prod!'] }, /environments\.0: expected a DNS label/],
      [{ name: 'ok', role: 'viewer', extra: 1 }, /extra/],
      [
        { name: 'ok', role: 'admin', environments: ['staging'] },
        /an admin token cannot be limited to environments/,
      ],
    ];
    for (const [body, message] of cases) {
      const response = await create(body);
      assert.equal(response.status, 400, JSON.stringify(body));
      const error = (await response.json()) as ErrorAnswer;
      assert.equal(error.code, 'GL1001');
      assert.match(error.message, message);
    }
  });

  void it('refuses a second live token of the same name (409)', async () => {
    assert.equal((await create({ name: 'twice', role: 'viewer' })).status, 201);
    assert.equal((await create({ name: 'twice', role: 'viewer' })).status, 409);
  });
});
