// The compare judge: canary against baseline, metric by metric, then a weighted score (Kayenta's scheme).
// Each metric is tested both ways with a relative tolerance and classified pass / high / low / nodata:
// - mannWhitney: Mann–Whitney U on samples (latency): is the canary stochastically above (1 + tolerance) × the
//   baseline? The tolerance scales the baseline's samples, so "10% slower" is a shift on the log scale;
// - quantile: the pooled-quantile test on the same samples, for regressions confined to the tail (p95);
// - proportion: a two-proportion test on counts (errors/requests), H0 ratio 1 + tolerance: Farrington–Manning's
//   score z test, or Fisher's exact conditional test when few errors are expected (two-proportions.ts).
// The family-wise false-failure level is `alpha`, split Bonferroni-wise over the metrics (and over both
// directions for a metric that fails either way). Too few samples is nodata: never a pass.
// One evaluation is one test: repeated looks at growing windows need failureLimit, or the sequential judge.

import type { Verdict } from '../measurement.js';
import { mannWhitney } from './mann-whitney.js';
import type { Counts } from './proportions.js';
import { quantileTest } from './quantile-test.js';
import { scoreMetrics } from './score.js';
import { sortedCopy } from './sorted.js';
import { twoProportions } from './two-proportions.js';
import type { Classification } from './score.js';

export type CompareTest = 'mannWhitney' | 'quantile' | 'proportion';

export interface CompareMetric {
  name: string;
  test: CompareTest;
  /** The canary may be this much higher (lower) before it counts as a regression: 0.1 = 10%. */
  tolerance: number;
  /** Which regression fails: latency and errors fail on `increase`. */
  failOn: 'increase' | 'decrease' | 'either';
  weight: number;
  critical: boolean;
  /** Per version: fewer samples (requests, for counts) is nodata. */
  minSamples: number;
  /** For the quantile test: which upper quantile (0.95 = p95). */
  quantile: number;
}

export interface CompareConfig {
  metrics: CompareMetric[];
  /** Family-wise probability of failing a canary identical to its baseline, in one evaluation. */
  alpha: number;
  pass: number;
  marginal: number;
}

export const COMPARE_DEFAULTS = { alpha: 0.01, pass: 95, marginal: 75 } as const;
export const COMPARE_METRIC_DEFAULTS = {
  tolerance: 0.1,
  failOn: 'increase',
  weight: 1,
  critical: false,
  minSamples: 50,
  quantile: 0.95,
} as const satisfies Partial<CompareMetric>;

/** Latency-like samples (positive numbers) or event counts, for the canary and its baseline. */
export type MetricData =
  | { kind: 'samples'; canary: readonly number[]; baseline: readonly number[] }
  | { kind: 'counts'; canary: Counts; baseline: Counts };

export interface MetricResult {
  name: string;
  test: CompareTest;
  classification: Classification;
  failing: boolean;
  /** One-sided p-values against the tolerance: canary above, canary below (null with nodata). */
  pHigh: number | null;
  pLow: number | null;
  /** The per-test significance levels the p-values were compared with. */
  levelHigh: number;
  levelLow: number;
  canary: { n: number; value: number | null };
  baseline: { n: number; value: number | null };
  reason: string;
}

export interface CompareResult {
  verdict: Verdict;
  score: number | null;
  metrics: MetricResult[];
}

/** A metric's data checked, with samples sorted once (every test and summary below reuses the order). */
type Prepared =
  | { kind: 'counts'; canary: Counts; baseline: Counts }
  | { kind: 'samples'; canary: Float64Array; baseline: Float64Array };

function prepare(metric: CompareMetric, data: MetricData): Prepared {
  const wanted = metric.test === 'proportion' ? 'counts' : 'samples';
  if (data.kind !== wanted) {
    throw new RangeError(
      `compare metric ${metric.name}: test ${metric.test} needs ${wanted}, got ${data.kind}`,
    );
  }
  if (data.kind === 'counts') return data;
  const canary = sortedCopy(data.canary);
  const baseline = sortedCopy(data.baseline);
  // Sorted ascending, NaN last: the first value is the smallest, and the last must be a number.
  for (const sorted of [canary, baseline]) {
    if (sorted.length > 0 && !(sorted[0]! >= 0 && sorted[sorted.length - 1]! >= 0)) {
      throw new RangeError(`compare metric ${metric.name}: samples must be non-negative numbers`);
    }
  }
  return { kind: 'samples', canary, baseline };
}

/** The q-quantile of an ascending sample (the order statistic of rank ⌈q·n⌉), null when empty. */
function quantileOfSorted(sorted: Float64Array, q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

type Summary = Pick<MetricResult, 'canary' | 'baseline'>;

/** Sample sizes, and the medians (the quantile, for the quantile test) or the rates, for explain. */
function summary(metric: CompareMetric, data: Prepared | undefined): Summary {
  if (!data) return { canary: { n: 0, value: null }, baseline: { n: 0, value: null } };
  if (data.kind === 'counts') {
    const rate = (c: Counts) => (c.trials > 0 ? c.events / c.trials : null);
    return {
      canary: { n: data.canary.trials, value: rate(data.canary) },
      baseline: { n: data.baseline.trials, value: rate(data.baseline) },
    };
  }
  const q = metric.test === 'quantile' ? metric.quantile : 0.5;
  return {
    canary: { n: data.canary.length, value: quantileOfSorted(data.canary, q) },
    baseline: { n: data.baseline.length, value: quantileOfSorted(data.baseline, q) },
  };
}

/** Runs the metric's test both ways against the tolerated ratio: canary > (1+t)·baseline, canary < baseline/(1+t). */
function tails(metric: CompareMetric, data: Prepared): { pHigh: number; pLow: number } {
  const up = 1 + metric.tolerance;
  if (data.kind === 'counts') {
    return {
      pHigh: twoProportions(data.canary, data.baseline, up).pGreater,
      pLow: twoProportions(data.canary, data.baseline, 1 / up).pLess,
    };
  }
  const scaled = (factor: number) => data.baseline.map((v) => v * factor);
  if (metric.test === 'mannWhitney') {
    return {
      pHigh: mannWhitney(data.canary, scaled(up)).pGreater,
      pLow: mannWhitney(data.canary, scaled(1 / up)).pLess,
    };
  }
  return {
    pHigh: quantileTest(data.canary, scaled(up), metric.quantile).pGreater,
    pLow: quantileTest(data.canary, scaled(1 / up), metric.quantile).pLess,
  };
}

function judgeMetric(metric: CompareMetric, raw: MetricData | undefined, level: number): MetricResult {
  if (!(metric.tolerance >= 0 && Number.isFinite(metric.tolerance))) {
    throw new RangeError(`compare metric ${metric.name}: tolerance must be a number >= 0`);
  }
  const data = raw && prepare(metric, raw);
  const both = metric.failOn === 'either';
  const levelHigh = both ? level / 2 : level;
  const levelLow = both ? level / 2 : level;
  const base = { name: metric.name, test: metric.test, levelHigh, levelLow, ...summary(metric, data) };
  const n = Math.min(base.canary.n, base.baseline.n);
  if (!data || n < Math.max(1, metric.minSamples)) {
    const reason = data ? `${n} samples < minSamples ${metric.minSamples}` : 'no data';
    return { ...base, classification: 'nodata', failing: false, pHigh: null, pLow: null, reason };
  }
  const { pHigh, pLow } = tails(metric, data);
  const high = pHigh < levelHigh;
  const low = pLow < levelLow;
  let classification: Classification = 'pass';
  if (high && (!low || pHigh <= pLow)) classification = 'high';
  else if (low) classification = 'low';
  const failing =
    (classification === 'high' && metric.failOn !== 'decrease') ||
    (classification === 'low' && metric.failOn !== 'increase');
  const tolerance = `${Math.round(metric.tolerance * 100)}%`;
  const reason =
    classification === 'pass'
      ? `within ${tolerance} tolerance (p high ${pHigh.toPrecision(3)}, p low ${pLow.toPrecision(3)})`
      : `${classification} beyond ${tolerance} tolerance (p = ${Math.min(pHigh, pLow).toPrecision(3)})`;
  return { ...base, classification, failing, pHigh, pLow, reason };
}

/** Compares canary with baseline on every configured metric and scores the result. Pure. */
export function compare(config: CompareConfig, data: Readonly<Record<string, MetricData>>): CompareResult {
  if (!(config.alpha > 0 && config.alpha < 1)) throw new RangeError('compare: alpha must be in (0, 1)');
  const level = config.alpha / Math.max(1, config.metrics.length);
  const metrics = config.metrics.map((m) => judgeMetric(m, data[m.name], level));
  const scored = metrics.map((r, i) => ({
    name: r.name,
    classification: r.classification,
    failing: r.failing,
    weight: config.metrics[i]!.weight,
    critical: config.metrics[i]!.critical,
  }));
  const { score, verdict } = scoreMetrics(scored, { pass: config.pass, marginal: config.marginal });
  const perMetric = metrics.map((r) => ({
    name: r.name,
    classification: r.classification,
    pHigh: r.pHigh,
    pLow: r.pLow,
    canary: r.canary.value,
    baseline: r.baseline.value,
    reason: r.reason,
  }));
  return { verdict: { ...verdict, detail: { ...verdict.detail, metrics: perMetric } }, score, metrics };
}

/**
 * The builtin comparison on the router's statistics: latency shift (Mann–Whitney), latency tail (p95,
 * pooled-quantile test) and error rate (two proportions, critical), each with a 10% tolerance.
 */
export function builtinComparison(): CompareConfig {
  const metric = (name: string, test: CompareTest, critical = false): CompareMetric => ({
    ...COMPARE_METRIC_DEFAULTS,
    name,
    test,
    critical,
  });
  return {
    ...COMPARE_DEFAULTS,
    metrics: [
      metric('latency', 'mannWhitney'),
      metric('latency-p95', 'quantile'),
      metric('error-rate', 'proportion', true),
    ],
  };
}
