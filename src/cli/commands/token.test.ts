// greenlight token: flags become the right requests (bad ones refused before sending), and against a real
// controller API on loopback: create prints the secret once with its warning, list and revoke work, -o json.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { getRequestListener } from '@hono/node-server';
import { GreenlightError, InvalidInputError } from '../../errors.js';
import { startApiFixture, type ApiFixture } from '../../server/api/testing.js';
import { ApiClient } from '../client.js';
import { EXIT, exitCodeOf } from '../errors.js';
import { NOT_SHOWN_AGAIN, runToken, tokenRequest, type CreatedToken } from './token.js';

void describe('greenlight token: requests', () => {
  void it('maps create (with repeated --env), list and revoke to their routes', () => {
    assert.deepEqual(
      tokenRequest('create', undefined, { name: 'ci', role: 'deployer', env: ['staging', 'qa'] }),
      {
        method: 'post',
        path: '/v1/tokens',
        body: { name: 'ci', role: 'deployer', environments: ['staging', 'qa'] },
      },
    );
    assert.deepEqual(tokenRequest('create', undefined, { name: 'ci', role: 'viewer', env: [] }).body, {
      name: 'ci',
      role: 'viewer',
    });
    assert.deepEqual(tokenRequest('list', undefined, {}), { method: 'get', path: '/v1/tokens' });
    assert.deepEqual(tokenRequest('revoke', 'ci bot', {}), {
      method: 'post',
      path: '/v1/tokens/ci%20bot/revoke',
    });
  });

  void it('refuses a missing name or role, an unknown role or action, before sending (exit 2)', () => {
    const bad: Array<[string, string | undefined, { name?: string; role?: string }, RegExp]> = [
      ['create', undefined, { role: 'viewer' }, /--name/],
      ['create', undefined, { name: 'ci' }, /--role/],
      ['create', undefined, { name: 'ci', role: 'root' }, /--role root: expected one of viewer, deployer/],
      ['create', 'ci', { name: 'ci', role: 'viewer' }, /not an argument/],
      ['revoke', undefined, {}, /NAME/],
      ['list', 'extra', {}, /no argument/],
      ['delete', 'ci', {}, /expected one of create, list, revoke/],
    ];
    for (const [action, name, flags, message] of bad) {
      assert.throws(
        () => tokenRequest(action, name, flags),
        (error: unknown) => {
          assert.ok(error instanceof InvalidInputError);
          assert.match(error.message, message);
          assert.equal(exitCodeOf(error), EXIT.usage);
          return true;
        },
      );
    }
  });
});

void describe('greenlight token: against the controller API', () => {
  let f: ApiFixture;
  let server: http.Server;
  let url: string;
  let admin: ApiClient;

  before(async () => {
    f = await startApiFixture();
    server = http.createServer(getRequestListener(f.api.fetch));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    admin = new ApiClient({ url, token: f.tokens.admin });
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await f.close();
  });

  void it('create prints the token once, with the warning that it will not be shown again', async () => {
    const text = await runToken(admin, 'create', undefined, {
      name: 'ci',
      role: 'deployer',
      env: ['staging'],
    });
    const lines = text.split('\n');
    assert.equal(lines[0], 'token ci created: role deployer, environments staging');
    assert.match(lines[1] ?? '', /^gl_[A-Za-z0-9_-]{43}$/);
    assert.equal(lines[2], NOT_SHOWN_AGAIN);
    assert.match(NOT_SHOWN_AGAIN, /will not be shown again/);
    // The printed token is a working bearer token with its role.
    const ci = new ApiClient({ url, token: lines[1]! });
    assert.deepEqual(await ci.get('/v1/apps'), { apps: [] });
    await assert.rejects(ci.get('/v1/tokens'), (error: unknown) => {
      assert.ok(error instanceof GreenlightError);
      assert.equal(error.details.status, 403);
      return true;
    });
  });

  void it('create -o json answers the API record with the token', async () => {
    const text = await runToken(admin, 'create', undefined, { name: 'bot', role: 'viewer', output: 'json' });
    const created = JSON.parse(text) as CreatedToken;
    assert.equal(created.name, 'bot');
    assert.equal(created.role, 'viewer');
    assert.equal(created.environments, null);
    assert.match(created.token, /^gl_/);
  });

  void it('list shows name, role, environments and dates, never a secret', async () => {
    const secret = (await runToken(admin, 'create', undefined, { name: 'listed', role: 'approver' })).split(
      '\n',
    )[1]!;
    const text = await runToken(admin, 'list', undefined, {});
    const lines = text.split('\n');
    assert.match(lines[0] ?? '', /^NAME\s+ROLE\s+ENVIRONMENTS\s+CREATED\s+REVOKED$/);
    assert.match(text, /^listed\s+approver\s+all\s+\S+\s+-$/m);
    assert.match(text, /^ci\s+deployer\s+staging\s/m);
    assert.ok(!text.includes(secret));
    const json = JSON.parse(await runToken(admin, 'list', undefined, { output: 'json' })) as {
      tokens: Array<{ name: string }>;
    };
    assert.ok(json.tokens.some((t) => t.name === 'listed'));
    assert.ok(!JSON.stringify(json).includes(secret));
  });

  void it('revoke: the token is refused from then on; an unknown name is not found (exit 4)', async () => {
    const secret = (await runToken(admin, 'create', undefined, { name: 'gone', role: 'viewer' })).split(
      '\n',
    )[1]!;
    assert.equal(await runToken(admin, 'revoke', 'gone', {}), 'token gone revoked');
    await assert.rejects(new ApiClient({ url, token: secret }).get('/v1/apps'), (error: unknown) => {
      assert.ok(error instanceof GreenlightError);
      assert.equal(error.code, 'GL1004');
      assert.equal(error.details.status, 401);
      return true;
    });
    await assert.rejects(runToken(admin, 'revoke', 'gone', {}), (error: unknown) => {
      assert.equal(exitCodeOf(error), EXIT.notFound);
      return true;
    });
  });

  void it('a viewer cannot create tokens (403, exit 1)', async () => {
    const viewer = new ApiClient({ url, token: f.tokens.viewer });
    await assert.rejects(
      runToken(viewer, 'create', undefined, { name: 'sneaky', role: 'admin' }),
      (error: unknown) => {
        assert.ok(error instanceof GreenlightError);
        assert.equal(error.details.status, 403);
        assert.equal(exitCodeOf(error), EXIT.failed);
        return true;
      },
    );
  });
});
