// Φ against reference values (tables of the standard normal, to 13 significant digits), in both tails.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalCdf, normalSf } from './normal.js';

const reference: Array<[number, number]> = [
  [-8.5, 9.47953482220325e-18],
  [-5, 2.866515718791933e-7],
  [-3, 0.0013498980316300933],
  [-1.96, 0.024997895148220435],
  [-1, 0.15865525393145707],
  [0, 0.5],
  [0.5, 0.6914624612740131],
  [1, 0.8413447460685429],
  [1.644853626951, 0.9499999999999512],
  [2.326347874, 0.9899999999989115],
  [3, 0.9986501019683699],
];

function close(actual: number, expected: number, relative: number): void {
  const error = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
  assert.ok(error <= relative, `${actual} vs ${expected}: relative error ${error}`);
}

describe('standard normal distribution', () => {
  it('matches reference values of Φ', () => {
    for (const [z, p] of reference) close(normalCdf(z), p, 1e-11);
  });

  it('keeps relative accuracy in the upper tail', () => {
    close(normalSf(3), 0.0013498980316300933, 1e-11);
    close(normalSf(6), 9.865876450376946e-10, 1e-10);
    close(normalSf(8.5), 9.47953482220325e-18, 1e-10);
  });

  it('is symmetric and monotone', () => {
    let previous = 0;
    for (let z = -6; z <= 6; z += 0.01) {
      const p = normalCdf(z);
      assert.ok(p >= previous, `not monotone at ${z}`);
      close(p + normalSf(z), 1, 1e-13);
      previous = p;
    }
  });
});
