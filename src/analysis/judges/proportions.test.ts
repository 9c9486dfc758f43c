// The two-proportion test: the textbook pooled z at ratio 1, the Farrington–Manning restricted rates at another
// ratio (they maximise the likelihood under H0), and the edge cases of zero events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proportionTest, restrictedRates } from './proportions.js';
import type { Counts } from './proportions.js';

function logLikelihood(one: Counts, two: Counts, p1: number, p2: number): number {
  const term = (c: Counts, p: number): number =>
    (c.events > 0 ? c.events * Math.log(p) : 0) +
    (c.trials - c.events > 0 ? (c.trials - c.events) * Math.log(1 - p) : 0);
  return term(one, p1) + term(two, p2);
}

describe('two-proportion test', () => {
  it('is the textbook pooled z test at ratio 1', () => {
    // 45/100 against 30/100: pooled p = 75/200 = 0.375, se = √(0.375·0.625·(1/100 + 1/100)) = 0.0684653…,
    // z = 0.15/se = 2.1908902, one-sided p = 1 − Φ(z) = 0.0142299.
    const r = proportionTest({ events: 45, trials: 100 }, { events: 30, trials: 100 });
    assert.ok(Math.abs(r.z - 2.1908902300206647) < 1e-9, `z ${r.z}`);
    assert.ok(Math.abs(r.pGreater - 0.014229868458155276) < 1e-9, `p ${r.pGreater}`);
    assert.ok(Math.abs(r.pLess - (1 - 0.014229868458155276)) < 1e-9);
  });

  it('finds the restricted maximum-likelihood rates under H0: p1 = ratio·p2', () => {
    const one = { events: 30, trials: 1000 };
    const two = { events: 9, trials: 2000 };
    const ratio = 1.5;
    const { p1, p2 } = restrictedRates(one, two, ratio);
    assert.ok(Math.abs(p1 - ratio * p2) < 1e-15);
    const best = logLikelihood(one, two, p1, p2);
    for (let q = 0.0005; q < 0.05; q += 0.0001) {
      assert.ok(logLikelihood(one, two, ratio * q, q) <= best + 1e-9, `q = ${q} beats the root`);
    }
  });

  it('a tolerated ratio makes the test harder to fail', () => {
    const one = { events: 33, trials: 1000 };
    const two = { events: 25, trials: 1000 };
    const strict = proportionTest(one, two, 1);
    const tolerant = proportionTest(one, two, 1.2);
    assert.ok(tolerant.z < strict.z);
    assert.ok(tolerant.pGreater > strict.pGreater);
  });

  it('says nothing when neither sample has an event', () => {
    const r = proportionTest({ events: 0, trials: 500 }, { events: 0, trials: 800 }, 1.1);
    assert.equal(r.z, 0);
    assert.equal(r.pGreater, 1);
    assert.equal(r.pLess, 1);
  });

  it('sees events on one side only', () => {
    const r = proportionTest({ events: 12, trials: 400 }, { events: 0, trials: 400 });
    assert.ok(r.pGreater < 0.001);
  });

  it('refuses counts that are not counts', () => {
    assert.throws(() => proportionTest({ events: 5, trials: 3 }, { events: 0, trials: 1 }), RangeError);
    assert.throws(() => proportionTest({ events: 0, trials: 0 }, { events: 0, trials: 1 }), RangeError);
  });
});
