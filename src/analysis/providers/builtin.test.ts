// The builtin provider against canned router statistics (every rule), then against a real in-process router
// serving real requests, then through the shared conformance suite.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvalidInputError } from '../../errors.js';
import type { AppStats, VersionWindowStats } from '../../targets/local/types.js';
import { builtinProvider, builtinWindowFor, type BuiltinQuery } from './builtin.js';
import { runProviderConformance } from './conformance.js';
import type { MeasureContext } from './provider.js';
import { ROUTED, ROUTED_APP, routerWithTraffic, type RoutedTraffic } from './test-support.js';

function window(requests: number, extra: Partial<VersionWindowStats> = {}): VersionWindowStats {
  return {
    requests,
    responses: { '1xx': 0, '2xx': requests, '3xx': 0, '4xx': 0, '5xx': 0 },
    upstreamErrors: 0,
    errorRate: requests === 0 ? null : 0,
    latency: { p50Ms: 10, p90Ms: 20, p95Ms: 30, p99Ms: 40, meanMs: 12 },
    histogram: { boundsMs: [], counts: [] },
    ...extra,
  };
}

/** v2 saw 100 requests in 10 s (5 of them 5xx), 600 in 1 m, 3000 in 5 m; v3 only 3. */
function appStats(): AppStats {
  const failing = (requests: number): VersionWindowStats =>
    window(requests, {
      responses: { '1xx': 0, '2xx': requests - 5, '3xx': 0, '4xx': 0, '5xx': 5 },
      upstreamErrors: 2,
      errorRate: 7 / requests,
    });
  return {
    app: 'shop',
    at: new Date(0).toISOString(),
    versions: [
      {
        version: 'v2',
        cumulative: failing(5000),
        windows: { '10s': failing(100), '1m': failing(600), '5m': failing(3000) },
        mirrored: 0,
        retriedOnStable: 0,
      },
      {
        version: 'v3',
        cumulative: window(3),
        windows: { '10s': window(3), '1m': window(3), '5m': window(3) },
        mirrored: 0,
        retriedOnStable: 0,
      },
    ],
    maintenance: { rejected: 0, heldThenServed: 0 },
  };
}

const ctx = (over: Partial<MeasureContext> = {}): MeasureContext => ({
  app: 'shop',
  version: 'v2',
  role: 'canary',
  windowMs: 10_000,
  now: Date.UTC(2025, 0, 1),
  ...over,
});

const config = builtinProvider.compileConfig({ timeout: '300ms' });
const provider = builtinProvider.create(config, { stats: async () => appStats() });
const query = (raw: unknown): BuiltinQuery => builtinProvider.compileQuery('m', raw);

describe('builtin provider', () => {
  it('picks the shortest router window covering the measurement window', () => {
    assert.equal(builtinWindowFor(5_000)?.name, '10s');
    assert.equal(builtinWindowFor(10_000)?.name, '10s');
    assert.equal(builtinWindowFor(30_000)?.name, '1m');
    assert.equal(builtinWindowFor(300_000)?.name, '5m');
    assert.equal(builtinWindowFor(300_001), undefined);
  });

  it('reads each statistic of the version over the window', async () => {
    const cases: Array<[string, number, number]> = [
      ['errorRate', 10_000, 0.07],
      ['errorRate', 60_000, 7 / 600],
      ['requestRate', 10_000, 10],
      ['requestRate', 300_000, 10],
      ['latencyP50Ms', 10_000, 10],
      ['latencyP90Ms', 10_000, 20],
      ['latencyP95Ms', 10_000, 30],
      ['latencyP99Ms', 10_000, 40],
      ['upstreamErrors', 10_000, 2],
    ];
    for (const [stat, windowMs, expected] of cases) {
      const m = await provider.measure(query(stat), ctx({ windowMs }));
      assert.equal(m.phase, 'successful', `${stat}: ${m.message}`);
      assert.equal(m.value, expected, stat);
    }
  });

  it('too few requests is inconclusive, except for the request rate itself', async () => {
    const few = await provider.measure(query('errorRate'), ctx({ version: 'v3' }));
    assert.equal(few.phase, 'inconclusive');
    assert.match(few.message, /3 requests .* fewer than the 20 needed/);
    const rate = await provider.measure(query('requestRate'), ctx({ version: 'v3' }));
    assert.equal(rate.phase, 'successful');
    assert.equal(rate.value, 0.3);
    const lowered = await provider.measure(
      query({ stat: 'errorRate', minRequests: 3 }),
      ctx({ version: 'v3' }),
    );
    assert.equal(lowered.phase, 'successful', lowered.message);
    assert.equal(lowered.value, 0);
  });

  it('a version the router does not know, or a null statistic, is inconclusive', async () => {
    const unknown = await provider.measure(query('errorRate'), ctx({ version: 'v9' }));
    assert.equal(unknown.phase, 'inconclusive');
    assert.match(unknown.message, /no statistics for shop version v9/);
    const stats = appStats();
    const v2 = stats.versions[0]!;
    v2.windows['10s'].latency.p95Ms = null;
    const untimed = builtinProvider.create(config, { stats: async () => stats });
    const m = await untimed.measure(query('latencyP95Ms'), ctx());
    assert.equal(m.phase, 'inconclusive');
  });

  it('a window longer than the router keeps is an error, not a shorter window', async () => {
    const m = await provider.measure(query('errorRate'), ctx({ windowMs: 600_000 }));
    assert.equal(m.phase, 'error');
    assert.match(m.message, /none covers a 10m window/);
  });

  it('refuses unknown statistics and settings at compile time', () => {
    assert.throws(
      () => query('errorrate'),
      (e: unknown) => e instanceof InvalidInputError && /one of: requestRate, errorRate/.test(e.message),
    );
    assert.throws(
      () => query({ stat: 'errorRate', minRequest: 2 }),
      /unknown field "minRequest".*did you mean "minRequests"/,
    );
    assert.throws(
      () => builtinProvider.compileConfig({ timeout: 'soon' }, 'providers.builtin'),
      /providers\.builtin\.timeout: found "soon"/,
    );
    assert.deepEqual(builtinProvider.compileConfig(undefined), { minRequests: 20, timeoutMs: 5_000 });
    assert.throws(() => builtinProvider.create(config), /needs the router statistics/);
  });
});

describe('builtin provider on a real router', () => {
  let routed: RoutedTraffic;
  before(async () => {
    routed = await routerWithTraffic();
  });
  after(async () => {
    await routed?.close();
  });

  it('measures what the router counted for each version', async () => {
    const real = builtinProvider.create(builtinProvider.compileConfig({}), {
      stats: async (app) => routed.router.stats(app),
    });
    const at = ctx({ app: ROUTED_APP, windowMs: 60_000 });
    const v2 = await real.measure(query('errorRate'), { ...at, version: 'v2' });
    assert.equal(v2.phase, 'successful', v2.message);
    assert.equal(v2.value, ROUTED.v2.errors / ROUTED.v2.requests);
    const v1 = await real.measure(query('errorRate'), { ...at, version: 'v1', role: 'stable' });
    assert.equal(v1.value, 0);
    const p95 = await real.measure(query('latencyP95Ms'), { ...at, version: 'v1', role: 'stable' });
    assert.equal(p95.phase, 'successful', p95.message);
    assert.ok(p95.value !== null && p95.value >= 0);
  });
});

runProviderConformance('builtin', async () => {
  const fast = builtinProvider.compileConfig({ timeout: '200ms' });
  return {
    healthy: {
      provider: builtinProvider.create(fast, { stats: async () => appStats() }),
      query: query('errorRate'),
      ctx: { windowMs: 10_000 },
      value: 0.07,
    },
    failing: {
      provider: builtinProvider.create(fast, {
        stats: () => Promise.reject(new Error('connect ENOENT /run/agent.sock')),
      }),
      query: query('errorRate'),
    },
    noData: {
      provider: builtinProvider.create(fast, { stats: async () => appStats() }),
      query: query('errorRate'),
      ctx: { version: 'v3' },
    },
    slow: {
      provider: builtinProvider.create(fast, { stats: () => new Promise<AppStats>(() => undefined) }),
      query: query('errorRate'),
    },
  };
});
