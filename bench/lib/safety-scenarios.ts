// The safety benchmark's real-process scenarios: a broken canary (100% 5xx) with retry-on-stable off and on,
// subtle regressions (error rate 0.5% → 3%; p95 +50%) repeated, and (--long) the broken canary under a
// Flagger-like analysis. Each starts its own controller + agent, deploys the stable version, then its canaries
// one after the other under the same steady load, and turns each run's timeline into the figures reported.
import { deployStable, runCanary, type CanaryRun } from './safety-canary.js';
import { startSession, timeAgentCalls, type CallTimes } from './safety-greenlight.js';
import { FLAGGER_LIKE_ANALYSIS, HEALTHY_APP, safetySpec, type AppBehaviour } from './safety-spec.js';

type Log = (line: string) => void;

export interface RealOptions {
  rps: number;
  warmupMs: number;
  log: Log;
}

/** A run's figures, from its timeline. Seconds; null when the moment was not observed. */
export interface CanaryFigures {
  version: string;
  /** First canary request → the router's table all on stable. */
  secondsToStable: number | null;
  /** First canary request → the analysis.verdict (failed) event. */
  secondsToDetect: number | null;
  failedRequests: number;
  /** Requests the router sent to the canary (a retried one counts here once, and once on stable). */
  canaryRequests: number;
  /** The canary requests the deciding judge had seen (the sequential judge's detail). */
  canaryRequestsAtDecision: number | null;
  decidedBy: string | null;
  outcome: string;
  outcomeReason: string | null;
  /** Where the time to stable went, ms. */
  breakdownMs: {
    /** First canary request → the deciding observation (a stream bucket's end, or the compare measurement). */
    detection: number | null;
    /** → the failed verdict persisted (analysis.verdict event). */
    persistVerdict: number | null;
    /** → the rollback decided and persisted (release.rollingBack event). */
    decideRollback: number | null;
    /** → the agent's router table shows the canary at weight 0. */
    routerSwitch: number | null;
  };
  run: CanaryRun;
}

const diff = (a: number | null, b: number | null): number | null =>
  a === null || b === null ? null : Math.round(b - a);
const seconds = (ms: number | null): number | null => (ms === null ? null : Math.round(ms) / 1000);

export function figures(run: CanaryRun): CanaryFigures {
  const t = run.timeline;
  return {
    version: run.version,
    secondsToStable: seconds(diff(t.firstCanaryAt, t.stableAt)),
    secondsToDetect: seconds(diff(t.firstCanaryAt, t.verdictAt)),
    failedRequests: run.client.failed,
    canaryRequests: run.router.canaryRequests,
    canaryRequestsAtDecision: run.verdict?.canaryRequests ?? null,
    decidedBy: run.verdict?.decidedBy ?? null,
    outcome: run.outcome,
    outcomeReason: run.outcomeReason,
    breakdownMs: {
      detection: diff(t.firstCanaryAt, t.decidedAt),
      persistVerdict: diff(t.decidedAt, t.verdictAt),
      decideRollback: diff(t.verdictAt, t.rollingBackAt),
      routerSwitch: diff(t.rollingBackAt, t.stableAt),
    },
    run,
  };
}

/**
 * The median of a figure over the runs, a run without it (not detected in time, not observed) counting as the
 * worst: null when the median falls on such a run.
 */
export function medianOf(runs: CanaryFigures[], pick: (f: CanaryFigures) => number | null): number | null {
  if (runs.length === 0) return null;
  const values = runs.map((f) => pick(f) ?? Infinity).sort((a, b) => a - b);
  const mid = values.length >> 1;
  const m = values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
  return Number.isFinite(m) ? Math.round(m * 1000) / 1000 : null;
}

export interface SessionResult {
  runs: CanaryFigures[];
  /** The agent calls of a rollback step, timed after the runs (see timeAgentCalls). */
  agentCalls: Record<string, CallTimes>;
}

async function session(
  label: string,
  spec: (port: number) => string,
  canaries: Array<{ version: string; timeoutMs: number }>,
  opts: RealOptions,
): Promise<SessionResult> {
  opts.log(`${label}: starting a controller and agent`);
  const s = await startSession(spec);
  try {
    await deployStable(s);
    opts.log(`  v1 live on 127.0.0.1:${s.port}`);
    const out: CanaryFigures[] = [];
    for (const c of canaries) {
      const run = await runCanary(s, {
        version: c.version,
        rps: opts.rps,
        warmupMs: opts.warmupMs,
        timeoutMs: c.timeoutMs,
        log: opts.log,
      });
      const f = figures(run);
      opts.log(
        `  ${c.version}: ${f.outcome} (${f.outcomeReason ?? 'no reason'}), detected ${f.secondsToDetect ?? '-'} s, ` +
          `stable ${f.secondsToStable ?? '-'} s, ${f.failedRequests} failed of ${run.client.requests}, ` +
          `${f.canaryRequests} canary requests; breakdown ms ${JSON.stringify(f.breakdownMs)}`,
      );
      out.push(f);
    }
    const agentCalls = await timeAgentCalls(s, 5);
    opts.log(`  agent calls, ms: ${JSON.stringify(agentCalls)}`);
    return { runs: out, agentCalls };
  } finally {
    await s.stop();
  }
}

const BROKEN: AppBehaviour = { ...HEALTHY_APP, failRate: 1 };
const BROKEN_TIMEOUT_MS = 60_000;

/** Scenario 1: a canary answering 500 to everything, `repeat` times, with retry-on-stable off or on. */
export function brokenCanary(retryOnStable: boolean, repeat: number, opts: RealOptions) {
  const versions = Array.from({ length: repeat }, (_, i) => `broken-${i + 1}`);
  const spec = (port: number) =>
    safetySpec({
      port,
      stable: HEALTHY_APP,
      canaries: Object.fromEntries(versions.map((v) => [v, BROKEN])),
      retryOnStable,
    });
  const label = `broken canary, retryOnStable ${retryOnStable ? 'on' : 'off'}`;
  return session(
    label,
    spec,
    versions.map((version) => ({ version, timeoutMs: BROKEN_TIMEOUT_MS })),
    opts,
  );
}

/** The regressions of scenario 2, against a stable with 0.5% errors and a lognormal latency. */
export const SUBTLE_STABLE: AppBehaviour = { ...HEALTHY_APP, failRate: 0.005 };
export const REGRESSIONS = {
  /** 0.5% → 3% errors. */
  errorRate: { ...SUBTLE_STABLE, failRate: 0.03 },
  /** Every request 1.5× slower: median and p95 +50%. */
  latency: { ...SUBTLE_STABLE, medianMs: SUBTLE_STABLE.medianMs * 1.5 },
  /** Only the tail slower: median unchanged, p95 +50% (sigma + ln 1.5 / 1.645, as simulate.ts's slower 'tail'). */
  latencyTail: {
    ...SUBTLE_STABLE,
    sigma: +(SUBTLE_STABLE.sigma + Math.log(1.5) / 1.6448536269514722).toFixed(4),
  },
} as const satisfies Record<string, AppBehaviour>;
export type Regression = keyof typeof REGRESSIONS;

/** Scenario 2: each regression `repeat` times, interleaved (error, latency, tail, error, …) in one session. */
export async function subtleRegressions(
  repeat: number,
  timeoutMs: number,
  opts: RealOptions,
): Promise<{ runs: Record<Regression, CanaryFigures[]>; agentCalls: Record<string, CallTimes> }> {
  const kinds = Object.keys(REGRESSIONS) as Regression[];
  const runs = Array.from({ length: repeat }, (_, i) =>
    kinds.map((kind) => ({ kind, version: `${kind}-${i + 1}` })),
  ).flat();
  const spec = (port: number) =>
    safetySpec({
      port,
      stable: SUBTLE_STABLE,
      canaries: Object.fromEntries(runs.map((r) => [r.version, REGRESSIONS[r.kind]])),
      retryOnStable: false,
    });
  const { runs: results, agentCalls } = await session(
    'subtle regressions',
    spec,
    runs.map((r) => ({ version: r.version, timeoutMs })),
    opts,
  );
  const out = { errorRate: [], latency: [], latencyTail: [] } as Record<Regression, CanaryFigures[]>;
  results.forEach((f, i) => out[runs[i]!.kind].push(f));
  return { runs: out, agentCalls };
}

/** --long: the broken canary under Flagger's defaults (a check a minute, rollback at the 5th failed one). */
export function flaggerLike(opts: RealOptions) {
  const spec = (port: number) =>
    safetySpec({
      port,
      stable: HEALTHY_APP,
      canaries: { 'broken-flagger': BROKEN },
      retryOnStable: false,
      analysis: FLAGGER_LIKE_ANALYSIS,
    });
  return session(
    'broken canary, Flagger-like analysis',
    spec,
    [{ version: 'broken-flagger', timeoutMs: 9 * 60_000 }],
    opts,
  );
}
