// The tail test: a hand-checked 2×2 table, and it sees a tail-only regression that Mann–Whitney misses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mannWhitney } from './mann-whitney.js';
import { quantileTest } from './quantile-test.js';
import { lognormal, mulberry32 } from './random.js';

describe('pooled-quantile test', () => {
  it('counts the values above the pooled quantile and tests the 2×2 table', () => {
    // Pooled 1..20; the 0.8-quantile is the 16th value, 16. Above it: x has 18, 19, 20 and y has 17.
    const x = [1, 3, 5, 7, 9, 11, 13, 15, 18, 19, 20];
    const y = [2, 4, 6, 8, 10, 12, 14, 16, 17];
    const r = quantileTest(x, y, 0.8);
    assert.equal(r.threshold, 16);
    assert.equal(r.above1, 3);
    assert.equal(r.above2, 1);
    // Fisher's exact test of the table: 4 of the 20 values lie above, 11 of the 20
    // are x's. P(X >= 3) = (C(11,3)·C(9,1) + C(11,4)·C(9,0)) / C(20,4) = (1485 + 330)/4845 = 0.3746130.
    assert.ok(Math.abs(r.pGreater - 1815 / 4845) < 1e-12, `p ${r.pGreater}`);
  });

  it('sees a tail-only regression (same median, p95 +50%) that Mann–Whitney misses', () => {
    const rng = mulberry32(7);
    const sigma = 0.5;
    // Same median; the wider sigma puts the canary's p95 at 1.5 × the baseline's: +ln(1.5)/1.645 on sigma.
    const wider = sigma + Math.log(1.5) / 1.6448536;
    const baseline = Array.from({ length: 1000 }, () => lognormal(rng, Math.log(50), sigma));
    const canary = Array.from({ length: 1000 }, () => lognormal(rng, Math.log(50), wider));
    assert.ok(quantileTest(canary, baseline, 0.95).pGreater < 1e-4);
    assert.ok(mannWhitney(canary, baseline).pGreater > 0.01);
  });
});
