// The compare judge: each test classifies with its tolerance, too few samples is nodata (never a pass), the
// score decides, and a critical metric fails the comparison on its own.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinComparison, compare, COMPARE_DEFAULTS, COMPARE_METRIC_DEFAULTS } from './compare.js';
import type { CompareConfig, CompareMetric, MetricData } from './compare.js';
import { lognormal, mulberry32 } from './random.js';

function latencies(seed: number, n: number, medianMs: number): number[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => lognormal(rng, Math.log(medianMs), 0.5));
}

function samples(canary: number[], baseline: number[]): MetricData {
  return { kind: 'samples', canary, baseline };
}

function counts(canaryErrors: number, canaryRequests: number, errors: number, requests: number): MetricData {
  return {
    kind: 'counts',
    canary: { events: canaryErrors, trials: canaryRequests },
    baseline: { events: errors, trials: requests },
  };
}

function config(
  ...metrics: Array<Partial<CompareMetric> & Pick<CompareMetric, 'name' | 'test'>>
): CompareConfig {
  return { ...COMPARE_DEFAULTS, metrics: metrics.map((m) => ({ ...COMPARE_METRIC_DEFAULTS, ...m })) };
}

const latencyOnly = config({ name: 'latency', test: 'mannWhitney' });

describe('compare judge', () => {
  it('classifies a canary 40% slower as high, and fails', () => {
    const r = compare(latencyOnly, { latency: samples(latencies(1, 300, 70), latencies(2, 300, 50)) });
    assert.equal(r.metrics[0]?.classification, 'high');
    assert.equal(r.verdict.phase, 'failed');
    assert.equal(r.verdict.rule, 'score 0 < marginal 75');
  });

  it('passes a canary 3% slower: within the 10% tolerance', () => {
    const r = compare(latencyOnly, { latency: samples(latencies(3, 2000, 51.5), latencies(4, 2000, 50)) });
    assert.equal(r.metrics[0]?.classification, 'pass');
    assert.equal(r.verdict.phase, 'successful');
  });

  it('the same 3% fails without tolerance, given enough samples', () => {
    const strict = config({ name: 'latency', test: 'mannWhitney', tolerance: 0 });
    const r = compare(strict, { latency: samples(latencies(3, 20000, 51.5), latencies(4, 20000, 50)) });
    assert.equal(r.metrics[0]?.classification, 'high');
  });

  it('a faster canary is low, which fails only a metric that fails on decrease', () => {
    const data = { latency: samples(latencies(5, 300, 30), latencies(6, 300, 50)) };
    const r = compare(latencyOnly, data);
    assert.equal(r.metrics[0]?.classification, 'low');
    assert.equal(r.metrics[0]?.failing, false);
    assert.equal(r.verdict.phase, 'successful');
    const throughput = config({ name: 'latency', test: 'mannWhitney', failOn: 'either' });
    assert.equal(compare(throughput, data).verdict.phase, 'failed');
  });

  it('too few samples is nodata, and nodata never passes', () => {
    const r = compare(latencyOnly, { latency: samples(latencies(7, 20, 50), latencies(8, 500, 50)) });
    assert.equal(r.metrics[0]?.classification, 'nodata');
    assert.equal(r.verdict.phase, 'inconclusive');
    assert.equal(compare(latencyOnly, {}).verdict.phase, 'inconclusive');
  });

  it('tests error counts with the tolerated ratio', () => {
    const errors = config({ name: 'errors', test: 'proportion' });
    assert.equal(compare(errors, { errors: counts(60, 2000, 10, 2000) }).metrics[0]?.classification, 'high');
    assert.equal(compare(errors, { errors: counts(11, 2000, 10, 2000) }).metrics[0]?.classification, 'pass');
    // No errors on either side is data (a clean canary), not missing data.
    assert.equal(compare(errors, { errors: counts(0, 2000, 0, 2000) }).verdict.phase, 'successful');
  });

  it('sees a tail-only regression with the quantile test', () => {
    const rng = mulberry32(9);
    const tail = Array.from({ length: 2000 }, () => lognormal(rng, Math.log(50), 0.75));
    const p95 = config({ name: 'p95', test: 'quantile' }, { name: 'latency', test: 'mannWhitney' });
    const r = compare(p95, {
      p95: samples(tail, latencies(10, 2000, 50)),
      latency: samples(tail, latencies(10, 2000, 50)),
    });
    assert.deepEqual(
      r.metrics.map((m) => m.classification),
      ['high', 'pass'],
    );
    assert.equal(r.score, 50);
  });

  it('fails on a critical error-rate regression even when the latencies are fine', () => {
    const builtin = builtinComparison();
    const ok = samples(latencies(11, 500, 50), latencies(12, 500, 50));
    const r = compare(builtin, { latency: ok, 'latency-p95': ok, 'error-rate': counts(40, 500, 2, 500) });
    assert.equal(r.verdict.phase, 'failed');
    assert.equal(r.verdict.rule, 'critical metric error-rate is high');
    assert.ok(Array.isArray(r.verdict.detail.metrics));
  });

  it('refuses data of the wrong kind and negative samples', () => {
    assert.throws(() => compare(latencyOnly, { latency: counts(1, 100, 1, 100) }), RangeError);
    const negative = samples([-1, ...latencies(13, 100, 50)], latencies(14, 100, 50));
    assert.throws(() => compare(latencyOnly, { latency: negative }), RangeError);
  });
});
