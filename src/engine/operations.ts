// Release operations, once, for every face (API, CLI, dashboard): deploy, promote, pause, resume, abort, retry,
// rollback. Each checks what the state allows, records who and why, and hands the release to the engine.
import { describeAnalysis, type AnalysisDescription } from '../analysis/describe.js';
import {
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  UnsupportedError,
} from '../errors.js';
import type { CompiledSpec } from '../spec/compiled.js';
import type { Store } from '../store/store.js';
import type { Target } from '../targets/target.js';
import type { Clock } from './clock.js';
import { currentIndex, currentStep, isGate, validApprovals } from './decide.js';
import type { Engine } from './engine.js';
import {
  CONTROLLER,
  FINAL_PHASES,
  type Actor,
  type ApprovalRecord,
  type NewEvent,
  type PlanStep,
  type Release,
} from './model.js';
import { assertEnvironment } from './authority.js';
import { emergencyBypasses, refuseOutsideStartGates } from './start-gates.js';
import { planForDisplay } from './actions.js';
import { approvalData } from './engine.js';
import { evaluateWindows, type WindowVerdict } from '../gates/windows.js';
import { resolveEnvironment, specForEnvironment } from '../spec/environment.js';
import { planRelease, planRollbackRelease, rollbackPlan } from './planner/index.js';

export { DEFAULT_ENVIRONMENT } from '../spec/runbook-defaults.js';

export interface OperationsDeps {
  store: Store;
  engine: Engine;
  target: Target;
  clock: Clock;
  holder: string;
}

export interface DeployRequest {
  app: string;
  version: string;
  actor: Actor;
  reason?: string | null;
  /** Required when the app declares more than one environment. */
  environment?: string | null;
  /** Bypasses deployment windows (and approvals when the policy says so), recorded prominently. */
  emergency?: { justification: string } | null;
  /** When the change was committed (ISO), for the lead time in `greenlight report`. */
  commitTime?: string | null;
  commit?: string | null;
}

/** Which release an operation is about: the app's active one in an environment, or a release by id. */
export interface ReleaseTarget {
  environment?: string | null;
  releaseId?: number | null;
}

export interface ApproveRequest extends ReleaseTarget {
  app: string;
  actor: Actor;
  reason: string;
}

/** Refuses a plan that needs a traffic feature the target cannot do, before anything changes. */
export function checkCapabilities(target: Target, plan: PlanStep[]): void {
  const caps = target.capabilities();
  for (const step of plan) {
    if (step.traffic.headerRoutes.some((r) => r.header) && !caps.headerRoutes)
      throw new UnsupportedError('header routes', target.name);
    if (step.traffic.headerRoutes.some((r) => r.cookie) && !caps.cookieRoutes)
      throw new UnsupportedError('cookie routes', target.name);
    if (step.traffic.mirror && !caps.mirror) throw new UnsupportedError('traffic mirroring', target.name);
  }
}

export class Operations {
  constructor(private readonly deps: OperationsDeps) {}

  private event(
    release: Pick<Release, 'app' | 'id'>,
    actor: Actor,
    action: string,
    reason: string | null,
    data: Record<string, unknown> = {},
  ): NewEvent {
    return { app: release.app, releaseId: release.id, actor, action, reason, data };
  }

  /**
   * The app's release in progress: in the environment given, or by id, or the only one. With releases in
   * progress in several environments and none named, a ConflictError asks for one.
   */
  async activeRelease(app: string, which: ReleaseTarget = {}): Promise<Release | undefined> {
    const active = await this.deps.store.listReleases({
      app,
      phases: ['progressing', 'paused', 'rollingBack'],
    });
    const matching = active.filter(
      (r) =>
        (which.environment ? r.environment === which.environment : true) &&
        (which.releaseId ? r.id === which.releaseId : true),
    );
    if (matching.length > 1) {
      throw new ConflictError(
        `${app} has releases in progress in ${matching.map((r) => r.environment).join(', ')}; name the environment (--env)`,
        { app },
      );
    }
    const release = matching[0];
    return release ? (this.deps.engine.get(release.id) ?? release) : undefined;
  }

  private async requireActive(app: string, which: ReleaseTarget, actor: Actor): Promise<Release> {
    // An environment the token may not act in is refused before anything is looked up.
    if (which.environment) assertEnvironment(actor, which.environment);
    const release = await this.activeRelease(app, which);
    if (!release) {
      const where = which.releaseId
        ? ` (release ${which.releaseId})`
        : which.environment
          ? ` in ${which.environment}`
          : '';
      throw new ConflictError(`${app} has no release in progress${where}`, { app });
    }
    assertEnvironment(actor, release.environment);
    return release;
  }

  private async spec(app: string): Promise<{ spec: CompiledSpec; specRevision: number }> {
    const record = await this.deps.store.getApp(app);
    if (!record) throw new NotFoundError(`app ${app}`, { app });
    return { spec: record.spec, specRevision: record.specRevision };
  }

  /** The app's spec as one environment sees it, and that environment (resolved when not named). */
  private async environmentSpec(
    app: string,
    requested: string | null | undefined,
  ): Promise<{ spec: CompiledSpec; specRevision: number; environment: string }> {
    const { spec, specRevision } = await this.spec(app);
    const environment = resolveEnvironment(spec, requested);
    return { spec: specForEnvironment(spec, environment), specRevision, environment };
  }

  /** The plan a deploy would run now, changing nothing. */
  async plan(
    app: string,
    version: string,
    options: { environment?: string | null; emergency?: boolean } = {},
  ): Promise<{
    environment: string;
    fromVersion: string | null;
    steps: PlanStep[];
    analysis: AnalysisDescription;
    window: WindowVerdict | null;
  }> {
    const { spec, environment } = await this.environmentSpec(app, options.environment);
    const live = await this.deps.store.currentRevision(app, environment);
    const steps = planRelease(spec, version, live?.version ?? null, {
      emergency: options.emergency ?? false,
    });
    checkCapabilities(this.deps.target, steps);
    const windows = spec.gates.windows;
    return {
      environment,
      fromVersion: live?.version ?? null,
      steps: planForDisplay(steps, spec.secrets.namePatterns),
      analysis: describeAnalysis(spec.analysis),
      window: windows ? evaluateWindows(windows, this.deps.clock.now()) : null,
    };
  }

  async deploy(request: DeployRequest, kind: Release['kind'] = 'deploy'): Promise<Release> {
    const { store, engine, clock, holder } = this.deps;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(request.version)) {
      throw new InvalidInputError(
        `version ${JSON.stringify(request.version)}: expected letters, digits, dot, dash or underscore`,
      );
    }
    const { spec, specRevision, environment } = await this.environmentSpec(request.app, request.environment);
    assertEnvironment(request.actor, environment);
    const emergency = request.emergency ?? null;
    if (emergency && emergency.justification.trim().length < 10) {
      throw new InvalidInputError(
        'an emergency release needs a written justification (--justification, at least 10 characters)',
      );
    }
    const live = await store.currentRevision(request.app, environment);
    const fromVersion = live?.version ?? null;
    if (fromVersion === request.version && kind === 'deploy') {
      throw new ConflictError(`${request.version} is already live for ${request.app} in ${environment}`, {
        app: request.app,
        environment,
      });
    }
    if (kind === 'deploy')
      await refuseOutsideStartGates(this.deps, {
        app: request.app,
        environment,
        spec,
        version: request.version,
        emergency: emergency !== null,
      });
    const plan =
      kind === 'rollback'
        ? planRollbackRelease(spec, request.version, fromVersion)
        : planRelease(spec, request.version, fromVersion, { emergency: emergency !== null });
    checkCapabilities(this.deps.target, plan);
    const at = new Date(clock.now()).toISOString();
    const meta = {
      commitTime: request.commitTime ?? null,
      commit: request.commit ?? null,
      emergency: emergency ? { justification: emergency.justification.trim() } : null,
    };
    const events: NewEvent[] = [
      {
        app: request.app,
        releaseId: null,
        actor: request.actor,
        action: kind === 'rollback' ? 'release.rollbackStarted' : 'release.created',
        reason: request.reason ?? null,
        data: {
          version: request.version,
          fromVersion,
          environment,
          strategy: spec.strategy.kind,
          steps: plan.map((s) => s.name),
          ...(meta.commitTime ? { commitTime: meta.commitTime } : {}),
          ...(meta.commit ? { commit: meta.commit } : {}),
          ...(emergency ? { emergency: true } : {}),
        },
      },
    ];
    if (meta.emergency) {
      events.push({
        app: request.app,
        releaseId: null,
        actor: request.actor,
        action: 'release.emergency',
        reason: meta.emergency.justification,
        data: {
          version: request.version,
          environment,
          bypassed: emergencyBypasses(spec, request.version, fromVersion),
        },
      });
    }
    if (plan[0]?.wait.kind === 'approval') {
      events.push({
        app: request.app,
        releaseId: null,
        actor: CONTROLLER,
        action: 'approval.requested',
        reason: null,
        data: approvalData(plan[0], 0),
      });
    }
    const release = await store.createRelease(
      {
        app: request.app,
        environment,
        version: request.version,
        fromVersion,
        kind,
        specRevision,
        plan,
        rollbackPlan: [],
        phase: 'progressing',
        stepIndex: 0,
        stepStartedAt: at,
        pausedMs: 0,
        pausedAt: null,
        rollbackStepIndex: 0,
        runtime: { promote: 'none', triggers: {}, checks: [] },
        outcomeReason: null,
        createdBy: request.actor,
        reason: request.reason ?? null,
        meta,
      },
      holder,
      engine.leaseMs,
      events,
    );
    engine.track(release);
    return release;
  }

  /** An approval of the step the release waits at, by this actor. */
  async approve(request: ApproveRequest): Promise<Release> {
    const { app, actor } = request;
    const reason = request.reason.trim();
    if (!reason) throw new InvalidInputError('an approval needs a reason (--reason)');
    const active = await this.requireActive(app, request, actor);
    return this.deps.engine.mutate(active.id, (r, now) => {
      const step = currentStep(r);
      const index = currentIndex(r);
      if (r.phase === 'rollingBack' || step?.wait.kind !== 'approval') {
        throw new ConflictError(
          `release ${r.id} is not waiting for an approval (${r.phase === 'rollingBack' ? 'it is rolling back' : `step: ${step?.name ?? 'none'}`})`,
          { releaseId: r.id },
        );
      }
      const { policy } = step.wait;
      if (actor.role !== 'admin' && !policy.roles.includes(actor.role))
        throw new ForbiddenError(
          `role ${actor.role} may not approve this step; it needs ${policy.roles.join(' or ')}`,
          {
            role: actor.role,
            needed: policy.roles,
          },
        );
      if (!policy.allowSelfApproval && actor.name === r.createdBy.name)
        throw new ForbiddenError(`${actor.name} started release ${r.id}; another person must approve it`, {
          actor: actor.name,
        });
      const at = new Date(now).toISOString();
      const record: ApprovalRecord = { actor, stage: step.wait.stage, stepIndex: index, at, reason };
      const approvals = [...(r.runtime.approvals ?? []), record];
      const next = { ...r, runtime: { ...r.runtime, approvals } };
      const counted = validApprovals(next, index, policy, now).length;
      return {
        release: next,
        events: [
          this.event(r, actor, 'approval.granted', reason, {
            stage: step.wait.stage,
            step: step.name,
            index,
            approvals: counted,
            needed: policy.count,
          }),
        ],
      };
    });
  }

  async promote(app: string, actor: Actor, full: boolean, which: ReleaseTarget = {}): Promise<Release> {
    const release = await this.requireActive(app, which, actor);
    if (release.phase === 'rollingBack')
      throw new ConflictError(`release ${release.id} is rolling back`, { releaseId: release.id });
    return this.deps.engine.mutate(release.id, (r) => {
      const step = currentStep(r);
      if (!full && step?.wait.kind === 'ready') {
        throw new ConflictError(
          `step "${step.name}" waits for instances to be ready; use --full to go straight to promotion`,
        );
      }
      if (step && isGate(step)) {
        throw new ConflictError(
          `step "${step.name}" is a gate: promote does not skip it${step.wait.kind === 'approval' ? ' (greenlight approve)' : ''}`,
        );
      }
      return {
        release: { ...r, runtime: { ...r.runtime, promote: full ? 'full' : 'step' } },
        events: [
          this.event(r, actor, full ? 'release.promotedFully' : 'release.promoteStep', null, {
            step: step?.name,
          }),
        ],
      };
    });
  }

  async pause(app: string, actor: Actor, reason: string | null, which: ReleaseTarget = {}): Promise<Release> {
    const release = await this.requireActive(app, which, actor);
    return this.deps.engine.mutate(release.id, (r, now) => {
      if (r.phase !== 'progressing')
        throw new ConflictError(`release ${r.id} is ${r.phase}, not progressing`);
      return {
        release: { ...r, phase: 'paused', pausedAt: new Date(now).toISOString() },
        events: [this.event(r, actor, 'release.paused', reason)],
      };
    });
  }

  async resume(
    app: string,
    actor: Actor,
    reason: string | null,
    which: ReleaseTarget = {},
  ): Promise<Release> {
    const release = await this.requireActive(app, which, actor);
    return this.deps.engine.mutate(release.id, (r, now) => {
      if (r.phase !== 'paused' || !r.pausedAt)
        throw new ConflictError(`release ${r.id} is ${r.phase}, not paused`);
      return {
        release: {
          ...r,
          phase: 'progressing',
          pausedMs: r.pausedMs + (now - Date.parse(r.pausedAt)),
          pausedAt: null,
        },
        events: [this.event(r, actor, 'release.resumed', reason)],
      };
    });
  }

  /** Back to the previous version, recorded as aborted by this actor. */
  async abort(app: string, actor: Actor, reason: string | null, which: ReleaseTarget = {}): Promise<Release> {
    const release = await this.requireActive(app, which, actor);
    const spec = await this.deps.engine.specFor(release);
    return this.deps.engine.mutate(release.id, (r, now) => {
      if (r.phase === 'rollingBack') throw new ConflictError(`release ${r.id} is already rolling back`);
      const back = rollbackPlan(spec, r);
      return {
        release: {
          ...r,
          phase: 'rollingBack',
          rollbackPlan: back,
          rollbackStepIndex: 0,
          stepStartedAt: new Date(now).toISOString(),
          pausedMs: 0,
          pausedAt: null,
          outcomeReason: 'abort',
          runtime: { ...r.runtime, rollbackOutcome: 'aborted' },
        },
        events: [
          this.event(r, actor, 'release.aborting', reason, {
            fromStep: r.stepIndex,
            steps: back.map((s) => s.name),
          }),
        ],
      };
    });
  }

  /** A new release of the version the app's last release tried, after it rolled back or was aborted. */
  async retry(app: string, actor: Actor, reason: string | null, which: ReleaseTarget = {}): Promise<Release> {
    const { environment } = await this.environmentSpec(app, which.environment);
    assertEnvironment(actor, environment);
    if (await this.activeRelease(app, { environment }))
      throw new ConflictError(`${app} has a release in progress in ${environment}`);
    const [last] = (await this.deps.store.listReleases({ app })).filter((r) => r.environment === environment);
    if (!last || last.phase === 'promoted')
      throw new ConflictError(`${app} has no failed or aborted release to retry in ${environment}`);
    return this.deploy({
      app,
      version: last.version,
      actor,
      environment,
      reason: reason ?? `retry of release ${last.id}`,
      commitTime: last.meta?.commitTime ?? null,
      commit: last.meta?.commit ?? null,
    });
  }

  /**
   * Rollback: during a release, abort it (back to the previous version, a traffic switch when it is warm);
   * otherwise a new release back to the previous revision, or to `toRevision`.
   */
  async rollback(
    app: string,
    actor: Actor,
    reason: string,
    toRevision?: number,
    which: ReleaseTarget = {},
  ): Promise<Release> {
    if (!reason.trim()) throw new InvalidInputError('a rollback needs a reason (--reason)');
    const { environment } = await this.environmentSpec(app, which.environment);
    assertEnvironment(actor, environment);
    const active = await this.activeRelease(app, { environment });
    if (active) {
      if (toRevision !== undefined)
        throw new ConflictError(
          `${app} has a release in progress; abort it first, or roll back without --to-revision`,
        );
      return this.abort(app, actor, reason, { environment });
    }
    const revisions = await this.deps.store.listRevisions(app, environment);
    const live = revisions[revisions.length - 1];
    if (!live) throw new ConflictError(`${app} has no live revision to roll back from`);
    const target =
      toRevision !== undefined
        ? revisions.find((r) => r.number === toRevision)
        : [...revisions].reverse().find((r) => r.version !== live.version);
    if (!target) {
      throw new NotFoundError(
        toRevision !== undefined
          ? `revision ${toRevision} of ${app}`
          : `an earlier revision of ${app} with another version`,
      );
    }
    if (target.version === live.version)
      throw new ConflictError(`revision ${target.number} runs ${target.version}, which is already live`);
    return this.deploy({ app, version: target.version, actor, reason, environment }, 'rollback');
  }

  isFinal(release: Release): boolean {
    return FINAL_PHASES.has(release.phase);
  }
}
