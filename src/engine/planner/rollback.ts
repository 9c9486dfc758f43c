// The way back: computed when a release rolls back (abort, trigger, deadline, a failed hook), from the step it
// was at. The previous version is brought back to full size first (instant when it is still warm), then
// receives all traffic, then the new version is removed; then the onRollback and onFailure hooks run. A release
// stopped at a gate changed nothing: only its onFailure hooks run. After a breaking migration the way back is
// under maintenance too: the onRollback hooks (undo the migration) run before the old version serves again.
import type { CompiledSpec } from '../../spec/compiled.js';
import type { PlanStep, Release, SetIntent } from '../model.js';
import { actionsStep } from './runbook.js';
import { step, traffic } from './shared.js';

function hookSteps(
  spec: CompiledSpec,
  release: Release,
  like: PlanStep | undefined,
  undo: boolean,
): PlanStep[] {
  const base = like ?? step('', [], traffic({}, null), { kind: 'none' }, false);
  const calm = { sets: base.sets, traffic: base.traffic, watch: false };
  // After a gate nothing had changed: the hooks apply nothing either. Elsewhere they hold the state reached.
  const extra = base.gate ? { gate: true } : {};
  const steps: PlanStep[] = [];
  if (undo && spec.hooks.onRollback.length > 0)
    steps.push(
      actionsStep(
        'on-rollback hooks',
        calm,
        'onRollback',
        spec.hooks.onRollback,
        release.version,
        'continue',
        {
          gate: true,
        },
      ),
    );
  if (spec.hooks.onFailure.length > 0)
    steps.push(
      actionsStep(
        'on-failure hooks',
        calm,
        'onFailure',
        spec.hooks.onFailure,
        release.version,
        'continue',
        extra,
      ),
    );
  return steps;
}

/**
 * Whether the release got to (or past) a breaking migration's maintenance step: the way back is then under
 * maintenance too, so the onRollback hooks undo the migration before the old version serves again.
 */
function pastMaintenanceStart(release: Release): boolean {
  const at = release.plan.findIndex((s) => s.maintenance === 'start');
  return at >= 0 && release.stepIndex >= at;
}

function underMaintenance(spec: CompiledSpec, release: Release): PlanStep[] {
  const from = release.fromVersion;
  // The settings the release went into maintenance with (pastMaintenanceStart: that step exists).
  const maintenance = release.plan.find((s) => s.maintenance === 'start')?.traffic.maintenance;
  const n = spec.target.instances;
  const held = traffic({}, null, { maintenance });
  const oldSets: SetIntent[] = from ? [{ version: from, role: 'stable', instances: n }] : [];
  const steps: PlanStep[] = [
    step('maintenance on', [], held, { kind: 'stopped', version: release.version }, false, {
      maintenance: 'start',
    }),
  ];
  if (spec.hooks.onRollback.length > 0)
    steps.push(
      actionsStep(
        'on-rollback hooks',
        { sets: [], traffic: held, watch: false },
        'onRollback',
        spec.hooks.onRollback,
        release.version,
        'continue',
      ),
    );
  if (from) steps.push(step(`start ${from} (${n} instances)`, oldSets, held, { kind: 'ready' }, false));
  const back = traffic(from ? { [from]: 100 } : {}, from);
  steps.push(
    step(
      from ? `maintenance off: all traffic to ${from}` : 'maintenance off',
      oldSets,
      back,
      { kind: 'none' },
      false,
      {
        maintenance: 'end',
      },
    ),
  );
  return [...steps, ...hookSteps(spec, release, steps[steps.length - 1], false)];
}

export function rollbackPlan(spec: CompiledSpec, release: Release): PlanStep[] {
  const current = release.plan[Math.min(release.stepIndex, release.plan.length - 1)];
  if (current?.gate) return hookSteps(spec, release, current, false);
  if (pastMaintenanceStart(release)) return underMaintenance(spec, release);
  const from = release.fromVersion;
  const v = release.version;
  if (from === null) {
    const removed = step(`remove ${v}`, [], traffic({}, null), { kind: 'none' }, false);
    return [removed, ...hookSteps(spec, release, removed, true)];
  }
  const n = spec.target.instances;
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
  const removed = step(
    `remove ${v}`,
    [{ version: from, role: 'stable', instances: n }],
    traffic({ [from]: 100 }, from),
    { kind: 'none' },
    false,
  );
  steps.push(removed);
  return [...steps, ...hookSteps(spec, release, removed, true)];
}
