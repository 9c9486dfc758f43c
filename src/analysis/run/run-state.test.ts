// One analysis run as data: metrics start running, the run's verdict follows Argo's order over its metrics
// (failed, then inconclusive, then all successful; dry-run metrics never decide), the stream feeds the
// sequential metrics, comparisons read the last window, and concluding ends what is still measuring.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinTemplates } from '../../spec/compile-analysis.js';
import type { AnalysisMetricSpec, AnalysisSpec } from '../../spec/compiled.js';
import type { StatsBucket } from '../../targets/local/types.js';
import type { Measurement } from '../measurement.js';
import {
  compareMeasurement,
  concludeRun,
  observeStream,
  recordMeasurement,
  runMetrics,
  startRun,
} from './run-state.js';

const T0 = Date.UTC(2026, 0, 1);

const threshold = (name: string, extra: Partial<AnalysisMetricSpec> = {}): AnalysisMetricSpec => ({
  name,
  judge: { kind: 'threshold', min: null, max: 0.05, forMs: 0 },
  source: { provider: 'builtin', kind: 'builtin', config: {}, query: 'errorRate', role: 'canary' },
  intervalMs: 1000,
  count: 2,
  initialDelayMs: 0,
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  dryRun: false,
  ...extra,
});

function analysis(templates: AnalysisSpec['templates']): AnalysisSpec {
  return {
    templates,
    background: [],
    backgroundMinMs: 30_000,
    bake: null,
    onInconclusive: 'pause',
    builtinDefaults: false,
  };
}

const value = (metric: string, v: number | null, at: number): Measurement => ({
  metric,
  phase: v === null ? 'inconclusive' : 'successful',
  value: v,
  startedAt: new Date(at).toISOString(),
  finishedAt: new Date(at).toISOString(),
  message: '',
});

function bucket(end: number, canary: [number, number], stable: [number, number], ms = 10): StatsBucket {
  const lat = (n: number) => Array.from({ length: n }, (_, i) => ms + (i % 5));
  return {
    app: 'shop',
    start: end - 100,
    end,
    versions: {
      v2: { requests: canary[0], errors: canary[1], upstreamErrors: 0, latenciesMs: lat(canary[0]) },
      v1: { requests: stable[0], errors: stable[1], upstreamErrors: 0, latenciesMs: lat(stable[0]) },
    },
  };
}

const versions = { canary: 'v2', stable: 'v1' };

describe('analysis run state', () => {
  it('a failed metric fails the run, naming it; a dry-run metric never decides', () => {
    const spec = analysis({ t: [threshold('errors'), threshold('shadow', { dryRun: true })] });
    const metrics = runMetrics(spec, ['t']);
    let run = startRun({ key: 'step-2', templates: ['t'], durationMs: null }, spec, versions, T0);
    assert.equal(run.verdict.phase, 'running');
    run = recordMeasurement(run, 't/shadow', metrics.get('t/shadow')!, value('shadow', 0.5, T0 + 1000)).state;
    assert.equal(run.metrics['t/shadow']?.verdict.phase, 'failed');
    assert.equal(run.verdict.phase, 'running', 'the dry-run failure does not act');
    run = recordMeasurement(
      run,
      't/errors',
      metrics.get('t/errors')!,
      value('errors', 0.01, T0 + 1000),
    ).state;
    run = recordMeasurement(run, 't/errors', metrics.get('t/errors')!, value('errors', 0.2, T0 + 2000)).state;
    assert.equal(run.verdict.phase, 'failed');
    assert.equal(run.decidedBy, 't/errors');
    assert.match(run.verdict.rule, /^t\/errors: errors > 0.05/);
    assert.equal(run.metrics['t/errors']?.recent.length, 2);
  });

  it('all metrics successful pass the run; no data concludes inconclusive, never a pass', () => {
    const spec = analysis({ t: [threshold('errors')] });
    const metrics = runMetrics(spec, ['t']);
    const start = () => startRun({ key: 'bake', templates: ['t'], durationMs: 10_000 }, spec, versions, T0);
    let good = start();
    for (const at of [1000, 2000]) {
      good = recordMeasurement(good, 't/errors', metrics.get('t/errors')!, value('errors', 0, T0 + at)).state;
    }
    assert.equal(good.verdict.phase, 'successful');
    const empty = start();
    assert.equal(concludeRun(empty, metrics, T0 + 5_000, false), empty, 'not due yet: unchanged');
    const ended = concludeRun(empty, metrics, T0 + 10_000, false);
    assert.equal(ended.verdict.phase, 'inconclusive');
    assert.equal(ended.concludedAt, T0 + 10_000);
  });

  it('the stream decides the sequential metric after a handful of canary requests', () => {
    const spec = analysis(builtinTemplates());
    const metrics = runMetrics(spec, ['builtin']);
    let run = startRun({ key: 'background', templates: ['builtin'], durationMs: null }, spec, versions, T0);
    let decided: string[] = [];
    for (let i = 1; i <= 20 && decided.length === 0; i++) {
      ({ state: run, decided } = observeStream(run, metrics, bucket(T0 + i * 100, [2, 2], [8, 0])));
    }
    assert.deepEqual(decided, ['builtin/error-rate']);
    assert.equal(run.verdict.phase, 'failed');
    assert.ok(Number(run.metrics['builtin/error-rate']?.verdict.detail.canaryRequests) <= 20);
  });

  it('a comparison reads the last window: slower canary latencies fail it, too few samples are no data', () => {
    const latency = builtinTemplates().builtin!.find((m) => m.name === 'latency')!;
    const buckets = Array.from({ length: 100 }, (_, i) => bucket(T0 + (i + 1) * 100, [3, 0], [12, 0], 10));
    const same = compareMeasurement(latency, versions, buckets, T0 + 10_000);
    assert.equal(same.phase, 'successful', same.message);
    const slow = buckets.map((b) => ({
      ...b,
      versions: {
        ...b.versions,
        v2: { ...b.versions.v2!, latenciesMs: b.versions.v2!.latenciesMs.map((x) => x * 2) },
      },
    }));
    const slower = compareMeasurement(latency, versions, slow, T0 + 10_000);
    assert.equal(slower.phase, 'failed', slower.message);
    const few = compareMeasurement(latency, versions, buckets.slice(-5), T0 + 10_000);
    assert.equal(few.phase, 'inconclusive', few.message);
    const nothingToCompare = compareMeasurement(latency, { canary: 'v2', stable: null }, buckets, T0);
    assert.equal(nothingToCompare.phase, 'inconclusive');
  });

  it('a forced conclusion truncates the sequential test: enough clean requests pass', () => {
    const spec = analysis({ s: builtinTemplates().builtin!.filter((m) => m.name === 'error-rate') });
    const metrics = runMetrics(spec, ['s']);
    let run = startRun({ key: 'background', templates: ['s'], durationMs: null }, spec, versions, T0);
    for (let i = 1; i <= 100; i++)
      run = observeStream(run, metrics, bucket(T0 + i * 100, [2, 0], [8, 0])).state;
    assert.equal(run.verdict.phase, 'running');
    assert.equal(concludeRun(run, metrics, T0 + 10_000, false), run, 'no duration: only a gate ends it');
    const gated = concludeRun(run, metrics, T0 + 10_000, true);
    assert.equal(gated.verdict.phase, 'successful', gated.verdict.rule);
  });
});
