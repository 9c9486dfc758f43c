// Fisher's exact conditional test for a 2×2 table of counts, generalised to a null odds ratio ψ₀ (the
// tolerance): conditioned on the total events, group 1's count follows the noncentral hypergeometric with
// ψ₀ under H0, so its tails are exact p-values at any sample size. Used where the z approximation is poor:
// few expected events, typical of error rates of 0.5% over a few hundred requests.

import { tails } from './noncentral-hypergeometric.js';
import type { Counts } from './proportions.js';

/** One-sided exact p-values of H0: odds(one) = oddsRatio · odds(two): greater, and less. */
export function fisherExact(one: Counts, two: Counts, oddsRatio = 1): { pGreater: number; pLess: number } {
  const margins = { n1: one.trials, n2: two.trials, events: one.events + two.events };
  const { upper, lower } = tails(margins, one.events, oddsRatio);
  return { pGreater: upper, pLess: lower };
}
