// The safety benchmark's run record and its headline: bench/results/safety.json holds the figures the issue
// asks for first (brokenCanary, subtleRegression, aa, and flaggerLike with --long), then every run's detail.
// safety-markdown.ts writes it, with safety.md.
import type { EngineMachine } from './engine-report.js';
import { medianOf, type CanaryFigures, type Regression, type SessionResult } from './safety-scenarios.js';
import type { SimulationSummary } from './safety-sim.js';

export const TARGETS = {
  secondsToStable: 2,
  failedRequests: 20,
  failedRequestsWithRetry: 0,
  secondsToDetect: 60,
  falseRollbackRate: 0.01,
} as const;

/** The simulatedDetection entry of the tail-only latency regression (safety.md comments on it). */
export const TAIL_SIM_LABEL = 'latency tail, p95 +50 %';

export interface SafetyConfig {
  rps: number;
  canaryWeight: number;
  warmupS: number;
  brokenRepeat: number;
  subtleRepeat: number;
  subtleTimeoutS: number;
  aaRuns: number;
  aaCanarySeconds: number;
  aaLongRuns: number;
  aaLongCanarySeconds: number;
  regressionSimRuns: number;
  seed: number;
}

export interface SafetyRun {
  quick: boolean;
  long: boolean;
  date: string;
  machine: EngineMachine;
  config: SafetyConfig;
  brokenCanary: { retryOff: SessionResult; retryOn: SessionResult };
  subtleRegression: { runs: Record<Regression, CanaryFigures[]>; agentCalls: SessionResult['agentCalls'] };
  aa: {
    /** The headline: a rollout of aaCanarySeconds of canary, then the gate. */
    rollout: SimulationSummary;
    /** The same with a longer canary phase (more windows for the latency judge); null when skipped. */
    longRollout: SimulationSummary | null;
  };
  /** The regressions (and the broken canary) simulated through the same code, beside the real runs. */
  simulatedDetection: Record<string, SimulationSummary>;
  /** --long only: the broken canary under a Flagger-like analysis (retry-on-stable off). */
  flaggerLike: SessionResult | null;
}

const worst = (runs: CanaryFigures[], pick: (f: CanaryFigures) => number | null): number | null => {
  const values = runs.map(pick);
  return values.some((v) => v === null) ? null : Math.max(...(values as number[]));
};

function brokenFigures(s: SessionResult) {
  return {
    secondsToStable: medianOf(s.runs, (f) => f.secondsToStable),
    failedRequests: medianOf(s.runs, (f) => f.failedRequests),
    canaryRequests: medianOf(s.runs, (f) => f.canaryRequests),
    runs: s.runs.length,
    worst: {
      secondsToStable: worst(s.runs, (f) => f.secondsToStable),
      failedRequests: worst(s.runs, (f) => f.failedRequests),
      canaryRequests: worst(s.runs, (f) => f.canaryRequests),
    },
    canaryRequestsAtDecision: medianOf(s.runs, (f) => f.canaryRequestsAtDecision),
  };
}

const detected = (f: CanaryFigures): boolean =>
  !f.run.aborted && f.outcomeReason?.startsWith('analysis:') === true;

function detectFigures(runs: CanaryFigures[]) {
  return {
    /** The median over every run; a run not detected in time counts as the slowest (null: the median was one). */
    secondsToDetect: medianOf(runs, (f) => (detected(f) ? f.secondsToDetect : null)),
    runs: runs.length,
    detected: runs.filter(detected).length,
    allSecondsToDetect: runs.map((f) => (detected(f) ? f.secondsToDetect : null)),
    decidedBy: runs.map((f) => f.decidedBy),
  };
}

/** The headline figures, in the shape the issue asks for (medians over the repeated runs). */
export function summary(run: SafetyRun) {
  const aa = run.aa.rollout;
  return {
    brokenCanary: {
      retryOff: brokenFigures(run.brokenCanary.retryOff),
      retryOn: brokenFigures(run.brokenCanary.retryOn),
    },
    subtleRegression: {
      errorRate: detectFigures(run.subtleRegression.runs.errorRate),
      latency: detectFigures(run.subtleRegression.runs.latency),
      /** p95 +50% with the median unchanged (the tail only): not part of the asked shape, reported beside. */
      latencyTailOnly: detectFigures(run.subtleRegression.runs.latencyTail),
    },
    aa: {
      runs: aa.runs,
      falseRollbackRate: aa.failedRate,
      inconclusiveRate: aa.inconclusiveRate,
      falseRollbackRateUpper95: aa.failedRateUpper95,
      canarySeconds: aa.canarySeconds,
    },
    ...(run.flaggerLike
      ? {
          flaggerLike: {
            ...brokenFigures(run.flaggerLike),
            default: brokenFigures(run.brokenCanary.retryOff),
          },
        }
      : {}),
  };
}

export type SafetySummary = ReturnType<typeof summary>;
