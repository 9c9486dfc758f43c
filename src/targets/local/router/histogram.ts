// The router's latency histogram: fixed, roughly log-spaced bounds from 0.5 ms to 10 s (the same for every
// version, so windows are sums of counts), the bucket lookup on the hot path, and quantiles read from counts.
import type { LatencySummary } from '../types.js';

/** Upper bounds in ms. A latency above the last bound lands in one extra overflow bucket. */
export const BOUNDS_MS: readonly number[] = Object.freeze([
  0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 12.5, 15, 20, 25, 30, 40, 50, 60, 80, 100, 125, 150, 200, 250,
  300, 400, 500, 600, 800, 1000, 1250, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 8000, 10000,
]);

/** Number of counts per histogram: one per bound plus the overflow bucket. */
export const BUCKETS = BOUNDS_MS.length + 1;

const bounds = Float64Array.from(BOUNDS_MS);

/** Index of the bucket for a latency: the first bound >= ms (binary search, no allocation). */
export function bucketOf(ms: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((bounds[mid] as number) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The q-quantile (0..1) of the counts, interpolated linearly inside its bucket; null with no samples.
 * The overflow bucket has no upper bound, so a quantile that lands there reads as the last bound.
 */
export function quantile(counts: ArrayLike<number>, offset: number, total: number, q: number): number | null {
  if (total <= 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < BUCKETS; i++) {
    const c = counts[offset + i] as number;
    if (c === 0) continue;
    if (seen + c >= rank) {
      if (i >= bounds.length) return bounds[bounds.length - 1] as number;
      const lower = i === 0 ? 0 : (bounds[i - 1] as number);
      const upper = bounds[i] as number;
      return lower + ((upper - lower) * Math.max(0, rank - seen)) / c;
    }
    seen += c;
  }
  return bounds[bounds.length - 1] as number;
}

/** p50/p90/p95/p99 and mean from histogram counts and the sum of latencies. */
export function summarize(
  counts: ArrayLike<number>,
  offset: number,
  total: number,
  sumMs: number,
): LatencySummary {
  return {
    p50Ms: quantile(counts, offset, total, 0.5),
    p90Ms: quantile(counts, offset, total, 0.9),
    p95Ms: quantile(counts, offset, total, 0.95),
    p99Ms: quantile(counts, offset, total, 0.99),
    meanMs: total > 0 ? sumMs / total : null,
  };
}
