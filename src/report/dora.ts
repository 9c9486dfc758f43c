// Deployment metrics from stored releases: the four DORA figures and the runbook figures, computed by a pure
// function from the releases, a time window and filters. docs/audit-and-report.md states every definition.
//
// Definitions, in short (times are the releases' own createdAt/finishedAt):
// - In the report: releases created in [now − since, now] matching the environment and app filters.
// - Counted deployments: releases of kind `deploy` in a final phase (promoted, rolledBack, aborted, failed).
// - Deployment frequency: promoted deployments per day of the period (and their count).
// - Lead time for changes: finishedAt − meta.commitTime of promoted deployments that carry a commit time.
// - Change failure rate: failed changes / counted deployments. A failed change is either a deployment that
//   ended otherwise than promoted after it started changing things (every non-promoted one except phase
//   `failed` stopped by a gate: outcomeReason `check:…`, `window…`, `approval…`), or a promoted deployment
//   that was undone: followed, in the same app and environment, by a `rollback` release or an emergency
//   release before the next promoted normal deployment.
// - Failed-deployment recovery time: for a deployment that rolled back by itself, finishedAt − createdAt (the
//   old version serves again when it ends); for an undone one, from its finishedAt to the finishedAt of the
//   first promoted rollback/emergency release after it.
// - Runbook figures: success rate (promoted / counted), durations (createdAt → finishedAt of counted
//   deployments), rollbacks (automatic, manual, other) and their rate per week, emergency releases, releases
//   by phase.
// A figure without data (a ratio over nothing, a percentile of no values) is null, never 0.
import { FINAL_PHASES } from '../engine/model.js';
import type { Release, ReleasePhase } from '../engine/model.js';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** outcomeReason prefixes of a deployment the engine rolled back by itself. */
export const AUTOMATIC_ROLLBACK_REASONS = [
  'trigger:',
  'analysis:',
  'readiness',
  'progressDeadline',
  'check:',
];

export interface ReportInput {
  releases: readonly Release[];
  /** Epoch milliseconds: the end of the period. */
  now: number;
  /** The length of the period in milliseconds (the period is [now − sinceMs, now]). */
  sinceMs: number;
  environment?: string;
  app?: string;
}

/** Percentiles by nearest rank (the value at rank ⌈p/100 · n⌉ of the sorted values); null without values. */
export interface Percentiles {
  p50: number | null;
  p90: number | null;
  p99: number | null;
  /** How many values they were taken from. */
  count: number;
}

/** A failed change, to show which releases the change failure rate and recovery time come from. */
export interface FailedChange {
  releaseId: number;
  app: string;
  environment: string;
  version: string;
  /** `self`: it ended rolled back, aborted or failed; `undone`: promoted, then undone by a later release. */
  how: 'self' | 'undone';
  /** The rollback or emergency release that undid it (`undone` only). */
  undoneBy: number | null;
  /** The promoted release that restored service (`undone` only; null while none is). */
  recoveredBy: number | null;
  /** null: not recovered yet. */
  recoveryMs: number | null;
}

export interface DeploymentReport {
  period: { from: string; to: string; days: number };
  filters: { environment: string | null; app: string | null };
  /** Releases of any kind and phase created in the period (after the filters). */
  releases: number;
  /** Counted deployments: releases of kind deploy in a final phase. */
  deployments: number;
  dora: {
    deploymentFrequency: { promoted: number; perDay: number };
    leadTime: {
      medianMs: number | null;
      p90Ms: number | null;
      /** Promoted deployments with a commit time (the values). */
      count: number;
      /** Promoted deployments without one (left out). */
      withoutCommitTime: number;
    };
    changeFailureRate: {
      /** failed / deployments, from 0 to 1; null without counted deployments. */
      rate: number | null;
      failed: number;
      deployments: number;
      /** Failed changes that ended rolled back, aborted or failed by themselves. */
      rolledBack: number;
      /** Failed changes that were promoted and undone by a later rollback or emergency release. */
      undone: number;
    };
    recoveryTime: {
      medianMs: number | null;
      p90Ms: number | null;
      /** Failed changes recovered (the values). */
      count: number;
      /** Undone changes with no promoted rollback or emergency release yet. */
      unrecovered: number;
    };
  };
  runbook: {
    successRate: { rate: number | null; promoted: number; deployments: number };
    /** createdAt → finishedAt of counted deployments, in milliseconds. */
    durationMs: Percentiles;
    rollbacks: {
      total: number;
      /** outcomeReason trigger:, analysis:, readiness, progressDeadline or check: */
      automatic: number;
      /** Deployments aborted by a person, plus rollback releases (a previous revision released again). */
      manual: number;
      /** Deployments that ended rolled back, aborted or failed for another reason. */
      other: number;
      perWeek: number;
    };
    /** Releases with meta.emergency set. */
    emergencies: number;
    /** Releases of the period by phase (in-progress ones included). */
    byOutcome: Record<ReleasePhase, number>;
  };
  failedChanges: FailedChange[];
}

const ALL_PHASES: readonly ReleasePhase[] = [
  'progressing',
  'paused',
  'rollingBack',
  'promoted',
  'rolledBack',
  'aborted',
  'failed',
];

const startsWithAny = (text: string | null, prefixes: readonly string[]): boolean =>
  text !== null && prefixes.some((p) => text.startsWith(p));

const isEmergency = (r: Release): boolean => Boolean(r.meta?.emergency);

const isCounted = (r: Release): boolean =>
  r.kind === 'deploy' && FINAL_PHASES.has(r.phase) && r.finishedAt !== null;

/** Stopped by a gate before anything changed: not a failed change. */
/**
 * A deployment that ended at a gate step (a check, an approval, a preDeploy hook, a safe migration): it changed
 * nothing, whether it failed there or was aborted while it waited.
 */
export const stoppedByGate = (r: Release): boolean =>
  r.phase !== 'promoted' && r.plan[Math.min(r.stepIndex, r.plan.length - 1)]?.gate === true;

const ms = (iso: string): number => Date.parse(iso);

/** The value at rank ⌈p/100 · n⌉ of the sorted values; null when there are none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    count: sorted.length,
  };
}

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/**
 * How a promoted deployment fared afterwards: the first rollback or emergency release of the same app and
 * environment before the next promoted normal deployment undoes it; the first promoted one of those restores
 * service. `later` holds the releases created after it, oldest first.
 */
function undoneBy(
  release: Release,
  later: readonly Release[],
): { undoneBy: Release; recoveredBy: Release | null } | null {
  let undoing: Release | null = null;
  for (const next of later) {
    if (next.app !== release.app || next.environment !== release.environment) continue;
    const remedy = next.kind === 'rollback' || isEmergency(next);
    if (remedy) {
      undoing ??= next;
      if (next.phase === 'promoted') return { undoneBy: undoing, recoveredBy: next };
    } else if (next.kind === 'deploy' && next.phase === 'promoted') {
      break;
    }
  }
  return undoing ? { undoneBy: undoing, recoveredBy: null } : null;
}

function failedChanges(counted: readonly Release[], all: readonly Release[]): FailedChange[] {
  const byId = [...all].sort((a, b) => a.id - b.id);
  const failed: FailedChange[] = [];
  for (const r of counted) {
    const base = { releaseId: r.id, app: r.app, environment: r.environment, version: r.version };
    if (r.phase !== 'promoted') {
      if (stoppedByGate(r)) continue;
      const recoveryMs = ms(r.finishedAt!) - ms(r.createdAt);
      failed.push({ ...base, how: 'self', undoneBy: null, recoveredBy: null, recoveryMs });
      continue;
    }
    const undone = undoneBy(
      r,
      byId.filter((x) => x.id > r.id),
    );
    if (!undone) continue;
    const recovered = undone.recoveredBy;
    failed.push({
      ...base,
      how: 'undone',
      undoneBy: undone.undoneBy.id,
      recoveredBy: recovered?.id ?? null,
      recoveryMs: recovered?.finishedAt ? Math.max(0, ms(recovered.finishedAt) - ms(r.finishedAt!)) : null,
    });
  }
  return failed;
}

type Rollbacks = DeploymentReport['runbook']['rollbacks'];

function rollbacks(inPeriod: readonly Release[], counted: readonly Release[], weeks: number): Rollbacks {
  let automatic = 0;
  let manual = inPeriod.filter((r) => r.kind === 'rollback').length;
  let other = 0;
  for (const r of counted) {
    if (r.phase === 'promoted' || stoppedByGate(r)) continue;
    if (startsWithAny(r.outcomeReason, AUTOMATIC_ROLLBACK_REASONS)) automatic += 1;
    else if (r.outcomeReason === 'abort') manual += 1;
    else other += 1;
  }
  const total = automatic + manual + other;
  return { total, automatic, manual, other, perWeek: weeks > 0 ? total / weeks : 0 };
}

/** The deployment report of the releases created in [now − sinceMs, now] that match the filters. */
export function computeReport(input: ReportInput): DeploymentReport {
  const { now, sinceMs } = input;
  const from = now - sinceMs;
  const matches = (r: Release): boolean =>
    (input.environment === undefined || r.environment === input.environment) &&
    (input.app === undefined || r.app === input.app);
  const inPeriod = input.releases
    .filter((r) => matches(r) && ms(r.createdAt) >= from && ms(r.createdAt) <= now)
    .sort((a, b) => a.id - b.id);
  const counted = inPeriod.filter(isCounted);
  const promoted = counted.filter((r) => r.phase === 'promoted');
  const days = sinceMs / DAY_MS;

  const leadTimes: number[] = [];
  for (const r of promoted) {
    const commit = r.meta?.commitTime ? ms(r.meta.commitTime) : NaN;
    if (Number.isFinite(commit)) leadTimes.push(ms(r.finishedAt!) - commit);
  }
  const lead = percentiles(leadTimes);

  // Followers may only be later releases of the same app and environment; the environment and app filters
  // select the counted releases, not what may undo them (same app and environment anyway).
  const failed = failedChanges(counted, input.releases.filter(matches));
  const recoveries = failed.flatMap((f) => (f.recoveryMs === null ? [] : [f.recoveryMs]));
  const recovery = percentiles(recoveries);

  const byOutcome = Object.fromEntries(ALL_PHASES.map((p) => [p, 0])) as Record<ReleasePhase, number>;
  for (const r of inPeriod) byOutcome[r.phase] += 1;

  return {
    period: { from: new Date(from).toISOString(), to: new Date(now).toISOString(), days },
    filters: { environment: input.environment ?? null, app: input.app ?? null },
    releases: inPeriod.length,
    deployments: counted.length,
    dora: {
      deploymentFrequency: { promoted: promoted.length, perDay: days > 0 ? promoted.length / days : 0 },
      leadTime: {
        medianMs: lead.p50,
        p90Ms: lead.p90,
        count: lead.count,
        withoutCommitTime: promoted.length - lead.count,
      },
      changeFailureRate: {
        rate: ratio(failed.length, counted.length),
        failed: failed.length,
        deployments: counted.length,
        rolledBack: failed.filter((f) => f.how === 'self').length,
        undone: failed.filter((f) => f.how === 'undone').length,
      },
      recoveryTime: {
        medianMs: recovery.p50,
        p90Ms: recovery.p90,
        count: recovery.count,
        unrecovered: failed.length - recovery.count,
      },
    },
    runbook: {
      successRate: {
        rate: ratio(promoted.length, counted.length),
        promoted: promoted.length,
        deployments: counted.length,
      },
      durationMs: percentiles(counted.map((r) => ms(r.finishedAt!) - ms(r.createdAt))),
      rollbacks: rollbacks(inPeriod, counted, sinceMs / WEEK_MS),
      emergencies: inPeriod.filter(isEmergency).length,
      byOutcome,
    },
    failedChanges: failed,
  };
}
