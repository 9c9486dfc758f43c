// Apps and releases through the API, in process: apply a spec, deploy, read status, act on the release.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ReleaseView } from './lookup.js';
import { MINIMAL_SPEC, startApiFixture, type ApiFixture } from './testing.js';

const shopSpecPath = fileURLToPath(new URL('../../../examples/shop/greenlight.yaml', import.meta.url));
const shopSpec = existsSync(shopSpecPath) ? readFileSync(shopSpecPath, 'utf8') : MINIMAL_SPEC;

interface Problem {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

void describe('apps and releases API', () => {
  let f: ApiFixture;
  beforeEach(async () => {
    f = await startApiFixture();
  });
  afterEach(() => f.close());

  const json = async <T>(response: Response, status: number): Promise<T> => {
    const text = await response.text();
    assert.equal(response.status, status, text);
    return JSON.parse(text) as T;
  };

  /** Moves the fake clock in steps, letting the engine reconcile at each. */
  async function run(ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 1000) {
      f.clock.advance(1000);
      f.engine.resync();
      await f.engine.idle();
    }
  }

  async function apply(text = shopSpec): Promise<{ name: string; specRevision: number; changed: boolean }> {
    return json(await f.call('post', '/v1/apps', { body: { file: shopSpecPath, text } }), 200);
  }

  void it('applies a spec once, records who applied it, and wakes the event streams', async () => {
    const first = await apply();
    assert.deepEqual(first, { name: 'shop', specRevision: 1, changed: true });
    assert.equal(f.notified(), 1);
    assert.deepEqual(await apply(), { name: 'shop', specRevision: 1, changed: false });
    assert.ok(f.target.calls.includes('ensureApp shop'));
    const { events } = await json<{ events: Array<{ action: string; actor: { name: string } }> }>(
      await f.call('get', '/v1/apps/shop/events'),
      200,
    );
    assert.deepEqual(
      events.map((e) => [e.action, e.actor.name]),
      [['app.applied', 'admin-token']],
    );
  });

  void it('refuses a bad spec with 400 and problems that carry line and column', async () => {
    const bad = MINIMAL_SPEC.replace('instances: 2', 'instances: many');
    const error = await json<{ code: string; details: { problems: Problem[] } }>(
      await f.call('post', '/v1/apps', { body: { file: 'bad.yaml', text: bad } }),
      400,
    );
    assert.equal(error.code, 'GL1001');
    const [problem] = error.details.problems;
    assert.ok(problem);
    assert.deepEqual(
      [problem.file, problem.line, problem.column, problem.path],
      ['bad.yaml', 9, 18, 'spec.target.local.instances'],
    );
    assert.equal((await f.call('get', '/v1/apps/shop')).status, 404);
  });

  void it('validates without storing', async () => {
    const good = await json<{ ok: boolean; problems: Problem[] }>(
      await f.call('post', '/v1/validate', {
        body: { file: 'g.yaml', text: MINIMAL_SPEC },
        token: f.tokens.viewer,
      }),
      200,
    );
    assert.deepEqual(good, { ok: true, problems: [] });
    const bad = await json<{ ok: boolean; problems: Problem[] }>(
      await f.call('post', '/v1/validate', { body: { file: 'g.yaml', text: 'kind: [' } }),
      200,
    );
    assert.equal(bad.ok, false);
    assert.ok(bad.problems[0]?.line);
    assert.deepEqual((await f.store.listApps()).length, 0);
  });

  void it('refuses a malformed body with 400 naming the field', async () => {
    const error = await json<{ code: string; message: string }>(
      await f.call('post', '/v1/apps', { body: { file: 'x' } }),
      400,
    );
    assert.equal(error.code, 'GL1001');
    assert.match(error.message, /text/);
    const notJson = await f.api.request('/v1/apps', {
      method: 'POST',
      headers: { authorization: `Bearer ${f.tokens.admin}` },
      body: '{',
    });
    assert.equal(notJson.status, 400);
  });

  void it('deploys v1 (201), shows it in status, plans v2 and lists releases and revisions', async () => {
    await apply();
    const deployed = await json<ReleaseView>(
      await f.call('post', '/v1/apps/shop/releases', {
        token: f.tokens.deployer,
        body: { version: 'v1', reason: 'first' },
      }),
      201,
    );
    assert.equal(deployed.release.version, 'v1');
    assert.deepEqual(deployed.release.createdBy, { name: 'deployer-token', role: 'deployer' });
    assert.equal(deployed.summary.reason, 'first');

    const status = await json<{ app: string; release: { id: number; version: string } | null }>(
      await f.call('get', '/v1/apps/shop'),
      200,
    );
    assert.equal(status.release?.id, deployed.release.id);
    assert.equal(status.release?.version, 'v1');
    const { apps } = await json<{ apps: Array<{ app: string }> }>(await f.call('get', '/v1/apps'), 200);
    assert.deepEqual(
      apps.map((a) => a.app),
      ['shop'],
    );

    await run(5000);
    const done = await json<ReleaseView>(await f.call('get', `/v1/releases/${deployed.release.id}`), 200);
    assert.equal(done.release.phase, 'promoted');

    const plan = await json<{ fromVersion: string; steps: Array<{ name: string }> }>(
      await f.call('get', '/v1/apps/shop/plan?version=v2'),
      200,
    );
    assert.equal(plan.fromVersion, 'v1');
    assert.ok(plan.steps.length > 1);
    assert.equal((await f.call('get', '/v1/apps/shop/plan')).status, 400);

    const { releases } = await json<{ releases: Array<{ id: number; phase: string }> }>(
      await f.call('get', '/v1/apps/shop/releases?limit=5'),
      200,
    );
    assert.deepEqual(
      releases.map((r) => [r.id, r.phase]),
      [[deployed.release.id, 'promoted']],
    );
    assert.equal((await f.call('get', '/v1/apps/shop/releases?limit=0')).status, 400);
    const { revisions } = await json<{ revisions: Array<{ number: number; version: string }> }>(
      await f.call('get', '/v1/apps/shop/revisions'),
      200,
    );
    assert.deepEqual(
      revisions.map((r) => [r.number, r.version]),
      [[1, 'v1']],
    );
  });

  void it('pauses, resumes and aborts a release as the caller, with 409 when the state does not allow it', async () => {
    await apply();
    await json(await f.call('post', '/v1/apps/shop/releases', { body: { version: 'v1' } }), 201);
    await run(5000);
    const v2 = await json<ReleaseView>(
      await f.call('post', '/v1/apps/shop/releases', { body: { version: 'v2' } }),
      201,
    );
    assert.equal((await f.call('post', '/v1/apps/shop/releases', { body: { version: 'v3' } })).status, 409);
    await run(2000);

    const paused = await json<ReleaseView>(
      await f.call('post', '/v1/apps/shop/pause', { token: f.tokens.deployer, body: { reason: 'look' } }),
      200,
    );
    assert.equal(paused.release.phase, 'paused');
    assert.equal((await f.call('post', '/v1/apps/shop/pause', { body: {} })).status, 409);
    const resumed = await json<ReleaseView>(await f.call('post', '/v1/apps/shop/resume'), 200);
    assert.equal(resumed.release.phase, 'progressing');

    assert.equal((await f.call('post', '/v1/apps/shop/abort', { body: {} })).status, 400);
    const aborting = await json<ReleaseView>(
      await f.call('post', '/v1/apps/shop/abort', { body: { reason: 'errors up' } }),
      200,
    );
    assert.equal(aborting.release.phase, 'rollingBack');
    await run(5000);
    const final = await json<ReleaseView>(await f.call('get', `/v1/releases/${v2.release.id}`), 200);
    assert.equal(final.release.phase, 'aborted');

    const { events } = await json<{
      events: Array<{ action: string; actor: { name: string }; reason: string | null }>;
    }>(await f.call('get', `/v1/apps/shop/events?release=${v2.release.id}`), 200);
    const paused_ = events.find((e) => e.action === 'release.paused');
    assert.deepEqual([paused_?.actor.name, paused_?.reason], ['deployer-token', 'look']);
    assert.ok(events.some((e) => e.action === 'release.aborting' && e.reason === 'errors up'));

    const retried = await json<ReleaseView>(await f.call('post', '/v1/apps/shop/retry'), 201);
    assert.equal(retried.release.version, 'v2');
  });

  void it('answers 404 for unknown apps, releases and routes, as JSON errors', async () => {
    for (const [method, path] of [
      ['get', '/v1/apps/nope'],
      ['get', '/v1/apps/nope/releases'],
      ['post', '/v1/apps/nope/promote'],
      ['get', '/v1/releases/42'],
      ['get', '/v1/nothing-here'],
    ] as const) {
      const response = await f.call(method, path);
      assert.equal(response.status, 404, path);
      assert.equal(((await response.json()) as { code: string }).code, 'GL1002');
    }
  });
});
