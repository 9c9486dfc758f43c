// The engine: a reconcile loop over active releases. For each release it re-applies the current step's desired
// state when needed, observes the target, lets the pure state machine (decide.ts) choose, and persists every
// transition (with its events) before acting on it. A restarted engine loads the active releases from the
// store, re-applies their current step and continues their timers from the stored timestamps. Timers, deploys
// and commands reconcile a release at once; the step after a transition and the periodic resync go through a
// queue that gives the event loop back every few milliseconds (drain).
import { AnalysisRunner, type RunChange } from '../analysis/run/runner.js';
import type { AnalysisRunState } from '../analysis/run/run-state.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { CompiledSpec } from '../spec/compiled.js';
import { specForEnvironment } from '../spec/environment.js';
import type { Store } from '../store/store.js';
import { StaleWriteError } from '../store/store.js';
import type { Target } from '../targets/target.js';
import { activeRuns, prepareAnalysis, verdictChange, type AnalysisNews } from './analysis.js';
import { StepActions } from './step-actions.js';
import type { Clock } from './clock.js';
import { currentIndex, currentPlan, currentStep, decide, stepElapsed, type Decision } from './decide.js';
import { CONTROLLER, FINAL_PHASES, type NewEvent, type PlanStep, type Release } from './model.js';

/** What an `approval.requested` event says: the step and who may approve. */
export function approvalData(step: PlanStep, index: number): Record<string, unknown> {
  const wait = step.wait;
  if (wait.kind !== 'approval') return {};
  return { index, step: step.name, stage: wait.stage, roles: wait.policy.roles, count: wait.policy.count };
}
import { rollbackPlan } from './planner/index.js';
import { StepApplier } from './apply-step.js';
import { ReconcileQueue } from './reconcile-queue.js';
import { recordRevisionOnce } from './revisions.js';
import { evaluateTriggers } from './triggers.js';

export interface EngineOptions {
  store: Store;
  target: Target;
  clock: Clock;
  /** Who holds the app locks: stable across restarts of one controller, so it resumes at once. */
  holder: string;
  /** How often every active release is reconciled even without a timer or command. Default 500 ms. */
  resyncMs?: number;
  leaseMs?: number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Called after every persisted change of a release (for live views). */
  onChange?: (release: Release) => void;
  /** Called with the delay between a step becoming due and the engine starting the next one. */
  onStepLatency?: (ms: number) => void;
  /** Called when a step completes, with the time spent in it (paused time excluded). */
  onStepCompleted?: (app: string, step: string, ms: number) => void;
}

type Mutation = (release: Release, now: number) => { release: Release; events: NewEvent[] };

export class Engine {
  private readonly active = new Map<number, Release>();
  private readonly specs = new Map<string, CompiledSpec>();
  private readonly needsApply = new Set<number>();
  private readonly chains = new Map<number, Promise<void>>();
  private readonly queued = new Set<number>();
  private readonly timers = new Map<number, () => void>();
  /** Actions running per release, with the step they belong to and a way to stop them. */
  private readonly actions: StepActions;
  /** Set by stop(): a late callback (an aborted action settling) must not start work on a stopped engine. */
  private stopped = false;
  private readonly applier: StepApplier;
  private readonly runner: AnalysisRunner;
  private readonly queue = new ReconcileQueue((id) => {
    this.enqueue(id);
    return this.chains.get(id);
  });
  private resyncTimer: NodeJS.Timeout | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private readonly log: NonNullable<EngineOptions['log']>;

  constructor(private readonly opts: EngineOptions) {
    this.log = opts.log ?? (() => {});
    this.applier = new StepApplier(opts.target, this.log);
    this.actions = new StepActions({
      target: opts.target,
      mutate: (id, change) => this.mutate(id, change),
      enqueue: (id) => this.enqueue(id),
      log: this.log,
    });
    this.runner = new AnalysisRunner({
      target: opts.target,
      clock: opts.clock,
      apply: (id, key, change) => this.applyRunChange(id, key, change),
      log: this.log,
    });
  }

  get leaseMs(): number {
    return this.opts.leaseMs ?? 15_000;
  }

  /** Loads and resumes every active release this controller may drive; starts the resync loop. */
  async start(): Promise<number[]> {
    const { store, holder } = this.opts;
    this.queue.start();
    await store.claimExpiredLocks(holder, this.leaseMs);
    const releases = await store.listReleases({ phases: ['progressing', 'paused', 'rollingBack'] });
    const resumed: number[] = [];
    for (const release of releases) {
      const lock = await store.getLock(release.app, release.environment);
      if (lock && lock.holder !== holder) continue;
      this.track(release);
      resumed.push(release.id);
    }
    await store.renewLocks(holder, this.leaseMs);
    const resyncMs = this.opts.resyncMs ?? 500;
    if (resyncMs > 0) {
      this.resyncTimer = setInterval(() => this.resync(), resyncMs);
      this.resyncTimer.unref();
    }
    this.leaseTimer = setInterval(
      () => {
        store
          .renewLocks(holder, this.leaseMs)
          .catch((error: unknown) => this.log('lease renewal failed', { error: String(error) }));
      },
      Math.max(1000, this.leaseMs / 3),
    );
    this.leaseTimer.unref();
    if (resumed.length) this.log('resuming releases', { releases: resumed });
    return resumed;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.resyncTimer);
    clearInterval(this.leaseTimer);
    this.runner.stopAll();
    await this.actions.stopAll();
    await this.queue.stop();
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    await Promise.allSettled([...this.chains.values()]);
  }

  /** Starts driving a release (new, or loaded at start): its current step is (re)applied first. */
  track(release: Release): void {
    this.active.set(release.id, release);
    this.needsApply.add(release.id);
    this.enqueue(release.id);
  }

  get(id: number): Release | undefined {
    return this.active.get(id);
  }

  activeReleases(): Release[] {
    return [...this.active.values()];
  }

  /** Reconcile every active release soon (also the periodic resync). */
  resync(): void {
    // Releases waiting for instances first: their timer is only the deadline, so a resync is what notices
    // readiness; a pause has its timer, a promotion its command.
    const waitsForReady = (r: Release): boolean => currentStep(r)?.wait.kind === 'ready';
    for (const r of this.active.values()) if (waitsForReady(r)) this.queue.resyncOf(r.id);
    for (const r of this.active.values()) if (!waitsForReady(r)) this.queue.resyncOf(r.id);
  }

  enqueue(id: number): void {
    if (this.stopped || this.queued.has(id)) return;
    this.queued.add(id);
    this.serialize(id, async () => {
      this.queued.delete(id);
      await this.reconcile(id);
    });
  }

  /** Resolves once no release has queued or running work (tests drive a fake clock with it). */
  async idle(): Promise<void> {
    do {
      await this.runner.idle();
      while (this.chains.size > 0 || this.queue.busy) {
        await this.queue.drained();
        await Promise.allSettled([...this.chains.values()]);
      }
    } while (this.runner.busy);
  }

  /**
   * Changes an active release on behalf of a person or API client, serialised with the engine's own
   * transitions so the two never race. Resolves with the persisted release.
   */
  mutate(id: number, change: Mutation): Promise<Release> {
    return new Promise((resolve, reject) => {
      this.serialize(id, async () => {
        const release = this.active.get(id);
        if (!release) return reject(new ConflictError(`release ${id} is not in progress`, { releaseId: id }));
        try {
          const { release: next, events } = change(release, this.opts.clock.now());
          const saved = await this.write(release, next, events);
          // A change of plan or step (abort, promote --full) must apply its new desired state.
          if (
            (saved.phase === 'rollingBack') !== (release.phase === 'rollingBack') ||
            currentIndex(saved) !== currentIndex(release)
          ) {
            this.needsApply.add(id);
            this.actions.stop(id);
          }
          resolve(saved);
          this.enqueue(id);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
  }

  /** The spec a release runs with: its spec revision, seen from its environment. */
  async specFor(release: Release): Promise<CompiledSpec> {
    const key = `${release.app}@${release.specRevision}/${release.environment}`;
    let spec = this.specs.get(key);
    if (!spec) {
      const stored = await this.opts.store.getAppSpec(release.app, release.specRevision);
      if (!stored) throw new NotFoundError(`spec revision ${release.specRevision} of ${release.app}`);
      spec = specForEnvironment(stored, release.environment);
      this.specs.set(key, spec);
    }
    return spec;
  }

  /** A change of one analysis run from the runner, persisted with its measurements as events. */
  private async applyRunChange(
    id: number,
    key: string,
    change: RunChange,
  ): Promise<AnalysisRunState | undefined> {
    if (!this.active.has(id)) return undefined;
    const saved = await this.mutate(id, (release) => {
      const before = release.runtime.analysis?.[key];
      if (!before || release.phase === 'rollingBack') return { release, events: [] };
      const { run, measured } = change(before);
      const events: NewEvent[] = measured.map(({ metric, measurement, dryRun }) => ({
        app: release.app,
        releaseId: release.id,
        actor: CONTROLLER,
        action: 'analysis.measurement',
        reason: null,
        data: { run: key, dryRun, ...measurement, metric },
        at: measurement.finishedAt,
      }));
      for (const news of verdictChange(before, run)) events.push(this.newsEvent(release, news));
      const analysis = { ...release.runtime.analysis, [key]: run };
      return { release: { ...release, runtime: { ...release.runtime, analysis } }, events };
    }).catch((error: unknown) => {
      if (error instanceof ConflictError) return undefined;
      throw error;
    });
    return saved?.runtime.analysis?.[key];
  }

  private newsEvent(release: Release, news: AnalysisNews, at?: string): NewEvent {
    return {
      app: release.app,
      releaseId: release.id,
      actor: CONTROLLER,
      action: news.action,
      reason: news.reason,
      data: news.data,
      ...(at === undefined ? {} : { at }),
    };
  }

  private serialize(id: number, work: () => Promise<void>): void {
    const previous = this.chains.get(id) ?? Promise.resolve();
    const next = previous.then(work).catch((error: unknown) => {
      this.log('release work failed; it is retried at the next resync', {
        releaseId: id,
        error: String(error),
      });
    });
    this.chains.set(id, next);
    void next.then(() => {
      if (this.chains.get(id) === next) this.chains.delete(id);
    });
  }

  private async write(before: Release, after: Release, events: NewEvent[]): Promise<Release> {
    try {
      const saved = await this.opts.store.updateRelease(after, before.generation, events);
      if (FINAL_PHASES.has(saved.phase)) {
        this.active.delete(saved.id);
        this.cancelTimer(saved.id);
      } else {
        this.active.set(saved.id, saved);
      }
      this.opts.onChange?.(saved);
      return saved;
    } catch (error) {
      if (error instanceof StaleWriteError) {
        const fresh = await this.opts.store.getRelease(before.id);
        if (fresh && !FINAL_PHASES.has(fresh.phase)) this.active.set(fresh.id, fresh);
        else this.active.delete(before.id);
      }
      throw error;
    }
  }

  private cancelTimer(id: number): void {
    this.timers.get(id)?.();
    this.timers.delete(id);
  }

  private wakeAt(id: number, at: number): void {
    this.cancelTimer(id);
    const delay = at - this.opts.clock.now();
    this.timers.set(
      id,
      this.opts.clock.setTimer(delay, () => {
        this.timers.delete(id);
        this.enqueue(id);
      }),
    );
  }

  private async reconcile(id: number): Promise<void> {
    const release = this.active.get(id);
    if (!release) return;
    const { target, clock } = this.opts;
    const spec = await this.specFor(release);
    const step = currentStep(release);
    if (step && this.needsApply.has(id)) {
      await this.applier.apply(spec, step);
      this.needsApply.delete(id);
    }
    const observation = await target.observe(spec.name);
    const now = clock.now();

    let fired = null;
    let triggerStates = release.runtime.triggers;
    let triggersChanged = false;
    if (step?.watch && release.phase !== 'rollingBack' && spec.rollbackTriggers.length > 0) {
      const stats = await target.stats(spec.name);
      const versionStats = stats?.versions.find((v) => v.version === release.version);
      const evaluation = evaluateTriggers(spec.rollbackTriggers, versionStats, release.runtime.triggers, now);
      fired = evaluation.fired;
      triggerStates = evaluation.states;
      triggersChanged = evaluation.changed;
    }

    const withTriggers: Release = triggersChanged
      ? { ...release, runtime: { ...release.runtime, triggers: triggerStates } }
      : release;
    const prepared = prepareAnalysis(withTriggers, spec, step, now);
    const at = new Date(now).toISOString();
    const news = prepared.news.map((n) => this.newsEvent(release, n, at));
    const decision = decide({
      release: prepared.release,
      spec,
      observation,
      fired,
      now,
      actionsRunning: this.actions.running(release),
      analysis: activeRuns(prepared.release, step),
    });
    await this.carryOut(release, prepared.release, spec, decision, now, news);
    const latest = this.active.get(id);
    if (latest) this.runner.sync(id, spec, activeRuns(latest, currentStep(latest)));
    else this.runner.stopRelease(id);
  }

  private async carryOut(
    release: Release,
    base: Release,
    spec: CompiledSpec,
    decision: Decision,
    now: number,
    news: NewEvent[],
  ): Promise<void> {
    const at = new Date(now).toISOString();
    const event = (
      action: string,
      data: Record<string, unknown> = {},
      reason: string | null = null,
    ): NewEvent => ({
      app: release.app,
      releaseId: release.id,
      actor: CONTROLLER,
      action,
      reason,
      data,
      at,
    });
    const plan = currentPlan(release);
    const index = currentIndex(release);
    const step = plan[index];

    switch (decision.kind) {
      case 'wait': {
        if (base !== release) await this.write(release, base, news);
        if (decision.wakeAt !== null) this.wakeAt(release.id, decision.wakeAt);
        return;
      }
      case 'runActions': {
        if (base !== release) await this.write(release, base, news);
        if (step?.wait.kind === 'actions') this.actions.start(release, spec, step.wait);
        return;
      }
      case 'advance':
      case 'jump': {
        const nextIndex = decision.kind === 'jump' ? decision.toIndex : index + 1;
        if (step?.wait.kind === 'duration') {
          const due = Date.parse(release.stepStartedAt) + release.pausedMs + step.wait.ms;
          if (now >= due) this.opts.onStepLatency?.(now - due);
        }
        if (step) this.opts.onStepCompleted?.(release.app, step.name, stepElapsed(release, now));
        const rollingBack = release.phase === 'rollingBack';
        const next: Release = {
          ...base,
          ...(rollingBack ? { rollbackStepIndex: nextIndex } : { stepIndex: nextIndex }),
          stepStartedAt: at,
          pausedMs: 0,
          pausedAt: release.phase === 'paused' ? at : null,
          runtime: {
            ...base.runtime,
            promote:
              decision.kind === 'jump' || base.runtime.promote === 'step' ? 'none' : base.runtime.promote,
            checks: [],
          },
        };
        const nextStep = plan[nextIndex];
        const events = [...news, event('step.completed', { index, name: step?.name, rollback: rollingBack })];
        // Already on (a way back under maintenance after a breaking migration): it keeps its start time.
        if (step?.maintenance === 'start' && !base.runtime.maintenanceSince) {
          next.runtime.maintenanceSince = release.stepStartedAt;
          events.push({
            ...event('maintenance.started', { mode: step.traffic.maintenance?.mode }),
            at: release.stepStartedAt,
          });
        } else if (step?.maintenance === 'end' && base.runtime.maintenanceSince) {
          const since = base.runtime.maintenanceSince;
          const durationMs = Date.parse(release.stepStartedAt) - Date.parse(since);
          next.runtime.maintenanceSince = null;
          events.push({ ...event('maintenance.ended', { since, durationMs }), at: release.stepStartedAt });
        }
        if (nextStep) {
          events.push(
            event('step.started', {
              index: nextIndex,
              name: nextStep.name,
              rollback: rollingBack,
              traffic: nextStep.traffic.weights,
            }),
          );
          if (nextStep.wait.kind === 'approval')
            events.push(event('approval.requested', approvalData(nextStep, nextIndex)));
        }
        const saved = await this.write(release, next, events);
        if (nextStep) {
          this.needsApply.add(saved.id);
          await this.applier.apply(spec, nextStep);
          this.needsApply.delete(saved.id);
        }
        // The next step through the queue: one transition (one commit) per release per batch.
        this.queue.afterTransitionOf(saved.id);
        return;
      }
      case 'rollback': {
        this.actions.stop(release.id);
        const back = rollbackPlan(spec, release);
        const next: Release = {
          ...base,
          phase: 'rollingBack',
          rollbackPlan: back,
          rollbackStepIndex: 0,
          stepStartedAt: at,
          pausedMs: 0,
          pausedAt: null,
          outcomeReason: decision.reason,
          runtime: { ...base.runtime, rollbackOutcome: decision.outcome ?? 'rolledBack', checks: [] },
        };
        this.runner.stopRelease(release.id);
        const events = [
          ...news,
          event(
            decision.reason.startsWith('trigger:') ? 'trigger.fired' : 'release.failing',
            decision.detail,
            decision.reason,
          ),
          event('release.rollingBack', { fromStep: index, steps: back.map((s) => s.name) }, decision.reason),
        ];
        const saved = await this.write(release, next, events);
        const first = back[0];
        if (first) {
          this.needsApply.add(saved.id);
          await this.applier.apply(spec, first);
          this.needsApply.delete(saved.id);
        }
        // The next step through the queue: one transition (one commit) per release per batch.
        this.queue.afterTransitionOf(saved.id);
        return;
      }
      case 'finish': {
        if (decision.phase === 'promoted') await recordRevisionOnce(this.opts.store, release);
        const next: Release = {
          ...base,
          phase: decision.phase,
          outcomeReason: decision.reason ?? base.outcomeReason,
        };
        await this.write(release, next, [
          ...news,
          event(`release.${decision.phase}`, { version: release.version }, next.outcomeReason),
        ]);
        return;
      }
      case 'hold': {
        const runs = base.runtime.analysis ?? {};
        const held = runs[decision.run];
        const next: Release = {
          ...base,
          phase: 'paused',
          pausedAt: at,
          runtime: {
            ...base.runtime,
            analysis: held ? { ...runs, [decision.run]: { ...held, held: true } } : runs,
          },
        };
        await this.write(release, next, [
          ...news,
          event('analysis.inconclusive', decision.detail, decision.reason),
          event('release.paused', { by: 'analysis' }, decision.reason),
        ]);
        return;
      }
    }
  }
}
