// GET /v1/releases/{id}/analysis, in process against a real SQLite store: a release whose analysis state and
// events are written through the store, a broken canary rolled back by the real engine, a release without
// analysis, a release paused on an inconclusive run, and the refusals (404, 401).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { testSpec } from '../../../test/helpers/spec.js';
import type { AnalysisRunState } from '../../analysis/run/run-state.js';
import type { NewEvent, PlanStep, Release } from '../../engine/model.js';
import { compileAnalysis } from '../../spec/compile-analysis.js';
import type { CanaryStrategy } from '../../spec/compiled.js';
import { ALICE, event, newRelease, sampleSpec } from '../../store/conformance-fixtures.js';
import { explainAnalysis, type AnalysisExplanation } from './analysis-view.js';
import { startApiFixture, type ApiFixture } from './testing.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const at = (ms: number): string => new Date(T0 + ms).toISOString();
const SPRT =
  'SPRT on error odds ratio 3 vs 1: likelihood ratio 120 >= 1/alpha = 100 after 30 canary requests ' +
  '(canary 40.00%, stable 0.00%)';

/** The step of the plan during which the background run measures. */
const canaryStep: PlanStep = {
  name: 'canary 20%',
  sets: [],
  traffic: { weights: { v1: 80, v2: 20 }, stable: 'v1', headerRoutes: [] },
  wait: { kind: 'duration', ms: 60_000 },
  watch: true,
  analysis: [{ key: 'background', templates: ['builtin', 'watch'], durationMs: 300_000 }],
};

const measurement = (metric: string, phase: string, value: number | null, message: string, s: number) => ({
  metric: metric.split('/')[1]!,
  phase: phase as 'successful',
  value,
  message,
  startedAt: at(s * 1000),
  finishedAt: at(s * 1000),
});

/** The background run as the engine leaves it: error-rate failed it, latency still measuring, a dry run. */
const backgroundRun: AnalysisRunState = {
  key: 'background',
  templates: ['builtin', 'watch'],
  startedAt: T0 + 2000,
  durationMs: 300_000,
  canary: 'v2',
  stable: 'v1',
  metrics: {
    'builtin/error-rate': {
      template: 'builtin',
      name: 'error-rate',
      judge: 'sequential',
      dryRun: false,
      verdict: { phase: 'failed', rule: SPRT, detail: { canaryRequests: 30, canaryErrors: 12 } },
      recent: [measurement('builtin/error-rate', 'failed', 0.4, SPRT, 9)],
      measurements: 2,
    },
    'builtin/latency': {
      template: 'builtin',
      name: 'latency',
      judge: 'compare',
      dryRun: false,
      verdict: { phase: 'running', rule: 'measuring', detail: {} },
      recent: [],
      measurements: 0,
    },
    'watch/p99': {
      template: 'watch',
      name: 'p99',
      judge: 'threshold',
      dryRun: true,
      verdict: { phase: 'running', rule: 'p99 <= 250: measuring', detail: {} },
      recent: [measurement('watch/p99', 'successful', 180, 'p99 180 <= 250', 6)],
      measurements: 1,
    },
  },
  verdict: { phase: 'failed', rule: `builtin/error-rate: ${SPRT}`, detail: {} },
  decidedBy: 'builtin/error-rate',
  concludedAt: null,
  held: false,
};

const controller = { name: 'controller', role: 'system' };
const analysisEvent = (
  action: string,
  s: number,
  data: Record<string, unknown>,
  reason: string | null = null,
): NewEvent => ({ app: 'shop', releaseId: null, actor: controller, action, reason, data, at: at(s * 1000) });

const REASON = 'analysis:background/builtin/error-rate';

/** The events of the run above, in the order the engine writes them. */
const runEvents: NewEvent[] = [
  analysisEvent('analysis.started', 2, {
    run: 'background',
    templates: ['builtin', 'watch'],
    durationMs: 300_000,
  }),
  analysisEvent('analysis.measurement', 6, {
    run: 'background',
    dryRun: true,
    ...measurement('watch/p99', 'successful', 180, 'p99 180 <= 250', 6),
    metric: 'watch/p99',
  }),
  analysisEvent('analysis.measurement', 7, {
    run: 'background',
    dryRun: false,
    ...measurement('builtin/error-rate', 'successful', 0.1, 'SPRT ...: likelihood ratio 2.1', 7),
    metric: 'builtin/error-rate',
  }),
  analysisEvent('analysis.measurement', 9, {
    run: 'background',
    dryRun: false,
    ...measurement('builtin/error-rate', 'failed', 0.4, SPRT, 9),
    metric: 'builtin/error-rate',
  }),
  analysisEvent(
    'analysis.verdict',
    9,
    {
      run: 'background',
      phase: 'failed',
      rule: `builtin/error-rate: ${SPRT}`,
      decidedBy: 'builtin/error-rate',
      detail: {},
    },
    REASON,
  ),
  analysisEvent('release.failing', 10, { run: 'background', metric: 'builtin/error-rate' }, REASON),
  analysisEvent('release.rollingBack', 10, { fromStep: 0, steps: ['back'] }, REASON),
  analysisEvent('step.started', 11, { index: 0, name: 'back' }),
  analysisEvent('release.rolledBack', 12, { version: 'v2' }, REASON),
];

void describe('release analysis API', () => {
  let f: ApiFixture;
  beforeEach(async () => {
    f = await startApiFixture();
    await f.store.putApp(sampleSpec('shop'), 'yaml', event('app.applied', { app: 'shop' }));
  });
  afterEach(() => f.close());

  const json = async <T>(response: Response, status: number): Promise<T> => {
    const text = await response.text();
    assert.equal(response.status, status, text);
    return JSON.parse(text) as T;
  };

  /** A release written through the store, ended with these runs and events (the engine does not drive it). */
  async function endedRelease(over: Partial<Release>, events: NewEvent[]): Promise<Release> {
    const created = await f.store.createRelease(
      newRelease('shop', { plan: [canaryStep], createdBy: ALICE }),
      'fixture',
      60_000,
      [analysisEvent('release.created', 0, { version: 'v2' })],
    );
    return f.store.updateRelease({ ...created, ...over }, created.generation, events);
  }

  void it('explains a rolled-back release: runs, metrics, the timeline in order and what decided', async () => {
    const release = await endedRelease(
      {
        phase: 'rolledBack',
        outcomeReason: REASON,
        runtime: { promote: 'none', triggers: {}, checks: [], analysis: { background: backgroundRun } },
      },
      runEvents,
    );
    const x = await json<AnalysisExplanation>(
      await f.call('get', `/v1/releases/${release.id}/analysis`, { token: f.tokens.viewer }),
      200,
    );
    assert.deepEqual(x.release, {
      id: release.id,
      app: 'shop',
      version: 'v2',
      fromVersion: 'v1',
      phase: 'rolledBack',
      outcomeReason: REASON,
      createdAt: release.createdAt,
      finishedAt: release.finishedAt,
    });
    assert.deepEqual(x.plannedRuns, ['background']);
    const [run] = x.runs;
    assert.ok(run);
    assert.equal(x.runs.length, 1);
    assert.deepEqual(
      [run.key, run.startedAt, run.verdict.phase, run.decidedBy],
      ['background', at(2000), 'failed', 'builtin/error-rate'],
    );
    assert.deepEqual(
      run.metrics.map((m) => [m.key, m.judge, m.dryRun, m.verdict.phase, m.measurements]),
      [
        ['builtin/error-rate', 'sequential', false, 'failed', 2],
        ['builtin/latency', 'compare', false, 'running', 0],
        ['watch/p99', 'threshold', true, 'running', 1],
      ],
    );
    assert.deepEqual(
      x.timeline.map((e) => [e.kind, e.action, e.metric ?? null, e.phase ?? null, e.value ?? null]),
      [
        ['started', 'analysis.started', null, null, null],
        ['measurement', 'analysis.measurement', 'watch/p99', 'successful', 180],
        ['measurement', 'analysis.measurement', 'builtin/error-rate', 'successful', 0.1],
        ['measurement', 'analysis.measurement', 'builtin/error-rate', 'failed', 0.4],
        ['verdict', 'analysis.verdict', 'builtin/error-rate', 'failed', null],
        ['release', 'release.failing', null, null, null],
        ['release', 'release.rollingBack', null, null, null],
        ['release', 'release.rolledBack', null, null, null],
      ],
      'analysis events and the release changes they caused, in recorded order (step events left out)',
    );
    assert.deepEqual(
      x.timeline.map((e) => e.dryRun ?? null),
      [null, true, false, false, null, null, null, null],
    );
    assert.equal(x.timeline[0]?.message, 'templates builtin, watch, for 5m');
    assert.equal(x.timeline[3]?.at, at(9000));
    assert.equal(x.timeline[4]?.rule, `builtin/error-rate: ${SPRT}`);
    assert.equal(x.timeline[6]?.message, REASON);
    assert.deepEqual(x.decision, {
      by: REASON,
      run: 'background',
      metric: 'builtin/error-rate',
      judge: 'sequential',
      rule: SPRT,
    });
  });

  void it('explains a release the real engine rolled back on the sequential test', async () => {
    const strategy: CanaryStrategy = {
      kind: 'canary',
      canaryInstances: 1,
      steps: [{ setWeight: 20 }, { pause: { durationMs: 60_000 } }],
    };
    const spec = testSpec({ strategy, analysis: compileAnalysis(undefined, strategy) });
    await f.store.putApp(spec, 'yaml', event('app.applied', { app: 'shop' }));
    const step = async (ms: number): Promise<void> => {
      for (let t = 0; t < ms; t += 100) {
        f.clock.advance(100);
        f.engine.resync();
        await f.engine.idle();
      }
    };
    const first = await f.ctx.ops.deploy({ app: 'shop', version: 'v1', actor: ALICE });
    await step(3000);
    assert.equal((await f.store.getRelease(first.id))?.phase, 'promoted');
    const second = await f.ctx.ops.deploy({ app: 'shop', version: 'v2', actor: ALICE });
    await step(3000);
    const latencies = (n: number) => Array.from({ length: n }, (_, i) => 10 + i);
    for (let t = 0; t < 1000; t += 100) {
      f.clock.advance(100);
      const end = f.clock.now();
      f.target.pushBucket({
        app: 'shop',
        start: end - 100,
        end,
        versions: {
          v1: { requests: 8, errors: 0, upstreamErrors: 0, latenciesMs: latencies(8) },
          v2: { requests: 2, errors: 2, upstreamErrors: 0, latenciesMs: latencies(2) },
        },
      });
      f.engine.resync();
      await f.engine.idle();
    }
    await step(3000);

    const x = await json<AnalysisExplanation>(await f.call('get', `/v1/releases/${second.id}/analysis`), 200);
    assert.equal(x.release.phase, 'rolledBack');
    assert.deepEqual(
      [x.decision.by, x.decision.run, x.decision.metric, x.decision.judge],
      ['analysis:background/builtin/error-rate', 'background', 'builtin/error-rate', 'sequential'],
    );
    assert.match(x.decision.rule ?? '', /^SPRT on error odds ratio 3 vs 1: likelihood ratio .* >= 1\/alpha/);
    assert.equal(x.runs[0]?.key, 'background');
    assert.ok(x.runs[0]?.metrics.some((m) => m.key === 'builtin/error-rate' && m.verdict.phase === 'failed'));
    const kinds = x.timeline.map((e) => e.kind);
    assert.equal(kinds[0], 'started');
    assert.ok(kinds.indexOf('verdict') > kinds.indexOf('measurement'), 'measured before the verdict');
    assert.deepEqual(
      x.timeline.filter((e) => e.kind === 'release').map((e) => e.action),
      ['release.failing', 'release.rollingBack', 'release.rolledBack'],
    );
    assert.deepEqual(
      x.timeline.map((e) => e.event),
      [...x.timeline.map((e) => e.event)].sort((a, b) => a - b),
    );
  });

  void it('answers a release without analysis with empty runs and the reason in plain data', async () => {
    const release = await endedRelease({ phase: 'promoted', plan: [{ ...canaryStep, analysis: [] }] }, [
      analysisEvent('release.promoted', 5, { version: 'v2' }),
    ]);
    const x = await json<AnalysisExplanation>(
      await f.call('get', `/v1/releases/${release.id}/analysis`),
      200,
    );
    assert.deepEqual(x.plannedRuns, []);
    assert.deepEqual(x.runs, []);
    assert.deepEqual(
      x.timeline.map((e) => [e.kind, e.action]),
      [['release', 'release.promoted']],
    );
    assert.deepEqual(x.decision, { by: null, run: null, metric: null, judge: null, rule: null });
  });

  void it('names the run a paused release is held on, and the rule of a trigger that rolled one back', () => {
    const base = {
      ...newRelease('shop', { plan: [canaryStep] }),
      id: 9,
      createdAt: at(0),
      updatedAt: at(0),
      finishedAt: null,
      generation: 3,
    };
    const inconclusive = {
      ...backgroundRun,
      verdict: { phase: 'inconclusive' as const, rule: 'builtin/latency: no data', detail: {} },
      decidedBy: 'builtin/latency',
      held: true,
      metrics: {
        ...backgroundRun.metrics,
        'builtin/latency': {
          ...backgroundRun.metrics['builtin/latency']!,
          verdict: { phase: 'inconclusive' as const, rule: 'no data', detail: {} },
        },
      },
    };
    const paused: Release = {
      ...base,
      phase: 'paused',
      runtime: { ...base.runtime, analysis: { background: inconclusive } },
    };
    assert.deepEqual(explainAnalysis(paused, []).decision, {
      by: 'analysis:background/builtin/latency',
      run: 'background',
      metric: 'builtin/latency',
      judge: 'compare',
      rule: 'no data',
    });
    const fired = {
      ...runEvents[0]!,
      id: 4,
      at: at(3000),
      releaseId: 9,
      action: 'trigger.fired',
      reason: 'trigger:error-rate',
      data: { name: 'error-rate', metric: 'errorRate', value: 0.31, max: 0.05, requests: 120 },
      prevHash: '',
      hash: '',
    };
    const x = explainAnalysis({ ...base, phase: 'rolledBack', outcomeReason: 'trigger:error-rate' }, [fired]);
    assert.equal(x.decision.rule, 'errorRate 0.31 > 0.05 over 120 requests');
    assert.deepEqual(
      x.timeline.map((e) => [e.kind, e.message]),
      [['release', 'errorRate 0.31 > 0.05 over 120 requests']],
    );
  });

  void it('answers 404 for an unknown release and 401 without a token', async () => {
    const missing = await json<{ code: string }>(await f.call('get', '/v1/releases/999/analysis'), 404);
    assert.equal(missing.code, 'GL1002');
    assert.equal((await f.call('get', '/v1/releases/abc/analysis')).status, 404);
    const anonymous = await json<{ code: string }>(
      await f.call('get', '/v1/releases/1/analysis', { token: null }),
      401,
    );
    assert.equal(anonymous.code, 'GL1004');
    assert.equal((await f.call('get', '/v1/releases/1/analysis', { token: 'glt_nope' })).status, 401);
  });
});
