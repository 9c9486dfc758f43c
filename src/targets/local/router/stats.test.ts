import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BOUNDS_MS, BUCKETS, bucketOf, quantile } from './histogram.js';
import { BUCKET_LATENCY_CAP, CLIENT_GONE, UPSTREAM_ERROR, VersionRecorder } from './stats.js';

/** The width of the bucket holding `ms`: the resolution a quantile can be trusted to. */
function resolutionAt(ms: number): number {
  const i = bucketOf(ms);
  return (BOUNDS_MS[i] ?? 10_000) - (i === 0 ? 0 : (BOUNDS_MS[i - 1] as number));
}

void describe('latency histogram', () => {
  void it('puts a latency in the first bucket whose bound is >= it, overflow last', () => {
    assert.equal(bucketOf(0), 0);
    assert.equal(bucketOf(0.5), 0);
    assert.equal(bucketOf(0.51), 1);
    assert.equal(BOUNDS_MS[bucketOf(7)], 8);
    assert.equal(bucketOf(10_000), BOUNDS_MS.length - 1);
    assert.equal(bucketOf(60_000), BUCKETS - 1);
  });

  void it('interpolates quantiles inside the bucket', () => {
    const counts = new Array<number>(BUCKETS).fill(0);
    counts[bucketOf(4)] = 100; // the (3, 4] bucket
    assert.equal(quantile(counts, 0, 100, 0.5), 3.5);
    assert.equal(quantile(counts, 0, 100, 1), 4);
    assert.equal(quantile(counts, 0, 0, 0.5), null);
  });
});

void describe('VersionRecorder', () => {
  void it('gives quantiles of known latencies within bucket resolution', () => {
    const r = new VersionRecorder('v1');
    const t = 1_000_000;
    // 1..1000 ms, evenly: p50 = 500, p90 = 900, p99 = 990.
    for (let ms = 1; ms <= 1000; ms++) r.record(200, ms, t);
    const { latency, requests, responses } = r.snapshot(t).cumulative;
    assert.equal(requests, 1000);
    assert.equal(responses['2xx'], 1000);
    for (const [got, want] of [
      [latency.p50Ms, 500],
      [latency.p90Ms, 900],
      [latency.p99Ms, 990],
    ] as const) {
      assert.ok(got !== null && Math.abs(got - want) <= resolutionAt(want), `got ${got}, want ${want}`);
    }
    assert.equal(latency.meanMs, 500.5);
  });

  void it('counts status classes, upstream errors and the error rate', () => {
    const r = new VersionRecorder('v1');
    const t = 5_000;
    for (const s of [200, 201, 302, 404, 500, 503]) r.record(s, 1, t);
    r.record(UPSTREAM_ERROR, 1, t);
    r.record(CLIENT_GONE, 0, t);
    const c = r.snapshot(t).cumulative;
    assert.equal(c.requests, 8);
    assert.deepEqual(c.responses, { '1xx': 0, '2xx': 2, '3xx': 1, '4xx': 1, '5xx': 2 });
    assert.equal(c.upstreamErrors, 1);
    assert.equal(c.errorRate, 3 / 8);
    assert.equal(
      c.histogram.counts.reduce((a, b) => a + b, 0),
      7,
      'the client that left has no latency',
    );
    assert.equal(new VersionRecorder('v2').snapshot(t).cumulative.errorRate, null);
  });

  void it('reads 10s / 1m / 5m windows from per-second slots', () => {
    const r = new VersionRecorder('v1');
    const start = 1_000_000; // ms, as performance.now()
    // One request per second for 400 seconds, failing during the last 20 seconds.
    for (let s = 0; s < 400; s++) r.record(s >= 380 ? 500 : 200, 2, start + s * 1000);
    const now = start + 399 * 1000;
    const snap = r.snapshot(now);
    assert.equal(snap.cumulative.requests, 400);
    assert.equal(snap.windows['10s'].requests, 10);
    assert.equal(snap.windows['10s'].errorRate, 1);
    assert.equal(snap.windows['1m'].requests, 60);
    assert.equal(snap.windows['1m'].responses['5xx'], 20);
    assert.equal(snap.windows['5m'].requests, 300);
    // Later, with nothing recorded, old slots fall out of the windows.
    const later = r.snapshot(now + 30_000);
    assert.equal(later.windows['10s'].requests, 0);
    assert.equal(later.windows['10s'].errorRate, null);
    assert.equal(later.windows['1m'].requests, 30);
    assert.equal(later.cumulative.requests, 400);
  });

  void it('reuses a ring slot for a new second instead of adding to it', () => {
    const r = new VersionRecorder('v1');
    r.record(200, 1, 1_000);
    r.record(200, 1, 301_000); // same slot index, 300 s later
    assert.equal(r.snapshot(301_000).windows['5m'].requests, 1);
  });

  void it('is idle once nothing was recorded for 5 minutes', () => {
    const r = new VersionRecorder('v1');
    r.record(200, 1, 10_000);
    assert.equal(r.idleAt(10_000), false);
    assert.equal(r.idleAt(10_000 + 299_000), false);
    assert.equal(r.idleAt(10_000 + 301_000), true);
  });

  void it('fills stream buckets only while streaming, with capped raw latencies', () => {
    const r = new VersionRecorder('v1');
    r.record(200, 1, 0);
    assert.equal(r.takeBucket().requests, 0);
    r.streaming = true;
    for (let i = 0; i < BUCKET_LATENCY_CAP + 10; i++) r.record(i % 10 === 0 ? 500 : 200, 3, 0);
    r.record(UPSTREAM_ERROR, 4, 0);
    const b = r.takeBucket();
    assert.equal(b.requests, BUCKET_LATENCY_CAP + 11);
    assert.equal(b.errors, (BUCKET_LATENCY_CAP + 10) / 10 + 1);
    assert.equal(b.upstreamErrors, 1);
    assert.equal(b.latenciesMs.length, BUCKET_LATENCY_CAP);
    assert.equal(r.takeBucket().requests, 0);
  });

  void it('ships only what changed to another process, which then reports the same statistics', () => {
    const worker = new VersionRecorder('v1');
    const primary = new VersionRecorder('v1');
    const t = 50_000;
    for (let i = 0; i < 10; i++) worker.record(i < 8 ? 200 : 502, i + 1, t);
    worker.mirrored = 3;
    primary.mergeDelta(worker.exportDelta(t));
    worker.record(UPSTREAM_ERROR, 5, t + 1_500);
    worker.retriedOnStable = 1;
    const second = worker.exportDelta(t + 1_500);
    assert.equal(second.slots.length, 1, 'only the new second');
    assert.equal(second.mirrored, 0);
    primary.mergeDelta(second);
    primary.record(200, 1, t + 1_500);
    worker.record(200, 1, t + 1_500);
    const now = t + 2_000;
    assert.deepEqual(primary.snapshot(now), worker.snapshot(now));
    assert.equal(worker.exportDelta(now + 1).slots.length, 1);
    assert.equal(worker.exportDelta(now + 2).slots.length, 0, 'nothing new');
  });
});
