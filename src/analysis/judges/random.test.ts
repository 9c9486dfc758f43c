// The seeded generator: reproducible, and its draws have the moments they should (loose, seeded checks).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binomial, lognormal, median, mulberry32, standardNormal } from './random.js';

describe('seeded random draws', () => {
  it('repeats itself from the same seed, and differs from another', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const first = [a(), a(), a()];
    assert.deepEqual(first, [b(), b(), b()]);
    assert.notDeepEqual(first, [c(), c(), c()]);
  });

  it('draws uniforms in [0, 1) with mean 1/2, normals with mean 0 and variance 1', () => {
    const rng = mulberry32(1);
    const n = 100_000;
    let sum = 0;
    let sumZ = 0;
    let sumZ2 = 0;
    for (let i = 0; i < n; i++) {
      const u = rng();
      assert.ok(u >= 0 && u < 1);
      sum += u;
      const z = standardNormal(rng);
      sumZ += z;
      sumZ2 += z * z;
    }
    assert.ok(Math.abs(sum / n - 0.5) < 0.005);
    assert.ok(Math.abs(sumZ / n) < 0.02);
    assert.ok(Math.abs(sumZ2 / n - 1) < 0.02);
  });

  it('lognormal has median e^mu; binomial has mean n·p', () => {
    const rng = mulberry32(2);
    const values = Array.from({ length: 20_001 }, () => lognormal(rng, Math.log(50), 0.5));
    assert.ok(Math.abs(median(values)! - 50) < 1.5);
    let total = 0;
    for (let i = 0; i < 10_000; i++) total += binomial(rng, 20, 0.1);
    assert.ok(Math.abs(total / 10_000 - 2) < 0.05);
    assert.equal(median([]), null);
    assert.equal(median([3, 1, 2, 10]), 2.5);
  });
});
