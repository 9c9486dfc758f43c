// Fisher's noncentral hypergeometric distribution: the number X of events that fall in group 1 of a 2×2 table,
// given its margins (n₁ and n₂ trials, e events in all), when the odds ratio of group 1 to group 2 is ψ:
// P_ψ(X = k) ∝ C(n₁, k)·C(n₂, e − k)·ψᵏ for k from max(0, e − n₂) to min(n₁, e). It depends on ψ alone, not on
// the groups' rates: conditioning on the margins removes the common (nuisance) rate. ψ = 1 is the central
// hypergeometric of Fisher's exact test. Computed in log space, so large tables neither overflow nor underflow.

export interface Margins {
  n1: number;
  n2: number;
  /** Events in both groups together. */
  events: number;
}

/** The support of X and the log-weights ln C(n₁, k) + ln C(n₂, e − k) for each k in it, up to a constant. */
export function logWeights(m: Margins): { lo: number; hi: number; weights: number[] } {
  const lo = Math.max(0, m.events - m.n2);
  const hi = Math.min(m.n1, m.events);
  const weights: number[] = [0];
  for (let k = lo; k < hi; k++) {
    // The ratio of consecutive terms: C(n₁, k+1)·C(n₂, e−k−1) / (C(n₁, k)·C(n₂, e−k)).
    const ratio = ((m.n1 - k) * (m.events - k)) / ((k + 1) * (m.n2 - m.events + k + 1));
    weights.push(weights[weights.length - 1]! + Math.log(ratio));
  }
  return { lo, hi, weights };
}

/** ln Σ_k exp(w_k + (lo + k)·slope) over the given slice of the weights, without overflow. */
export function logSumExp(
  weights: readonly number[],
  lo: number,
  slope: number,
  from = 0,
  to = weights.length,
): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = from; i < to; i++) max = Math.max(max, weights[i]! + (lo + i) * slope);
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (let i = from; i < to; i++) sum += Math.exp(weights[i]! + (lo + i) * slope - max);
  return max + Math.log(sum);
}

/** P_ψ(X ≥ x) and P_ψ(X ≤ x): the exact one-sided tails at the observed x. */
export function tails(m: Margins, x: number, psi: number): { upper: number; lower: number } {
  const { lo, hi, weights } = logWeights(m);
  if (x < lo || x > hi) throw new RangeError('noncentral hypergeometric: x outside the support');
  const slope = Math.log(psi);
  const total = logSumExp(weights, lo, slope);
  const index = x - lo;
  return {
    upper: Math.min(1, Math.exp(logSumExp(weights, lo, slope, index) - total)),
    lower: Math.min(1, Math.exp(logSumExp(weights, lo, slope, 0, index + 1) - total)),
  };
}
