// Rolling: replace instances in batches within maxSurge (extra instances allowed) and maxUnavailable (ready
// instances allowed below the desired count). Each batch starts new instances and waits for them to be ready
// before old ones are removed; traffic follows the instance counts of each version.
import type { RollingStrategy } from '../../spec/compiled.js';
import type { PlanStep, SetIntent, TrafficIntent } from '../model.js';
import { type PlanInput, removeOldStep, step, traffic } from './shared.js';

function proportional(from: string, version: string, oldCount: number, newCount: number): TrafficIntent {
  const total = oldCount + newCount;
  const newWeight = total === 0 ? 0 : Math.round((100 * newCount) / total);
  return traffic({ [from]: 100 - newWeight, [version]: newWeight }, from);
}

export function rollingPlan({ spec, version, fromVersion }: PlanInput & { fromVersion: string }): PlanStep[] {
  const strategy = spec.strategy as RollingStrategy;
  const from = fromVersion;
  const n = spec.target.instances;
  const batch = Math.max(1, strategy.maxSurge + strategy.maxUnavailable);
  const sets = (oldCount: number, newCount: number): SetIntent[] => [
    { version: from, role: 'stable', instances: oldCount },
    { version, role: 'canary', instances: newCount },
  ];

  const steps: PlanStep[] = [];
  let oldCount = n;
  let newCount = 0;
  let index = 0;
  const batches = Math.ceil(n / batch);
  while (newCount < n) {
    index += 1;
    const nextNew = Math.min(n, newCount + batch);
    const nextOld = n - nextNew;
    // During the surge the old set may shrink by maxUnavailable at most, so ready capacity stays >= n - maxUnavailable.
    const surgeOld = Math.max(nextOld, oldCount - strategy.maxUnavailable);
    const last = nextNew === n;
    steps.push(
      step(
        `batch ${index}/${batches}: start ${nextNew - newCount} ${version}`,
        sets(surgeOld, nextNew),
        proportional(from, version, surgeOld, newCount),
        { kind: 'ready' },
        newCount > 0,
      ),
    );
    if (last) {
      steps.push(
        step(
          `send all traffic to ${version}`,
          sets(nextOld, nextNew),
          traffic({ [version]: 100, [from]: 0 }, from),
          { kind: 'none' },
          true,
          { marksLive: true, promotionStart: true },
        ),
      );
      steps.push(removeOldStep(spec, version, from));
    } else {
      steps.push(
        step(
          `batch ${index}/${batches}: stop ${oldCount - nextOld} ${from}`,
          sets(nextOld, nextNew),
          proportional(from, version, nextOld, nextNew),
          { kind: 'none' },
          true,
        ),
      );
    }
    oldCount = nextOld;
    newCount = nextNew;
  }
  return steps;
}
