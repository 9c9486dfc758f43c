// Strategy → plan. A registry, not an if-chain: a new strategy is one file and one line here.
import type { CompiledSpec, Strategy } from '../../spec/compiled.js';
import type { PlanStep } from '../model.js';
import { withBackground, withBake } from './analysis.js';
import { blueGreenPlan } from './blue-green.js';
import { canaryPlan } from './canary.js';
import { rollingPlan } from './rolling.js';
import { breakingMigrationPlan, withRunbook, type RunbookOptions } from './runbook.js';
import { firstReleasePlan, type PlanInput } from './shared.js';

type Planner = (input: PlanInput & { fromVersion: string }) => PlanStep[];

const planners: Record<Strategy['kind'], Planner> = {
  canary: canaryPlan,
  blueGreen: blueGreenPlan,
  rolling: rollingPlan,
};

function strategyPlan(spec: CompiledSpec, version: string, fromVersion: string | null): PlanStep[] {
  const migration = spec.hooks.migrate;
  if (migration?.mode === 'breaking') return breakingMigrationPlan(spec, version, fromVersion, migration);
  if (fromVersion === null || fromVersion === version)
    return firstReleasePlan({ spec, version, fromVersion });
  const plan = planners[spec.strategy.kind]({ spec, version, fromVersion });
  return withBake(withBackground(plan, spec), spec);
}

/**
 * The plan that makes `version` live for this spec, from `fromVersion` (null: the app's first release): the
 * strategy's steps (or a breaking migration's) with the runbook's gates and hooks around them.
 */
export function planRelease(
  spec: CompiledSpec,
  version: string,
  fromVersion: string | null,
  options: RunbookOptions = { emergency: false },
): PlanStep[] {
  return withRunbook(strategyPlan(spec, version, fromVersion), spec, version, fromVersion, options);
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
