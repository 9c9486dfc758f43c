// Pooling the router's buckets into the compare judge's input: one version, one window, errors as counted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatsBucket } from '../../targets/local/types.js';
import { compareInputs, pool } from './bucket-data.js';

function bucket(end: number, v2: [number, number, number[]]): StatsBucket {
  const [requests, errors, latenciesMs] = v2;
  return {
    app: 'shop',
    start: end - 100,
    end,
    versions: {
      v2: { requests, errors, upstreamErrors: 0, latenciesMs },
      v1: { requests: 9, errors: 0, upstreamErrors: 0, latenciesMs: [] },
    },
  };
}

describe('bucket data', () => {
  const buckets = [
    bucket(100, [2, 1, [10, 20]]),
    bucket(200, [3, 0, [30, 40, 50]]),
    bucket(300, [1, 1, [60]]),
  ];

  it('pools one version over the buckets that end in the window', () => {
    assert.deepEqual(pool(buckets, 'v2', 200, 300), { requests: 3, errors: 0, latenciesMs: [30, 40, 50] });
    assert.deepEqual(pool(buckets, 'v2').requests, 6);
    assert.deepEqual(pool(buckets, 'v3'), { requests: 0, errors: 0, latenciesMs: [] });
  });

  it('shapes canary and baseline for compare', () => {
    const inputs = compareInputs(pool(buckets, 'v2'), pool(buckets, 'v1'));
    assert.deepEqual(inputs.errors, {
      kind: 'counts',
      canary: { events: 2, trials: 6 },
      baseline: { events: 0, trials: 27 },
    });
    assert.equal(inputs.latency.kind, 'samples');
  });
});
