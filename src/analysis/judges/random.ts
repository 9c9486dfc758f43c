// A small seeded pseudo-random generator and the draws the judges' simulations need, so every simulated
// figure (false-failure rates, requests to detection) is reproducible from its seed. mulberry32: a 32-bit
// state, period 2³², good enough statistical quality for Monte Carlo at these sizes, and fast.

export type Random = () => number;

/** mulberry32: uniform numbers in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller; the second value of each pair is not kept, for simplicity). */
export function standardNormal(rng: Random): number {
  const u = 1 - rng(); // (0, 1]: the logarithm stays finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** A lognormal draw: e^(mu + sigma·Z). Its median is e^mu, its p95 e^(mu + 1.645·sigma). */
export function lognormal(rng: Random, mu: number, sigma: number): number {
  return Math.exp(mu + sigma * standardNormal(rng));
}

/**
 * Binomial(n, p) by inversion: one uniform, walking the distribution function up from k = 0. Exact, and cheap
 * for the small means simulated here (a bucket's requests, its errors); p above ½ draws the failures instead.
 */
export function binomial(rng: Random, n: number, p: number): number {
  if (p <= 0 || n <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(rng, n, 1 - p);
  const u = rng();
  const odds = p / (1 - p);
  let probability = (1 - p) ** n; // P(X = 0)
  let cumulative = probability;
  let k = 0;
  while (u >= cumulative && k < n) {
    probability *= ((n - k) / (k + 1)) * odds;
    cumulative += probability;
    k += 1;
  }
  return k;
}

/** The median of a sample (null when empty). */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
