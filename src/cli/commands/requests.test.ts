// The CLI commands' arguments become the API requests they should: paths, escaping, bodies, and local refusals
// of bad flag values before anything is sent.
import assert from 'node:assert/strict';
import { isAbsolute } from 'node:path';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../errors.js';
import { abortRequest } from './abort.js';
import { applyBody } from './apply.js';
import { deployRequest } from './deploy.js';
import { eventsRequest, followPath } from './events.js';
import { healthCheckRequest } from './health-check.js';
import { historyRequests } from './history.js';
import { pauseRequest } from './pause.js';
import { planRequest } from './plan.js';
import { promoteRequest } from './promote.js';
import { resumeRequest } from './resume.js';
import { retryRequest } from './retry.js';
import { rollbackRequest } from './rollback.js';
import { statusRequest } from './status.js';
import { switchTrafficRequest } from './switch-traffic.js';

void describe('CLI arguments → API requests', () => {
  void it('maps release commands to their routes and bodies', () => {
    assert.deepEqual(deployRequest('shop', { version: 'v2', reason: 'new checkout' }), {
      method: 'post',
      path: '/v1/apps/shop/releases',
      body: { version: 'v2', reason: 'new checkout' },
    });
    assert.deepEqual(deployRequest('shop', { version: 'v2' }).body, { version: 'v2' });
    assert.deepEqual(promoteRequest('shop', {}), {
      method: 'post',
      path: '/v1/apps/shop/promote',
      body: { full: false },
    });
    assert.deepEqual(promoteRequest('shop', { full: true }).body, { full: true });
    assert.deepEqual(pauseRequest('shop', { reason: 'look' }), {
      method: 'post',
      path: '/v1/apps/shop/pause',
      body: { reason: 'look' },
    });
    assert.deepEqual(resumeRequest('shop', {}), { method: 'post', path: '/v1/apps/shop/resume', body: {} });
    assert.deepEqual(abortRequest('shop', { reason: 'errors' }).body, { reason: 'errors' });
    assert.deepEqual(retryRequest('shop', {}).path, '/v1/apps/shop/retry');
    assert.deepEqual(rollbackRequest('shop', { reason: 'bad', toRevision: '3' }), {
      method: 'post',
      path: '/v1/apps/shop/rollback',
      body: { reason: 'bad', toRevision: 3 },
    });
    assert.deepEqual(rollbackRequest('shop', { reason: 'bad' }).body, { reason: 'bad' });
  });

  void it('maps reads, escaping app names and query values', () => {
    assert.deepEqual(planRequest('my app', 'v2+1'), {
      method: 'get',
      path: '/v1/apps/my%20app/plan?version=v2%2B1',
    });
    assert.deepEqual(statusRequest(), { method: 'get', path: '/v1/apps' });
    assert.deepEqual(statusRequest('shop'), { method: 'get', path: '/v1/apps/shop' });
    assert.deepEqual(
      historyRequests('shop', 20).map((r) => r.path),
      ['/v1/apps/shop/revisions', '/v1/apps/shop/releases?limit=20'],
    );
    assert.equal(eventsRequest('shop', 42).path, '/v1/apps/shop/events?after=42&limit=500');
    assert.equal(followPath('shop', 42), '/v1/events/stream?app=shop&after=42');
    assert.deepEqual(healthCheckRequest('shop'), { method: 'post', path: '/v1/apps/shop/health-check' });
  });

  void it('maps switch-traffic and refuses a percentage out of range before sending', () => {
    assert.deepEqual(switchTrafficRequest('shop', { to: 'v2', percentage: '12.5', reason: 'try' }), {
      method: 'post',
      path: '/v1/apps/shop/traffic',
      body: { to: 'v2', percentage: 12.5, reason: 'try' },
    });
    for (const percentage of ['101', '-1', 'half', '']) {
      assert.throws(
        () => switchTrafficRequest('shop', { to: 'v2', percentage, reason: 'r' }),
        InvalidInputError,
      );
    }
    assert.throws(() => rollbackRequest('shop', { reason: 'r', toRevision: 'two' }), InvalidInputError);
  });

  void it('sends the spec with its absolute path, so the controller resolves working directories', () => {
    const body = applyBody('greenlight.yaml', 'kind: App');
    assert.ok(isAbsolute(body.file));
    assert.equal(body.text, 'kind: App');
  });
});
