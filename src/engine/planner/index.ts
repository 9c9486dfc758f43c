// Strategy → plan. A registry, not an if-chain: a new strategy is one file and one line here.
import type { CompiledSpec, Strategy } from '../../spec/compiled.js';
import type { PlanStep } from '../model.js';
import { withBackground, withBake } from './analysis.js';
import { blueGreenPlan } from './blue-green.js';
import { canaryPlan } from './canary.js';
import { rollingPlan } from './rolling.js';
import { firstReleasePlan, type PlanInput } from './shared.js';

type Planner = (input: PlanInput & { fromVersion: string }) => PlanStep[];

const planners: Record<Strategy['kind'], Planner> = {
  canary: canaryPlan,
  blueGreen: blueGreenPlan,
  rolling: rollingPlan,
};

/** The plan that makes `version` live for this spec, from `fromVersion` (null: the app's first release). */
export function planRelease(spec: CompiledSpec, version: string, fromVersion: string | null): PlanStep[] {
  if (fromVersion === null || fromVersion === version) {
    return firstReleasePlan({ spec, version, fromVersion });
  }
  const plan = planners[spec.strategy.kind]({ spec, version, fromVersion });
  return withBake(withBackground(plan, spec), spec);
}

/** A rollback release (to an older revision) ignores the strategy: start it beside, switch, remove. */
export function planRollbackRelease(
  spec: CompiledSpec,
  version: string,
  fromVersion: string | null,
): PlanStep[] {
  if (fromVersion === null || fromVersion === version)
    return firstReleasePlan({ spec, version, fromVersion });
  return planners.blueGreen({
    spec: {
      ...spec,
      strategy: {
        kind: 'blueGreen',
        prePromotionChecks: [],
        autoPromote: true,
        postPromotionWatchMs: 0,
        scaleDownDelayMs: 0,
        prePromotionAnalysis: null,
        postPromotionAnalysis: null,
      },
    },
    version,
    fromVersion,
  });
}

export { rollbackPlan } from './rollback.js';
