// The simulation core for the judges' safety figures, shared by the tests and `npm run bench -- safety`:
// steady traffic split between stable and canary, turned into the router's StatsBuckets (requests, errors,
// lognormal latencies per version) and fed through the same judge code the engine runs. Every figure is
// reproducible from its seed (mulberry32).

import type { StatsBucket } from '../../targets/local/types.js';
import type { VerdictPhase } from '../measurement.js';
import { compare } from './compare.js';
import type { CompareConfig, CompareResult, MetricData } from './compare.js';
import { binomial, lognormal, median, mulberry32 } from './random.js';
import type { Random } from './random.js';
import { observeBucket, sequentialVerdict, startSequential } from './sequential.js';
import type { SequentialConfig } from './sequential.js';

/** One version's behaviour: its error rate and a lognormal latency (median, and sigma of the log). */
export interface VersionModel {
  errorRate: number;
  medianMs: number;
  sigma: number;
}

export interface TrafficScenario {
  /** Total requests per second, arriving steadily; each goes to the canary with probability canaryWeight. */
  rps: number;
  canaryWeight: number;
  bucketMs: number;
  durationMs: number;
  stable: VersionModel;
  canary: VersionModel;
  /** Draw latencies into the buckets (the sequential judge needs only counts). */
  latencies: boolean;
  /** An incident shared by both versions: their error rate is this during [fromMs, toMs). */
  incident?: { fromMs: number; toMs: number; errorRate: number };
}

/** 0.5% errors, median 50 ms, p95 ≈ 114 ms. */
export const HEALTHY: VersionModel = { errorRate: 0.005, medianMs: 50, sigma: 0.5 };

/** The benchmark's traffic: 200 rps, canary at 10% (20 rps), 100 ms buckets, a 60 s analysis. */
export const BENCH_TRAFFIC: TrafficScenario = {
  rps: 200,
  canaryWeight: 0.1,
  bucketMs: 100,
  durationMs: 60_000,
  stable: HEALTHY,
  canary: HEALTHY,
  latencies: false,
};

/** A version whose p95 is `factor` × the healthy one's: `scale` slows every request, `tail` only the slow ones. */
export function slower(base: VersionModel, factor: number, how: 'scale' | 'tail'): VersionModel {
  if (how === 'scale') return { ...base, medianMs: base.medianMs * factor };
  return { ...base, sigma: base.sigma + Math.log(factor) / 1.6448536269514722 };
}

function drawVersion(
  rng: Random,
  model: VersionModel,
  requests: number,
  errorRate: number,
  latencies: boolean,
) {
  const latenciesMs: number[] = [];
  if (latencies)
    for (let i = 0; i < requests; i++)
      latenciesMs.push(lognormal(rng, Math.log(model.medianMs), model.sigma));
  const errors = binomial(rng, requests, errorRate);
  return { requests, errors, upstreamErrors: 0, latenciesMs };
}

/** The buckets of one run, lazily, so a judge that decides early stops the simulation. */
export function* simulateBuckets(s: TrafficScenario, rng: Random, start = 0): Generator<StatsBucket> {
  const perBucket = Math.round((s.rps * s.bucketMs) / 1000);
  for (let t = 0; t < s.durationMs; t += s.bucketMs) {
    const canaryRequests = binomial(rng, perBucket, s.canaryWeight);
    const shared = s.incident && t >= s.incident.fromMs && t < s.incident.toMs ? s.incident.errorRate : null;
    yield {
      app: 'simulated',
      start: start + t,
      end: start + t + s.bucketMs,
      versions: {
        stable: drawVersion(
          rng,
          s.stable,
          perBucket - canaryRequests,
          shared ?? s.stable.errorRate,
          s.latencies,
        ),
        canary: drawVersion(rng, s.canary, canaryRequests, shared ?? s.canary.errorRate, s.latencies),
      },
    };
  }
}

export interface SequentialRun {
  phase: VerdictPhase;
  /** Canary requests seen when the judge decided (or at the end). */
  canaryRequests: number;
  canaryErrors: number;
  /** From the start of the analysis to the decision (or the end). */
  seconds: number;
}

/** One run of the sequential judge over a simulated analysis (versions named "stable" and "canary"). */
export function runSequential(s: TrafficScenario, config: SequentialConfig, seed: number): SequentialRun {
  const rng = mulberry32(seed);
  let state = startSequential(config, 0);
  for (const bucket of simulateBuckets(s, rng)) {
    state = observeBucket(config, state, bucket);
    if (state.decision) break;
  }
  const verdict = sequentialVerdict(config, state, s.durationMs);
  const at = state.decision ? state.decision.at : s.durationMs;
  const canary = state.decision ? state.decision.canary : state.canary;
  return {
    phase: verdict.phase,
    canaryRequests: canary.requests,
    canaryErrors: canary.errors,
    seconds: at / 1000,
  };
}

export interface TrialSummary {
  runs: number;
  failed: number;
  successful: number;
  inconclusive: number;
  running: number;
  failureRate: number;
  /** Medians over the runs that ended so (null when none did). */
  toFail: { canaryRequests: number | null; seconds: number | null; p90CanaryRequests: number | null };
  toPass: { canaryRequests: number | null; seconds: number | null };
}

function quantile90(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.9 * sorted.length) - 1]!;
}

/** Many runs of the sequential judge: seeds seed, seed + 1, … */
export function sequentialTrials(
  s: TrafficScenario,
  config: SequentialConfig,
  runs: number,
  seed: number,
): TrialSummary {
  const results = Array.from({ length: runs }, (_, i) => runSequential(s, config, seed + i));
  const count = (phase: VerdictPhase) => results.filter((r) => r.phase === phase).length;
  const failed = results.filter((r) => r.phase === 'failed');
  const passed = results.filter((r) => r.phase === 'successful');
  return {
    runs,
    failed: failed.length,
    successful: passed.length,
    inconclusive: count('inconclusive'),
    running: count('running'),
    failureRate: failed.length / runs,
    toFail: {
      canaryRequests: median(failed.map((r) => r.canaryRequests)),
      seconds: median(failed.map((r) => r.seconds)),
      p90CanaryRequests: quantile90(failed.map((r) => r.canaryRequests)),
    },
    toPass: {
      canaryRequests: median(passed.map((r) => r.canaryRequests)),
      seconds: median(passed.map((r) => r.seconds)),
    },
  };
}

export interface CompareScenario {
  stable: VersionModel;
  canary: VersionModel;
  /** Requests of each version in the compared window (each has a latency and may be an error). */
  canarySamples: number;
  baselineSamples: number;
}

/** One evaluation of the compare judge: latency metrics get the samples, proportion metrics the error counts. */
export function runCompare(s: CompareScenario, config: CompareConfig, seed: number): CompareResult {
  const rng = mulberry32(seed);
  const canary = drawVersion(rng, s.canary, s.canarySamples, s.canary.errorRate, true);
  const baseline = drawVersion(rng, s.stable, s.baselineSamples, s.stable.errorRate, true);
  const data: Record<string, MetricData> = {};
  for (const m of config.metrics) {
    data[m.name] =
      m.test === 'proportion'
        ? {
            kind: 'counts',
            canary: { events: canary.errors, trials: canary.requests },
            baseline: { events: baseline.errors, trials: baseline.requests },
          }
        : { kind: 'samples', canary: canary.latenciesMs, baseline: baseline.latenciesMs };
  }
  return compare(config, data);
}

export interface CompareSummary {
  runs: number;
  failed: number;
  successful: number;
  inconclusive: number;
  failureRate: number;
  /** Per metric: the share of runs in which it counted as a regression. */
  failingRate: Record<string, number>;
}

export function compareTrials(
  s: CompareScenario,
  config: CompareConfig,
  runs: number,
  seed: number,
): CompareSummary {
  const results = Array.from({ length: runs }, (_, i) => runCompare(s, config, seed + i));
  const failingRate: Record<string, number> = {};
  for (const m of config.metrics) {
    failingRate[m.name] =
      results.filter((r) => r.metrics.some((x) => x.name === m.name && x.failing)).length / runs;
  }
  const count = (phase: VerdictPhase) => results.filter((r) => r.verdict.phase === phase).length;
  return {
    runs,
    failed: count('failed'),
    successful: count('successful'),
    inconclusive: count('inconclusive'),
    failureRate: count('failed') / runs,
    failingRate,
  };
}

/**
 * The most failures a judge whose true false-failure rate is `rate` shows in `runs` runs, but for a chance of
 * 0.1%: the 99.9% quantile of Binomial(runs, rate). Checking a simulated count against it tells a real excess
 * over the rate from Monte Carlo noise.
 */
export function maxFailuresAt(rate: number, runs: number): number {
  let p = (1 - rate) ** runs; // P(X = 0)
  let cumulative = p;
  let k = 0;
  while (cumulative < 0.999) {
    p *= ((runs - k) / (k + 1)) * (rate / (1 - rate));
    cumulative += p;
    k += 1;
  }
  return k;
}
