// The weighted score: thresholds, critical metrics, and missing data that never passes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scoreMetrics } from './score.js';
import type { Classification, ScoredMetric } from './score.js';

const thresholds = { pass: 95, marginal: 75 };

function metric(name: string, classification: Classification, weight = 1, critical = false): ScoredMetric {
  return { name, classification, failing: classification === 'high', weight, critical };
}

describe('weighted score', () => {
  it('passes when every metric passes', () => {
    const r = scoreMetrics([metric('latency', 'pass'), metric('errors', 'pass')], thresholds);
    assert.equal(r.score, 100);
    assert.equal(r.verdict.phase, 'successful');
    assert.equal(r.verdict.rule, 'score 100 >= pass 95');
  });

  it('weighs metrics: a light regression is marginal, a heavy one fails', () => {
    const light = scoreMetrics([metric('a', 'pass', 4), metric('b', 'high', 1)], thresholds);
    assert.equal(light.score, 80);
    assert.equal(light.verdict.phase, 'inconclusive');
    const heavy = scoreMetrics([metric('a', 'pass', 1), metric('b', 'high', 1)], thresholds);
    assert.equal(heavy.score, 50);
    assert.equal(heavy.verdict.phase, 'failed');
    assert.equal(heavy.verdict.rule, 'score 50 < marginal 75');
  });

  it('counts a regression in the harmless direction as passing', () => {
    const faster: ScoredMetric = { ...metric('latency', 'low'), failing: false };
    assert.equal(scoreMetrics([faster], thresholds).verdict.phase, 'successful');
  });

  it('fails on a critical metric whatever the score', () => {
    const metrics = [metric('a', 'pass', 10), metric('b', 'pass', 10), metric('errors', 'high', 1, true)];
    const r = scoreMetrics(metrics, thresholds);
    assert.ok(r.score !== null && r.score > 95);
    assert.equal(r.verdict.phase, 'failed');
    assert.equal(r.verdict.rule, 'critical metric errors is high');
  });

  it('never passes with missing data, but still fails on the evidence there is', () => {
    const partial = scoreMetrics([metric('latency', 'pass'), metric('errors', 'nodata')], thresholds);
    assert.equal(partial.score, 100);
    assert.equal(partial.verdict.phase, 'inconclusive');
    const none = scoreMetrics([metric('latency', 'nodata')], thresholds);
    assert.equal(none.score, null);
    assert.equal(none.verdict.phase, 'inconclusive');
    const bad = scoreMetrics([metric('latency', 'high'), metric('errors', 'nodata')], thresholds);
    assert.equal(bad.verdict.phase, 'failed');
  });

  it('refuses inconsistent thresholds and weights', () => {
    assert.throws(() => scoreMetrics([], { pass: 70, marginal: 80 }), RangeError);
    assert.throws(() => scoreMetrics([metric('a', 'pass', 0)], thresholds), RangeError);
  });
});
