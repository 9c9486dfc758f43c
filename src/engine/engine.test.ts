// The engine with a fake clock, the in-memory fake target and a real SQLite store: releases run to promotion,
// triggers and deadlines roll back, operations act, and a restarted engine resumes from the store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { testSpec } from '../../test/helpers/spec.js';
import type { CompiledSpec } from '../spec/compiled.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { MemoryTarget } from '../targets/memory/memory-target.js';
import { FakeClock } from './clock.js';
import { Engine } from './engine.js';
import type { Actor, Release } from './model.js';
import { Operations } from './operations.js';

const alice: Actor = { name: 'alice', role: 'deployer' };

describe('engine (fake clock, fake in-memory target, real SQLite store)', () => {
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

  /** Moves the clock in small steps, reconciling every release at each. */
  async function run(ms: number, stepMs = 1000): Promise<void> {
    for (let t = 0; t < ms; t += stepMs) {
      clock.advance(stepMs);
      engine.resync();
      await engine.idle();
    }
  }

  async function release(id: number): Promise<Release> {
    const r = await store.getRelease(id);
    assert.ok(r);
    return r;
  }

  async function apply(spec: CompiledSpec): Promise<void> {
    await store.putApp(spec, 'yaml', {
      app: spec.name,
      releaseId: null,
      actor: alice,
      action: 'app.applied',
      reason: null,
      data: {},
    });
  }

  async function liveOn(version: string, spec = testSpec()): Promise<void> {
    await apply(spec);
    const first = await ops.deploy({ app: 'shop', version, actor: alice });
    await run(3000);
    assert.equal((await release(first.id)).phase, 'promoted');
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gl-engine-'));
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

  it('takes a canary through its steps to promotion, waiting for a manual promote', async () => {
    await liveOn('v1');
    const r = await ops.deploy({ app: 'shop', version: 'v2', actor: alice, reason: 'new checkout' });
    await run(5000);
    assert.deepEqual(target.traffic('shop').weights, { v1: 75, v2: 25 });
    await run(30_000);
    const paused = await release(r.id);
    assert.equal(paused.plan[paused.stepIndex]?.name, 'pause until promoted');
    await run(60_000);
    assert.equal((await release(r.id)).stepIndex, paused.stepIndex, 'waits for promotion however long');
    await ops.promote('shop', alice, false);
    await run(10_000);
    const done = await release(r.id);
    assert.equal(done.phase, 'promoted');
    assert.deepEqual(target.traffic('shop').weights, { v2: 100 });
    assert.deepEqual(
      (await target.observe('shop')).versionSets.map((s) => s.version),
      ['v2'],
    );
    assert.equal((await store.currentRevision('shop', 'default'))?.version, 'v2');
    assert.equal(await store.getLock('shop', 'default'), undefined, 'the lock is free');
    assert.equal((await store.verifyChain()).ok, true);
  });

  it('rolls back when a trigger fires, naming it, and returns all traffic to stable', async () => {
    await liveOn(
      'v1',
      testSpec({
        rollbackTriggers: [
          { name: 'error-rate', metric: 'errorRate', max: 0.05, forMs: 2000, minRequests: 20 },
        ],
      }),
    );
    target.behave('shop', 'v2', { readyAfterMs: 1000, errorRate: 0.3 });
    const r = await ops.deploy({ app: 'shop', version: 'v2', actor: alice });
    await run(10_000);
    const done = await release(r.id);
    assert.equal(done.phase, 'rolledBack');
    assert.equal(done.outcomeReason, 'trigger:error-rate');
    assert.deepEqual(target.traffic('shop').weights, { v1: 100 });
    const events = await store.listEvents({ releaseId: r.id });
    const fired = events.find((e) => e.action === 'trigger.fired');
    assert.ok(fired);
    assert.equal(fired.data.value, 0.3);
  });

  it('does not fire a trigger on too few requests: no data is not a failure, nor a pass', async () => {
    await liveOn(
      'v1',
      testSpec({
        rollbackTriggers: [
          { name: 'error-rate', metric: 'errorRate', max: 0.05, forMs: 0, minRequests: 500 },
        ],
      }),
    );
    target.behave('shop', 'v2', { readyAfterMs: 0, errorRate: 0.5, requests: 100 });
    const r = await ops.deploy({ app: 'shop', version: 'v2', actor: alice });
    await run(5000);
    const now = await release(r.id);
    assert.equal(now.phase, 'progressing');
    assert.equal(now.runtime.triggers['error-rate']?.lastValue, null);
  });

  it('rolls back on the progress deadline when the new version never becomes ready', async () => {
    await liveOn('v1');
    target.behave('shop', 'v2', { neverReady: true });
    const r = await ops.deploy({ app: 'shop', version: 'v2', actor: alice });
    await run(119_000, 5000);
    assert.equal((await release(r.id)).phase, 'progressing');
    await run(10_000, 5000);
    const done = await release(r.id);
    assert.equal(done.phase, 'rolledBack');
    assert.equal(done.outcomeReason, 'progressDeadline');
    assert.deepEqual(
      (await target.observe('shop')).versionSets.map((s) => s.version),
      ['v1'],
    );
  });

  it('rolls back at once when the new version crash-loops', async () => {
    await liveOn('v1');
    target.behave('shop', 'v2', { crashLoop: true });
    const r = await ops.deploy({ app: 'shop', version: 'v2', actor: alice });
    await run(2000);
    assert.equal((await release(r.id)).outcomeReason, 'readiness');
  });

  it('aborts on request, recording who and why', async () => {
    await liveOn('v1');
    const r = await ops.deploy({ app: 'shop', version: 'v2', actor: alice });
    await run(5000);
    await ops.abort('shop', { name: 'bob', role: 'deployer' }, 'dashboards look wrong');
    await run(3000);
    const done = await release(r.id);
    assert.equal(done.phase, 'aborted');
    assert.deepEqual(target.traffic('shop').weights, { v1: 100 });
    const aborting = (await store.listEvents({ releaseId: r.id })).find(
      (e) => e.action === 'release.aborting',
    );
    assert.equal(aborting?.actor.name, 'bob');
    assert.equal(aborting?.reason, 'dashboards look wrong');
  });

  it('pauses the clock of a timed pause and continues it on resume', async () => {
    await liveOn('v1');
    const r = await ops.deploy({ app: 'shop', version: 'v2', actor: alice });
    await run(5000);
    await run(10_000);
    await ops.pause('shop', alice, 'lunch');
    await run(60_000);
    const paused = await release(r.id);
    assert.equal(paused.phase, 'paused');
    assert.equal(paused.plan[paused.stepIndex]?.name, 'pause 30s');
    await ops.resume('shop', alice, null);
    await run(15_000);
    assert.equal(
      (await release(r.id)).plan[(await release(r.id)).stepIndex]?.name,
      'pause 30s',
      'about 10 s left',
    );
    await run(10_000);
    assert.equal((await release(r.id)).plan[(await release(r.id)).stepIndex]?.name, 'pause until promoted');
  });

  it('refuses a second release of the same app while one is in progress', async () => {
    await liveOn('v1');
    await ops.deploy({ app: 'shop', version: 'v2', actor: alice });
    await assert.rejects(ops.deploy({ app: 'shop', version: 'v3', actor: alice }), /in progress|release/);
  });

  it('promote --full jumps to the promotion sequence', async () => {
    await liveOn('v1');
    const r = await ops.deploy({ app: 'shop', version: 'v2', actor: alice });
    await run(3000);
    await ops.promote('shop', alice, true);
    await run(5000);
    assert.equal((await release(r.id)).phase, 'promoted');
  });

  it('resumes a release after a restart of the engine, continuing its timer from the store', async () => {
    await liveOn('v1');
    const r = await ops.deploy({ app: 'shop', version: 'v2', actor: alice });
    await run(15_000);
    await engine.stop();
    clock.advance(20_000);
    await startEngine();
    await run(1000);
    const resumed = await release(r.id);
    assert.equal(
      resumed.plan[resumed.stepIndex]?.name,
      'pause until promoted',
      'the 30 s pause ended while it was down',
    );
  });

  it('blue-green: a failing pre-promotion check rolls back before users see the new version', async () => {
    const spec = testSpec({
      strategy: {
        kind: 'blueGreen',
        prePromotionChecks: [
          { name: 'smoke', path: '/health', method: 'GET', expectStatus: 200, timeoutMs: 1000, retries: 0 },
        ],
        autoPromote: true,
        postPromotionWatchMs: 10_000,
        scaleDownDelayMs: 20_000,
        prePromotionAnalysis: null,
        postPromotionAnalysis: null,
      },
    });
    await liveOn('v1', spec);
    target.behave('shop', 'v2', { readyAfterMs: 1000, previewStatus: 500 });
    const r = await ops.deploy({ app: 'shop', version: 'v2', actor: alice });
    await run(5000);
    const done = await release(r.id);
    assert.equal(done.phase, 'rolledBack');
    assert.equal(done.outcomeReason, 'check:smoke');
    assert.ok(!target.calls.some((c) => c.includes('"v2":100')), 'v2 never had traffic');
  });

  it('rolls back to a chosen revision as a new release', async () => {
    await liveOn('v1');
    const r2 = await ops.deploy({ app: 'shop', version: 'v2', actor: alice });
    await run(5000);
    await ops.promote('shop', alice, true);
    await run(5000);
    assert.equal((await release(r2.id)).phase, 'promoted');
    const back = await ops.rollback('shop', alice, 'v2 breaks invoices', 1);
    assert.equal(back.kind, 'rollback');
    await run(5000);
    assert.equal((await release(back.id)).phase, 'promoted');
    assert.equal((await store.currentRevision('shop', 'default'))?.version, 'v1');
    assert.equal((await store.listRevisions('shop', 'default')).length, 3);
  });
});
