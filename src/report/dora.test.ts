// The deployment report on synthetic releases: which releases count, every DORA and runbook figure, and null
// (shown as "no data") wherever a figure has nothing to be computed from.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Release, ReleasePhase } from '../engine/model.js';
import { newRelease } from '../store/conformance-fixtures.js';
import { computeReport, percentile, type ReportInput } from './dora.js';
import { formatReport, span } from './format.js';

const NOW = Date.UTC(2026, 1, 1, 12, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const PERIOD = 30 * DAY;

let nextId = 1;

interface Spec extends Partial<Release> {
  /** Created this long before NOW. */
  ago: number;
  /** Finished this long after it was created (final phases only; default 5 minutes). */
  took?: number;
}

/** A release created `ago` before NOW; finished `took` later when its phase is final. */
function rel({ ago, took = 5 * MIN, ...over }: Spec): Release {
  const phase: ReleasePhase = over.phase ?? 'promoted';
  const created = NOW - ago;
  const final = ['promoted', 'rolledBack', 'aborted', 'failed'].includes(phase);
  return {
    ...newRelease(over.app ?? 'shop'),
    id: nextId++,
    createdAt: new Date(created).toISOString(),
    updatedAt: new Date(created).toISOString(),
    finishedAt: final ? new Date(created + took).toISOString() : null,
    generation: 1,
    ...over,
    phase,
  };
}

/** A release stopped at a gate step (the first step of its plan): it changed nothing. */
const atGate = (): Pick<Release, 'plan' | 'stepIndex'> => {
  const gate = newRelease('shop').plan[0]!;
  return { plan: [{ ...gate, gate: true }], stepIndex: 0 };
};

const report = (releases: Release[], over: Partial<ReportInput> = {}) =>
  computeReport({ releases, now: NOW, sinceMs: PERIOD, ...over });

void describe('deployment report', () => {
  void it('has null (no data) for every ratio and percentile when nothing was deployed', () => {
    const r = report([rel({ ago: 40 * DAY }), rel({ ago: HOUR, phase: 'progressing' })]);
    assert.equal(r.releases, 1);
    assert.equal(r.deployments, 0);
    assert.deepEqual(r.dora.deploymentFrequency, { promoted: 0, perDay: 0 });
    assert.deepEqual(r.dora.leadTime, { medianMs: null, p90Ms: null, count: 0, withoutCommitTime: 0 });
    assert.deepEqual(r.dora.changeFailureRate, {
      rate: null,
      failed: 0,
      deployments: 0,
      rolledBack: 0,
      undone: 0,
    });
    assert.deepEqual(r.dora.recoveryTime, { medianMs: null, p90Ms: null, count: 0, unrecovered: 0 });
    assert.deepEqual(r.runbook.successRate, { rate: null, promoted: 0, deployments: 0 });
    assert.deepEqual(r.runbook.durationMs, { p50: null, p90: null, p99: null, count: 0 });
    assert.deepEqual(r.runbook.rollbacks, { total: 0, automatic: 0, manual: 0, other: 0, perWeek: 0 });
    assert.equal(r.runbook.emergencies, 0);
    assert.equal(r.runbook.byOutcome.progressing, 1);
    assert.deepEqual(r.failedChanges, []);
    const text = formatReport(r);
    for (const figure of [
      'lead time for changes',
      'change failure rate',
      'success rate',
      'deployment duration',
    ])
      assert.match(text, new RegExp(`${figure}\\s+no data`));
    assert.match(text, /2026-01-02 12:00 UTC → 2026-02-01 12:00 UTC \(30 days\), all environments, all apps/);
  });

  void it('counts only releases created in the period that match the environment and app', () => {
    const releases = [
      rel({ ago: 31 * DAY }), // before the period
      rel({ ago: -HOUR }), // after now
      rel({ ago: DAY, environment: 'staging' }),
      rel({ ago: DAY, app: 'cart' }),
      rel({ ago: DAY, kind: 'rollback' }), // not a deployment
      rel({ ago: DAY, phase: 'paused' }), // not finished
      rel({ ago: 2 * DAY }),
      rel({ ago: PERIOD }), // at the very start: inside
    ];
    const r = report(releases, { environment: 'production', app: 'shop' });
    assert.deepEqual(r.filters, { environment: 'production', app: 'shop' });
    assert.equal(r.releases, 4);
    assert.equal(r.deployments, 2);
    assert.equal(r.dora.deploymentFrequency.promoted, 2);
    assert.equal(report(releases).deployments, 4);
    assert.equal(report(releases, { environment: 'staging' }).deployments, 1);
    assert.match(formatReport(r), /environment production, app shop/);
  });

  void it('deployment frequency: promoted deployments per day of the period', () => {
    const releases = [
      rel({ ago: DAY }),
      rel({ ago: 2 * DAY }),
      rel({ ago: 3 * DAY }),
      rel({ ago: 4 * DAY, phase: 'rolledBack', outcomeReason: 'trigger:error-rate' }),
    ];
    assert.deepEqual(report(releases).dora.deploymentFrequency, { promoted: 3, perDay: 0.1 });
    assert.deepEqual(report(releases, { sinceMs: 2.5 * DAY }).dora.deploymentFrequency, {
      promoted: 2,
      perDay: 0.8,
    });
  });

  void it('lead time: finishedAt − commit time of promoted deployments that have one', () => {
    const commitBefore = (lead: number, ago: number): Spec => {
      const finished = NOW - ago + 5 * MIN;
      return { ago, meta: { commitTime: new Date(finished - lead).toISOString() } };
    };
    const releases = [
      rel(commitBefore(HOUR, DAY)),
      rel(commitBefore(2 * HOUR, 2 * DAY)),
      rel(commitBefore(3 * HOUR, 3 * DAY)),
      rel(commitBefore(10 * HOUR, 4 * DAY)),
      rel({ ago: 5 * DAY }), // no commit time
      rel({ ago: 6 * DAY, meta: { commitTime: null } }),
      rel({ ...commitBefore(HOUR, 7 * DAY), phase: 'rolledBack' }), // not promoted
    ];
    assert.deepEqual(report(releases).dora.leadTime, {
      medianMs: 2 * HOUR,
      p90Ms: 10 * HOUR,
      count: 4,
      withoutCommitTime: 2,
    });
  });

  void it('change failure rate: rolled back, aborted or failed after changing things; gates do not count', () => {
    const releases = [
      rel({ ago: 10 * DAY }),
      rel({ ago: 9 * DAY, phase: 'rolledBack', outcomeReason: 'trigger:error-rate', took: 4 * MIN }),
      rel({ ago: 8 * DAY, phase: 'aborted', outcomeReason: 'abort', took: 2 * MIN }),
      rel({ ago: 7 * DAY, phase: 'failed', outcomeReason: 'check:ci', ...atGate() }),
      rel({ ago: 6 * DAY, phase: 'failed', outcomeReason: 'preDeploy:backup', ...atGate() }),
      rel({ ago: 5 * DAY, phase: 'aborted', outcomeReason: 'abort', ...atGate() }),
      rel({ ago: 4 * DAY, phase: 'failed', outcomeReason: 'progressDeadline', took: 10 * MIN }),
      rel({ ago: 3 * DAY, phase: 'rolledBack', outcomeReason: 'check:smoke', took: 6 * MIN }),
      rel({ ago: 2 * DAY, phase: 'failed', outcomeReason: 'agent unreachable', took: 8 * MIN }),
    ];
    const r = report(releases);
    assert.deepEqual(r.dora.changeFailureRate, {
      rate: 5 / 9,
      failed: 5,
      deployments: 9,
      rolledBack: 5,
      undone: 0,
    });
    // Recovery of a release that rolled back by itself: from its start until it ended (old version back).
    assert.deepEqual(
      r.failedChanges.map((f) => [f.how, f.recoveryMs]),
      [
        ['self', 4 * MIN],
        ['self', 2 * MIN],
        ['self', 10 * MIN],
        ['self', 6 * MIN],
        ['self', 8 * MIN],
      ],
    );
    assert.deepEqual(r.dora.recoveryTime, { medianMs: 6 * MIN, p90Ms: 10 * MIN, count: 5, unrecovered: 0 });
    assert.deepEqual(r.runbook.rollbacks, {
      total: 5,
      automatic: 3,
      manual: 1,
      other: 1,
      perWeek: 5 / (30 / 7),
    });
    assert.match(
      formatReport(r),
      /change failure rate\s+55\.6%\s+5 of 9 deployments: 5 rolled back, 0 undone/,
    );
  });

  void it('change failure rate: a promoted deployment undone by a rollback or emergency release', () => {
    const at = (h: number): number => 20 * DAY - h * HOUR;
    const undoneByRollback = rel({ ago: at(0) });
    const rollback = rel({ ago: at(1), kind: 'rollback', took: 10 * MIN });
    const keptByNext = rel({ ago: at(2) });
    const undoneAfterNext = rel({ ago: at(3) });
    const otherEnv = rel({ ago: at(4), environment: 'staging', kind: 'rollback' });
    const rollback2 = rel({ ago: at(5), kind: 'rollback', took: 30 * MIN });
    const undoneByHotfix = rel({ ago: at(6) });
    const failedHotfix = rel({
      ago: at(7),
      meta: { emergency: { justification: 'fire' } },
      phase: 'rolledBack',
    });
    const hotfix = rel({ ago: at(8), meta: { emergency: { justification: 'fire' } }, took: 20 * MIN });
    const normal = rel({ ago: at(9) });
    const notYetRecovered = rel({ ago: at(10) });
    const pendingRollback = rel({ ago: at(11), kind: 'rollback', phase: 'rollingBack' });
    const r = report([
      undoneByRollback,
      rollback,
      keptByNext,
      undoneAfterNext,
      otherEnv,
      rollback2,
      undoneByHotfix,
      failedHotfix,
      hotfix,
      normal,
      notYetRecovered,
      pendingRollback,
    ]);
    const finished = (x: Release): number => Date.parse(x.finishedAt!);
    assert.deepEqual(
      r.failedChanges
        .filter((f) => f.how === 'undone')
        .map((f) => [f.releaseId, f.undoneBy, f.recoveredBy, f.recoveryMs]),
      [
        [undoneByRollback.id, rollback.id, rollback.id, finished(rollback) - finished(undoneByRollback)],
        [undoneAfterNext.id, rollback2.id, rollback2.id, finished(rollback2) - finished(undoneAfterNext)],
        [undoneByHotfix.id, failedHotfix.id, hotfix.id, finished(hotfix) - finished(undoneByHotfix)],
        [notYetRecovered.id, pendingRollback.id, null, null],
      ],
    );
    // Counted: 8 deployments (the emergency ones included); failed: 4 undone + the failed hotfix.
    assert.deepEqual(r.dora.changeFailureRate, {
      rate: 5 / 8,
      failed: 5,
      deployments: 8,
      rolledBack: 1,
      undone: 4,
    });
    assert.equal(r.dora.recoveryTime.count, 4);
    assert.equal(r.dora.recoveryTime.unrecovered, 1);
    assert.equal(r.runbook.emergencies, 2);
    // The four rollback releases (staging's too: no filter) are manual rollbacks; the failed hotfix, which
    // ended without a reason, is another.
    assert.deepEqual(
      { manual: r.runbook.rollbacks.manual, other: r.runbook.rollbacks.other },
      { manual: 4, other: 1 },
    );
    assert.match(formatReport(r), new RegExp(`${notYetRecovered.id}\\s+shop/production\\s+v2\\s+undone by`));
  });

  void it('runbook: success rate, duration percentiles, rollbacks per week, releases by outcome', () => {
    const releases: Release[] = [];
    for (let i = 1; i <= 100; i++) releases.push(rel({ ago: i * HOUR, took: i * MIN }));
    releases.push(rel({ ago: 200 * HOUR, took: 0, phase: 'failed', outcomeReason: 'check:ci', ...atGate() }));
    releases.push(rel({ ago: 201 * HOUR, took: 0, phase: 'aborted', outcomeReason: 'abort' }));
    releases.push(rel({ ago: 202 * HOUR, phase: 'progressing' }));
    const r = report(releases, { sinceMs: 14 * DAY });
    assert.deepEqual(r.runbook.successRate, { rate: 100 / 102, promoted: 100, deployments: 102 });
    assert.deepEqual(r.runbook.durationMs, { p50: 49 * MIN, p90: 90 * MIN, p99: 99 * MIN, count: 102 });
    assert.deepEqual(r.runbook.rollbacks, { total: 1, automatic: 0, manual: 1, other: 0, perWeek: 0.5 });
    assert.deepEqual(r.runbook.byOutcome, {
      progressing: 1,
      paused: 0,
      rollingBack: 0,
      promoted: 100,
      rolledBack: 0,
      aborted: 1,
      failed: 1,
    });
    const text = formatReport(r);
    assert.match(text, /success rate\s+98\.0%|success rate\s+98%/);
    assert.match(text, /deployment duration\s+p50 49m00s {2}p90 1h30m {2}p99 1h39m/);
    assert.match(text, /rollbacks\s+1\s+0 automatic, 1 manual, 0 other; 0\.5\/week/);
  });

  void it('percentiles by nearest rank, and durations in words', () => {
    assert.equal(percentile([], 50), null);
    assert.equal(percentile([7], 99), 7);
    assert.equal(percentile([1, 2, 3, 4], 50), 2);
    assert.equal(percentile([1, 2, 3, 4], 90), 4);
    assert.deepEqual([null, 850, 12_000, 184_000, 2 * HOUR + 5 * MIN, 3 * DAY + 4 * HOUR].map(span), [
      'no data',
      '850ms',
      '12s',
      '3m04s',
      '2h05m',
      '3d04h',
    ]);
  });
});
