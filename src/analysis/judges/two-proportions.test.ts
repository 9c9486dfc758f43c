// The choice between the score z test and Fisher's exact test (Cochran's rule: expected counts of 5).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proportionTest } from './proportions.js';
import { twoProportions } from './two-proportions.js';

describe('two-proportion test selection', () => {
  it('uses the score z test when every expected count is at least 5', () => {
    const one = { events: 45, trials: 100 };
    const two = { events: 30, trials: 100 };
    const r = twoProportions(one, two);
    assert.equal(r.method, 'score');
    assert.equal(r.pGreater, proportionTest(one, two).pGreater);
  });

  it('uses the exact test for rare events, where z over-rejects', () => {
    const r = twoProportions({ events: 1, trials: 50 }, { events: 0, trials: 450 });
    assert.equal(r.method, 'exact');
    assert.ok(Math.abs(r.pGreater - 0.1) < 1e-12);
    assert.ok(proportionTest({ events: 1, trials: 50 }, { events: 0, trials: 450 }).pGreater < 0.002);
  });

  it('refuses counts that are not counts on either path', () => {
    assert.throws(() => twoProportions({ events: 2, trials: 1 }, { events: 0, trials: 10 }), RangeError);
  });
});
