// The builtin analysis end to end, with real processes (controller, agent, router stream, example app) and no
// analysis configured but a shorter gate: a healthy canary passes its background run and is promoted; a broken
// one is rolled back by the sequential test after a handful of canary requests; under blue-green, a version that
// breaks after the switch is rolled back by the post-promotion error-rate threshold while the old set is warm.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AnalysisRunState } from '../../src/analysis/run/run-state.js';
import { appSpec, strategies } from '../helpers/app-spec.js';
import { ControllerHarness } from '../helpers/controller.js';
import { BackgroundLoad } from '../helpers/traffic.js';

const INSTANCES = 2;
const DEFAULTS = 'backgroundMinDuration: 12s'; // the builtin latency comparison first measures at 10 s

describe('builtin analysis under steady traffic (controller, agent and app processes)', () => {
  let h: ControllerHarness;
  let load: BackgroundLoad | undefined;

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

  const runsOf = async (id: number): Promise<Record<string, AnalysisRunState>> => {
    const view = await h.api.get<{ release: { runtime: { analysis?: Record<string, AnalysisRunState> } } }>(
      `/v1/releases/${id}`,
    );
    return view.release.runtime.analysis ?? {};
  };

  it('a healthy canary passes the background analysis and is promoted', async () => {
    await h.apply(
      appSpec({
        port: h.port,
        instances: INSTANCES,
        strategy: strategies.canary(['setWeight: 30', 'pause: { duration: 2s }']),
        broken: { v3: 0.5 },
        analysis: DEFAULTS,
      }),
    );
    assert.equal((await h.waitFinished((await h.deploy('v1')).id)).summary.phase, 'promoted');
    await h.waitOnlyVersion('v1', INSTANCES);
    load = new BackgroundLoad(h.origin);
    await load.atLeast(load.snapshot(), 30);

    const before = load.snapshot();
    const { id } = await h.deploy('v2');
    const view = await h.waitFinished(id);
    assert.equal(view.summary.phase, 'promoted', `ended with ${String(view.summary.outcomeReason)}`);
    const background = (await runsOf(id)).background;
    assert.equal(background?.verdict.phase, 'successful', background?.verdict.rule);
    const sequential = background?.metrics['builtin/error-rate'];
    assert.ok(Number(sequential?.verdict.detail.canaryRequests) >= 100, sequential?.verdict.rule);
    assert.equal(load.since(before).failed, 0);
    const actions = (await h.events(id)).map((e) => e.action);
    assert.ok(actions.includes('analysis.started') && actions.includes('analysis.verdict'), actions.join());
  });

  it('a broken canary is rolled back by the sequential test, after a handful of canary requests', async () => {
    assert.ok(load);
    const before = load.snapshot();
    const view = await h.waitFinished((await h.deploy('v3')).id);
    assert.equal(view.summary.phase, 'rolledBack');
    assert.equal(view.summary.outcomeReason, 'analysis:background/builtin/error-rate');
    const verdict = (await h.events(view.release.id)).find((e) => e.action === 'analysis.verdict');
    assert.equal(verdict?.data.phase, 'failed');
    const detail = verdict?.data.detail as { canaryRequests: number; canaryErrors: number };
    assert.ok(detail.canaryRequests <= 60, `decided after ${detail.canaryRequests} canary requests`);
    const seen = load.since(before);
    assert.equal(seen.networkErrors, 0);
    assert.deepEqual(Object.keys(seen.byStatus).sort(), ['200', '500']);
    await h.waitOnlyVersion('v2', INSTANCES);
  });

  it('blue-green: a version failing after the switch is rolled back by the post-promotion threshold', async () => {
    await h.apply(
      appSpec({
        port: h.port,
        instances: INSTANCES,
        strategy: [
          'blueGreen:',
          '  autoPromote: true',
          '  postPromotionWatch: 20s',
          '  scaleDownDelay: 20s',
        ].join('\n'),
        broken: { v4: 0.5 },
        analysis: DEFAULTS,
        rollbackTriggers: [],
      }),
    );
    const view = await h.waitFinished((await h.deploy('v4')).id);
    assert.equal(view.summary.phase, 'rolledBack');
    assert.equal(view.summary.outcomeReason, 'analysis:post-promotion/builtin-error-rate/error-rate');
    const runs = await runsOf(view.release.id);
    assert.equal(runs['post-promotion']?.verdict.phase, 'failed');
    await h.waitOnlyVersion('v2', INSTANCES);
  });
});
