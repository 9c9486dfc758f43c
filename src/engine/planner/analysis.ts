// Where analysis runs in a plan. A run is listed on every step it is active during (the engine starts it at
// the first and stops it at the first step that no longer lists it); a step that waits for a run's verdict has
// an `analysis` wait:
// - a canary `analysis` step: its own run, the step ends when the run concludes;
// - background: from the first step that gives the new version users to the promotion, then a gate step
//   right before the promotion that concludes the run (so nothing is promoted on a run that never decided);
// - bake: after the switch, the old version still warm; the release is final once the run passes;
// - blue-green pre- and post-promotion analysis (blue-green.ts places those steps).
import type { AnalysisRef, CompiledSpec } from '../../spec/compiled.js';
import type { AnalysisRun, PlanStep } from '../model.js';
import { formatMs } from './format.js';
import { step } from './shared.js';

export function describeRun(run: AnalysisRun): string {
  const duration = run.durationMs === null ? '' : ` ${formatMs(run.durationMs)}`;
  return `${run.templates.join(', ')}${duration}`;
}

export function runOf(key: string, ref: AnalysisRef): AnalysisRun {
  return { key, templates: [...ref.templates], durationMs: ref.durationMs };
}

/** A step that runs `run` and waits for its verdict, with the desired state of `like`. */
export function analysisStep(name: string, like: PlanStep, run: AnalysisRun, watch: boolean): PlanStep {
  return step(
    `${name} (${describeRun(run)})`,
    like.sets,
    like.traffic,
    { kind: 'analysis', run: run.key },
    watch,
    {
      analysis: [run],
    },
  );
}

function withRun(s: PlanStep, run: AnalysisRun): PlanStep {
  return { ...s, analysis: [...(s.analysis ?? []), run] };
}

/** Background analysis on the exposed steps before the promotion, and its gate. */
export function withBackground(plan: PlanStep[], spec: CompiledSpec): PlanStep[] {
  const templates = spec.analysis.background;
  const promotion = plan.findIndex((s) => s.promotionStart);
  if (templates.length === 0 || promotion <= 0) return plan;
  const run: AnalysisRun = { key: 'background', templates: [...templates], durationMs: null };
  const first = plan.findIndex((s, i) => i < promotion && s.watch);
  if (first < 0) return plan;
  const before = plan.slice(0, promotion).map((s, i) => (i >= first ? withRun(s, run) : s));
  const last = before[before.length - 1]!;
  const gate = step(
    `analysis gate (${describeRun(run)})`,
    last.sets,
    last.traffic,
    { kind: 'analysis', run: run.key, conclude: true },
    true,
    { analysis: [run] },
  );
  return [...before, gate, ...plan.slice(promotion)];
}

/** The bake after the step that makes the new version live, before the old one is removed. */
export function withBake(plan: PlanStep[], spec: CompiledSpec): PlanStep[] {
  const bake = spec.analysis.bake;
  const live = plan.findIndex((s) => s.marksLive);
  if (bake === null || live < 0 || live === plan.length - 1) return plan;
  const bakeStep = analysisStep('bake', plan[live]!, runOf('bake', bake), true);
  return [...plan.slice(0, live + 1), bakeStep, ...plan.slice(live + 1)];
}
