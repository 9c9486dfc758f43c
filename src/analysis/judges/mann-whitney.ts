// Mann–Whitney U (Wilcoxon rank-sum) test with tie correction, normal approximation and continuity
// correction: does sample x tend to be larger than sample y? Rank-based, so it needs no assumption about the
// shape of latency distributions (skewed, multi-modal) and a few extreme values cannot dominate it.
// The same figures as R's wilcox.test(exact = FALSE, correct = TRUE).

import { normalCdf, normalSf } from './normal.js';
import { sortedCopy } from './sorted.js';

export interface MannWhitneyResult {
  n1: number;
  n2: number;
  /** U of x: the pairs (xᵢ, yⱼ) with xᵢ > yⱼ, ties counting ½. Between 0 and n1·n2. */
  u: number;
  /** U / (n1·n2): the estimated P(X > Y) + ½·P(X = Y); 0.5 when neither tends to be larger. */
  effect: number;
  /** Standard deviation of U under the null, with the tie correction. 0 when every value is tied. */
  sd: number;
  /** One-sided p-values: x stochastically greater than y, and less. 1 when nothing can be told apart. */
  pGreater: number;
  pLess: number;
}

function hasNaN(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) return true;
  return false;
}

/**
 * Ranks the pooled sample (midranks for ties) by merging the two sorted samples, and returns the rank sum of x
 * together with Σ(t³ − t) over the groups of t tied values, which the variance of U needs.
 */
function rankSumOfFirst(x: ArrayLike<number>, y: ArrayLike<number>): { rankSum: number; tieTerm: number } {
  const xs = sortedCopy(x);
  const ys = sortedCopy(y);
  let i = 0;
  let j = 0;
  let ranked = 0;
  let rankSum = 0;
  let tieTerm = 0;
  while (i < xs.length || j < ys.length) {
    const value = Math.min(xs[i] ?? Number.POSITIVE_INFINITY, ys[j] ?? Number.POSITIVE_INFINITY);
    let inX = 0;
    for (; i < xs.length && xs[i] === value; i++) inX++;
    let inY = 0;
    for (; j < ys.length && ys[j] === value; j++) inY++;
    const t = inX + inY;
    rankSum += inX * (ranked + (t + 1) / 2); // ranks ranked+1 .. ranked+t share their mean
    tieTerm += t * t * t - t;
    ranked += t;
  }
  return { rankSum, tieTerm };
}

/** Mann–Whitney U of x against y. Both samples must be non-empty and free of NaN. */
export function mannWhitney(x: ArrayLike<number>, y: ArrayLike<number>): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('mannWhitney needs two non-empty samples');
  if (hasNaN(x) || hasNaN(y)) throw new RangeError('mannWhitney: NaN in a sample');
  const n = n1 + n2;
  const { rankSum, tieTerm } = rankSumOfFirst(x, y);
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const sd = Math.sqrt(Math.max(variance, 0));
  if (sd === 0) return { n1, n2, u, effect: u / (n1 * n2), sd, pGreater: 1, pLess: 1 };
  // The continuity correction moves U half a step towards the mean before each one-sided tail.
  const pGreater = normalSf((u - mean - 0.5) / sd);
  const pLess = normalCdf((u - mean + 0.5) / sd);
  return { n1, n2, u, effect: u / (n1 * n2), sd, pGreater, pLess };
}
