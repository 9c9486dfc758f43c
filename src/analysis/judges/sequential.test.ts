// The sequential judge: fails a broken canary within a few buckets, passes a clean one once the evidence says
// it is not worse, ignores incidents shared by both versions, and concludes at the end of its duration
// without ever passing on too little data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatsBucket } from '../../targets/local/types.js';
import {
  observeBucket,
  observeCounts,
  SEQUENTIAL_DEFAULTS,
  sequentialVerdict,
  startSequential,
} from './sequential.js';
import type { SequentialConfig, SequentialState } from './sequential.js';

const config: SequentialConfig = { ...SEQUENTIAL_DEFAULTS, canary: 'v2', stable: 'v1', durationMs: 60_000 };

function bucket(at: number, canary: [number, number], stable: [number, number]): StatsBucket {
  const version = ([requests, errors]: [number, number]) => ({
    requests,
    errors,
    upstreamErrors: 0,
    latenciesMs: [],
  });
  return { app: 'shop', start: at - 100, end: at, versions: { v2: version(canary), v1: version(stable) } };
}

/** Feeds the same bucket shape every 100 ms until the judge decides or `buckets` have been fed. */
function feed(
  c: SequentialConfig,
  canary: [number, number],
  stable: [number, number],
  buckets: number,
): SequentialState {
  let s = startSequential(c, 0);
  for (let i = 1; i <= buckets && !s.decision; i++) s = observeBucket(c, s, bucket(i * 100, canary, stable));
  return s;
}

describe('sequential judge', () => {
  it('fails a canary answering every request with an error within a few buckets', () => {
    const s = feed(config, [2, 2], [18, 0], 100);
    assert.equal(s.decision?.phase, 'failed');
    assert.ok(s.canary.requests <= 10, `${s.canary.requests} canary requests`);
    const v = sequentialVerdict(config, s, s.decision.at);
    assert.equal(v.phase, 'failed');
    assert.match(
      v.rule,
      /^SPRT on error odds ratio 3 vs 1: likelihood ratio .* >= 1\/alpha = 100 after \d+ canary requests/,
    );
  });

  it('passes a canary with no errors while the stable has some, once it has had enough requests', () => {
    const s = feed(config, [2, 0], [18, 1], 1000);
    assert.equal(s.decision?.phase, 'successful');
    assert.ok(s.canary.requests >= config.minCanaryRequests);
    assert.equal(sequentialVerdict(config, s, s.decision.at).phase, 'successful');
  });

  it('does not fail on an incident that raises both versions alike', () => {
    // 20% errors on both, for 30 s: errors split between the versions as their requests are.
    let state = startSequential(config, 0);
    for (let i = 1; i <= 300; i++) {
      const canaryErrors = i % 5 === 0 ? 2 : 0; // 20% of canary requests fail
      state = observeBucket(config, state, bucket(i * 100, [2, canaryErrors], [18, i % 5 === 0 ? 3 : 4]));
    }
    assert.notEqual(state.decision?.phase, 'failed');
  });

  it('needs the practical floor too: a significant but tiny increase does not fail', () => {
    const floor = { ...config, minIncrease: 0.01 };
    // Canary 0.6% against stable 0%: clear evidence (every error on the canary), but below a 1-point floor.
    let s = startSequential(floor, 0);
    for (let i = 1; i <= 500; i++)
      s = observeCounts(
        floor,
        s,
        { canary: { requests: 10, errors: i % 17 === 0 ? 1 : 0 }, stable: { requests: 90, errors: 0 } },
        i * 100,
      );
    assert.ok(s.logLikelihoodRatio >= Math.log(100), 'the evidence is there');
    assert.equal(s.decision, null);
    assert.equal(
      feed(config, [10, 1], [90, 0], 500).decision?.phase,
      'failed',
      'an increase above the floor fails',
    );
  });

  it('pools buckets until both versions have had a request', () => {
    let s = startSequential(config, 0);
    s = observeBucket(config, s, bucket(100, [1, 1], [0, 0]));
    assert.equal(s.strata, 0);
    assert.equal(s.open.canaryErrors, 1);
    s = observeBucket(config, s, bucket(200, [0, 0], [9, 0]));
    assert.equal(s.strata, 1);
    assert.ok(s.logLikelihoodRatio > 0, 'the canary error counts once the stratum closes');
  });

  it('a decision is final: later buckets change nothing', () => {
    const failed = feed(config, [2, 2], [18, 0], 100);
    assert.equal(observeBucket(config, failed, bucket(99_000, [100, 0], [900, 50])), failed);
  });

  it('at the end of its duration: passes on no errors at all, never on too few requests', () => {
    const clean = feed(config, [2, 0], [18, 0], 600);
    assert.equal(clean.decision, null);
    assert.equal(sequentialVerdict(config, clean, 59_999).phase, 'running');
    const end = sequentialVerdict(config, clean, 60_000);
    assert.equal(end.phase, 'successful');
    assert.match(end.rule, /no boundary crossed in 1m; no real evidence of worse/);
    const idle = feed(config, [0, 0], [20, 0], 600);
    assert.equal(sequentialVerdict(config, idle, 60_000).phase, 'inconclusive');
    const forever = { ...config, durationMs: null };
    assert.equal(sequentialVerdict(forever, feed(forever, [2, 0], [18, 0], 600), 1e12).phase, 'running');
  });

  it('at the end of its duration: clear evidence of worse is inconclusive, a slight lean passes', () => {
    const end = (canaryErrors: number, stableErrors: number) => {
      const s = observeCounts(
        config,
        startSequential(config, 0),
        {
          canary: { requests: 150, errors: canaryErrors },
          stable: { requests: 1350, errors: stableErrors },
        },
        60_000,
      );
      assert.equal(s.decision, null);
      return { lr: Math.exp(s.logLikelihoodRatio), phase: sequentialVerdict(config, s, 60_000).phase };
    };
    const leaning = end(3, 2);
    assert.ok(leaning.lr >= 10 && leaning.lr < 100, `likelihood ratio ${leaning.lr}`);
    assert.equal(leaning.phase, 'inconclusive');
    const slight = end(1, 1);
    assert.ok(slight.lr > 1 && slight.lr < 10, `likelihood ratio ${slight.lr}`);
    assert.equal(slight.phase, 'successful');
  });

  it('refuses a config that cannot be tested', () => {
    assert.throws(() => startSequential({ ...config, alpha: 0 }, 0), RangeError);
    assert.throws(() => startSequential({ ...config, oddsRatio: 1 }, 0), RangeError);
    assert.throws(() => startSequential({ ...config, stable: 'v2' }, 0), RangeError);
    const s = startSequential(config, 0);
    assert.throws(
      () =>
        observeCounts(
          config,
          s,
          { canary: { requests: 1, errors: 2 }, stable: { requests: 1, errors: 0 } },
          1,
        ),
      RangeError,
    );
  });
});
