// Rollback triggers: "error rate > 5% for 2 s" fires only after the condition held for the whole duration,
// resets when it stops holding, and never fires (nor passes) without enough requests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RollbackTrigger } from '../spec/compiled.js';
import type { VersionStats, VersionWindowStats } from '../targets/local/types.js';
import { evaluateTriggers } from './triggers.js';

const trigger: RollbackTrigger = {
  name: 'error-rate',
  metric: 'errorRate',
  max: 0.05,
  forMs: 2000,
  minRequests: 20,
};

function stats(requests: number, errorRate: number, p95Ms = 10): VersionStats {
  const w: VersionWindowStats = {
    requests,
    responses: { '1xx': 0, '2xx': requests, '3xx': 0, '4xx': 0, '5xx': 0 },
    upstreamErrors: 0,
    errorRate: requests ? errorRate : null,
    latency: { p50Ms: 1, p90Ms: 1, p95Ms, p99Ms: p95Ms, meanMs: 1 },
    histogram: { boundsMs: [], counts: [] },
  };
  return {
    version: 'v2',
    cumulative: w,
    windows: { '10s': w, '1m': w, '5m': w },
    mirrored: 0,
    retriedOnStable: 0,
  };
}

describe('rollback triggers', () => {
  it('fires only once the condition has held for its duration', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const first = evaluateTriggers([trigger], stats(100, 0.3), {}, t0);
    assert.equal(first.fired, null);
    assert.equal(first.states['error-rate']?.breachedSince, new Date(t0).toISOString());
    const early = evaluateTriggers([trigger], stats(100, 0.3), first.states, t0 + 1999);
    assert.equal(early.fired, null);
    const late = evaluateTriggers([trigger], stats(100, 0.3), early.states, t0 + 2000);
    assert.deepEqual(late.fired, {
      name: 'error-rate',
      metric: 'errorRate',
      value: 0.3,
      max: 0.05,
      requests: 100,
    });
  });

  it('resets when the condition stops holding', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const a = evaluateTriggers([trigger], stats(100, 0.3), {}, t0);
    const b = evaluateTriggers([trigger], stats(100, 0.01), a.states, t0 + 1000);
    assert.equal(b.states['error-rate']?.breachedSince, null);
    assert.equal(b.changed, true);
    const c = evaluateTriggers([trigger], stats(100, 0.3), b.states, t0 + 2500);
    assert.equal(c.fired, null, 'a new breach starts a new duration');
  });

  it('treats too few requests as no data: no value, no fire', () => {
    const result = evaluateTriggers([{ ...trigger, forMs: 0 }], stats(5, 1), {}, 0);
    assert.equal(result.fired, null);
    assert.equal(result.states['error-rate']?.lastValue, null);
    assert.equal(evaluateTriggers([{ ...trigger, forMs: 0 }], undefined, {}, 0).fired, null);
  });

  it('reads latency quantiles for latency triggers', () => {
    const p95: RollbackTrigger = { name: 'p95', metric: 'latencyP95Ms', max: 1000, forMs: 0, minRequests: 1 };
    assert.equal(evaluateTriggers([p95], stats(50, 0, 900), {}, 0).fired, null);
    assert.equal(evaluateTriggers([p95], stats(50, 0, 1500), {}, 0).fired?.value, 1500);
  });
});
