// The evidence one 2×2 table (canary and stable: requests and errors, over one short stretch of time) carries
// about the odds ratio ψ of the canary's error rate to the stable's, free of the stable's rate itself.
// Conditioned on the table's total errors, the canary's share of them follows Fisher's noncentral
// hypergeometric distribution, which depends on ψ alone: the stable's unknown (and drifting) error rate drops
// out exactly, instead of being plugged in as an estimate. Under ψ = 1 (canary no worse) it is the central
// hypergeometric of Fisher's exact test.

import { logSumExp, logWeights } from './noncentral-hypergeometric.js';

/** Requests and errors of both versions over one stratum of time. */
export interface Table {
  canaryRequests: number;
  canaryErrors: number;
  stableRequests: number;
  stableErrors: number;
}

/**
 * log P_ψ(x) / P_1(x) for the x canary errors among the table's errors: x·ln ψ − ln E₁[ψ^X].
 * Zero when the margins leave only one possibility (no errors, or one version without requests).
 */
export function logLikelihoodRatio(t: Table, psi: number): number {
  const margins = { n1: t.canaryRequests, n2: t.stableRequests, events: t.canaryErrors + t.stableErrors };
  const { lo, hi, weights } = logWeights(margins);
  if (t.canaryErrors < lo || t.canaryErrors > hi) {
    throw new RangeError('logLikelihoodRatio: errors exceed requests');
  }
  if (lo === hi) return 0;
  const slope = Math.log(psi);
  return t.canaryErrors * slope - (logSumExp(weights, lo, slope) - logSumExp(weights, lo, 0));
}
