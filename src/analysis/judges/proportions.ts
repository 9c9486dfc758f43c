// Two-proportion test for "is the canary's error rate above the baseline's times a tolerated ratio?":
// the Farrington–Manning score test for a risk ratio, H0: p₁ = θ·p₂. The variance is taken at the maximum-
// likelihood rates restricted to H0 (the smaller root of a quadratic), which keeps the test honest at the small
// counts typical of error rates. With θ = 1 it is exactly the textbook pooled two-proportion z test.

import { normalCdf, normalSf } from './normal.js';

export interface Counts {
  /** Events (errors) among trials (requests). */
  events: number;
  trials: number;
}

export interface ProportionTestResult {
  rate1: number;
  rate2: number;
  /** The ratio under test: H0 says rate1 = ratio · rate2. */
  ratio: number;
  /** (p̂₁ − θ·p̂₂) / its standard error under H0; 0 when the data cannot tell anything. */
  z: number;
  /** One-sided p-values: rate1 > ratio·rate2, and rate1 < ratio·rate2. */
  pGreater: number;
  pLess: number;
}

export function checkCounts(c: Counts, name: string): void {
  const ok = Number.isInteger(c.events) && Number.isInteger(c.trials) && c.trials > 0;
  if (!ok || c.events < 0 || c.events > c.trials) {
    throw new RangeError(
      `${name}: events and trials must be integers with 0 <= events <= trials, trials > 0`,
    );
  }
}

/**
 * The rates (p̃₁, p̃₂) with p̃₁ = θ·p̃₂ that maximise the binomial likelihood of both samples. Setting the
 * derivative of the log-likelihood in p₂ to zero gives a·p² + b·p + c = 0 with a = θ·N,
 * b = −(θ·(n₁ + x₂) + x₁ + n₂), c = x₁ + x₂; the smaller root lies in [0, min(1, 1/θ)].
 */
export function restrictedRates(one: Counts, two: Counts, ratio: number): { p1: number; p2: number } {
  const n = one.trials + two.trials;
  const a = ratio * n;
  const b = -(ratio * (one.trials + two.events) + one.events + two.trials);
  const c = one.events + two.events;
  const discriminant = Math.max(b * b - 4 * a * c, 0);
  // (−b − √D)/(2a) written as 2c/(−b + √D): the same root without cancellation when c is small.
  const p2 = c === 0 ? 0 : (2 * c) / (-b + Math.sqrt(discriminant));
  const bounded = Math.min(p2, 1, 1 / ratio);
  return { p1: Math.min(ratio * bounded, 1), p2: bounded };
}

/** Score test of H0: rate(one) = ratio · rate(two) (ratio > 0), with one-sided p-values both ways. */
export function proportionTest(one: Counts, two: Counts, ratio = 1): ProportionTestResult {
  checkCounts(one, 'proportionTest(one)');
  checkCounts(two, 'proportionTest(two)');
  if (!(ratio > 0) || !Number.isFinite(ratio)) throw new RangeError('proportionTest: ratio must be > 0');
  const rate1 = one.events / one.trials;
  const rate2 = two.events / two.trials;
  const { p1, p2 } = restrictedRates(one, two, ratio);
  const variance = (p1 * (1 - p1)) / one.trials + (ratio * ratio * p2 * (1 - p2)) / two.trials;
  const difference = rate1 - ratio * rate2;
  if (!(variance > 0)) {
    // Both restricted rates at 0 or 1: no spread under H0, so only an exact difference of 0 is consistent.
    const pGreater = difference > 0 ? 0 : 1;
    const pLess = difference < 0 ? 0 : 1;
    return { rate1, rate2, ratio, z: 0, pGreater, pLess };
  }
  const z = difference / Math.sqrt(variance);
  return { rate1, rate2, ratio, z, pGreater: normalSf(z), pLess: normalCdf(z) };
}
