// Mann–Whitney U against a hand-computed example with ties (the same figures R's wilcox.test and SciPy's
// mannwhitneyu(method='asymptotic') give), and its basic symmetries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mannWhitney } from './mann-whitney.js';

describe('Mann–Whitney U', () => {
  it('matches a hand-computed example with ties', () => {
    // Pooled and sorted: 1y 2y 3x 3y 5x 5x 5y 6y 7y 8x 9x. Ranks: the 3s share 3.5, the 5s share 6.
    // Rank sum of x = 3.5 + 6 + 6 + 10 + 11 = 36.5, so U = 36.5 − 5·6/2 = 21.5 (pairs: 2.5 + 3.5 + 3.5 + 6 + 6).
    // Under the null: mean 5·6/2 = 15; ties Σ(t³−t) = 6 + 24 = 30;
    // variance = 30/12 · (12 − 30/(11·10)) = 29.3181818…, sd = 5.4146266…
    // z (greater) = (21.5 − 15 − 0.5)/sd = 1.1081105…, p = 1 − Φ(z) = 0.1339072;
    // z (less) = (21.5 − 15 + 0.5)/sd = 1.2927956…, p = Φ(z) = 0.9019589.
    const r = mannWhitney([3, 5, 5, 8, 9], [1, 2, 3, 5, 6, 7]);
    assert.equal(r.u, 21.5);
    assert.equal(r.effect, 21.5 / 30);
    assert.ok(Math.abs(r.sd - Math.sqrt(2.5 * (12 - 30 / 110))) < 1e-12);
    assert.ok(Math.abs(r.pGreater - 0.13390723385946612) < 1e-9, `pGreater ${r.pGreater}`);
    assert.ok(Math.abs(r.pLess - 0.9019589424874433) < 1e-9, `pLess ${r.pLess}`);
  });

  it('without ties uses the plain variance n1·n2·(N+1)/12', () => {
    const r = mannWhitney([1, 2, 3], [4, 5, 6, 7]);
    assert.equal(r.u, 0);
    assert.ok(Math.abs(r.sd - Math.sqrt((3 * 4 * 8) / 12)) < 1e-12);
    assert.ok(r.pLess < 0.05 && r.pGreater > 0.95);
  });

  it('is antisymmetric: swapping the samples swaps the tails', () => {
    const x = [12, 15, 11, 19, 30, 12];
    const y = [10, 12, 9, 14, 13, 11, 8];
    const a = mannWhitney(x, y);
    const b = mannWhitney(y, x);
    assert.equal(a.u + b.u, x.length * y.length);
    assert.ok(Math.abs(a.pGreater - b.pLess) < 1e-15);
  });

  it('cannot tell anything from samples that are all tied', () => {
    const r = mannWhitney([5, 5, 5], [5, 5]);
    assert.equal(r.pGreater, 1);
    assert.equal(r.pLess, 1);
  });

  it('refuses empty samples', () => {
    assert.throws(() => mannWhitney([], [1]), RangeError);
  });
});
