// The sequential judge's safety figures, simulated (seeded, so reproducible): the false-failure rate of canaries
// identical to stable, and how soon broken or subtly worse canaries are caught (issue 4's traffic: 200 rps, 10%). The figures are printed as diagnostics;
// the assertions are the guarantees (false failures <= alpha) and the targets of issue 4.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { SEQUENTIAL_DEFAULTS } from './sequential.js';
import { BENCH_TRAFFIC, HEALTHY, maxFailuresAt, sequentialTrials } from './simulate.js';

const sequential = { ...SEQUENTIAL_DEFAULTS, canary: 'canary', stable: 'stable', durationMs: 60_000 };
const RUNS = 1000;

function report(t: TestContext, figures: unknown): void {
  t.diagnostic(JSON.stringify(figures));
}

describe('simulated safety figures: sequential judge', () => {
  it('(a) A/A, sequential: false failures <= alpha, also through an incident shared by both versions', (t) => {
    const aa = sequentialTrials(BENCH_TRAFFIC, sequential, RUNS, 1);
    report(t, { aa });
    assert.ok(aa.failureRate <= sequential.alpha, `false-failure rate ${aa.failureRate}`);
    assert.ok(aa.successful >= 0.9 * RUNS, 'most identical canaries pass within the minute');
    // The bare test (no early pass, no practical floor) through 10 s of 5% errors on both versions.
    const incident = {
      ...BENCH_TRAFFIC,
      durationMs: 20_000,
      incident: { fromMs: 5000, toMs: 15_000, errorRate: 0.05 },
    };
    const bare = { ...sequential, durationMs: 20_000, beta: 1e-12, minIncrease: 0 };
    const shared = sequentialTrials(incident, bare, RUNS, 1);
    report(t, { sharedIncident: shared });
    const limit = maxFailuresAt(sequential.alpha, RUNS);
    assert.ok(
      shared.failed <= limit,
      `${shared.failed} false failures, more than ${limit}: the rate exceeds alpha`,
    );
  });

  it('(b) broken canary (100% errors, 20 canary rps): fails within a handful of requests', (t) => {
    const broken = sequentialTrials(
      { ...BENCH_TRAFFIC, canary: { ...HEALTHY, errorRate: 1 } },
      sequential,
      RUNS,
      1,
    );
    report(t, { broken: broken.toFail });
    assert.equal(broken.failed, RUNS);
    assert.ok(broken.toFail.canaryRequests !== null && broken.toFail.canaryRequests <= 10);
    assert.ok(broken.toFail.p90CanaryRequests !== null && broken.toFail.p90CanaryRequests <= 20);
  });

  it('(c) subtle regression (0.5% -> 3% errors): detected in seconds, not minutes', (t) => {
    const subtle = sequentialTrials(
      { ...BENCH_TRAFFIC, canary: { ...HEALTHY, errorRate: 0.03 } },
      sequential,
      RUNS,
      1,
    );
    report(t, { subtle });
    assert.ok(subtle.failed >= 0.97 * RUNS, `detected in ${subtle.failed} of ${RUNS} runs`);
    assert.ok(subtle.toFail.canaryRequests !== null && subtle.toFail.canaryRequests <= 300);
    assert.ok(subtle.toFail.seconds !== null && subtle.toFail.seconds <= 15);
  });
});
