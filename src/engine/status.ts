// The status view model of an app: one shape for the API, the CLI and the dashboard.
import type { LockInfo, Store } from '../store/store.js';
import type { Target, TargetObservation } from '../targets/target.js';
import { currentIndex, currentPlan, stepElapsed } from './decide.js';
import type { Engine } from './engine.js';
import type { Release, Revision, TriggerState } from './model.js';
import { DEFAULT_ENVIRONMENT } from './operations.js';

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

export interface AppStatusView {
  app: string;
  environment: string;
  specRevision: number;
  strategy: string;
  live: Revision | null;
  release: ReleaseSummary | null;
  lastRelease: ReleaseSummary | null;
  lock: LockInfo | null;
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

export async function appStatus(
  deps: { store: Store; engine: Engine; target: Target; now: number },
  app: string,
): Promise<AppStatusView | undefined> {
  const record = await deps.store.getApp(app);
  if (!record) return undefined;
  const [latest] = await deps.store.listReleases({ app, limit: 1 });
  const active = latest && !latest.finishedAt ? (deps.engine.get(latest.id) ?? latest) : undefined;
  let observed: TargetObservation | null = null;
  let observeError: string | null = null;
  try {
    observed = await deps.target.observe(app);
  } catch (error) {
    observeError = error instanceof Error ? error.message : String(error);
  }
  return {
    app,
    environment: DEFAULT_ENVIRONMENT,
    specRevision: record.specRevision,
    strategy: record.spec.strategy.kind,
    live: (await deps.store.currentRevision(app, DEFAULT_ENVIRONMENT)) ?? null,
    release: active ? summarizeRelease(active, deps.now) : null,
    lastRelease: latest && !active ? summarizeRelease(latest, deps.now) : null,
    lock: (await deps.store.getLock(app, DEFAULT_ENVIRONMENT)) ?? null,
    observed,
    observeError,
  };
}
