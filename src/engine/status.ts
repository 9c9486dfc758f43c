// The status view model of an app: one shape for the API, the CLI and the dashboard.
import type { LockInfo, Store } from '../store/store.js';
import type { Target, TargetObservation } from '../targets/target.js';
import { currentIndex, currentPlan, stepElapsed } from './decide.js';
import type { Engine } from './engine.js';
import type { Release, Revision, TriggerState } from './model.js';
import { environmentNames, resolveEnvironment, specForEnvironment } from '../spec/environment.js';

export interface ReleaseSummary {
  id: number;
  version: string;
  fromVersion: string | null;
  kind: Release['kind'];
  phase: Release['phase'];
  step: { index: number; count: number; name: string | null; elapsedMs: number; rollback: boolean };
  weights: Record<string, number>;
  triggers: Record<string, TriggerState>;
  /** Every analysis run so far: its verdict and, per metric, the verdict and the last measurement. */
  analysis: AnalysisRunSummary[];
  outcomeReason: string | null;
  createdBy: Release['createdBy'];
  reason: string | null;
  createdAt: string;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface AnalysisRunSummary {
  run: string;
  phase: string;
  rule: string;
  metrics: Array<{
    metric: string;
    judge: string;
    dryRun: boolean;
    phase: string;
    measurements: number;
    last: string | null;
  }>;
}

function summarizeAnalysis(release: Release): AnalysisRunSummary[] {
  return Object.values(release.runtime.analysis ?? {}).map((run) => ({
    run: run.key,
    phase: run.verdict.phase,
    rule: run.verdict.rule,
    metrics: Object.entries(run.metrics).map(([metric, m]) => ({
      metric,
      judge: m.judge,
      dryRun: m.dryRun,
      phase: m.verdict.phase,
      measurements: m.measurements,
      last: m.recent[m.recent.length - 1]?.message ?? (m.judge === 'sequential' ? m.verdict.rule : null),
    })),
  }));
}

/** The per-app lock and who holds it: the release and the person who started it, since when. */
export interface LockView extends LockInfo {
  heldBy: Release['createdBy'] | null;
}

export interface AppStatusView {
  app: string;
  environment: string;
  /** Every environment the app declares (one, `default`, when it declares none). */
  environments: string[];
  specRevision: number;
  strategy: string;
  live: Revision | null;
  release: ReleaseSummary | null;
  lastRelease: ReleaseSummary | null;
  lock: LockView | null;
  observed: TargetObservation | null;
  observeError: string | null;
}

export function summarizeRelease(release: Release, now: number): ReleaseSummary {
  const plan = currentPlan(release);
  const index = currentIndex(release);
  const step = plan[index];
  const finished = release.finishedAt ? Date.parse(release.finishedAt) : null;
  return {
    id: release.id,
    version: release.version,
    fromVersion: release.fromVersion,
    kind: release.kind,
    phase: release.phase,
    step: {
      index,
      count: plan.length,
      name: step?.name ?? null,
      elapsedMs: finished ? 0 : Math.max(0, stepElapsed(release, now)),
      rollback: release.phase === 'rollingBack',
    },
    weights: (step ?? plan[plan.length - 1])?.traffic.weights ?? {},
    triggers: release.runtime.triggers,
    analysis: summarizeAnalysis(release),
    outcomeReason: release.outcomeReason,
    createdBy: release.createdBy,
    reason: release.reason,
    createdAt: release.createdAt,
    finishedAt: release.finishedAt,
    durationMs: finished ? finished - Date.parse(release.createdAt) : null,
  };
}

/**
 * The environment a status shows when none is named: the only one, else the first with a release in progress,
 * else the first declared.
 */
async function defaultEnvironment(store: Store, app: string, names: string[]): Promise<string> {
  if (names.length === 1) return names[0]!;
  const active = await store.listReleases({ app, phases: ['progressing', 'paused', 'rollingBack'] });
  return names.find((n) => active.some((r) => r.environment === n)) ?? names[0]!;
}

export async function appStatus(
  deps: { store: Store; engine: Engine; target: Target; now: number },
  app: string,
  environment?: string | null,
): Promise<AppStatusView | undefined> {
  const record = await deps.store.getApp(app);
  if (!record) return undefined;
  const names = environmentNames(record.spec);
  const env = environment
    ? resolveEnvironment(record.spec, environment)
    : await defaultEnvironment(deps.store, app, names);
  const spec = specForEnvironment(record.spec, env);
  const latest = (await deps.store.listReleases({ app })).find((r) => r.environment === env);
  const active = latest && !latest.finishedAt ? (deps.engine.get(latest.id) ?? latest) : undefined;
  let observed: TargetObservation | null = null;
  let observeError: string | null = null;
  try {
    observed = await deps.target.observe(spec.name);
  } catch (error) {
    observeError = error instanceof Error ? error.message : String(error);
  }
  const lock = (await deps.store.getLock(app, env)) ?? null;
  const holder = lock?.releaseId ? await deps.store.getRelease(lock.releaseId) : undefined;
  return {
    app,
    environment: env,
    environments: names,
    specRevision: record.specRevision,
    strategy: spec.strategy.kind,
    live: (await deps.store.currentRevision(app, env)) ?? null,
    release: active ? summarizeRelease(active, deps.now) : null,
    lastRelease: latest && !active ? summarizeRelease(latest, deps.now) : null,
    lock: lock ? { ...lock, heldBy: holder?.createdBy ?? null } : null,
    observed,
    observeError,
  };
}
