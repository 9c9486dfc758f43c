// One analysis run of a release, as data: the judge state of every metric of its templates, their last
// measurements and the run's verdict. Pure: the runner (runner.ts) brings measurements and stream buckets in
// and the engine persists the result with the release, so a restarted controller continues the run where it
// stood. The run's verdict is Argo Rollouts' rule over its metrics (dry-run ones excluded): any failed →
// failed; else any inconclusive → inconclusive; else all successful → successful; else running.
import type { AnalysisMetricSpec, AnalysisSpec } from '../../spec/compiled.js';
import type { StatsBucket } from '../../targets/local/types.js';
import { compare } from '../judges/compare.js';
import type { CompareConfig } from '../judges/compare.js';
import { compareInputs, pool } from '../judges/bucket-data.js';
import {
  observeBucket,
  sequentialVerdict,
  startSequential,
  type SequentialConfig,
  type SequentialState,
} from '../judges/sequential.js';
import {
  concludeThreshold,
  judgeMeasurement,
  nextMeasurementAt,
  startThreshold,
  type ThresholdConfig,
  type ThresholdState,
} from '../judges/threshold.js';
import type { Measurement, Verdict } from '../measurement.js';

/** How many measurements of each metric the release keeps in its state (all of them go to the events). */
export const KEPT_MEASUREMENTS = 10;

export interface MetricRunState {
  template: string;
  name: string;
  judge: AnalysisMetricSpec['judge']['kind'];
  dryRun: boolean;
  /** Bookkeeping of threshold and compare metrics (interval, count, limits). */
  threshold?: ThresholdState;
  sequential?: SequentialState;
  verdict: Verdict;
  /** The last KEPT_MEASUREMENTS measurements, as judged. */
  recent: Measurement[];
  measurements: number;
}

export interface AnalysisRunState {
  key: string;
  templates: string[];
  /** Epoch ms. */
  startedAt: number;
  durationMs: number | null;
  /** The versions compared: the new one, and the live one (null for a first release). */
  canary: string;
  stable: string | null;
  /** By `template/metric`. */
  metrics: Record<string, MetricRunState>;
  verdict: Verdict;
  /** The metric whose verdict decided the run's (template/metric), once final. */
  decidedBy: string | null;
  concludedAt: number | null;
  /** An inconclusive verdict the release was paused on: once a person resumes, it no longer holds it up. */
  held: boolean;
}

export const metricKey = (template: string, metric: string): string => `${template}/${metric}`;

/** The spec of every metric of a run, by key. Unknown templates (the spec changed) are skipped. */
export function runMetrics(analysis: AnalysisSpec, templates: string[]): Map<string, AnalysisMetricSpec> {
  const out = new Map<string, AnalysisMetricSpec>();
  for (const template of templates) {
    for (const metric of analysis.templates[template] ?? [])
      out.set(metricKey(template, metric.name), metric);
  }
  return out;
}

export function thresholdConfig(metric: AnalysisMetricSpec): ThresholdConfig {
  const judge = metric.judge;
  return {
    metric: metric.name,
    max: judge.kind === 'threshold' ? judge.max : null,
    min: judge.kind === 'threshold' ? judge.min : null,
    forMs: judge.kind === 'threshold' ? judge.forMs : 0,
    intervalMs: metric.intervalMs,
    count: metric.count,
    initialDelayMs: metric.initialDelayMs,
    failureLimit: metric.failureLimit,
    inconclusiveLimit: metric.inconclusiveLimit,
    consecutiveErrorLimit: metric.consecutiveErrorLimit,
    ...(judge.kind === 'compare'
      ? { label: `${metric.name}: canary against stable, a window fails below score ${judge.marginal}` }
      : {}),
  };
}

export function sequentialConfig(
  metric: AnalysisMetricSpec,
  run: Pick<AnalysisRunState, 'canary' | 'stable' | 'durationMs'>,
): SequentialConfig {
  if (metric.judge.kind !== 'sequential') throw new Error(`${metric.name} is not a sequential metric`);
  const { kind: _kind, ...judge } = metric.judge;
  return { ...judge, canary: run.canary, stable: run.stable ?? '', durationMs: run.durationMs };
}

export function compareConfig(metric: AnalysisMetricSpec): CompareConfig {
  if (metric.judge.kind !== 'compare') throw new Error(`${metric.name} is not a compare metric`);
  const { tests, alpha, pass, marginal } = metric.judge;
  return { metrics: tests.map((t) => ({ ...t })), alpha, pass, marginal };
}

const NO_STABLE: Verdict = {
  phase: 'inconclusive',
  rule: 'nothing to compare with: the app had no live version',
  detail: {},
};

export function startRun(
  run: { key: string; templates: string[]; durationMs: number | null },
  analysis: AnalysisSpec,
  versions: { canary: string; stable: string | null },
  now: number,
): AnalysisRunState {
  const state: AnalysisRunState = {
    key: run.key,
    templates: [...run.templates],
    startedAt: now,
    durationMs: run.durationMs,
    canary: versions.canary,
    stable: versions.stable,
    metrics: {},
    verdict: { phase: 'running', rule: 'measuring', detail: {} },
    decidedBy: null,
    concludedAt: null,
    held: false,
  };
  for (const [key, metric] of runMetrics(analysis, run.templates)) {
    const template = key.slice(0, key.length - metric.name.length - 1);
    const base = { template, name: metric.name, judge: metric.judge.kind, dryRun: metric.dryRun };
    if (metric.judge.kind === 'sequential') {
      const sequential = startSequential(sequentialConfig(metric, state), now);
      const verdict =
        versions.stable === null
          ? NO_STABLE
          : sequentialVerdict(sequentialConfig(metric, state), sequential, now);
      state.metrics[key] = { ...base, sequential, verdict, recent: [], measurements: 0 };
    } else {
      const threshold = startThreshold(thresholdConfig(metric), now);
      const verdict =
        metric.judge.kind === 'compare' && versions.stable === null ? NO_STABLE : threshold.verdict;
      state.metrics[key] = { ...base, threshold, verdict, recent: [], measurements: 0 };
    }
  }
  return withVerdict(state);
}

function keep(recent: Measurement[], m: Measurement): Measurement[] {
  const next = [...recent, m];
  return next.length > KEPT_MEASUREMENTS ? next.slice(next.length - KEPT_MEASUREMENTS) : next;
}

/** The run's verdict from its metrics' (dry-run metrics never decide). */
export function withVerdict(state: AnalysisRunState): AnalysisRunState {
  if (state.verdict.phase !== 'running') return state;
  const acting = Object.entries(state.metrics).filter(([, m]) => !m.dryRun);
  const find = (phase: Verdict['phase']) => acting.find(([, m]) => m.verdict.phase === phase);
  const decided = find('failed') ?? find('inconclusive');
  if (decided) {
    const [key, metric] = decided;
    return {
      ...state,
      verdict: { ...metric.verdict, rule: `${key}: ${metric.verdict.rule}` },
      decidedBy: key,
    };
  }
  if (acting.length > 0 && acting.every(([, m]) => m.verdict.phase === 'successful')) {
    const rule = acting.map(([key, m]) => `${key}: ${m.verdict.rule}`).join('; ');
    return { ...state, verdict: { phase: 'successful', rule, detail: {} }, decidedBy: null };
  }
  if (acting.length === 0 && Object.keys(state.metrics).length > 0) {
    // Only dry-run metrics: the run is informative and never holds the release up.
    const all = Object.values(state.metrics);
    if (all.every((m) => m.verdict.phase !== 'running')) {
      return { ...state, verdict: { phase: 'successful', rule: 'dry run only', detail: {} } };
    }
  }
  return state;
}

/** Judges one measurement of a threshold or compare metric. Returns the new state and the judged measurement. */
export function recordMeasurement(
  state: AnalysisRunState,
  key: string,
  metric: AnalysisMetricSpec,
  m: Measurement,
): { state: AnalysisRunState; judged: Measurement | null } {
  const current = state.metrics[key];
  if (!current?.threshold || current.verdict.phase !== 'running') return { state, judged: null };
  const step = judgeMeasurement(thresholdConfig(metric), current.threshold, m);
  if (!step.judged) return { state, judged: null };
  const next: MetricRunState = {
    ...current,
    threshold: step.state,
    verdict: step.state.verdict,
    recent: keep(current.recent, step.judged),
    measurements: current.measurements + 1,
  };
  return {
    state: withVerdict({ ...state, metrics: { ...state.metrics, [key]: next } }),
    judged: step.judged,
  };
}

/** When a threshold or compare metric is next due (epoch ms), or null. */
export function nextDue(state: AnalysisRunState, key: string, metric: AnalysisMetricSpec): number | null {
  const current = state.metrics[key];
  if (!current?.threshold || current.verdict.phase !== 'running') return null;
  return nextMeasurementAt(thresholdConfig(metric), current.threshold);
}

/**
 * Feeds one bucket of the router's stream to the run's sequential metrics. Returns the new state and the keys
 * of the metrics that decided with it (the engine persists those at once).
 */
export function observeStream(
  state: AnalysisRunState,
  metrics: Map<string, AnalysisMetricSpec>,
  bucket: StatsBucket,
): { state: AnalysisRunState; decided: string[] } {
  if (state.stable === null || state.verdict.phase !== 'running') return { state, decided: [] };
  let changed: Record<string, MetricRunState> | undefined;
  const decided: string[] = [];
  for (const [key, current] of Object.entries(state.metrics)) {
    const metric = metrics.get(key);
    if (!metric || !current.sequential || current.verdict.phase !== 'running') continue;
    const config = sequentialConfig(metric, state);
    const sequential = observeBucket(config, current.sequential, bucket);
    const verdict = sequentialVerdict(config, sequential, bucket.end);
    changed ??= { ...state.metrics };
    changed[key] = { ...current, sequential, verdict };
    if (verdict.phase !== 'running') decided.push(key);
  }
  if (!changed) return { state, decided };
  return { state: withVerdict({ ...state, metrics: changed }), decided };
}

/** A measurement that reports where a sequential metric stands (kept and shown; the judge needs no more). */
export function sequentialSnapshot(metric: MetricRunState, now: number): Measurement {
  const d = metric.verdict.detail;
  const num = (k: string): number => (typeof d[k] === 'number' ? d[k] : 0);
  const canaryRequests = num('canaryRequests');
  const at = new Date(now).toISOString();
  return {
    metric: metric.name,
    phase:
      metric.verdict.phase === 'failed' ? 'failed' : canaryRequests === 0 ? 'inconclusive' : 'successful',
    value: canaryRequests === 0 ? null : num('canaryErrors') / canaryRequests,
    startedAt: at,
    finishedAt: at,
    message: metric.verdict.rule,
  };
}

/** Adds a sequential snapshot to a metric's kept measurements. */
export function recordSnapshot(state: AnalysisRunState, key: string, m: Measurement): AnalysisRunState {
  const current = state.metrics[key];
  if (!current) return state;
  const next = { ...current, recent: keep(current.recent, m), measurements: current.measurements + 1 };
  return { ...state, metrics: { ...state.metrics, [key]: next } };
}

/** A compare metric's measurement: canary against stable over the buckets of the last window. */
export function compareMeasurement(
  metric: AnalysisMetricSpec,
  run: Pick<AnalysisRunState, 'canary' | 'stable'>,
  buckets: readonly StatsBucket[],
  now: number,
): Measurement {
  const at = new Date(now).toISOString();
  const base = { metric: metric.name, startedAt: at, finishedAt: at };
  if (metric.judge.kind !== 'compare') throw new Error(`${metric.name} is not a compare metric`);
  if (run.stable === null) return { ...base, phase: 'inconclusive', value: null, message: NO_STABLE.rule };
  const from = now - metric.judge.windowMs;
  const canary = pool(buckets, run.canary, from, now + 1);
  const stable = pool(buckets, run.stable, from, now + 1);
  const inputs = compareInputs(canary, stable);
  const data = Object.fromEntries(
    metric.judge.tests.map((t) => [t.name, t.test === 'proportion' ? inputs.errors : inputs.latency]),
  );
  const result = compare(compareConfig(metric), data);
  const phase =
    result.verdict.phase === 'failed'
      ? 'failed'
      : result.score === null || result.verdict.phase === 'inconclusive'
        ? 'inconclusive'
        : 'successful';
  const reasons = result.metrics.map((r) => `${r.name} ${r.reason}`).join('; ');
  const counts = `${canary.requests} canary and ${stable.requests} stable requests`;
  return {
    ...base,
    phase,
    value: result.score,
    message: `score ${result.score ?? 'none'} over ${counts}: ${reasons}`,
  };
}

/**
 * Ends the run's metrics that are still measuring, when its duration has passed or `force` (a background run
 * at the promotion gate): threshold and compare metrics conclude on what they measured, sequential metrics
 * are truncated.
 */
export function concludeRun(
  state: AnalysisRunState,
  metrics: Map<string, AnalysisMetricSpec>,
  now: number,
  force: boolean,
): AnalysisRunState {
  if (state.verdict.phase !== 'running') return state;
  const due = state.durationMs !== null && now >= state.startedAt + state.durationMs;
  if (!due && !force) return state;
  const next: Record<string, MetricRunState> = {};
  for (const [key, current] of Object.entries(state.metrics)) {
    const metric = metrics.get(key);
    if (!metric || current.verdict.phase !== 'running') {
      next[key] = current;
    } else if (current.sequential) {
      const config = { ...sequentialConfig(metric, state), durationMs: Math.max(0, now - state.startedAt) };
      next[key] = { ...current, verdict: sequentialVerdict(config, current.sequential, now) };
    } else if (current.threshold) {
      const threshold = concludeThreshold(thresholdConfig(metric), current.threshold);
      next[key] = { ...current, threshold, verdict: threshold.verdict };
    } else {
      next[key] = current;
    }
  }
  const concluded = withVerdict({ ...state, metrics: next });
  return { ...concluded, concludedAt: concluded.verdict.phase === 'running' ? null : now };
}
