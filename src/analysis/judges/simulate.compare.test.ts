// The compare judge's safety figures, simulated (seeded, so reproducible): the false-failure rate of canaries
// identical to their baseline, and the sample size at which a latency regression (p95 +50%) is caught. The
// figures are printed as diagnostics; the assertions are the nominal level and the detection targets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { builtinComparison } from './compare.js';
import { compareTrials, HEALTHY, maxFailuresAt, slower } from './simulate.js';

const RUNS = 1000;

function report(t: TestContext, figures: unknown): void {
  t.diagnostic(JSON.stringify(figures));
}

describe('simulated safety figures: compare judge', () => {
  it('(a) A/A, compare: false failures <= its nominal alpha over a 60 s window', (t) => {
    const compare = builtinComparison();
    const window = { stable: HEALTHY, canary: HEALTHY, canarySamples: 1200, baselineSamples: 1200 };
    const aa = compareTrials(window, compare, RUNS, 1);
    report(t, { aa });
    assert.ok(aa.failureRate <= compare.alpha, `false-failure rate ${aa.failureRate}`);
    // Without tolerance, over a 15 s window: the level is then met with equality (less the tests' discreteness),
    // so the count is checked for consistency with alpha.
    const strict = { ...compare, metrics: compare.metrics.map((m) => ({ ...m, tolerance: 0 })) };
    const short = { ...window, canarySamples: 300, baselineSamples: 300 };
    const aaStrict = compareTrials(short, strict, RUNS, 1);
    report(t, { aaWithoutTolerance: aaStrict });
    const limit = maxFailuresAt(compare.alpha, RUNS);
    assert.ok(aaStrict.failed <= limit, `${aaStrict.failed} false failures, more than ${limit}: above alpha`);
  });

  it('(d) latency p95 +50%, compare: the sample size that detects it', (t) => {
    const compare = builtinComparison();
    const detection = (how: 'scale' | 'tail', n: number): number =>
      compareTrials(
        { stable: HEALTHY, canary: slower(HEALTHY, 1.5, how), canarySamples: n, baselineSamples: n },
        compare,
        200,
        n,
      ).failureRate;
    const scale = Object.fromEntries([50, 75, 100, 150].map((n) => [n, detection('scale', n)]));
    const tail = Object.fromEntries([400, 800].map((n) => [n, detection('tail', n)]));
    report(t, { detectionRateBySamplesPerVersion: { wholeDistributionSlower: scale, tailOnly: tail } });
    assert.ok(scale[150]! >= 0.95, 'a whole-distribution slowdown is caught at 150 samples per version');
    assert.ok(tail[800]! >= 0.9, 'a tail-only slowdown is caught at 800 samples per version');
  });
});
