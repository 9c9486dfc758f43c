// Sorted copies: in order whatever the input, and the input left alone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeSorted, sortedCopy } from './sorted.js';

describe('sorted samples', () => {
  it('copies in ascending order without touching the input', () => {
    const input = [3, 1, 2, 2];
    assert.deepEqual([...sortedCopy(input)], [1, 2, 2, 3]);
    assert.deepEqual(input, [3, 1, 2, 2]);
    assert.deepEqual([...sortedCopy([1, 2, 5])], [1, 2, 5]);
  });

  it('puts NaN last, like a typed-array sort', () => {
    assert.ok(Number.isNaN(sortedCopy([2, Number.NaN, 1])[2]));
  });

  it('merges two ascending samples', () => {
    const merged = mergeSorted(Float64Array.from([1, 4, 4, 9]), Float64Array.from([0, 4, 10]));
    assert.deepEqual([...merged], [0, 1, 4, 4, 4, 9, 10]);
    assert.deepEqual([...mergeSorted(new Float64Array(0), Float64Array.from([2]))], [2]);
  });
});
