// The audit and report routes on a real SQLite store: verify names the event altered or removed by a raw edit
// of the database file, export streams valid JSON lines in id order, and the report counts stored releases.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FakeClock } from '../../engine/clock.js';
import type { GreenlightEvent, Release } from '../../engine/model.js';
import { exportEvents } from '../../report/audit.js';
import type { DeploymentReport } from '../../report/dora.js';
import { event, newRelease, sampleSpec } from '../../store/conformance-fixtures.js';
import type { NewRelease, Store } from '../../store/store.js';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { startApiFixture, type ApiFixture } from './testing.js';
import { tamperEventLog } from '../../../test/helpers/tamper.js';

const HOUR = 3_600_000;

/** A finished release of shop in production, stored as another controller would have written it. */
async function finished(
  store: Store,
  phase: Release['phase'],
  over: Partial<NewRelease> = {},
): Promise<Release> {
  const created = await store.createRelease(newRelease('shop', over), 'elsewhere', 60_000, [
    event('release.created', { app: 'shop' }),
  ]);
  return store.updateRelease({ ...created, phase, outcomeReason: over.outcomeReason ?? null }, 1, [
    event(`release.${phase}`, { app: 'shop' }),
  ]);
}

const json = async <T>(response: Response): Promise<T> => (await response.json()) as T;

interface Verdict {
  ok: boolean;
  checked: number;
  firstBad?: { id: number; problem: string };
  message: string;
}

void describe('audit and report API', () => {
  let f: ApiFixture;
  beforeEach(async () => {
    // The routes' clock an hour after the store's records (the store writes with the system clock).
    f = await startApiFixture({ clock: new FakeClock(Date.now() + HOUR) });
    await f.store.putApp(sampleSpec('shop'), 'yaml', event('app.applied', { app: 'shop' }));
    await f.store.putApp(sampleSpec('cart'), 'yaml', event('app.applied', { app: 'cart' }));
    for (let i = 1; i <= 6; i++) await f.store.appendEvent(event('note', { app: i % 2 ? 'shop' : 'cart' }));
  });
  afterEach(() => f.close());

  const all = (): Promise<GreenlightEvent[]> => f.store.listEvents({});

  void it('verify: an intact log, for any role', async () => {
    const count = (await all()).length;
    const response = await f.call('get', '/v1/audit/verify', { token: f.tokens.viewer });
    assert.equal(response.status, 200);
    assert.deepEqual(await json(response), {
      ok: true,
      checked: count,
      message: `the event log is intact: ${count} events checked`,
    });
    assert.equal((await f.call('get', '/v1/audit/verify', { token: null })).status, 401);
  });

  void it('verify: names the event whose data was changed in the database file', async () => {
    tamperEventLog(
      (f.store as SqliteStore).db.name,
      `UPDATE events SET data = '{"forged":true}' WHERE id = 5`,
    );
    const verdict = await json<Verdict>(await f.call('get', '/v1/audit/verify'));
    assert.equal(verdict.ok, false);
    assert.deepEqual(verdict.firstBad, { id: 5, problem: 'altered' });
    assert.equal(verdict.checked, 4);
    assert.match(verdict.message, /^event 5 was altered \(its hash does not match its content\)/);
  });

  void it('verify: names the event deleted from the database file', async () => {
    tamperEventLog((f.store as SqliteStore).db.name, 'DELETE FROM events WHERE id = 4');
    const verdict = await json<Verdict>(await f.call('get', '/v1/audit/verify'));
    assert.deepEqual(verdict.firstBad, { id: 4, problem: 'missing' });
    assert.match(verdict.message, /^event 4 is missing \(removed\)/);
  });

  void it('export: every event as JSON lines, oldest first, filtered by app and since', async () => {
    const response = await f.call('get', '/v1/audit/export', { token: f.tokens.viewer });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    const text = await response.text();
    assert.ok(text.endsWith('\n'));
    const lines = text.trimEnd().split('\n');
    assert.deepEqual(
      lines.map((line) => JSON.parse(line) as GreenlightEvent),
      await all(),
    );

    const shop = (await (await f.call('get', '/v1/audit/export?app=shop&since=1d')).text())
      .trimEnd()
      .split('\n');
    assert.deepEqual(
      shop.map((line) => (JSON.parse(line) as GreenlightEvent).id),
      (await f.store.listEvents({ app: 'shop' })).map((e) => e.id),
    );
    // Every event was stored more than a minute before the routes' clock.
    assert.equal(await (await f.call('get', '/v1/audit/export?since=1m')).text(), '');
  });

  void it('export: pages through the log with afterId, whatever the page size', async () => {
    const paged: GreenlightEvent[] = [];
    for await (const e of exportEvents(f.store, {}, 2)) paged.push(e);
    assert.deepEqual(paged, await all());
    const cart: number[] = [];
    for await (const e of exportEvents(f.store, { app: 'cart' }, 1)) cart.push(e.id);
    assert.deepEqual(
      cart,
      (await f.store.listEvents({ app: 'cart' })).map((e) => e.id),
    );
  });

  void it('export and report: a clear 400 for a since that is not a duration or a date, 404 for an app', async () => {
    for (const path of ['/v1/audit/export?since=yesterday', '/v1/report?since=30x', '/v1/report?since=0d']) {
      const response = await f.call('get', path);
      assert.equal(response.status, 400, path);
      const body = await json<{ code: string; message: string }>(response);
      assert.equal(body.code, 'GL1001');
      assert.match(body.message, /^since /);
    }
    const future = await json<{ message: string }>(await f.call('get', '/v1/report?since=2999-01-01'));
    assert.match(future.message, /not in the past/);
    assert.equal((await f.call('get', '/v1/report?app=nope')).status, 404);
    assert.equal((await f.call('get', '/v1/audit/export?app=nope')).status, 404);
  });

  void it('report: the figures of the stored releases', async () => {
    await finished(f.store, 'promoted');
    await finished(f.store, 'rolledBack', { outcomeReason: 'trigger:error-rate' });
    const gate = newRelease('shop').plan[0]!;
    await finished(f.store, 'failed', {
      outcomeReason: 'check:ci',
      plan: [{ ...gate, gate: true }],
      stepIndex: 0,
    });
    const undone = await finished(f.store, 'promoted');
    const rollback = await finished(f.store, 'promoted', {
      kind: 'rollback',
      version: 'v1',
      fromVersion: 'v2',
    });

    const response = await f.call('get', '/v1/report?env=production&app=shop', { token: f.tokens.viewer });
    assert.equal(response.status, 200);
    const r = await json<DeploymentReport>(response);
    assert.equal(r.period.days, 30);
    assert.deepEqual(r.filters, { environment: 'production', app: 'shop' });
    assert.equal(r.releases, 5);
    assert.equal(r.deployments, 4);
    assert.deepEqual(r.dora.deploymentFrequency, { promoted: 2, perDay: 2 / 30 });
    assert.deepEqual(r.dora.changeFailureRate, {
      rate: 0.5,
      failed: 2,
      deployments: 4,
      rolledBack: 1,
      undone: 1,
    });
    assert.deepEqual(
      r.failedChanges.map((c) => [c.how, c.undoneBy]),
      [
        ['self', null],
        ['undone', rollback.id],
      ],
    );
    assert.equal(r.failedChanges[1]?.releaseId, undone.id);
    assert.equal(r.dora.recoveryTime.count, 2);
    assert.equal(r.dora.leadTime.medianMs, null);
    assert.deepEqual(r.runbook.successRate, { rate: 0.5, promoted: 2, deployments: 4 });
    assert.equal(r.runbook.durationMs.count, 4);
    assert.deepEqual(
      { ...r.runbook.rollbacks, perWeek: 0 },
      { total: 2, automatic: 1, manual: 1, other: 0, perWeek: 0 },
    );
    assert.deepEqual(
      [r.runbook.byOutcome.promoted, r.runbook.byOutcome.rolledBack, r.runbook.byOutcome.failed],
      [3, 1, 1],
    );

    const staging = await json<DeploymentReport>(await f.call('get', '/v1/report?env=staging&since=12h'));
    assert.equal(staging.deployments, 0);
    assert.equal(staging.dora.changeFailureRate.rate, null);
    assert.equal(staging.period.days, 0.5);
  });
});
