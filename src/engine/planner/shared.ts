// Pieces every strategy's plan is built from.
import type { CompiledSpec } from '../../spec/compiled.js';
import type { PlanStep, SetIntent, TrafficIntent } from '../model.js';

export interface PlanInput {
  spec: CompiledSpec;
  version: string;
  /** The live version now, or null for the app's first release. */
  fromVersion: string | null;
}

export function traffic(
  weights: Record<string, number>,
  stable: string | null,
  extra: Partial<TrafficIntent> = {},
): TrafficIntent {
  return { weights, stable, headerRoutes: [], ...extra };
}

export function step(
  name: string,
  sets: SetIntent[],
  intent: TrafficIntent,
  wait: PlanStep['wait'],
  watch: boolean,
  extra: Partial<PlanStep> = {},
): PlanStep {
  return { name, sets, traffic: intent, wait, watch, ...extra };
}

/** The plan of an app's first release: nothing to compare with, so start it and send it the traffic. */
export function firstReleasePlan({ spec, version }: PlanInput): PlanStep[] {
  const sets: SetIntent[] = [{ version, role: 'stable', instances: spec.target.instances }];
  return [
    step(
      `start ${version} (${spec.target.instances} instances)`,
      sets,
      traffic({}, null),
      { kind: 'ready' },
      false,
    ),
    step(
      `send all traffic to ${version}`,
      sets,
      traffic({ [version]: 100 }, version),
      { kind: 'none' },
      false,
      {
        marksLive: true,
        promotionStart: true,
      },
    ),
  ];
}

/**
 * The closing sequence shared by canary and blue-green: the new version at full size (traffic as it was),
 * then all traffic to it, then the old set removed.
 */
export function promotionSteps(
  spec: CompiledSpec,
  version: string,
  from: string,
  current: TrafficIntent,
): PlanStep[] {
  const n = spec.target.instances;
  const both: SetIntent[] = [
    { version: from, role: 'stable', instances: n },
    { version, role: 'canary', instances: n },
  ];
  const all = traffic({ [version]: 100, [from]: 0 }, from);
  return [
    step(`scale ${version} to ${n} instances`, both, current, { kind: 'ready' }, true, {
      promotionStart: true,
    }),
    step(`send all traffic to ${version}`, both, all, { kind: 'none' }, true, { marksLive: true }),
    removeOldStep(spec, version, from),
  ];
}

/** The last step of every plan that replaced `from`: only the new version runs, with all traffic. */
export function removeOldStep(spec: CompiledSpec, version: string, from: string): PlanStep {
  const n = spec.target.instances;
  return step(
    `remove ${from}`,
    [{ version, role: 'stable', instances: n }],
    traffic({ [version]: 100 }, version),
    { kind: 'none' },
    false,
  );
}
