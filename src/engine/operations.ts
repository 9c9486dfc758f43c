// Release operations, once, for every face (API, CLI, dashboard): deploy, promote, pause, resume, abort, retry,
// rollback. Each checks what the state allows, records who and why, and hands the release to the engine.
import { describeAnalysis, type AnalysisDescription } from '../analysis/describe.js';
import { ConflictError, InvalidInputError, NotFoundError, UnsupportedError } from '../errors.js';
import type { CompiledSpec } from '../spec/compiled.js';
import type { Store } from '../store/store.js';
import type { Target } from '../targets/target.js';
import type { Clock } from './clock.js';
import { currentStep } from './decide.js';
import type { Engine } from './engine.js';
import { FINAL_PHASES, type Actor, type NewEvent, type PlanStep, type Release } from './model.js';
import { planRelease, planRollbackRelease, rollbackPlan } from './planner/index.js';

export { DEFAULT_ENVIRONMENT } from '../spec/runbook-defaults.js';
import { DEFAULT_ENVIRONMENT } from '../spec/runbook-defaults.js';

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

  async activeRelease(app: string): Promise<Release | undefined> {
    const [release] = await this.deps.store.listReleases({
      app,
      phases: ['progressing', 'paused', 'rollingBack'],
      limit: 1,
    });
    return release ? (this.deps.engine.get(release.id) ?? release) : undefined;
  }

  private async requireActive(app: string): Promise<Release> {
    const release = await this.activeRelease(app);
    if (!release) throw new ConflictError(`${app} has no release in progress`, { app });
    return release;
  }

  private async spec(app: string): Promise<{ spec: CompiledSpec; specRevision: number }> {
    const record = await this.deps.store.getApp(app);
    if (!record) throw new NotFoundError(`app ${app}`, { app });
    return { spec: record.spec, specRevision: record.specRevision };
  }

  /** The plan a deploy would run now, changing nothing. */
  async plan(
    app: string,
    version: string,
  ): Promise<{ fromVersion: string | null; steps: PlanStep[]; analysis: AnalysisDescription }> {
    const { spec } = await this.spec(app);
    const live = await this.deps.store.currentRevision(app, DEFAULT_ENVIRONMENT);
    const steps = planRelease(spec, version, live?.version ?? null);
    checkCapabilities(this.deps.target, steps);
    return { fromVersion: live?.version ?? null, steps, analysis: describeAnalysis(spec.analysis) };
  }

  async deploy(request: DeployRequest, kind: Release['kind'] = 'deploy'): Promise<Release> {
    const { store, engine, clock, holder } = this.deps;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(request.version)) {
      throw new InvalidInputError(
        `version ${JSON.stringify(request.version)}: expected letters, digits, dot, dash or underscore`,
      );
    }
    const { spec, specRevision } = await this.spec(request.app);
    const live = await store.currentRevision(request.app, DEFAULT_ENVIRONMENT);
    const fromVersion = live?.version ?? null;
    if (fromVersion === request.version && kind === 'deploy') {
      throw new ConflictError(`${request.version} is already live for ${request.app}`, { app: request.app });
    }
    const plan =
      kind === 'rollback'
        ? planRollbackRelease(spec, request.version, fromVersion)
        : planRelease(spec, request.version, fromVersion);
    checkCapabilities(this.deps.target, plan);
    const at = new Date(clock.now()).toISOString();
    const release = await store.createRelease(
      {
        app: request.app,
        environment: DEFAULT_ENVIRONMENT,
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
      },
      holder,
      engine.leaseMs,
      [
        {
          app: request.app,
          releaseId: null,
          actor: request.actor,
          action: kind === 'rollback' ? 'release.rollbackStarted' : 'release.created',
          reason: request.reason ?? null,
          data: {
            version: request.version,
            fromVersion,
            strategy: spec.strategy.kind,
            steps: plan.map((s) => s.name),
          },
        },
      ],
    );
    engine.track(release);
    return release;
  }

  async promote(app: string, actor: Actor, full: boolean): Promise<Release> {
    const release = await this.requireActive(app);
    if (release.phase === 'rollingBack')
      throw new ConflictError(`release ${release.id} is rolling back`, { releaseId: release.id });
    return this.deps.engine.mutate(release.id, (r) => {
      const step = currentStep(r);
      if (!full && step?.wait.kind === 'ready') {
        throw new ConflictError(
          `step "${step.name}" waits for instances to be ready; use --full to go straight to promotion`,
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

  async pause(app: string, actor: Actor, reason: string | null): Promise<Release> {
    const release = await this.requireActive(app);
    return this.deps.engine.mutate(release.id, (r, now) => {
      if (r.phase !== 'progressing')
        throw new ConflictError(`release ${r.id} is ${r.phase}, not progressing`);
      return {
        release: { ...r, phase: 'paused', pausedAt: new Date(now).toISOString() },
        events: [this.event(r, actor, 'release.paused', reason)],
      };
    });
  }

  async resume(app: string, actor: Actor, reason: string | null): Promise<Release> {
    const release = await this.requireActive(app);
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
  async abort(app: string, actor: Actor, reason: string | null): Promise<Release> {
    const release = await this.requireActive(app);
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
  async retry(app: string, actor: Actor, reason: string | null): Promise<Release> {
    if (await this.activeRelease(app)) throw new ConflictError(`${app} has a release in progress`);
    const [last] = await this.deps.store.listReleases({ app, limit: 1 });
    if (!last || last.phase === 'promoted')
      throw new ConflictError(`${app} has no failed or aborted release to retry`);
    return this.deploy({
      app,
      version: last.version,
      actor,
      reason: reason ?? `retry of release ${last.id}`,
    });
  }

  /**
   * Rollback: during a release, abort it (back to the previous version, a traffic switch when it is warm);
   * otherwise a new release back to the previous revision, or to `toRevision`.
   */
  async rollback(app: string, actor: Actor, reason: string, toRevision?: number): Promise<Release> {
    if (!reason.trim()) throw new InvalidInputError('a rollback needs a reason (--reason)');
    const active = await this.activeRelease(app);
    if (active) {
      if (toRevision !== undefined)
        throw new ConflictError(
          `${app} has a release in progress; abort it first, or roll back without --to-revision`,
        );
      return this.abort(app, actor, reason);
    }
    const revisions = await this.deps.store.listRevisions(app, DEFAULT_ENVIRONMENT);
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
    return this.deploy({ app, version: target.version, actor, reason }, 'rollback');
  }

  isFinal(release: Release): boolean {
    return FINAL_PHASES.has(release.phase);
  }
}
