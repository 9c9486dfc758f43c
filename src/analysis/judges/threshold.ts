// The threshold judge: the runbooks' triggers ("error rate > 5% for 2 minutes", "p95 > 1000 ms for 5 minutes",
// "availability < 99% for 1 minute") with Argo Rollouts' measurement bookkeeping (interval, count,
// initialDelay, failureLimit, inconclusiveLimit, consecutiveErrorLimit). Pure: state and one measurement in,
// new state (with its verdict) and the judged measurement out; time comes from the measurements.
//
// A measurement breaches when its value is above `max` or below `min`. It counts as failed once the breach has
// held for `for`: from the first breaching measurement to this one, with no in-bounds measurement between.
// Missing data and errors neither confirm nor clear a breach (a gap in the data must not hide a lasting one),
// and they never pass: inconclusive beyond `inconclusiveLimit`, errors beyond `consecutiveErrorLimit`.

import type { Measurement, Verdict } from '../measurement.js';
import { formatDuration } from './format.js';

export interface ThresholdConfig {
  metric: string;
  /** Breach when the value is above max and/or below min; neither: only the source's own verdict counts. */
  max: number | null;
  min: number | null;
  /** How long a breach must hold before a measurement counts as failed; 0 fails at once. */
  forMs: number;
  /** Time between measurements (from the end of one to the start of the next). */
  intervalMs: number;
  /** Measurements after which the metric concludes; null runs until the analysis ends (concludeThreshold). */
  count: number | null;
  /** Measurements that finish earlier than this after the start are ignored (warm-up). */
  initialDelayMs: number;
  /** Failed measurements tolerated: one more fails the metric. */
  failureLimit: number;
  /** Inconclusive measurements tolerated: one more makes the metric inconclusive. */
  inconclusiveLimit: number;
  /** Consecutive errors tolerated: one more makes the metric inconclusive. */
  consecutiveErrorLimit: number;
  /** Without bounds: the condition in words (default "<metric> judged by its source"). */
  label?: string;
}

/** Argo Rollouts' defaults for the limits. */
export const THRESHOLD_DEFAULTS = {
  forMs: 0,
  count: null,
  initialDelayMs: 0,
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
} as const satisfies Partial<ThresholdConfig>;

export interface ThresholdState {
  /** Epoch ms: when the metric started (initialDelay counts from here). */
  startedAt: number;
  measurements: number;
  successful: number;
  failed: number;
  inconclusive: number;
  errors: number;
  consecutiveErrors: number;
  /** Epoch ms of the first measurement of the breach going on, null while in bounds. */
  breachedSince: number | null;
  lastMeasuredAt: number | null;
  verdict: Verdict;
}

export interface ThresholdStep {
  state: ThresholdState;
  /** The measurement with the judge's phase and message; null when it was ignored. */
  judged: Measurement | null;
}

/** The condition in words: "error-rate > 0.05 for 2m". */
export function describeThreshold(config: ThresholdConfig): string {
  const { metric, min, max } = config;
  if (min === null && max === null) return config.label ?? `${metric} judged by its source`;
  const bounds =
    min !== null && max !== null
      ? `${metric} outside [${min}, ${max}]`
      : max !== null
        ? `${metric} > ${max}`
        : `${metric} < ${min}`;
  return config.forMs > 0 ? `${bounds} for ${formatDuration(config.forMs)}` : bounds;
}

function checkConfig(c: ThresholdConfig): void {
  const count = (v: number): boolean => Number.isInteger(v) && v >= 0;
  if (c.min !== null && c.max !== null && c.min > c.max)
    throw new RangeError(`threshold ${c.metric}: min > max`);
  if (![c.failureLimit, c.inconclusiveLimit, c.consecutiveErrorLimit].every(count)) {
    throw new RangeError(`threshold ${c.metric}: limits must be integers >= 0`);
  }
  if (c.count !== null && !(Number.isInteger(c.count) && c.count >= 1)) {
    throw new RangeError(`threshold ${c.metric}: count must be an integer >= 1`);
  }
  if (!(c.forMs >= 0 && c.intervalMs >= 0 && c.initialDelayMs >= 0)) {
    throw new RangeError(`threshold ${c.metric}: durations must be >= 0`);
  }
}

export function startThreshold(config: ThresholdConfig, now: number): ThresholdState {
  checkConfig(config);
  return {
    startedAt: now,
    measurements: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    errors: 0,
    consecutiveErrors: 0,
    breachedSince: null,
    lastMeasuredAt: null,
    verdict: { phase: 'running', rule: describeThreshold(config), detail: {} },
  };
}

function detail(s: ThresholdState): Verdict['detail'] {
  const { measurements, successful, failed, inconclusive, errors, consecutiveErrors, breachedSince } = s;
  return { measurements, successful, failed, inconclusive, errors, consecutiveErrors, breachedSince };
}

/** The verdict the counts call for, in Argo's order: failures, then inconclusive, then errors, then count. */
function decide(config: ThresholdConfig, s: ThresholdState, ended: boolean): Verdict {
  const rule = describeThreshold(config);
  const verdict = (phase: Verdict['phase'], why: string): Verdict => ({
    phase,
    rule: `${rule}: ${why}`,
    detail: detail(s),
  });
  if (s.failed > config.failureLimit) {
    return verdict('failed', `${s.failed} failed measurement(s) > failureLimit ${config.failureLimit}`);
  }
  if (s.inconclusive > config.inconclusiveLimit) {
    return verdict(
      'inconclusive',
      `${s.inconclusive} without data > inconclusiveLimit ${config.inconclusiveLimit}`,
    );
  }
  if (s.consecutiveErrors > config.consecutiveErrorLimit) {
    const limit = config.consecutiveErrorLimit;
    return verdict(
      'inconclusive',
      `${s.consecutiveErrors} consecutive errors > consecutiveErrorLimit ${limit}`,
    );
  }
  if (!ended && (config.count === null || s.measurements < config.count))
    return verdict('running', 'measuring');
  if (s.breachedSince !== null) return verdict('inconclusive', 'a breach was still building up at the end');
  if (s.successful === 0) return verdict('inconclusive', 'no measurement had data');
  return verdict(
    'successful',
    `${s.failed} of ${s.measurements} measurement(s) failed (failureLimit ${config.failureLimit})`,
  );
}

/** The judge's reading, then where the value came from (the provider's own message), when it said. */
function withSource(reading: string, m: Measurement): string {
  return m.message ? `${reading} (${m.message})` : reading;
}

/** Judges one measurement from a provider (phase successful with a value, inconclusive, error, or failed). */
export function judgeMeasurement(
  config: ThresholdConfig,
  state: ThresholdState,
  m: Measurement,
): ThresholdStep {
  const at = Date.parse(m.finishedAt);
  if (Number.isNaN(at)) throw new RangeError(`measurement of ${m.metric}: finishedAt is not a timestamp`);
  if (state.verdict.phase !== 'running' || at < state.startedAt + config.initialDelayMs) {
    return { state, judged: null };
  }
  const s: ThresholdState = { ...state, measurements: state.measurements + 1, lastMeasuredAt: at };
  let judged: Measurement;
  const value = m.value;
  if (m.phase === 'error') {
    s.errors += 1;
    s.consecutiveErrors += 1;
    judged = m;
  } else if (m.phase === 'inconclusive' || value === null || !Number.isFinite(value)) {
    s.inconclusive += 1;
    s.consecutiveErrors = 0;
    judged = { ...m, phase: 'inconclusive', message: m.message || 'no data' };
  } else if (m.phase === 'failed') {
    s.failed += 1;
    s.consecutiveErrors = 0;
    judged = m;
  } else {
    s.consecutiveErrors = 0;
    const breach = (config.max !== null && value > config.max) || (config.min !== null && value < config.min);
    if (!breach) {
      s.breachedSince = null;
      s.successful += 1;
      judged = { ...m, phase: 'successful', message: withSource(`${value} within bounds`, m) };
    } else {
      s.breachedSince = state.breachedSince ?? at;
      const held = at - s.breachedSince;
      if (held >= config.forMs) {
        s.failed += 1;
        judged = {
          ...m,
          phase: 'failed',
          message: withSource(`${value} breached for ${formatDuration(held)}`, m),
        };
      } else {
        s.successful += 1;
        const message = `${value} breaching for ${formatDuration(held)} of ${formatDuration(config.forMs)}`;
        judged = { ...m, phase: 'successful', message: withSource(message, m) };
      }
    }
  }
  s.verdict = decide(config, s, false);
  return { state: s, judged };
}

/** The analysis ended (its duration elapsed): a metric still running concludes on what it has measured. */
export function concludeThreshold(config: ThresholdConfig, state: ThresholdState): ThresholdState {
  if (state.verdict.phase !== 'running') return state;
  return { ...state, verdict: decide(config, state, true) };
}

/** When the next measurement is due (epoch ms), or null when the metric needs no more. */
export function nextMeasurementAt(config: ThresholdConfig, state: ThresholdState): number | null {
  if (state.verdict.phase !== 'running') return null;
  if (state.lastMeasuredAt === null) return state.startedAt + config.initialDelayMs;
  return state.lastMeasuredAt + config.intervalMs;
}
