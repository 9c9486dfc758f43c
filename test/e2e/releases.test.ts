// Releases end to end, with real processes: the controller, its detached agent and the example app's
// instances. Given steady synthetic traffic through the app's port, each strategy takes a new version to
// promotion without one failed client request; an abort during a canary pause, the error-rate trigger on a
// broken version and a rollback to an older revision each bring the right version back, and only it serves.
// The steps of one app's history follow each other: each `it` starts from the version the previous one left.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LoadResult } from '../../src/demo/load.js';
import type { Revision } from '../../src/engine/model.js';
import { appSpec, strategies } from '../helpers/app-spec.js';
import { ControllerHarness, type ReleaseView } from '../helpers/controller.js';
import { BackgroundLoad } from '../helpers/traffic.js';

const INSTANCES = 2;

describe('releases under steady traffic (controller, agent and app processes)', () => {
  let h: ControllerHarness;
  let load: BackgroundLoad | undefined;
  const canarySpec = (steps?: string[]): string =>
    appSpec({ port: h.port, instances: INSTANCES, strategy: strategies.canary(steps), broken: { v6: 0.5 } });

  before(async () => {
    h = await ControllerHarness.start();
  });
  after(async () => {
    try {
      await load?.stop();
    } finally {
      await h?.teardown();
    }
  });

  /** Deploys `version` (or runs `start`) and follows it to its end; the traffic seen meanwhile comes back too. */
  async function release(
    start: () => Promise<{ id: number }>,
  ): Promise<{ view: ReleaseView; seen: LoadResult }> {
    assert.ok(load, 'the background traffic runs');
    const before = load.snapshot();
    const { id } = await start();
    const view = await h.waitFinished(id);
    return { view, seen: load.since(before) };
  }

  /** After a release: only `version` runs and serves, and clients get answers from it alone. */
  async function onlyServes(version: string): Promise<void> {
    await h.waitOnlyVersion(version, INSTANCES);
    assert.ok(load);
    const after = await load.atLeast(load.snapshot(), 60);
    assert.deepEqual(
      Object.keys(after.byVersion),
      [version],
      `answered by ${JSON.stringify(after.byVersion)}`,
    );
    assert.equal(after.failed, 0);
  }

  it('given a canary spec, when v1 is first deployed, then it is promoted and serves', async () => {
    const applied = await h.apply(canarySpec());
    assert.equal(applied.changed, true);
    const view = await h.waitFinished((await h.deploy('v1')).id);
    assert.equal(view.summary.phase, 'promoted');
    await h.waitOnlyVersion('v1', INSTANCES);
    load = new BackgroundLoad(h.origin);
    const first = await load.atLeast(load.snapshot(), 30);
    assert.deepEqual(Object.keys(first.byVersion), ['v1']);
    assert.equal(first.failed, 0);
  });

  it('canary: v2 is promoted under steady traffic with 0 failed requests, both versions serving', async () => {
    const { view, seen } = await release(() => h.deploy('v2'));
    assert.equal(view.summary.phase, 'promoted');
    assert.equal(seen.failed, 0, `failed requests during the canary: ${JSON.stringify(seen)}`);
    assert.ok((seen.byVersion.v1 ?? 0) > 0 && (seen.byVersion.v2 ?? 0) > 0, JSON.stringify(seen.byVersion));
    await onlyServes('v2');
  });

  it('blue-green: v3 passes its check through the preview route, then is promoted with 0 failed requests', async () => {
    // The check demands v3's own answer on `/`: only the preview route reaches v3 while it has no weight.
    await h.apply(
      appSpec({ port: h.port, instances: INSTANCES, strategy: strategies.blueGreen('"version":"v3"') }),
    );
    const { view, seen } = await release(() => h.deploy('v3'));
    assert.equal(view.summary.phase, 'promoted');
    assert.equal(seen.failed, 0, `failed requests during blue-green: ${JSON.stringify(seen)}`);
    assert.ok((seen.byVersion.v2 ?? 0) > 0 && (seen.byVersion.v3 ?? 0) > 0, JSON.stringify(seen.byVersion));
    const events = await h.events(view.release.id);
    const actions = events.map((e) => e.action);
    const passed = events.find((e) => e.action === 'check.passed');
    assert.equal(passed?.data.name, 'home');
    const switched = events.findIndex(
      (e) => e.action === 'step.started' && /switch traffic/.test(String(e.data.name)),
    );
    assert.ok(
      switched > actions.indexOf('check.passed'),
      `the check passed before the switch: ${actions.join(' ')}`,
    );
    await onlyServes('v3');
  });

  it('rolling: v4 replaces v3 one instance at a time with 0 failed requests', async () => {
    await h.apply(appSpec({ port: h.port, instances: INSTANCES, strategy: strategies.rolling() }));
    const { view, seen } = await release(() => h.deploy('v4'));
    assert.equal(view.summary.phase, 'promoted');
    assert.equal(seen.failed, 0, `failed requests during the rolling update: ${JSON.stringify(seen)}`);
    assert.ok((seen.byVersion.v3 ?? 0) > 0 && (seen.byVersion.v4 ?? 0) > 0, JSON.stringify(seen.byVersion));
    await onlyServes('v4');
  });

  it('abort during a canary pause: the release ends aborted and v4 alone serves again', async () => {
    // Given a canary of v5 at 50%, waiting in a pause until promoted
    await h.apply(canarySpec(['setWeight: 50', 'pause: {}']));
    const started = await h.deploy('v5');
    await h.waitRelease(started.id, 'the canary pause', (s) => s.step.name === 'pause until promoted');
    assert.ok(load);
    const exposed = await load.atLeast(load.snapshot(), 60);
    assert.ok((exposed.byVersion.v5 ?? 0) > 0, `v5 serves its share: ${JSON.stringify(exposed.byVersion)}`);
    // When it is aborted
    const before = load.snapshot();
    const aborting = await h.act('abort', { reason: 'e2e: numbers look wrong' });
    assert.equal(aborting.phase, 'rollingBack');
    const view = await h.waitFinished(started.id);
    // Then it ended aborted, by the admin with the reason, without a failed request, and v4 alone serves
    assert.equal(view.summary.phase, 'aborted');
    assert.equal(view.summary.outcomeReason, 'abort');
    const aborted = (await h.events(started.id)).find((e) => e.action === 'release.aborting');
    assert.equal(aborted?.reason, 'e2e: numbers look wrong');
    assert.equal(aborted?.actor.role, 'admin');
    assert.equal(load.since(before).failed, 0);
    await onlyServes('v4');
  });

  it('a broken v6 is rolled back by the error-rate trigger, named in the outcome and the events', async () => {
    await h.apply(canarySpec());
    const { view, seen } = await release(() => h.deploy('v6'));
    assert.equal(view.summary.phase, 'rolledBack');
    assert.equal(view.summary.outcomeReason, 'trigger:error-rate');
    const events = await h.events(view.release.id);
    const fired = events.find((e) => e.action === 'trigger.fired');
    assert.equal(fired?.reason, 'trigger:error-rate');
    assert.equal(fired?.data.name, 'error-rate');
    assert.ok(Number(fired?.data.value) > 0.1, `measured error rate ${String(fired?.data.value)}`);
    const ended = events.find((e) => e.action === 'release.rolledBack');
    assert.equal(ended?.reason, 'trigger:error-rate');
    // The clients saw v6's injected 500s, and nothing else failed: no connection error, only 200 and 500.
    assert.ok((seen.byStatus['500'] ?? 0) > 0, `v6 failed some requests: ${JSON.stringify(seen.byStatus)}`);
    assert.equal(seen.networkErrors, 0);
    assert.deepEqual(Object.keys(seen.byStatus).sort(), ['200', '500']);
    const status = await h.api.get<{ live: Revision }>(`/v1/apps/${h.app}`);
    assert.equal(status.live.version, 'v4');
    await onlyServes('v4');
  });

  it('rollback to an older revision: a rollback release promotes v2 again with 0 failed requests', async () => {
    const { revisions } = await h.api.get<{ revisions: Revision[] }>(`/v1/apps/${h.app}/revisions`);
    const target = revisions.find((r) => r.version === 'v2');
    assert.ok(target, `a revision of v2 among ${JSON.stringify(revisions.map((r) => r.version))}`);
    const { view, seen } = await release(() =>
      h.act('rollback', { reason: 'e2e: back to v2', toRevision: target.number }),
    );
    assert.equal(view.release.kind, 'rollback');
    assert.equal(view.summary.phase, 'promoted');
    assert.equal(view.release.fromVersion, 'v4');
    assert.equal(seen.failed, 0, `failed requests during the rollback: ${JSON.stringify(seen)}`);
    const status = await h.api.get<{ live: Revision }>(`/v1/apps/${h.app}`);
    assert.equal(status.live.version, 'v2');
    assert.ok(status.live.number > target.number, 'the rollback is recorded as a new revision');
    await onlyServes('v2');
  });
});
