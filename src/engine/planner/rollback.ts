// The way back: computed when a release rolls back (abort, trigger, deadline), from the step it was at.
// The previous version is brought back to full size first (instant when it is still warm), then receives all
// traffic, then the new version is removed.
import type { CompiledSpec } from '../../spec/compiled.js';
import type { PlanStep, Release, SetIntent } from '../model.js';
import { step, traffic } from './shared.js';

export function rollbackPlan(spec: CompiledSpec, release: Release): PlanStep[] {
  const from = release.fromVersion;
  const v = release.version;
  if (from === null) {
    return [step(`remove ${v}`, [], traffic({}, null), { kind: 'none' }, false)];
  }
  const n = spec.target.instances;
  const current = release.plan[Math.min(release.stepIndex, release.plan.length - 1)];
  const newCount = current?.sets.find((s) => s.version === v)?.instances ?? 0;
  const sets: SetIntent[] = [
    { version: from, role: 'stable', instances: n },
    ...(newCount > 0 ? [{ version: v, role: 'canary' as const, instances: newCount }] : []),
  ];
  const back = traffic({ [from]: 100, [v]: 0 }, from);
  const currentTraffic = current?.traffic ?? back;
  const fromReady = current?.sets.find((s) => s.version === from)?.instances ?? 0;
  const steps: PlanStep[] = [];
  // When the old set is already at full size the first step is the switch itself.
  if (fromReady < n)
    steps.push(step(`scale ${from} back to ${n} instances`, sets, currentTraffic, { kind: 'ready' }, false));
  steps.push(step(`send all traffic to ${from}`, sets, back, { kind: 'none' }, false));
  steps.push(
    step(
      `remove ${v}`,
      [{ version: from, role: 'stable', instances: n }],
      traffic({ [from]: 100 }, from),
      { kind: 'none' },
      false,
    ),
  );
  return steps;
}
