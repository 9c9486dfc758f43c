// The weighted score of a canary comparison, after the scheme Kayenta published: each metric is classified,
// the score is the weighted share of metrics that did not regress (0–100), and two thresholds turn it into a
// verdict: below `marginal` fails, at or above `pass` passes, in between is inconclusive. A failing critical
// metric fails the comparison whatever the score. Metrics without enough data take no part in the score, but a
// comparison with any of them never passes (missing data is never a pass).

import type { Verdict } from '../measurement.js';

/** pass: no regression beyond tolerance; high / low: significantly above / below; nodata: too few samples. */
export type Classification = 'pass' | 'high' | 'low' | 'nodata';

export interface ScoredMetric {
  name: string;
  classification: Classification;
  /** The classification is a regression in the direction this metric fails on (e.g. latency high). */
  failing: boolean;
  weight: number;
  critical: boolean;
}

export interface ScoreThresholds {
  /** Score at or above which the comparison passes (Kayenta's default 95). */
  pass: number;
  /** Score below which it fails (Kayenta's default 75). */
  marginal: number;
}

export interface ScoreResult {
  /** Weighted share of metrics with data that did not regress, 0–100; null when no metric had data. */
  score: number | null;
  verdict: Verdict;
}

function round(score: number): number {
  return Math.round(score * 100) / 100;
}

/** Scores classified metrics and decides: critical failure, score thresholds, then missing data. */
export function scoreMetrics(metrics: readonly ScoredMetric[], thresholds: ScoreThresholds): ScoreResult {
  const { pass, marginal } = thresholds;
  if (!(marginal >= 0 && marginal <= pass && pass <= 100)) {
    throw new RangeError('score thresholds need 0 <= marginal <= pass <= 100');
  }
  for (const m of metrics) {
    if (!(m.weight > 0)) throw new RangeError(`metric ${m.name}: weight must be > 0`);
  }
  const withData = metrics.filter((m) => m.classification !== 'nodata');
  const noData = metrics.filter((m) => m.classification === 'nodata').map((m) => m.name);
  const total = withData.reduce((sum, m) => sum + m.weight, 0);
  const good = withData.filter((m) => !m.failing).reduce((sum, m) => sum + m.weight, 0);
  const score = total > 0 ? round((100 * good) / total) : null;
  const detail = { score, pass, marginal, noData };
  const verdict = (phase: Verdict['phase'], rule: string): ScoreResult => ({
    score,
    verdict: { phase, rule, detail },
  });

  const critical = withData.find((m) => m.critical && m.failing);
  if (critical) return verdict('failed', `critical metric ${critical.name} is ${critical.classification}`);
  if (score === null) return verdict('inconclusive', 'no metric had enough samples to compare');
  if (score < marginal) return verdict('failed', `score ${score} < marginal ${marginal}`);
  if (noData.length > 0) {
    return verdict(
      'inconclusive',
      `no data for ${noData.join(', ')}: a comparison with missing data never passes`,
    );
  }
  if (score < pass) return verdict('inconclusive', `marginal: ${marginal} <= score ${score} < pass ${pass}`);
  return verdict('successful', `score ${score} >= pass ${pass}`);
}
