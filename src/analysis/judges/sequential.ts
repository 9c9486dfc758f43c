// The sequential judge: fails a canary whose error rate is worse than the stable's after the fewest requests
// the evidence allows, fed bucket by bucket from the router's stream.
//
// Method: Wald's sequential probability ratio test of H0 "the canary's error odds are no worse than the
// stable's" (odds ratio ψ ≤ 1) against H1 "they are ψ₁ times worse" (ψ₁ = the minimum detectable effect),
// on the conditional likelihood of each stratum's 2×2 table (see conditional-likelihood.ts). Conditioning on
// each stratum's total errors removes the stable's error rate exactly, so it need not be estimated, it may
// drift (an incident hitting both versions is not evidence against the canary), and the traffic split may
// change between strata. The product of the strata's likelihood ratios is a nonnegative martingale under
// ψ = 1, so by Ville's inequality P(it ever reaches 1/α) ≤ α: the false-failure rate is at most α however
// long the test runs and wherever it stops, with no approximation. Symmetrically, under ψ₁ the reciprocal is a
// martingale, so P(the ratio ever falls to β) ≤ β: a canary ψ₁ times worse passes with probability ≤ β.
//
// Decisions: FAIL when the ratio reaches 1/α and the canary's observed error rate exceeds the stable's by at
// least `minIncrease` (a floor against differences too small to matter: it can only remove failures).
// PASS when the ratio falls to β after at least `minCanaryRequests` canary requests (evidence that the canary
// is not ψ₁ times worse). With neither by the end of `durationMs` (truncation), PASS with enough canary
// requests when the ratio is below √(1/α) (10 at α = 1%: by Ville's inequality a canary no worse than stable
// ends at or above it with probability ≤ √α, so a healthy release is rarely held, while a canary that is
// clearly leaning to worse is INCONCLUSIVE, never passed); with `durationMs` null the judge stays running
// until a boundary is crossed.

import type { StatsBucket } from '../../targets/local/types.js';
import type { Verdict } from '../measurement.js';
import { logLikelihoodRatio } from './conditional-likelihood.js';
import type { Table } from './conditional-likelihood.js';
import { formatDuration, percent } from './format.js';

export interface SequentialConfig {
  /** The versions compared, as named in the router's buckets. */
  canary: string;
  stable: string;
  /** Probability of failing a canary that is no worse than stable (default 0.01). */
  alpha: number;
  /** Probability of passing a canary that is `oddsRatio` times worse (default 0.1: power 90%). */
  beta: number;
  /** Minimum detectable effect: the error odds ratio, canary to stable, that must be caught (default 3). */
  oddsRatio: number;
  /** A failure also needs canary error rate − stable error rate ≥ this (default 0.001: 0.1 point). */
  minIncrease: number;
  /** A pass needs at least this many canary requests (default 100). */
  minCanaryRequests: number;
  /** The analysis duration: undecided at its end, the test concludes (truncation); null never truncates. */
  durationMs: number | null;
}

export const SEQUENTIAL_DEFAULTS = {
  alpha: 0.01,
  beta: 0.1,
  oddsRatio: 3,
  minIncrease: 0.001,
  minCanaryRequests: 100,
  durationMs: null,
} as const satisfies Partial<SequentialConfig>;

export interface VersionCounts {
  requests: number;
  errors: number;
}

export interface SequentialDecision {
  phase: 'failed' | 'successful';
  /** Epoch ms of the observation that decided. */
  at: number;
  canary: VersionCounts;
  stable: VersionCounts;
  logLikelihoodRatio: number;
}

export interface SequentialState {
  startedAt: number;
  /** Σ of the closed strata's log likelihood ratios (ψ₁ against 1). */
  logLikelihoodRatio: number;
  canary: VersionCounts;
  stable: VersionCounts;
  /** The stratum being pooled: buckets are pooled until both versions have had a request. */
  open: Table;
  strata: number;
  decision: SequentialDecision | null;
}

const EMPTY_TABLE: Table = { canaryRequests: 0, canaryErrors: 0, stableRequests: 0, stableErrors: 0 };

function checkConfig(c: SequentialConfig): void {
  const fraction = (v: number): boolean => v > 0 && v < 1;
  if (!fraction(c.alpha) || !fraction(c.beta))
    throw new RangeError('sequential: alpha and beta must be in (0, 1)');
  if (!(c.oddsRatio > 1 && Number.isFinite(c.oddsRatio)))
    throw new RangeError('sequential: oddsRatio must be > 1');
  if (!(c.minIncrease >= 0 && c.minCanaryRequests >= 0))
    throw new RangeError('sequential: minimums must be >= 0');
  if (c.durationMs !== null && !(c.durationMs > 0))
    throw new RangeError('sequential: durationMs must be > 0');
  if (c.canary === c.stable) throw new RangeError('sequential: canary and stable must be different versions');
}

export function startSequential(config: SequentialConfig, now: number): SequentialState {
  checkConfig(config);
  const zero = { requests: 0, errors: 0 };
  return {
    startedAt: now,
    logLikelihoodRatio: 0,
    canary: zero,
    stable: zero,
    open: EMPTY_TABLE,
    strata: 0,
    decision: null,
  };
}

function rate(c: VersionCounts): number {
  return c.requests > 0 ? c.errors / c.requests : 0;
}

function checkCounts(c: VersionCounts): void {
  const integers = Number.isInteger(c.requests) && Number.isInteger(c.errors);
  if (!integers || c.errors < 0 || c.errors > c.requests) {
    throw new RangeError('sequential: counts must be integers with 0 <= errors <= requests');
  }
}

/** Adds the counts of one stretch of time (a bucket) ending at `at` (epoch ms), and decides if it can. */
export function observeCounts(
  config: SequentialConfig,
  state: SequentialState,
  counts: { canary: VersionCounts; stable: VersionCounts },
  at: number,
): SequentialState {
  if (state.decision) return state;
  checkCounts(counts.canary);
  checkCounts(counts.stable);
  const canary = {
    requests: state.canary.requests + counts.canary.requests,
    errors: state.canary.errors + counts.canary.errors,
  };
  const stable = {
    requests: state.stable.requests + counts.stable.requests,
    errors: state.stable.errors + counts.stable.errors,
  };
  let open: Table = {
    canaryRequests: state.open.canaryRequests + counts.canary.requests,
    canaryErrors: state.open.canaryErrors + counts.canary.errors,
    stableRequests: state.open.stableRequests + counts.stable.requests,
    stableErrors: state.open.stableErrors + counts.stable.errors,
  };
  let llr = state.logLikelihoodRatio;
  let strata = state.strata;
  // A stratum closes once both versions have had a request; the rule looks at request counts only, never at
  // errors, so it cannot bias the test.
  if (open.canaryRequests > 0 && open.stableRequests > 0) {
    llr += logLikelihoodRatio(open, config.oddsRatio);
    strata += 1;
    open = EMPTY_TABLE;
  }
  const next: SequentialState = { ...state, logLikelihoodRatio: llr, canary, stable, open, strata };
  const fail = llr >= Math.log(1 / config.alpha) && rate(canary) - rate(stable) >= config.minIncrease;
  const pass = llr <= Math.log(config.beta) && canary.requests >= config.minCanaryRequests;
  if (fail || pass) {
    next.decision = { phase: fail ? 'failed' : 'successful', at, canary, stable, logLikelihoodRatio: llr };
  }
  return next;
}

/** Adds one bucket of the router's stream (its end is the time of the observation). */
export function observeBucket(
  config: SequentialConfig,
  state: SequentialState,
  bucket: StatsBucket,
): SequentialState {
  const pick = (version: string): VersionCounts => {
    const v = bucket.versions[version];
    return { requests: v?.requests ?? 0, errors: v?.errors ?? 0 };
  };
  return observeCounts(
    config,
    state,
    { canary: pick(config.canary), stable: pick(config.stable) },
    bucket.end,
  );
}

/** The verdict at time `now` (epoch ms): a decision once made is final; truncation at the end of durationMs. */
export function sequentialVerdict(config: SequentialConfig, state: SequentialState, now: number): Verdict {
  const d = state.decision;
  const llr = d ? d.logLikelihoodRatio : state.logLikelihoodRatio;
  const canary = d ? d.canary : state.canary;
  const stable = d ? d.stable : state.stable;
  const lr = Math.exp(llr);
  const detail = {
    logLikelihoodRatio: Math.round(llr * 1000) / 1000,
    failAt: +(1 / config.alpha).toPrecision(4),
    passAt: config.beta,
    canaryRequests: canary.requests,
    canaryErrors: canary.errors,
    stableRequests: stable.requests,
    stableErrors: stable.errors,
    decidedAt: d ? d.at : null,
  };
  const rates = `canary ${percent(rate(canary))}, stable ${percent(rate(stable))}`;
  const test = `SPRT on error odds ratio ${config.oddsRatio} vs 1`;
  const verdict = (phase: Verdict['phase'], rule: string): Verdict => ({
    phase,
    rule: `${test}: ${rule}`,
    detail,
  });
  const after = `after ${canary.requests} canary requests (${rates})`;
  if (d?.phase === 'failed') {
    return verdict(
      'failed',
      `likelihood ratio ${lr.toPrecision(3)} >= 1/alpha = ${+(1 / config.alpha).toPrecision(4)} ${after}`,
    );
  }
  if (d?.phase === 'successful') {
    return verdict('successful', `likelihood ratio ${lr.toPrecision(3)} <= beta = ${config.beta} ${after}`);
  }
  if (config.durationMs === null || now < state.startedAt + config.durationMs) {
    return verdict('running', `likelihood ratio ${lr.toPrecision(3)} ${after}`);
  }
  const ended = `no boundary crossed in ${formatDuration(config.durationMs)}`;
  if (canary.requests < config.minCanaryRequests) {
    return verdict(
      'inconclusive',
      `${ended}; ${canary.requests} canary requests < minCanaryRequests ${config.minCanaryRequests}`,
    );
  }
  const bound = Math.sqrt(1 / config.alpha);
  const leaning = `(likelihood ratio ${lr.toPrecision(3)} ${lr < bound ? '<' : '>='} ${+bound.toPrecision(3)}) ${after}`;
  if (lr < bound) return verdict('successful', `${ended}; no real evidence of worse ${leaning}`);
  return verdict('inconclusive', `${ended}; the evidence leans to worse ${leaning}`);
}
