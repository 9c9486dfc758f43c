// Analysis in the engine, with a fake clock, the in-memory fake target (its statistics stream fed by the test)
// and a real SQLite store: a broken canary is rolled back by the sequential test, a healthy one passes the
// background gate, no data pauses and never promotes, analysis steps judge provider metrics, dry-run metrics
// never act, and a restarted engine continues a run from the store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { testSpec } from '../../test/helpers/spec.js';
import { compileAnalysis } from '../spec/compile-analysis.js';
import type { AnalysisMetricSpec, CanaryStrategy, CompiledSpec } from '../spec/compiled.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { MemoryTarget } from '../targets/memory/memory-target.js';
import { FakeClock } from './clock.js';
import { Engine } from './engine.js';
import type { Actor, Release } from './model.js';
import { Operations } from './operations.js';

const alice: Actor = { name: 'alice', role: 'deployer' };

const canary = (steps: CanaryStrategy['steps']): CanaryStrategy => ({
  kind: 'canary',
  canaryInstances: 1,
  steps,
});

/** The builtin defaults, as an app without an analysis section gets them. */
function withDefaults(strategy: CanaryStrategy): CompiledSpec {
  return testSpec({ strategy, analysis: compileAnalysis(undefined, strategy) });
}

function thresholdMetric(name: string, extra: Partial<AnalysisMetricSpec> = {}): AnalysisMetricSpec {
  return {
    name,
    judge: { kind: 'threshold', min: null, max: 0.05, forMs: 0 },
    source: { provider: 'builtin', kind: 'builtin', config: {}, query: 'errorRate', role: 'canary' },
    intervalMs: 5_000,
    count: 3,
    initialDelayMs: 0,
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    dryRun: false,
    ...extra,
  };
}

describe('engine analysis (fake clock, fake in-memory target, real SQLite store)', () => {
  let dir: string;
  let store: Store;
  let clock: FakeClock;
  let target: MemoryTarget;
  let engine: Engine;
  let ops: Operations;

  async function startEngine(): Promise<void> {
    engine = new Engine({ store, target, clock, holder: 'test', resyncMs: 0 });
    ops = new Operations({ store, engine, target, clock, holder: 'test' });
    await engine.start();
    await engine.idle();
  }

  async function run(ms: number, stepMs = 1000): Promise<void> {
    for (let t = 0; t < ms; t += stepMs) {
      clock.advance(stepMs);
      engine.resync();
      await engine.idle();
    }
  }

  /**
   * Streams `ms` of traffic in 100 ms buckets: per bucket `stable` and `canary` requests with that many
   * errors, latencies of 10..19 ms for both; the engine reconciles every second.
   */
  async function stream(
    ms: number,
    counts: { stable: [number, number]; canary: [number, number] },
  ): Promise<void> {
    const latencies = (n: number) => Array.from({ length: n }, (_, i) => 10 + (i % 10));
    for (let t = 0; t < ms; t += 100) {
      clock.advance(100);
      const end = clock.now();
      target.pushBucket({
        app: 'shop',
        start: end - 100,
        end,
        versions: {
          v1: {
            requests: counts.stable[0],
            errors: counts.stable[1],
            upstreamErrors: 0,
            latenciesMs: latencies(counts.stable[0]),
          },
          v2: {
            requests: counts.canary[0],
            errors: counts.canary[1],
            upstreamErrors: 0,
            latenciesMs: latencies(counts.canary[0]),
          },
        },
      });
      if ((t + 100) % 1000 === 0) engine.resync();
      await engine.idle();
    }
  }

  async function release(id: number): Promise<Release> {
    const r = await store.getRelease(id);
    assert.ok(r);
    return r;
  }

  async function liveOn(version: string, spec: CompiledSpec): Promise<void> {
    await store.putApp(spec, 'yaml', {
      app: spec.name,
      releaseId: null,
      actor: alice,
      action: 'app.applied',
      reason: null,
      data: {},
    });
    const first = await ops.deploy({ app: 'shop', version, actor: alice });
    await run(3000);
    assert.equal((await release(first.id)).phase, 'promoted');
  }

  async function actions(id: number): Promise<string[]> {
    return (await store.listEvents({ releaseId: id })).map((e) => e.action);
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gl-engine-analysis-'));
    clock = new FakeClock();
    store = openSqliteStore(join(dir, 'state.db'), { clock: () => new Date(clock.now()) });
    await store.migrate();
    target = new MemoryTarget(clock, { readyAfterMs: 1000 });
    await startEngine();
  });

  afterEach(async () => {
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builtin defaults: a broken canary is rolled back by the sequential test within a second of traffic', async () => {
    await liveOn('v1', withDefaults(canary([{ setWeight: 20 }, { pause: { durationMs: 60_000 } }])));
    const r = await ops.deploy({ app: 'shop', version: 'v2', actor: alice });
    await run(3000);
    assert.ok(target.streaming('shop'), 'the engine follows the router stream during the canary');
    await stream(1000, { stable: [8, 0], canary: [2, 2] });
    await run(3000);
    const done = await release(r.id);
    assert.equal(done.phase, 'rolledBack');
    assert.equal(done.outcomeReason, 'analysis:background/builtin/error-rate');
    assert.deepEqual(target.traffic('shop').weights, { v1: 100 });
    const events = await store.listEvents({ releaseId: r.id });
    const verdict = events.find((e) => e.action === 'analysis.verdict');
    assert.equal(verdict?.data.phase, 'failed');
    assert.match(
      String(verdict?.data.rule),
      /SPRT on error odds ratio 3 vs 1: likelihood ratio .* >= 1\/alpha = 100/,
    );
    const canaryRequests = verdict?.data.detail as { canaryRequests: number };
    assert.ok(
      canaryRequests.canaryRequests <= 20,
      `decided after ${canaryRequests.canaryRequests} canary requests`,
    );
    const measured = events.filter((e) => e.action === 'analysis.measurement');
    assert.ok(measured.some((e) => e.data.metric === 'builtin/error-rate' && e.data.phase === 'failed'));
    assert.equal(target.streaming('shop'), false, 'the stream is left once the release rolls back');
  });

  it('builtin defaults: a healthy canary passes the gate once the background run has had its time', async () => {
    await liveOn('v1', withDefaults(canary([{ setWeight: 20 }, { pause: { durationMs: 5_000 } }])));
    const r = await ops.deploy({ app: 'shop', version: 'v2', actor: alice });
    await run(2000);
    await stream(20_000, { stable: [8, 0], canary: [2, 0] });
    const waiting = await release(r.id);
    assert.match(waiting.plan[waiting.stepIndex]?.name ?? '', /^analysis gate/);
    assert.equal(waiting.runtime.analysis?.background?.verdict.phase, 'running');
    await stream(15_000, { stable: [8, 0], canary: [2, 0] });
    await run(5000);
    const done = await release(r.id);
    assert.equal(done.phase, 'promoted', done.outcomeReason ?? '');
    const background = done.runtime.analysis?.background;
    assert.equal(background?.verdict.phase, 'successful');
    assert.ok((background?.metrics['builtin/latency']?.measurements ?? 0) >= 2, 'latency was compared');
    assert.ok((await actions(r.id)).includes('analysis.verdict'));
  });

  it('no data is never a pass: the release pauses at the gate, and goes on only when a person resumes', async () => {
    await liveOn('v1', withDefaults(canary([{ setWeight: 20 }])));
    const r = await ops.deploy({ app: 'shop', version: 'v2', actor: alice });
    await run(40_000);
    const held = await release(r.id);
    assert.equal(held.phase, 'paused');
    assert.equal(held.outcomeReason, null);
    assert.equal(held.runtime.analysis?.background?.verdict.phase, 'inconclusive');
    assert.ok((await actions(r.id)).includes('analysis.inconclusive'));
    await run(60_000);
    assert.equal((await release(r.id)).phase, 'paused', 'stays paused');
    await ops.resume('shop', alice, 'checked the dashboards by hand');
    await run(5000);
    assert.equal((await release(r.id)).phase, 'promoted');
  });

  it('onInconclusive rollback: no data rolls back instead of pausing', async () => {
    const strategy = canary([{ setWeight: 20 }]);
    const analysis = { ...compileAnalysis(undefined, strategy), onInconclusive: 'rollback' as const };
    await liveOn('v1', testSpec({ strategy, analysis }));
    const r = await ops.deploy({ app: 'shop', version: 'v2', actor: alice });
    await run(40_000);
    const done = await release(r.id);
    assert.equal(done.phase, 'rolledBack');
    assert.match(done.outcomeReason ?? '', /^analysis:background/);
  });

  it('an analysis step judges a provider metric: rolled back on a breach, passed after its count', async () => {
    const strategy = canary([
      { setWeight: 20 },
      { analysis: { templates: ['errors'], durationMs: null } },
      { setWeight: 50 },
    ]);
    const analysis = {
      ...compileAnalysis({ builtin: false }, strategy),
      templates: { errors: [thresholdMetric('error-rate')] },
    };
    const spec = testSpec({ strategy, analysis });
    await liveOn('v1', spec);
    target.behave('shop', 'v2', { readyAfterMs: 1000, errorRate: 0 });
    const good = await ops.deploy({ app: 'shop', version: 'v2', actor: alice });
    await run(30_000);
    const passed = await release(good.id);
    assert.equal(passed.phase, 'promoted');
    const run2 = passed.runtime.analysis?.['step-2'];
    assert.equal(run2?.verdict.phase, 'successful');
    assert.equal(run2?.metrics['errors/error-rate']?.measurements, 3);

    target.behave('shop', 'v3', { readyAfterMs: 1000, errorRate: 0.3 });
    const bad = await ops.deploy({ app: 'shop', version: 'v3', actor: alice });
    await run(15_000);
    const failed = await release(bad.id);
    assert.equal(failed.phase, 'rolledBack');
    assert.equal(failed.outcomeReason, 'analysis:step-2/errors/error-rate');
    const measurement = (await store.listEvents({ releaseId: bad.id })).find(
      (e) => e.action === 'analysis.measurement',
    );
    assert.equal(measurement?.data.phase, 'failed');
    assert.equal(measurement?.data.value, 0.3);
  });

  it('a dry-run metric is measured and shown but never acts', async () => {
    const strategy = canary([{ setWeight: 20 }, { analysis: { templates: ['watch'], durationMs: null } }]);
    const analysis = {
      ...compileAnalysis({ builtin: false }, strategy),
      templates: { watch: [thresholdMetric('error-rate', { dryRun: true, count: 2 })] },
    };
    await liveOn('v1', testSpec({ strategy, analysis }));
    target.behave('shop', 'v2', { readyAfterMs: 1000, errorRate: 0.5 });
    const r = await ops.deploy({ app: 'shop', version: 'v2', actor: alice });
    await run(30_000);
    const done = await release(r.id);
    assert.equal(done.phase, 'promoted');
    assert.equal(done.runtime.analysis?.['step-2']?.metrics['watch/error-rate']?.verdict.phase, 'failed');
    const measured = (await store.listEvents({ releaseId: r.id })).filter(
      (e) => e.action === 'analysis.measurement',
    );
    assert.equal(measured.length, 1, 'a failed metric measures no more');
    assert.ok(measured.every((e) => e.data.dryRun === true && e.data.phase === 'failed'));
  });

  it('a restarted engine continues a run from the store: its measurements are kept, not started over', async () => {
    const strategy = canary([{ setWeight: 20 }, { analysis: { templates: ['errors'], durationMs: null } }]);
    const analysis = {
      ...compileAnalysis({ builtin: false }, strategy),
      templates: { errors: [thresholdMetric('error-rate', { count: 4 })] },
    };
    await liveOn('v1', testSpec({ strategy, analysis }));
    target.behave('shop', 'v2', { readyAfterMs: 1000, errorRate: 0 });
    const r = await ops.deploy({ app: 'shop', version: 'v2', actor: alice });
    await run(8000);
    const before = (await release(r.id)).runtime.analysis?.['step-2'];
    const measured = before?.metrics['errors/error-rate']?.measurements ?? 0;
    assert.ok(measured >= 1 && measured < 4, `${measured} measurements before the restart`);
    await engine.stop();
    await startEngine();
    await run(30_000);
    const done = await release(r.id);
    assert.equal(done.phase, 'promoted');
    const after = done.runtime.analysis?.['step-2'];
    assert.equal(after?.startedAt, before?.startedAt, 'the same run');
    assert.equal(after?.metrics['errors/error-rate']?.measurements, 4);
  });
});
