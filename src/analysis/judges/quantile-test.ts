// Pooled-quantile test (Mood's median test generalised to an upper quantile, e.g. the 95th percentile): does x
// put more of its values above the pooled sample's q-quantile than y does? Mann–Whitney answers "is x shifted
// up?" and barely sees a regression confined to the tail (same median, p95 +50%); this test looks at the tail
// directly. Under H0 (one distribution) the count above the pooled quantile is hypergeometric given the margins,
// and Fisher's exact test of the 2×2 table gives exact p-values (the tail holds few values by design, too few
// for the z approximation, which over-rejects here when the samples differ in size).

import { mergeSorted, sortedCopy } from './sorted.js';
import { fisherExact } from './fisher-exact.js';

export interface QuantileTestResult {
  quantile: number;
  /** The pooled sample's q-quantile (an order statistic): the tail starts above it. */
  threshold: number;
  /** How many values of each sample lie above the threshold. */
  above1: number;
  above2: number;
  /** One-sided p-values: x has the heavier upper tail, and the lighter one. */
  pGreater: number;
  pLess: number;
}

/** The q-quantile of the pooled samples: the order statistic of rank ⌈q·N⌉ (at least 1). */
function pooledQuantile(x: ArrayLike<number>, y: ArrayLike<number>, q: number): number {
  const pooled = mergeSorted(sortedCopy(x), sortedCopy(y));
  const rank = Math.max(1, Math.ceil(q * pooled.length));
  return pooled[rank - 1]!;
}

function countAbove(values: ArrayLike<number>, threshold: number): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > threshold) count++;
  return count;
}

/** Tail test of x against y at quantile q (0 < q < 1). Both samples must be non-empty. */
export function quantileTest(x: ArrayLike<number>, y: ArrayLike<number>, q: number): QuantileTestResult {
  if (x.length === 0 || y.length === 0) throw new RangeError('quantileTest needs two non-empty samples');
  if (!(q > 0 && q < 1)) throw new RangeError('quantileTest: the quantile must be between 0 and 1');
  const threshold = pooledQuantile(x, y, q);
  const above1 = countAbove(x, threshold);
  const above2 = countAbove(y, threshold);
  const r = fisherExact({ events: above1, trials: x.length }, { events: above2, trials: y.length });
  return { quantile: q, threshold, above1, above2, pGreater: r.pGreater, pLess: r.pLess };
}
