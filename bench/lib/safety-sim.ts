// Simulated canaries through the analysis code the engine runs: the router's 100 ms buckets from
// src/analysis/judges/simulate.ts, fed to the pure run state (src/analysis/run/run-state.ts) exactly as the
// runner and the engine do: every bucket to observeStream (the sequential error-rate test), a compare
// measurement of the last window whenever nextDue says one is due (compareMeasurement + recordMeasurement),
// and at the promotion gate concludeRun(force) once backgroundMinDuration has passed. The templates are those
// the benchmark's spec compiles to (the builtin defaults). Seeded: every figure is reproducible.
import {
  compareMeasurement,
  concludeRun,
  nextDue,
  observeStream,
  recordMeasurement,
  runMetrics,
  startRun,
  type AnalysisRunState,
} from '../../src/analysis/run/run-state.js';
import { median, mulberry32 } from '../../src/analysis/judges/random.js';
import {
  BENCH_TRAFFIC,
  simulateBuckets,
  type TrafficScenario,
  type VersionModel,
} from '../../src/analysis/judges/simulate.js';
import type { AnalysisSpec } from '../../src/spec/compiled.js';
import type { StatsBucket } from '../../src/targets/local/types.js';

export interface SimulatedRun {
  phase: 'failed' | 'successful' | 'inconclusive';
  /** template/metric that decided a failed or inconclusive run. */
  decidedBy: string | null;
  /** Seconds from the canary's first traffic to the verdict (the gate for a run that did not fail before). */
  seconds: number;
}

export interface SimulationSummary {
  runs: number;
  canarySeconds: number;
  failed: number;
  inconclusive: number;
  successful: number;
  failedRate: number;
  inconclusiveRate: number;
  /** Failed runs by the metric that decided. */
  failedBy: Record<string, number>;
  inconclusiveBy: Record<string, number>;
  /** Over the failed runs: seconds from first canary traffic to the failed verdict. */
  secondsToFail: { median: number | null; p90: number | null; max: number | null };
  /** 95% upper bound of the failed rate (Clopper–Pearson style, by the exact binomial tail). */
  failedRateUpper95: number;
}

const RUN_KEY = 'background';

/**
 * One simulated rollout: `canaryMs` of canary traffic under `traffic` (versions named "stable" and "canary"),
 * then the promotion gate. Stops early when the run fails.
 */
export function simulateRollout(
  analysis: AnalysisSpec,
  traffic: TrafficScenario,
  canaryMs: number,
  seed: number,
): SimulatedRun {
  const templates = analysis.background;
  const metrics = runMetrics(analysis, templates);
  const timed = [...metrics].filter(([, m]) => m.judge.kind !== 'sequential');
  for (const [key, m] of timed) {
    // The builtin templates have no provider-backed metric; a simulation of one would need its provider.
    if (m.judge.kind !== 'compare')
      throw new Error(`${key}: only compare and sequential judges are simulated`);
  }
  const keepMs = Math.max(0, ...timed.map(([, m]) => (m.judge.kind === 'compare' ? m.judge.windowMs : 0)));
  let state: AnalysisRunState = startRun(
    { key: RUN_KEY, templates, durationMs: null },
    analysis,
    { canary: 'canary', stable: 'stable' },
    0,
  );
  const kept: StatsBucket[] = [];
  const rng = mulberry32(seed);
  const measureDue = (until: number): void => {
    for (const [key, metric] of timed) {
      for (let due = nextDue(state, key, metric); due !== null && due <= until;) {
        const m = compareMeasurement(metric, state, kept, due);
        state = recordMeasurement(state, key, metric, m).state;
        const next = nextDue(state, key, metric);
        // A measurement the judge ignored leaves nextDue where it was: stop rather than loop.
        due = next !== null && next > due ? next : null;
      }
    }
  };
  let now = 0;
  for (const bucket of simulateBuckets({ ...traffic, durationMs: canaryMs }, rng)) {
    now = bucket.end;
    kept.push(bucket);
    while (kept.length > 0 && kept[0]!.end < now - keepMs) kept.shift();
    state = observeStream(state, metrics, bucket).state;
    if (state.verdict.phase === 'running') measureDue(now);
    if (state.verdict.phase !== 'running') break;
  }
  if (state.verdict.phase === 'running' && now - state.startedAt >= analysis.backgroundMinMs) {
    state = concludeRun(state, metrics, now, true);
  }
  const phase = state.verdict.phase;
  if (phase === 'running') throw new Error(`the run did not conclude at the gate (${canaryMs} ms of canary)`);
  return { phase, decidedBy: phase === 'successful' ? null : state.decidedBy, seconds: now / 1000 };
}

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** The smallest p with P(Binomial(n, p) ≤ k) ≤ 5%: a one-sided 95% upper bound for k events in n. */
function upper95(k: number, n: number): number {
  const cdf = (p: number): number => {
    let term = (1 - p) ** n;
    let sum = term;
    for (let i = 0; i < k; i++) {
      term *= ((n - i) / (i + 1)) * (p / (1 - p));
      sum += term;
    }
    return sum;
  };
  let lo = k / n;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) > 0.05) lo = mid;
    else hi = mid;
  }
  return hi;
}

const count = (runs: SimulatedRun[], by: (r: SimulatedRun) => boolean): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of runs.filter(by)) out[r.decidedBy ?? 'none'] = (out[r.decidedBy ?? 'none'] ?? 0) + 1;
  return out;
};

/** `runs` simulated rollouts with seeds seed, seed + 1, …, summarised. */
export function simulateRollouts(
  analysis: AnalysisSpec,
  canary: VersionModel,
  stable: VersionModel,
  canaryMs: number,
  runs: number,
  seed: number,
): SimulationSummary {
  const traffic: TrafficScenario = { ...BENCH_TRAFFIC, stable, canary, latencies: true };
  const results = Array.from({ length: runs }, (_, i) =>
    simulateRollout(analysis, traffic, canaryMs, seed + i),
  );
  const failed = results.filter((r) => r.phase === 'failed');
  const inconclusive = results.filter((r) => r.phase === 'inconclusive').length;
  const toFail = failed.map((r) => r.seconds).sort((a, b) => a - b);
  const round = (n: number | null): number | null => (n === null ? null : Math.round(n * 10) / 10);
  return {
    runs,
    canarySeconds: canaryMs / 1000,
    failed: failed.length,
    inconclusive,
    successful: runs - failed.length - inconclusive,
    failedRate: failed.length / runs,
    inconclusiveRate: inconclusive / runs,
    failedBy: count(results, (r) => r.phase === 'failed'),
    inconclusiveBy: count(results, (r) => r.phase === 'inconclusive'),
    secondsToFail: {
      median: round(median(toFail)),
      p90: round(quantile(toFail, 0.9)),
      max: round(toFail[toFail.length - 1] ?? null),
    },
    failedRateUpper95: Math.round(upper95(failed.length, runs) * 10_000) / 10_000,
  };
}
