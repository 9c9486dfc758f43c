// The planner per strategy: the steps a release runs, their desired state and waits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testSpec } from '../../../test/helpers/spec.js';
import type { PlanStep, Release } from '../model.js';
import { planRelease, planRollbackRelease, rollbackPlan } from './index.js';

const weights = (plan: PlanStep[]): Array<Record<string, number>> => plan.map((s) => s.traffic.weights);
const setsOf = (s: PlanStep): string => s.sets.map((x) => `${x.version}=${x.instances}`).join(',');

describe('planner', () => {
  it('plans a first release as start then all traffic, whatever the strategy', () => {
    const plan = planRelease(testSpec(), 'v1', null);
    assert.deepEqual(
      plan.map((s) => s.wait.kind),
      ['ready', 'none'],
    );
    assert.deepEqual(plan[1]?.traffic.weights, { v1: 100 });
    assert.equal(plan[1]?.marksLive, true);
  });

  it('plans a canary: start, weights and pauses as written, then scale, switch, remove', () => {
    const plan = planRelease(testSpec(), 'v2', 'v1');
    assert.deepEqual(
      plan.map((s) => s.name),
      [
        'start canary v2 (1 instances)',
        'set weight 25%',
        'pause 30s',
        'pause until promoted',
        'scale canary to 2 instances',
        'set weight 50%',
        'scale v2 to 4 instances',
        'send all traffic to v2',
        'remove v1',
      ],
    );
    assert.deepEqual(weights(plan)[1], { v1: 75, v2: 25 });
    assert.equal(plan[2]?.wait.kind, 'duration');
    assert.equal(plan[3]?.wait.kind, 'promotion');
    // the canary is scaled before it gets more weight, and the scale step keeps the old weight
    assert.deepEqual(plan[4]?.traffic.weights, { v1: 75, v2: 25 });
    assert.equal(setsOf(plan[4]!), 'v1=4,v2=2');
    assert.equal(plan[0]?.watch, false);
    assert.ok(
      plan.slice(1, 8).every((s) => s.watch),
      'triggers watch while the canary has traffic',
    );
    assert.equal(
      plan.findIndex((s) => s.promotionStart),
      6,
    );
    assert.equal(setsOf(plan[8]!), 'v2=4');
  });

  it('plans header routes and mirroring into the traffic of the following steps', () => {
    const spec = testSpec({
      strategy: {
        kind: 'canary',
        canaryInstances: 1,
        steps: [
          { setHeaderRoute: { match: { header: { name: 'x-beta', value: 'yes' } } } },
          { setMirror: { percent: 20 } },
          { setWeight: 10 },
        ],
      },
    });
    const plan = planRelease(spec, 'v2', 'v1');
    assert.deepEqual(plan[1]?.traffic.headerRoutes, [
      { header: { name: 'x-beta', value: 'yes' }, version: 'v2' },
    ]);
    assert.equal(plan[1]?.watch, true, 'a header route exposes the canary');
    assert.deepEqual(plan[3]?.traffic.mirror, { version: 'v2', percent: 20 });
    assert.equal(plan[3]?.traffic.headerRoutes.length, 1);
  });

  it('plans blue-green with checks, manual promotion, watch and a warm old set', () => {
    const spec = testSpec({
      strategy: {
        kind: 'blueGreen',
        prePromotionChecks: [
          { name: 'smoke', path: '/health', method: 'GET', expectStatus: 200, timeoutMs: 1000, retries: 0 },
        ],
        autoPromote: false,
        postPromotionWatchMs: 30_000,
        scaleDownDelayMs: 60_000,
        prePromotionAnalysis: null,
        postPromotionAnalysis: null,
      },
    });
    const plan = planRelease(spec, 'v2', 'v1');
    assert.deepEqual(
      plan.map((s) => s.wait.kind),
      ['ready', 'actions', 'promotion', 'none', 'duration', 'duration', 'none'],
    );
    assert.deepEqual(plan[0]?.traffic.weights, { v1: 100, v2: 0 });
    assert.deepEqual(plan[3]?.traffic.weights, { v2: 100, v1: 0 });
    assert.equal(setsOf(plan[5]!), 'v1=4,v2=4', 'old set stays warm after the switch');
    assert.equal(setsOf(plan[6]!), 'v2=4');
  });

  it('plans rolling batches within maxSurge and maxUnavailable', () => {
    const spec = testSpec({ strategy: { kind: 'rolling', maxSurge: 1, maxUnavailable: 1 } });
    const plan = planRelease(spec, 'v2', 'v1');
    // batch of 2: never more than 4 + 1 instances, never fewer than 4 - 1 old ones during a surge
    for (const s of plan) {
      const total = s.sets.reduce((n, x) => n + x.instances, 0);
      assert.ok(total <= 5, `${s.name}: ${total} instances`);
    }
    assert.deepEqual(
      plan.map((s) => setsOf(s)),
      ['v1=3,v2=2', 'v1=2,v2=2', 'v1=1,v2=4', 'v1=0,v2=4', 'v2=4'],
    );
    assert.deepEqual(plan[3]?.traffic.weights, { v2: 100, v1: 0 });
  });

  it('plans a rollback from the current step: instant switch when the old set is warm', () => {
    const spec = testSpec();
    const plan = planRelease(spec, 'v2', 'v1');
    const release = { plan, stepIndex: 5, fromVersion: 'v1', version: 'v2' } as Release;
    const back = rollbackPlan(spec, release);
    assert.deepEqual(
      back.map((s) => s.name),
      ['send all traffic to v1', 'remove v2'],
    );
    assert.deepEqual(back[0]?.traffic.weights, { v1: 100, v2: 0 });

    const rolling = testSpec({ strategy: { kind: 'rolling', maxSurge: 1, maxUnavailable: 0 } });
    const rollingPlan = planRelease(rolling, 'v2', 'v1');
    const midway = rollbackPlan(rolling, {
      plan: rollingPlan,
      stepIndex: 3,
      fromVersion: 'v1',
      version: 'v2',
    } as Release);
    assert.equal(midway[0]?.name, 'scale v1 back to 4 instances');
    assert.equal(midway[0]?.wait.kind, 'ready');
  });

  it('plans a rollback release as start beside, switch, remove', () => {
    const plan = planRollbackRelease(testSpec(), 'v1', 'v3');
    assert.deepEqual(
      plan.map((s) => s.wait.kind),
      ['ready', 'none', 'none'],
    );
  });
});
