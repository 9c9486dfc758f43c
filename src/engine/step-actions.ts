// The actions of the current step (checks, hooks, smoke tests, a migration) running in the background for the
// engine: each result is persisted with its event if the release is still at that step; the command running
// now is recorded so a controller restarted after a kill -9 waits for the one its predecessor left running.
import type { ActionResult } from '../hooks/result.js';
import type { CompiledSpec } from '../spec/compiled.js';
import { readProcStat } from '../targets/local/supervisor/proc.js';
import type { Target } from '../targets/target.js';
import { runStepActions, settleOrphanHook } from './actions.js';
import { currentIndex } from './decide.js';
import { CONTROLLER, type NewEvent, type PlanStep, type Release } from './model.js';

type ActionsWait = Extract<PlanStep['wait'], { kind: 'actions' }>;
type Mutation = (release: Release, now: number) => { release: Release; events: NewEvent[] };

/** Which step of which plan a release is at: action results belong to one. */
export const stepKey = (release: Release): string =>
  `${release.phase === 'rollingBack' ? 'back' : 'main'}:${currentIndex(release)}`;

export interface StepActionsDeps {
  target: Target;
  /** The engine's serialised change of a release. */
  mutate(id: number, change: Mutation): Promise<Release>;
  /** Reconcile the release soon (its actions settled). */
  enqueue(id: number): void;
  log(msg: string, fields?: Record<string, unknown>): void;
}

export class StepActions {
  private readonly running_ = new Map<number, { step: string; abort: AbortController }>();
  /** Every run not yet settled (stopped ones included), so stopAll() can wait for their processes. */
  private readonly runs = new Set<Promise<void>>();

  constructor(private readonly deps: StepActionsDeps) {}

  /** Whether the actions of the release's current step are running. */
  running(release: Release): boolean {
    return this.running_.get(release.id)?.step === stepKey(release);
  }

  /** Runs the step's actions that have no result yet; each result is persisted if the step is still current. */
  start(release: Release, spec: CompiledSpec, wait: ActionsWait): void {
    const { deps } = this;
    const key = stepKey(release);
    const abort = new AbortController();
    this.running_.set(release.id, { step: key, abort });
    const kind = wait.hook === 'checks' || wait.hook === 'prePromotion' ? 'check' : 'hook';
    const record = (result: ActionResult): Promise<void> =>
      deps
        .mutate(release.id, (r, now) => {
          if (stepKey(r) !== key) return { release: r, events: [] };
          const at = new Date(now).toISOString();
          const checks = [...r.runtime.checks, { ...result, at }];
          return {
            release: { ...r, runtime: { ...r.runtime, checks, hookProcess: null } },
            events: [
              {
                app: r.app,
                releaseId: r.id,
                actor: CONTROLLER,
                action: `${kind}.${result.ok ? 'passed' : 'failed'}`,
                reason: null,
                data: { hook: wait.hook, ...result },
                at,
              },
            ],
          };
        })
        .then(() => undefined);
    const spawned = (action: string, pid: number): void => {
      const hookProcess = { step: key, action, pgid: pid, startTime: readProcStat(pid)?.startTime ?? null };
      deps
        .mutate(release.id, (r) => ({
          release: stepKey(r) === key ? { ...r, runtime: { ...r.runtime, hookProcess } } : r,
          events: [],
        }))
        .catch(() => undefined);
    };
    // After a restart, actions that already have a result are not run again; the interrupted one is, once the
    // process a killed controller left running (if any) has ended.
    const pending = {
      ...wait,
      actions: wait.actions.filter((a) => !release.runtime.checks.some((r) => r.name === a.name)),
    };
    const orphan = release.runtime.hookProcess;
    const timeoutOf = (name: string): number =>
      wait.actions.find((a) => a.name === name)?.timeoutMs ?? 60_000;
    const settled =
      orphan && orphan.step === key
        ? settleOrphanHook(orphan, timeoutOf(orphan.action), deps.log)
        : Promise.resolve();
    const run = settled
      .then(() =>
        runStepActions({ target: deps.target }, spec, release, pending, abort.signal, record, spawned),
      )
      .catch((error: unknown) =>
        deps.log('actions failed to run', { releaseId: release.id, hook: wait.hook, error: String(error) }),
      )
      .finally(() => {
        this.runs.delete(run);
        if (this.running_.get(release.id)?.abort === abort) this.running_.delete(release.id);
        deps.enqueue(release.id);
      });
    this.runs.add(run);
  }

  /** Stops the actions of a step the release has left (an abort, a rollback, a jump). */
  stop(id: number): void {
    this.running_.get(id)?.abort.abort();
    this.running_.delete(id);
  }

  /** Stops every run and waits until their processes are gone. */
  async stopAll(): Promise<void> {
    for (const running of this.running_.values()) running.abort.abort();
    await Promise.allSettled([...this.runs]);
  }
}
