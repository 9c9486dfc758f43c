// Fisher's exact test, central and noncentral, against hand-computed tables and direct enumeration.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fisherExact } from './fisher-exact.js';

function choose(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

describe("Fisher's exact test", () => {
  it('matches the lady tasting tea: 3 of 4 right gives p = 17/70', () => {
    // Margins 4 and 4 cups, 4 called "milk first"; 3 right: P(X >= 3) = (C(4,3)·C(4,1) + C(4,4)) / C(8,4).
    const r = fisherExact({ events: 3, trials: 4 }, { events: 1, trials: 4 });
    assert.ok(Math.abs(r.pGreater - 17 / 70) < 1e-12);
    assert.ok(Math.abs(r.pLess - (1 - 1 / 70)) < 1e-12);
  });

  it('under an odds ratio ψ0 weighs each table by ψ0^k, like direct enumeration', () => {
    const [n1, n2, x, e, psi] = [12, 30, 4, 6, 2.5];
    let total = 0;
    let upper = 0;
    for (let k = 0; k <= e; k++) {
      const w = choose(n1, k) * choose(n2, e - k) * psi ** k;
      total += w;
      if (k >= x) upper += w;
    }
    const r = fisherExact({ events: x, trials: n1 }, { events: e - x, trials: n2 }, psi);
    assert.ok(Math.abs(r.pGreater - upper / total) < 1e-12, `${r.pGreater} vs ${upper / total}`);
  });

  it('one error on a small canary against none is not significant', () => {
    // The case the z test gets wrong: z = 3.0 (p = 0.0013), while exactly P(X >= 1) = 50/500 = 0.1.
    const r = fisherExact({ events: 1, trials: 50 }, { events: 0, trials: 450 });
    assert.ok(Math.abs(r.pGreater - 0.1) < 1e-12);
  });
});
