// The per-table likelihood ratio: a hand-computed table, and the property the sequential judge's error
// guarantee rests on: under ψ = 1 its expectation is exactly 1 (a martingale increment), whatever the margins.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logLikelihoodRatio } from './conditional-likelihood.js';
import type { Table } from './conditional-likelihood.js';

/** Every table with these margins, and its central hypergeometric probability. */
function tablesWithMargins(n1: number, n2: number, e: number): Array<{ table: Table; p: number }> {
  const choose = (n: number, k: number): number => {
    let r = 1;
    for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
    return r;
  };
  const out: Array<{ table: Table; p: number }> = [];
  const total = choose(n1 + n2, e);
  for (let x = Math.max(0, e - n2); x <= Math.min(n1, e); x++) {
    const table = { canaryRequests: n1, canaryErrors: x, stableRequests: n2, stableErrors: e - x };
    out.push({ table, p: (choose(n1, x) * choose(n2, e - x)) / total });
  }
  return out;
}

describe('conditional likelihood ratio of a 2×2 table', () => {
  it('matches a hand-computed table', () => {
    // 2 canary and 18 stable requests, 2 errors, both on the canary. Under ψ = 1: P(0, 1, 2 canary errors)
    // = (153, 36, 1)/190. E₁[3^K] = (153 + 36·3 + 1·9)/190 = 270/190, so LR(ψ = 3) = 9 / (270/190) = 6.333…
    const t = { canaryRequests: 2, canaryErrors: 2, stableRequests: 18, stableErrors: 0 };
    assert.ok(Math.abs(Math.exp(logLikelihoodRatio(t, 3)) - 9 / (270 / 190)) < 1e-12);
  });

  it('has expectation exactly 1 under ψ = 1, for any margins', () => {
    for (const [n1, n2, e] of [
      [2, 18, 2],
      [3, 40, 5],
      [30, 270, 12],
      [5, 5, 7],
    ] as const) {
      const mean = tablesWithMargins(n1, n2, e).reduce(
        (sum, { table, p }) => sum + p * Math.exp(logLikelihoodRatio(table, 4)),
        0,
      );
      assert.ok(Math.abs(mean - 1) < 1e-12, `margins ${n1}, ${n2}, ${e}: E[LR] = ${mean}`);
    }
  });

  it('carries no evidence when the margins decide the table', () => {
    const none = { canaryRequests: 5, canaryErrors: 0, stableRequests: 50, stableErrors: 0 };
    assert.equal(logLikelihoodRatio(none, 3), 0);
    const idle = { canaryRequests: 0, canaryErrors: 0, stableRequests: 50, stableErrors: 4 };
    assert.equal(logLikelihoodRatio(idle, 3), 0);
  });

  it('points the right way: canary errors are evidence against it, stable errors for it', () => {
    const canary = { canaryRequests: 10, canaryErrors: 1, stableRequests: 90, stableErrors: 0 };
    const stable = { canaryRequests: 10, canaryErrors: 0, stableRequests: 90, stableErrors: 1 };
    assert.ok(logLikelihoodRatio(canary, 3) > 0);
    assert.ok(logLikelihoodRatio(stable, 3) < 0);
  });

  it('stays finite for a large table of a broken canary', () => {
    const t = { canaryRequests: 2000, canaryErrors: 2000, stableRequests: 18000, stableErrors: 90 };
    const value = logLikelihoodRatio(t, 3);
    assert.ok(Number.isFinite(value) && value > 100);
  });
});
