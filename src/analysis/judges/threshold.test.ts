// The threshold judge: the runbooks' "for" durations, and each of Argo's limits (failureLimit,
// inconclusiveLimit, consecutiveErrorLimit, count, initialDelay) deciding on its own.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Measurement } from '../measurement.js';
import {
  concludeThreshold,
  describeThreshold,
  judgeMeasurement,
  nextMeasurementAt,
  startThreshold,
  THRESHOLD_DEFAULTS,
} from './threshold.js';
import type { ThresholdConfig, ThresholdState } from './threshold.js';

const T0 = Date.UTC(2026, 0, 1);
const S = 1000;

const errorRate: ThresholdConfig = {
  ...THRESHOLD_DEFAULTS,
  metric: 'error-rate',
  max: 0.05,
  min: null,
  forMs: 120 * S,
  intervalMs: 30 * S,
};

type Reading = number | null | 'error';

function measurement(metric: string, atMs: number, reading: Reading): Measurement {
  const base = {
    metric,
    startedAt: new Date(T0 + atMs - 100).toISOString(),
    finishedAt: new Date(T0 + atMs).toISOString(),
  };
  if (reading === 'error') return { ...base, phase: 'error', value: null, message: 'connection refused' };
  if (reading === null) return { ...base, phase: 'inconclusive', value: null, message: 'no requests' };
  return { ...base, phase: 'successful', value: reading, message: '' };
}

/** Feeds readings at the config's interval (the first at one interval after the start). */
function run(
  config: ThresholdConfig,
  readings: Reading[],
  state = startThreshold(config, T0),
): ThresholdState {
  let s = state;
  for (const reading of readings) {
    const at = (s.lastMeasuredAt ?? T0 + config.initialDelayMs) - T0 + config.intervalMs;
    s = judgeMeasurement(config, s, measurement(config.metric, at, reading)).state;
  }
  return s;
}

describe('threshold judge', () => {
  it('describes the runbooks triggers', () => {
    assert.equal(describeThreshold(errorRate), 'error-rate > 0.05 for 2m');
    const p95 = { ...errorRate, metric: 'p95', max: 1000, forMs: 300 * S };
    assert.equal(describeThreshold(p95), 'p95 > 1000 for 5m');
    const availability = { ...errorRate, metric: 'availability', max: null, min: 0.99, forMs: 60 * S };
    assert.equal(describeThreshold(availability), 'availability < 0.99 for 1m');
  });

  it('"error rate > 5% for 2 minutes" fails only once the breach has held 2 minutes', () => {
    // Breach measured at 30 s, 60 s, 90 s, 120 s: held 90 s. At 150 s: held 120 s, so failed.
    const pending = run(errorRate, [0.07, 0.08, 0.09, 0.07]);
    assert.equal(pending.verdict.phase, 'running');
    assert.equal(pending.failed, 0);
    const step = judgeMeasurement(errorRate, pending, measurement('error-rate', 150 * S, 0.07));
    assert.equal(step.judged?.phase, 'failed');
    assert.equal(step.state.verdict.phase, 'failed');
    assert.equal(
      step.state.verdict.rule,
      'error-rate > 0.05 for 2m: 1 failed measurement(s) > failureLimit 0',
    );
  });

  it('an in-bounds measurement clears the breach and restarts the clock', () => {
    const s = run(errorRate, [0.07, 0.07, 0.07, 0.01, 0.07, 0.07, 0.07, 0.07]);
    assert.equal(s.verdict.phase, 'running', 'the second breach has held 90 s only');
    assert.equal(run(errorRate, [0.07], s).verdict.phase, 'failed');
  });

  it('"availability < 99% for 1 minute" uses min', () => {
    const availability = { ...errorRate, metric: 'availability', max: null, min: 0.99, forMs: 60 * S };
    assert.equal(run(availability, [0.995, 0.98, 0.97]).verdict.phase, 'running');
    assert.equal(run(availability, [0.995, 0.98, 0.97, 0.95]).verdict.phase, 'failed');
  });

  it('without "for" a breaching measurement fails at once', () => {
    const instant = { ...errorRate, forMs: 0 };
    assert.equal(run(instant, [0.01, 0.2]).verdict.phase, 'failed');
  });

  it('failureLimit tolerates that many failed measurements', () => {
    const tolerant = { ...errorRate, forMs: 0, failureLimit: 2 };
    assert.equal(run(tolerant, [0.2, 0.01, 0.2]).verdict.phase, 'running');
    const s = run(tolerant, [0.2, 0.01, 0.2, 0.2]);
    assert.equal(s.verdict.phase, 'failed');
    assert.equal(s.failed, 3);
  });

  it('inconclusiveLimit: missing data beyond it is inconclusive, and a gap does not clear a breach', () => {
    const config = { ...errorRate, inconclusiveLimit: 1 };
    assert.equal(run(config, [0.01, null]).verdict.phase, 'running');
    const s = run(config, [0.01, null, 0.02, null]);
    assert.equal(s.verdict.phase, 'inconclusive');
    assert.match(s.verdict.rule, /2 without data > inconclusiveLimit 1/);
    // Breach at 30 s, no data at 60 s and 90 s, breach at 120 s and 150 s: held 120 s despite the gap.
    const gap = { ...errorRate, inconclusiveLimit: 5 };
    assert.equal(run(gap, [0.07, null, null, 0.07, 0.07]).verdict.phase, 'failed');
  });

  it('consecutiveErrorLimit: errors beyond it are inconclusive; a measurement in between resets the run', () => {
    const config = { ...errorRate, consecutiveErrorLimit: 2 };
    assert.equal(run(config, ['error', 'error', 0.01, 'error', 'error']).verdict.phase, 'running');
    const s = run(config, ['error', 'error', 'error']);
    assert.equal(s.verdict.phase, 'inconclusive');
    assert.match(s.verdict.rule, /3 consecutive errors > consecutiveErrorLimit 2/);
    assert.equal(s.errors, 3);
  });

  it('count: concludes after that many measurements, never passing without data or on a pending breach', () => {
    const config = { ...errorRate, count: 3, inconclusiveLimit: 3, consecutiveErrorLimit: 3 };
    const good = run(config, [0.01, 0.02, 0.01]);
    assert.equal(good.verdict.phase, 'successful');
    assert.equal(
      good.verdict.rule,
      'error-rate > 0.05 for 2m: 0 of 3 measurement(s) failed (failureLimit 0)',
    );
    assert.equal(nextMeasurementAt(config, good), null);
    assert.equal(run(config, [null, 'error', null]).verdict.phase, 'inconclusive');
    const building = run(config, [0.01, 0.01, 0.09]);
    assert.equal(building.verdict.phase, 'inconclusive');
    assert.match(building.verdict.rule, /still building up/);
  });

  it('initialDelay: earlier measurements are ignored, and the schedule starts after it', () => {
    const config = { ...errorRate, forMs: 0, initialDelayMs: 60 * S };
    const start = startThreshold(config, T0);
    assert.equal(nextMeasurementAt(config, start), T0 + 60 * S);
    const early = judgeMeasurement(config, start, measurement('error-rate', 30 * S, 0.5));
    assert.equal(early.judged, null);
    assert.equal(early.state, start);
    const late = judgeMeasurement(config, start, measurement('error-rate', 60 * S, 0.01));
    assert.equal(late.judged?.phase, 'successful');
    assert.equal(nextMeasurementAt(config, late.state), T0 + 90 * S);
  });

  it('a final verdict is kept: later measurements are ignored', () => {
    const failed = run({ ...errorRate, forMs: 0 }, [0.5]);
    const after = judgeMeasurement(errorRate, failed, measurement('error-rate', 60 * S, 0.01));
    assert.equal(after.state.verdict.phase, 'failed');
    assert.equal(after.judged, null);
  });

  it('without count, the end of the analysis concludes on what was measured', () => {
    const s = run(errorRate, [0.01, 0.02]);
    assert.equal(s.verdict.phase, 'running');
    assert.equal(concludeThreshold(errorRate, s).verdict.phase, 'successful');
    const empty = startThreshold(errorRate, T0);
    assert.equal(concludeThreshold(errorRate, empty).verdict.phase, 'inconclusive');
  });

  it('without bounds only the source judges: its failed measurements count, its values never breach', () => {
    const bare = { ...errorRate, max: null, min: null };
    let s = startThreshold(bare, T0);
    s = judgeMeasurement(bare, s, measurement('check', 1000, 1e9)).state;
    assert.equal(s.failed, 0);
    s = judgeMeasurement(bare, s, { ...measurement('check', 2000, 1), phase: 'failed' }).state;
    assert.equal(s.verdict.phase, 'failed');
  });

  it('refuses a config that cannot be judged', () => {
    assert.throws(() => startThreshold({ ...errorRate, min: 0.5, max: 0.1 }, T0), RangeError);
    assert.throws(() => startThreshold({ ...errorRate, count: 0 }, T0), RangeError);
    assert.throws(() => startThreshold({ ...errorRate, failureLimit: -1 }, T0), RangeError);
  });
});
