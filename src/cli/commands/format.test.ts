// Human output of status, history and deploy progress, without colour (NO_COLOR, and stdout is not a terminal).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { GreenlightEvent } from '../../engine/model.js';
import type { AppStatusView, ReleaseSummary } from '../../engine/status.js';
import { humanDuration } from './format.js';
import { formatHistory } from './history.js';
import { progressLines } from './progress.js';
import { formatAppList, formatAppStatus } from './status.js';

const alice = { name: 'alice', role: 'deployer' };

const summary = (over: Partial<ReleaseSummary> = {}): ReleaseSummary => ({
  id: 7,
  version: 'v2',
  fromVersion: 'v1',
  kind: 'deploy',
  phase: 'progressing',
  step: { index: 1, count: 4, name: 'set weight 25%', elapsedMs: 12_000, rollback: false },
  weights: { v1: 75, v2: 25 },
  triggers: { 'error-rate': { breachedSince: null, lastValue: 0.002, lastRequests: 340 } },
  analysis: [
    {
      run: 'background',
      phase: 'running',
      rule: 'measuring',
      metrics: [
        {
          metric: 'builtin/error-rate',
          judge: 'sequential',
          dryRun: false,
          phase: 'running',
          measurements: 3,
          last: 'likelihood ratio 0.5 after 120 canary requests',
        },
      ],
    },
  ],
  outcomeReason: null,
  createdBy: alice,
  reason: 'new checkout',
  createdAt: '2026-01-01T10:00:00.000Z',
  finishedAt: null,
  durationMs: null,
  ...over,
});

const view = (over: Partial<AppStatusView> = {}): AppStatusView => ({
  app: 'shop',
  environment: 'default',
  environments: ['default'],
  specRevision: 3,
  strategy: 'canary',
  live: {
    app: 'shop',
    environment: 'default',
    number: 2,
    version: 'v1',
    releaseId: 6,
    specRevision: 3,
    createdAt: '2026-01-01T09:00:00.000Z',
  },
  release: summary(),
  lastRelease: null,
  lock: null,
  observed: {
    versionSets: [
      { version: 'v1', desired: 2, ready: 2, available: 2, restarts: 0, crashLooping: false },
      { version: 'v2', desired: 1, ready: 0, available: 0, restarts: 3, crashLooping: true },
    ],
    traffic: { verified: 'verified', weights: { v1: 75, v2: 25 } },
  },
  observeError: null,
  ...over,
});

const event = (
  id: number,
  action: string,
  data: Record<string, unknown> = {},
  reason: string | null = null,
): GreenlightEvent => ({
  id,
  at: '2026-01-01T10:00:00.000Z',
  app: 'shop',
  releaseId: 7,
  actor: id === 5 ? alice : { name: 'controller', role: 'system' },
  action,
  reason,
  data,
  prevHash: '',
  hash: '',
});

void describe('CLI output', () => {
  before(() => {
    process.env.NO_COLOR = '1';
  });

  void it('shows the status of one app: live, release step, who and why, triggers, instances', () => {
    const text = formatAppStatus(view());
    const lines = text.split('\n');
    assert.equal(lines[0], 'shop  canary  spec revision 3  live v1 (revision 2)');
    assert.equal(lines[1], 'release 7 v1 -> v2  progressing  step 2/4 set weight 25% (12s)');
    assert.equal(lines[2], '  by alice (deployer): "new checkout"');
    assert.match(text, /trigger error-rate: ok \(last 0\.002, 340 requests\)/);
    assert.match(
      text,
      /analysis background: running\n {4}builtin\/error-rate \[sequential\] running, 3 measurements: likelihood ratio 0\.5 after 120 canary requests/,
    );
    assert.match(text, /traffic v1=75% v2=25% \(verified\)/);
    assert.match(text, /v2\s+1\s+0\s+3 \(crash loop\)/);
  });

  void it('shows the last release when none is in progress, and a line per app in the list', () => {
    const done = summary({
      phase: 'rolledBack',
      outcomeReason: 'trigger:error-rate',
      finishedAt: '2026-01-01T10:03:04.000Z',
      durationMs: 184_000,
    });
    assert.match(
      formatAppStatus(view({ release: null, lastRelease: done })),
      /last release 7 v1 -> v2 rolledBack \(trigger:error-rate\) after 3m04s/,
    );
    const list = formatAppList([view()]).split('\n');
    assert.match(list[0]!, /^APP\s+STRATEGY\s+LIVE\s+RELEASE\s+PHASE\s+STEP\s+TRAFFIC$/);
    assert.match(list[1]!, /^shop\s+canary\s+v1\s+7 v2\s+progressing\s+2\/4 12s\s+v1=75% v2=25%$/);
    assert.match(formatAppList([]), /no apps/);
  });

  void it('shows history: revisions newest first, releases with outcome, duration, who and why', () => {
    const text = formatHistory('shop', {
      revisions: [
        {
          app: 'shop',
          environment: 'default',
          number: 1,
          version: 'v1',
          releaseId: 1,
          specRevision: 1,
          createdAt: '2026-01-01T08:00:00.000Z',
        },
        {
          app: 'shop',
          environment: 'default',
          number: 2,
          version: 'v2',
          releaseId: 2,
          specRevision: 1,
          createdAt: '2026-01-01T09:00:00.000Z',
        },
      ],
      releases: [
        summary({
          id: 3,
          version: 'v3',
          fromVersion: 'v2',
          phase: 'rolledBack',
          outcomeReason: 'trigger:error-rate',
          finishedAt: '2026-01-01T10:01:05.000Z',
          durationMs: 65_000,
        }),
      ],
    });
    const lines = text.split('\n');
    assert.match(lines[2]!, /^2\s+v2\s+2\s+1\s+2026-01-01 09:00:00$/);
    assert.match(
      text,
      /3\s+v2 -> v3\s+deploy\s+rolledBack\s+trigger:error-rate\s+1m05s\s+alice \(deployer\)\s+new checkout/,
    );
  });

  void it('turns release events into progress lines', () => {
    const created = event(1, 'release.created', {
      version: 'v2',
      fromVersion: 'v1',
      strategy: 'canary',
      steps: ['start canary', 'set weight 25%'],
    });
    assert.deepEqual(progressLines(created), [
      'release 7: v1 -> v2, canary, 2 steps',
      'step 1/2 started: start canary',
    ]);
    assert.deepEqual(progressLines(event(2, 'step.completed', { index: 0, name: 'start canary' }), 2), [
      'step 1/2 completed: start canary',
    ]);
    assert.deepEqual(
      progressLines(
        event(3, 'step.started', { index: 1, name: 'set weight 25%', traffic: { v1: 75, v2: 25 } }),
        2,
      ),
      ['step 2/2 started: set weight 25%  traffic v1=75% v2=25%'],
    );
    assert.deepEqual(progressLines(event(4, 'trigger.fired', {}, 'trigger:error-rate')), [
      'trigger fired: trigger:error-rate',
    ]);
    assert.deepEqual(progressLines(event(5, 'release.paused', {}, 'look')), [
      'paused by alice (deployer): look',
    ]);
    assert.deepEqual(progressLines(event(6, 'release.rolledBack', {}, 'trigger:error-rate')), [
      'release 7 rolledBack: trigger:error-rate',
    ]);
    assert.deepEqual(progressLines(event(7, 'lock.renewed')), []);
  });

  void it('writes durations compactly', () => {
    assert.deepEqual([850, 12_000, 184_000, 3_720_000].map(humanDuration), [
      '850ms',
      '12s',
      '3m04s',
      '1h02m',
    ]);
  });
});
