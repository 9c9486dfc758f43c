// Which two-proportion test a 2×2 table gets: the Farrington–Manning score z test when every expected cell
// count under H0 is at least 5 (Cochran's rule, where the normal approximation is trustworthy), otherwise
// Fisher's exact conditional test (the tolerated ratio then read as an odds ratio, which is the risk ratio
// to within the rate itself for rare events). A handful of errors among a few hundred requests is exactly where
// the z test over-rejects: one canary error against none on the baseline can look "significant".

import { fisherExact } from './fisher-exact.js';
import { checkCounts, proportionTest, restrictedRates } from './proportions.js';
import type { Counts } from './proportions.js';

export interface TwoProportionResult {
  method: 'score' | 'exact';
  /** One-sided p-values: rate(one) > ratio·rate(two), and rate(one) < ratio·rate(two). */
  pGreater: number;
  pLess: number;
}

export const MIN_EXPECTED_COUNT = 5;

/** Tests H0: rate(one) = ratio · rate(two), by the score test or exactly (see above). */
export function twoProportions(one: Counts, two: Counts, ratio = 1): TwoProportionResult {
  checkCounts(one, 'twoProportions(one)');
  checkCounts(two, 'twoProportions(two)');
  const { p1, p2 } = restrictedRates(one, two, ratio);
  const expected = [one.trials * p1, one.trials * (1 - p1), two.trials * p2, two.trials * (1 - p2)];
  if (expected.every((count) => count >= MIN_EXPECTED_COUNT)) {
    const { pGreater, pLess } = proportionTest(one, two, ratio);
    return { method: 'score', pGreater, pLess };
  }
  return { method: 'exact', ...fisherExact(one, two, ratio) };
}
