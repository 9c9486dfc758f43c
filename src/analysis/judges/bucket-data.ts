// The compare judge's input from the router's low-latency stream: a version's StatsBuckets over a window,
// pooled into latency samples and error counts. Errors are the router's count (5xx and upstream errors).

import type { StatsBucket } from '../../targets/local/types.js';
import type { MetricData } from './compare.js';

export interface PooledVersion {
  requests: number;
  errors: number;
  latenciesMs: number[];
}

/** Pools one version's counts and latencies from the buckets that end within [from, to). */
export function pool(
  buckets: readonly StatsBucket[],
  version: string,
  from = Number.NEGATIVE_INFINITY,
  to = Number.POSITIVE_INFINITY,
): PooledVersion {
  const out: PooledVersion = { requests: 0, errors: 0, latenciesMs: [] };
  for (const bucket of buckets) {
    if (bucket.end < from || bucket.end >= to) continue;
    const v = bucket.versions[version];
    if (!v) continue;
    out.requests += v.requests;
    out.errors += v.errors;
    for (const ms of v.latenciesMs) out.latenciesMs.push(ms);
  }
  return out;
}

/** Latency samples and error counts of canary against baseline, ready for `compare`. */
export function compareInputs(
  canary: PooledVersion,
  baseline: PooledVersion,
): { latency: MetricData; errors: MetricData } {
  return {
    latency: { kind: 'samples', canary: canary.latenciesMs, baseline: baseline.latenciesMs },
    errors: {
      kind: 'counts',
      canary: { events: canary.errors, trials: canary.requests },
      baseline: { events: baseline.errors, trials: baseline.requests },
    },
  };
}
