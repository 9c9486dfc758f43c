// greenlight explain: the release id becomes its request, and a fixed API answer prints as the header sentence,
// a metrics table per run and the timeline relative to the release start (without colour), dry runs marked.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { InvalidInputError } from '../../errors.js';
import type { AnalysisExplanation, ExplainedRun } from '../../server/api/analysis-view.js';
import { explainRequest, formatExplanation, headerLine } from './explain.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const at = (ms: number): string => new Date(T0 + ms).toISOString();
const SPRT =
  'SPRT on error odds ratio 3 vs 1: likelihood ratio 120 >= 1/alpha = 100 after 30 canary requests';
const REASON = 'analysis:background/builtin/error-rate';

const background: ExplainedRun = {
  key: 'background',
  templates: ['builtin', 'watch'],
  startedAt: at(2000),
  durationMs: null,
  concludedAt: null,
  canary: 'v2',
  stable: 'v1',
  verdict: { phase: 'failed', rule: `builtin/error-rate: ${SPRT}`, detail: {} },
  decidedBy: 'builtin/error-rate',
  held: false,
  metrics: [
    {
      key: 'builtin/error-rate',
      template: 'builtin',
      name: 'error-rate',
      judge: 'sequential',
      dryRun: false,
      verdict: { phase: 'failed', rule: SPRT, detail: {} },
      measurements: 2,
      recent: [],
    },
    {
      key: 'watch/p99',
      template: 'watch',
      name: 'p99',
      judge: 'threshold',
      dryRun: true,
      verdict: { phase: 'running', rule: 'p99 <= 250: measuring', detail: {} },
      measurements: 1,
      recent: [],
    },
  ],
};

const answer = (over: Partial<AnalysisExplanation> = {}): AnalysisExplanation => ({
  release: {
    id: 12,
    app: 'shop',
    version: 'v2',
    fromVersion: 'v1',
    phase: 'rolledBack',
    outcomeReason: REASON,
    createdAt: at(0),
    finishedAt: at(75_000),
  },
  plannedRuns: ['background'],
  runs: [background],
  timeline: [
    {
      event: 40,
      at: at(2000),
      kind: 'started',
      action: 'analysis.started',
      run: 'background',
      message: 'templates builtin, watch, until its metrics conclude',
    },
    {
      event: 41,
      at: at(6500),
      kind: 'measurement',
      action: 'analysis.measurement',
      run: 'background',
      metric: 'watch/p99',
      phase: 'successful',
      value: 180,
      message: 'p99 180 <= 250',
      dryRun: true,
    },
    {
      event: 42,
      at: at(64_000),
      kind: 'measurement',
      action: 'analysis.measurement',
      run: 'background',
      metric: 'builtin/error-rate',
      phase: 'failed',
      value: 0.41666,
      message: SPRT,
      dryRun: false,
    },
    {
      event: 43,
      at: at(64_000),
      kind: 'verdict',
      action: 'analysis.verdict',
      run: 'background',
      metric: 'builtin/error-rate',
      phase: 'failed',
      message: `builtin/error-rate: ${SPRT}`,
      rule: `builtin/error-rate: ${SPRT}`,
    },
    { event: 44, at: at(65_000), kind: 'release', action: 'release.rollingBack', message: REASON },
  ],
  decision: {
    by: REASON,
    run: 'background',
    metric: 'builtin/error-rate',
    judge: 'sequential',
    rule: SPRT,
  },
  ...over,
});

void describe('greenlight explain', () => {
  before(() => {
    process.env.NO_COLOR = '1';
  });

  void it('asks for the analysis of a release id, and refuses anything else before sending', () => {
    assert.deepEqual(explainRequest('12'), { method: 'get', path: '/v1/releases/12/analysis' });
    for (const bad of ['shop', '0', '-3', '1.5', '', '99999999999999999999']) {
      assert.throws(() => explainRequest(bad), InvalidInputError, bad);
    }
  });

  void it('prints what decided, each run as a table of metrics, and the timeline in order', () => {
    assert.equal(
      formatExplanation(answer()),
      [
        `release 12 of shop (v1 -> v2): rolled back by background/builtin/error-rate (sequential judge): ${SPRT}`,
        '',
        'run background (templates builtin, watch; v2 against v1), started +2.0s: failed, decided by builtin/error-rate',
        'METRIC               JUDGE       VERDICT  MEASUREMENTS  RULE',
        `builtin/error-rate   sequential  failed   2             ${SPRT}`,
        'watch/p99 (dry run)  threshold   running  1             p99 <= 250: measuring',
        '',
        'timeline (time since the release started)',
        'TIME    RUN         METRIC               PHASE                VALUE  MESSAGE',
        '+2.0s   background  -                    started              -      templates builtin, watch, until its metrics conclude',
        '+6.5s   background  watch/p99 (dry run)  successful           180    p99 180 <= 250',
        `+1m04s  background  builtin/error-rate   failed               0.417  ${SPRT}`,
        `+1m04s  background  builtin/error-rate   verdict failed       -      ${SPRT}`,
        '+1m05s  -           -                    release.rollingBack  -      analysis:background/builtin/error-rate',
      ].join('\n'),
    );
  });

  void it('says what holds a paused release, and where the runs stand when nothing decided', () => {
    const paused = answer({
      release: { ...answer().release, phase: 'paused', outcomeReason: null, finishedAt: null },
      decision: {
        by: 'analysis:background/builtin/latency',
        run: 'background',
        metric: 'builtin/latency',
        judge: 'compare',
        rule: 'no window had data',
      },
    });
    assert.equal(
      headerLine(paused),
      'release 12 of shop (v1 -> v2): paused by background/builtin/latency (compare judge): no window had data',
    );
    const promoted = answer({
      release: { ...answer().release, phase: 'promoted', outcomeReason: null },
      runs: [{ ...background, verdict: { phase: 'successful', rule: 'all passed', detail: {} } }],
      decision: { by: null, run: null, metric: null, judge: null, rule: null },
    });
    assert.equal(
      headerLine(promoted),
      'release 12 of shop (v1 -> v2): promoted; analysis: background successful',
    );
    const trigger = answer({
      release: { ...answer().release, outcomeReason: 'trigger:error-rate' },
      decision: {
        by: 'trigger:error-rate',
        run: null,
        metric: null,
        judge: null,
        rule: 'errorRate 0.31 > 0.05 over 120 requests',
      },
    });
    assert.equal(
      headerLine(trigger),
      'release 12 of shop (v1 -> v2): rolled back by rollback trigger error-rate: errorRate 0.31 > 0.05 over 120 requests',
    );
  });

  void it('says plainly when no analysis ran, and why', () => {
    const none = answer({
      release: { ...answer().release, phase: 'promoted', outcomeReason: null },
      plannedRuns: [],
      runs: [],
      timeline: [{ event: 9, at: at(5000), kind: 'release', action: 'release.promoted', message: '' }],
      decision: { by: null, run: null, metric: null, judge: null, rule: null },
    });
    assert.equal(
      formatExplanation(none),
      'release 12 of shop (v1 -> v2): promoted\n' +
        'no analysis ran for release 12: its plan has no analysis run (no analysis in the spec, or builtin analysis off)',
    );
    const early = answer({
      release: { ...answer().release, outcomeReason: 'readiness' },
      runs: [],
      timeline: [],
      decision: { by: 'readiness', run: null, metric: null, judge: null, rule: 'v2 is crash-looping' },
    });
    assert.equal(
      formatExplanation(early).split('\n')[1],
      'no analysis ran for release 12: its plan lists background, but the release rolled back (readiness) before any started',
    );
  });
});
