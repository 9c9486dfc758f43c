// The release state machine, pure: from a release, what the target shows, the trigger verdicts and the time,
// decide what happens next. No I/O; the engine (engine.ts) carries the decision out and persists it.
import type { AnalysisRunState } from '../analysis/run/run-state.js';
import type { ApprovalPolicy, CompiledSpec } from '../spec/compiled.js';
import { analysisOutcome, analysisWakeAt, reasonOf } from './analysis.js';
import { evaluateWindows } from '../gates/windows.js';
import type { TargetObservation } from '../targets/target.js';
import type { ApprovalRecord, PlanStep, Release } from './model.js';
import type { TriggerFiring } from './triggers.js';

export type Decision =
  | { kind: 'wait'; wakeAt: number | null; why: string }
  | { kind: 'advance' }
  | { kind: 'jump'; toIndex: number } // promote --full
  /** Back to the previous version; `failed`: stopped at a gate, nothing had changed. */
  | { kind: 'rollback'; reason: string; detail: Record<string, unknown>; outcome?: 'failed' }
  | { kind: 'finish'; phase: 'promoted' | 'rolledBack' | 'aborted' | 'failed'; reason: string | null }
  /** Start the actions of the current step (the engine records their results). */
  | { kind: 'runActions' }
  /** An inconclusive analysis: pause the release for a person (resume or promote goes on, abort goes back). */
  | { kind: 'hold'; run: string; reason: string; detail: Record<string, unknown> };

export interface DecideInput {
  release: Release;
  spec: CompiledSpec;
  observation: TargetObservation;
  fired: TriggerFiring | null;
  now: number;
  /** Actions of the current step are running (the engine started them). */
  actionsRunning: boolean;
  /** The analysis runs of the current step (activeRuns). */
  analysis: AnalysisRunState[];
}

export function currentPlan(release: Release): PlanStep[] {
  return release.phase === 'rollingBack' ? release.rollbackPlan : release.plan;
}

export function currentIndex(release: Release): number {
  return release.phase === 'rollingBack' ? release.rollbackStepIndex : release.stepIndex;
}

export function currentStep(release: Release): PlanStep | undefined {
  return currentPlan(release)[currentIndex(release)];
}

/** Time spent in the current step, paused time excluded. */
export function stepElapsed(release: Release, now: number): number {
  const pausedNow = release.pausedAt ? now - Date.parse(release.pausedAt) : 0;
  return now - Date.parse(release.stepStartedAt) - release.pausedMs - pausedNow;
}

function setsReady(step: PlanStep, observation: TargetObservation): boolean {
  return step.sets.every((set) => {
    const seen = observation.versionSets.find((o) => o.version === set.version);
    return seen !== undefined && seen.desired === set.instances && seen.ready >= set.instances;
  });
}

/**
 * Steps `promote` never skips: approvals, and every step that runs actions (checks, hooks, smoke tests, a
 * migration) or waits for a version to stop (a breaking migration's drain).
 */
export function isGate(step: PlanStep): boolean {
  return (
    step.gate === true ||
    step.wait.kind === 'approval' ||
    step.wait.kind === 'actions' ||
    step.wait.kind === 'stopped'
  );
}

/** The approvals that count for a step now: by an allowed role, unexpired, one per person. */
export function validApprovals(
  release: Release,
  stepIndex: number,
  policy: ApprovalPolicy,
  now: number,
): ApprovalRecord[] {
  const byPerson = new Map<string, ApprovalRecord>();
  for (const a of release.runtime.approvals ?? []) {
    if (a.stepIndex !== stepIndex) continue;
    if (a.actor.role !== 'admin' && !policy.roles.includes(a.actor.role)) continue;
    if (!policy.allowSelfApproval && a.actor.name === release.createdBy.name) continue;
    if (policy.expiresAfterMs !== null && now - Date.parse(a.at) >= policy.expiresAfterMs) continue;
    byPerson.set(a.actor.name, a);
  }
  return [...byPerson.values()];
}

export function decide(input: DecideInput): Decision {
  const { release, spec, observation, fired, now } = input;
  const step = currentStep(release);
  const rollingBack = release.phase === 'rollingBack';

  if (!step) {
    if (rollingBack)
      return {
        kind: 'finish',
        phase: release.runtime.rollbackOutcome ?? 'rolledBack',
        reason: release.outcomeReason,
      };
    return { kind: 'finish', phase: 'promoted', reason: null };
  }

  if (!rollingBack) {
    const newSet = observation.versionSets.find((o) => o.version === release.version);
    if (newSet?.crashLooping) {
      return {
        kind: 'rollback',
        reason: 'readiness',
        detail: { message: `${release.version} is crash-looping`, restarts: newSet.restarts },
      };
    }
    if (fired) {
      return { kind: 'rollback', reason: `trigger:${fired.name}`, detail: { ...fired } };
    }
    const outcome = analysisOutcome(input.analysis);
    if (outcome.kind !== 'none') {
      const { run } = outcome;
      const detail = { run: run.key, metric: run.decidedBy, rule: run.verdict.rule, ...run.verdict.detail };
      if (outcome.kind === 'failed' || spec.analysis.onInconclusive === 'rollback') {
        return { kind: 'rollback', reason: reasonOf(run), detail };
      }
      if (release.phase !== 'paused') return { kind: 'hold', run: run.key, reason: reasonOf(run), detail };
    }
    if (release.phase === 'paused') return { kind: 'wait', wakeAt: null, why: 'paused' };
    if (release.runtime.promote === 'full' && !isGate(step)) {
      // Never past a gate: the jump lands on the first approval, check, hook or migration on the way.
      const target = release.plan.findIndex(
        (s, i) => i > release.stepIndex && (s.promotionStart || isGate(s)),
      );
      if (target > release.stepIndex) return { kind: 'jump', toIndex: target };
    }
  }

  const elapsed = stepElapsed(release, now);
  const deadlineHit = elapsed > spec.progressDeadlineMs;
  const onDeadline = (what: string): Decision =>
    rollingBack
      ? { kind: 'finish', phase: 'failed', reason: `rollback did not complete: ${what}` }
      : { kind: 'rollback', reason: 'progressDeadline', detail: { waitedMs: elapsed, for: what } };

  switch (step.wait.kind) {
    case 'none':
      return { kind: 'advance' };
    case 'ready':
      if (setsReady(step, observation)) return { kind: 'advance' };
      if (deadlineHit) return onDeadline('instances to be ready');
      return {
        kind: 'wait',
        wakeAt: Date.parse(release.stepStartedAt) + release.pausedMs + spec.progressDeadlineMs + 1,
        why: 'instances to be ready',
      };
    case 'duration': {
      if (!rollingBack && release.runtime.promote !== 'none') return { kind: 'advance' };
      if (elapsed >= step.wait.ms) return { kind: 'advance' };
      return { kind: 'wait', wakeAt: now + (step.wait.ms - elapsed), why: `pause ${step.wait.ms} ms` };
    }
    case 'promotion':
      if (release.runtime.promote !== 'none') return { kind: 'advance' };
      return { kind: 'wait', wakeAt: null, why: 'promotion' };
    case 'analysis': {
      if (!rollingBack && release.runtime.promote !== 'none') return { kind: 'advance' };
      const wanted = step.wait.run;
      const run = input.analysis.find((r) => r.key === wanted);
      if (run?.verdict.phase === 'successful' || (run?.verdict.phase === 'inconclusive' && run.held)) {
        return { kind: 'advance' };
      }
      const wakeAt = run ? analysisWakeAt(run, spec, step) : null;
      return { kind: 'wait', wakeAt, why: `analysis ${wanted}` };
    }
    case 'stopped': {
      const version = step.wait.version;
      if (!observation.versionSets.some((o) => o.version === version)) return { kind: 'advance' };
      if (deadlineHit) return onDeadline(`${version} to stop`);
      return {
        kind: 'wait',
        wakeAt: Date.parse(release.stepStartedAt) + release.pausedMs + spec.progressDeadlineMs + 1,
        why: `${version} to drain and stop`,
      };
    }
    case 'actions': {
      const { actions, onFailure, hook } = step.wait;
      const results = release.runtime.checks;
      const failed = results.find((r) => !r.ok);
      if (failed && !rollingBack && onFailure !== 'continue') {
        return {
          kind: 'rollback',
          reason: `${hook === 'checks' || hook === 'prePromotion' ? 'check' : hook}:${failed.name}`,
          detail: { message: failed.message },
          ...(onFailure === 'stop' ? { outcome: 'failed' as const } : {}),
        };
      }
      if (actions.every((a) => results.some((r) => r.name === a.name))) return { kind: 'advance' };
      // Actions have their own timeouts; the progress deadline does not cut a long backup or migration.
      if (!input.actionsRunning) return { kind: 'runActions' };
      return { kind: 'wait', wakeAt: null, why: `${hook} running` };
    }
    case 'approval': {
      const { policy } = step.wait;
      const valid = validApprovals(release, currentIndex(release), policy, now);
      if (valid.length >= policy.count) {
        // Approved out of hours: the release starts when the window opens (an emergency does not wait).
        const windows = spec.gates.windows;
        if (step.wait.stage === 'start' && windows && !release.meta?.emergency) {
          const verdict = evaluateWindows(windows, now);
          if (!verdict.open) return { kind: 'wait', wakeAt: verdict.nextChangeAt, why: verdict.reason };
        }
        return { kind: 'advance' };
      }
      const expiries = valid
        .map((a) => (policy.expiresAfterMs === null ? null : Date.parse(a.at) + policy.expiresAfterMs))
        .filter((t): t is number => t !== null);
      return {
        kind: 'wait',
        wakeAt: expiries.length > 0 ? Math.min(...expiries) + 1 : null,
        why: `approval (${valid.length} of ${policy.count})`,
      };
    }
  }
}
