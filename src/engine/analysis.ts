// Analysis in the release's life, pure: which runs the current step has, starting them, concluding those whose
// time is up (or a background run at its gate), and what their verdicts mean for the release (decide.ts asks).
// The measuring itself is the runner's (src/analysis/run/runner.ts).
import { concludeRun, runMetrics, startRun, type AnalysisRunState } from '../analysis/run/run-state.js';
import type { CompiledSpec } from '../spec/compiled.js';
import type { PlanStep, Release } from './model.js';

export interface AnalysisNews {
  action: 'analysis.started' | 'analysis.verdict';
  data: Record<string, unknown>;
  reason: string | null;
}

/** The state of the runs the step lists, in its order (those not started yet are missing). */
export function activeRuns(release: Release, step: PlanStep | undefined): AnalysisRunState[] {
  if (release.phase === 'rollingBack') return [];
  const states = release.runtime.analysis ?? {};
  return (step?.analysis ?? []).flatMap((run) => (states[run.key] ? [states[run.key]!] : []));
}

const verdictNews = (run: AnalysisRunState): AnalysisNews => ({
  action: 'analysis.verdict',
  data: {
    run: run.key,
    phase: run.verdict.phase,
    rule: run.verdict.rule,
    decidedBy: run.decidedBy,
    detail: run.verdict.detail,
  },
  reason: run.decidedBy === null ? null : `analysis:${run.key}/${run.decidedBy}`,
});

/** Events for a run whose verdict became final between two states. */
export function verdictChange(before: AnalysisRunState | undefined, after: AnalysisRunState): AnalysisNews[] {
  if (after.verdict.phase === 'running' || before?.verdict.phase === after.verdict.phase) return [];
  return [verdictNews(after)];
}

/**
 * Starts the runs the current step lists that have no state yet, and concludes the ones whose duration has
 * passed, or the background run at its gate once it has run `backgroundMinMs`. Returns the release unchanged
 * (the same object) when nothing changed.
 */
export function prepareAnalysis(
  release: Release,
  spec: CompiledSpec,
  step: PlanStep | undefined,
  now: number,
): { release: Release; news: AnalysisNews[] } {
  if (release.phase === 'rollingBack' || !step?.analysis?.length) return { release, news: [] };
  const before = release.runtime.analysis ?? {};
  const states = { ...before };
  const news: AnalysisNews[] = [];
  for (const run of step.analysis) {
    let state = states[run.key];
    if (!state) {
      state = startRun(run, spec.analysis, { canary: release.version, stable: release.fromVersion }, now);
      news.push({
        action: 'analysis.started',
        data: { run: run.key, templates: run.templates, durationMs: run.durationMs },
        reason: null,
      });
    }
    const gate = step.wait.kind === 'analysis' && step.wait.run === run.key && step.wait.conclude === true;
    const force = gate && now - state.startedAt >= spec.analysis.backgroundMinMs;
    const concluded = concludeRun(state, runMetrics(spec.analysis, run.templates), now, force);
    news.push(...verdictChange(before[run.key], concluded));
    states[run.key] = concluded;
  }
  const changed = step.analysis.some((run) => states[run.key] !== before[run.key]);
  if (!changed) return { release, news };
  return { release: { ...release, runtime: { ...release.runtime, analysis: states } }, news };
}

export type AnalysisOutcome =
  | { kind: 'none' }
  | { kind: 'failed'; run: AnalysisRunState }
  | { kind: 'inconclusive'; run: AnalysisRunState };

/** The run that acts on the release now: a failed one first, then an inconclusive one not yet held. */
export function analysisOutcome(active: AnalysisRunState[]): AnalysisOutcome {
  const failed = active.find((r) => r.verdict.phase === 'failed');
  if (failed) return { kind: 'failed', run: failed };
  const inconclusive = active.find((r) => r.verdict.phase === 'inconclusive' && !r.held);
  if (inconclusive) return { kind: 'inconclusive', run: inconclusive };
  return { kind: 'none' };
}

/** When a run waited on should be looked at again: its end, or (a gate) its earliest conclusion. */
export function analysisWakeAt(run: AnalysisRunState, spec: CompiledSpec, step: PlanStep): number | null {
  if (run.durationMs !== null) return run.startedAt + run.durationMs;
  if (step.wait.kind === 'analysis' && step.wait.conclude === true) {
    return run.startedAt + spec.analysis.backgroundMinMs;
  }
  return null;
}

export const reasonOf = (run: AnalysisRunState): string =>
  `analysis:${run.key}${run.decidedBy === null ? '' : `/${run.decidedBy}`}`;
