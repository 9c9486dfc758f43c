// The release model: what the engine decides over and the store persists. Plain JSON-serialisable data.
import type { HeaderRoute } from '../targets/local/types.js';
import type { AnalysisRunState } from '../analysis/run/run-state.js';
import type { ActionResult } from '../hooks/result.js';
import type { ApprovalPolicy, ApprovalStage, HookAction } from '../spec/compiled.js';

export type Role = 'stable' | 'canary' | 'preview';

/** Desired traffic at a step, in versions (the target adds listen, preview header, sticky, limits). */
export interface TrafficIntent {
  weights: Record<string, number>;
  stable: string | null;
  headerRoutes: HeaderRoute[];
  mirror?: { version: string; percent: number };
  /** Maintenance mode: requests are held (or answered 503 with Retry-After) instead of routed. */
  maintenance?: { mode: 'hold' | 'reject'; holdMs: number; retryAfterSeconds: number };
}

/** Where in a release a list of actions runs. */
export type HookPoint =
  | 'checks'
  | 'preDeploy'
  | 'migrate'
  | 'postDeploy'
  | 'prePromotion'
  | 'onRollback'
  | 'onSuccess'
  | 'onFailure';

/** One version set wanted at a step. A version not listed at a step is removed. */
export interface SetIntent {
  version: string;
  role: Role;
  instances: number;
}

/** What a step waits for before the next one may start. */
export type StepWait =
  | { kind: 'ready' } // every listed set has its instances ready
  | { kind: 'stopped'; version: string } // the version's instances are drained and gone
  | { kind: 'duration'; ms: number } // wall time from the step's start
  | { kind: 'promotion' } // a person (or API client) promotes
  // commands and HTTP calls run one after the other; `onFailure`: what a failed one does to the release
  | {
      kind: 'actions';
      hook: HookPoint;
      actions: HookAction[];
      version: string;
      onFailure: 'stop' | 'rollback' | 'continue';
    }
  // enough distinct, unexpired approvals by the policy's roles
  | { kind: 'approval'; stage: ApprovalStage; policy: ApprovalPolicy }
  // an analysis run's verdict; `conclude`: end the run now (a background run at the promotion gate)
  | { kind: 'analysis'; run: string; conclude?: boolean }
  | { kind: 'none' };

/** One analysis run of a release: templates measured together from the first step that lists the run. */
export interface AnalysisRun {
  /** Unique within the release: background, step-3, pre-promotion, post-promotion, bake. */
  key: string;
  templates: string[];
  /** The run concludes by itself this long after it started; null: when every metric has its count. */
  durationMs: number | null;
}

/**
 * One step of a plan: the full desired state at that point (sets and traffic), so re-applying the current
 * step after a crash is always correct, and what it waits for. `watch` marks steps during which the rollback
 * triggers are evaluated against the new version.
 */
export interface PlanStep {
  name: string;
  sets: SetIntent[];
  traffic: TrafficIntent;
  wait: StepWait;
  watch: boolean;
  /** Once this step is done the new version is the app's live revision (traffic switched for good). */
  marksLive?: boolean;
  /** The first step of the final promotion sequence: where `promote --full` jumps to. */
  promotionStart?: boolean;
  /** Analysis runs going on during this step (a run stops at the first step that no longer lists it). */
  analysis?: AnalysisRun[];
  /** A gate before anything changes: nothing is applied, and a failure ends the release as failed. */
  gate?: boolean;
  /** Maintenance mode starts (its time is recorded) or ends with this step. */
  maintenance?: 'start' | 'end';
}

export interface TriggerState {
  /** When the condition started to hold (ISO), null while it does not. */
  breachedSince: string | null;
  lastValue: number | null;
  lastRequests: number;
}

/** The result of one action of the current step (a check, a hook). */
export type CheckResult = ActionResult & { at: string };

export interface ApprovalRecord {
  actor: Actor;
  stage: ApprovalStage;
  /** The plan step it approved (approvals count for that step only). */
  stepIndex: number;
  at: string;
  reason: string;
}

/** Per-release runtime state that survives restarts with the release. */
export interface ReleaseRuntime {
  /** A promotion asked for and not yet consumed: the next step, or straight to the promotion sequence. */
  promote: 'none' | 'step' | 'full';
  triggers: Record<string, TriggerState>;
  checks: CheckResult[];
  /** While rolling back: the phase the release ends in once back (rolledBack, aborted or failed). */
  rollbackOutcome?: 'rolledBack' | 'aborted' | 'failed';
  /** Analysis runs by key: judge states and the last measurements (absent in releases from before). */
  analysis?: Record<string, AnalysisRunState>;
  /** Every approval given during the release. */
  approvals?: ApprovalRecord[];
  /** When maintenance mode started (ISO), while it is on. */
  maintenanceSince?: string | null;
  /**
   * The hook command running now (its process group), so a controller restarted after a kill -9 waits for
   * the one its predecessor left running instead of starting it a second time beside it.
   */
  hookProcess?: { step: string; action: string; pgid: number; startTime: string | null } | null;
}

export type ReleasePhase =
  | 'progressing'
  | 'paused' // paused by a person: steps do not advance, timers stop
  | 'rollingBack' // returning to the previous version; outcome set when done
  | 'promoted'
  | 'rolledBack'
  | 'aborted'
  | 'failed';

export const FINAL_PHASES: ReadonlySet<ReleasePhase> = new Set([
  'promoted',
  'rolledBack',
  'aborted',
  'failed',
]);

export interface Actor {
  name: string;
  role: string;
  /** The environments a token may act in; absent or null: all. */
  environments?: string[] | null;
}

/** What the person who started a release said about it, fixed at creation. */
export interface ReleaseMeta {
  /** When the change was committed (ISO), for lead time: `deploy --commit-time`, or read from git. */
  commitTime?: string | null;
  commit?: string | null;
  /** An emergency release (hotfix): windows were bypassed with this written justification. */
  emergency?: { justification: string } | null;
}

/** The actor of everything the engine does by itself. */
export const CONTROLLER: Actor = { name: 'controller', role: 'system' };

export interface Release {
  id: number;
  app: string;
  environment: string;
  version: string;
  /** The live version when the release started (what rollback returns to); null for the first release. */
  fromVersion: string | null;
  kind: 'deploy' | 'rollback';
  specRevision: number;
  plan: PlanStep[];
  /** The plan that returns to fromVersion, used by abort, triggers and the progress deadline. */
  rollbackPlan: PlanStep[];
  phase: ReleasePhase;
  stepIndex: number;
  /** When the current step started (ISO). Timers run from here, so a restart continues them. */
  stepStartedAt: string;
  /** Time spent paused within the current step, so a paused duration does not count. */
  pausedMs: number;
  pausedAt: string | null;
  /** The step index of the rollback plan while rolling back. */
  rollbackStepIndex: number;
  runtime: ReleaseRuntime;
  /** Why it ended or is rolling back: `trigger:error-rate`, `progressDeadline`, `abort`, `readiness`... */
  outcomeReason: string | null;
  createdBy: Actor;
  reason: string | null;
  /** Absent in releases stored before it existed. */
  meta?: ReleaseMeta;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  /** Optimistic concurrency: every write checks and bumps it. */
  generation: number;
}

export interface Revision {
  app: string;
  environment: string;
  number: number;
  version: string;
  releaseId: number;
  specRevision: number;
  createdAt: string;
}

export interface GreenlightEvent {
  id: number;
  at: string;
  app: string | null;
  releaseId: number | null;
  actor: Actor;
  /** e.g. release.created, step.started, traffic.set, release.promoted, trigger.fired, lock.acquired */
  action: string;
  reason: string | null;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export type NewEvent = Omit<GreenlightEvent, 'id' | 'at' | 'prevHash' | 'hash'> & { at?: string };
