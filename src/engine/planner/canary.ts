// Canary: a few instances of the new version beside stable, traffic moved to it step by step (weights, header
// routes, mirroring, pauses), then the closing promotion sequence. The canary set grows with its weight so it
// is never asked to carry more than its share of the stable capacity.
import type { CanaryStrategy } from '../../spec/compiled.js';
import type { HeaderRoute } from '../../targets/local/types.js';
import type { PlanStep, SetIntent, TrafficIntent } from '../model.js';
import { analysisStep, runOf } from './analysis.js';
import { formatMs } from './format.js';
import { pauseApprovalStep } from './runbook.js';
import { type PlanInput, promotionSteps, step, traffic } from './shared.js';

export function canaryPlan({ spec, version, fromVersion }: PlanInput & { fromVersion: string }): PlanStep[] {
  const strategy = spec.strategy as CanaryStrategy;
  const from = fromVersion;
  const n = spec.target.instances;
  const canaryCount = (weight: number): number =>
    Math.min(n, Math.max(strategy.canaryInstances, Math.ceil((n * weight) / 100)));

  let weight = 0;
  let headerRoutes: HeaderRoute[] = [];
  let mirror: TrafficIntent['mirror'];
  const sets = (w: number): SetIntent[] => [
    { version: from, role: 'stable', instances: n },
    { version, role: 'canary', instances: canaryCount(w) },
  ];
  const current = (): TrafficIntent =>
    traffic({ [from]: 100 - weight, [version]: weight }, from, {
      headerRoutes,
      ...(mirror ? { mirror } : {}),
    });
  const exposed = (): boolean => weight > 0 || headerRoutes.length > 0 || mirror !== undefined;

  const steps: PlanStep[] = [
    step(
      `start canary ${version} (${canaryCount(0)} instances)`,
      sets(0),
      current(),
      { kind: 'ready' },
      false,
    ),
  ];
  for (const [index, s] of strategy.steps.entries()) {
    if ('analysis' in s) {
      const like = step('', sets(weight), current(), { kind: 'none' }, false);
      steps.push(analysisStep('analysis', like, runOf(`step-${index + 1}`, s.analysis), exposed()));
    } else if ('setWeight' in s) {
      if (canaryCount(s.setWeight) > canaryCount(weight)) {
        steps.push(
          step(
            `scale canary to ${canaryCount(s.setWeight)} instances`,
            sets(s.setWeight),
            current(),
            { kind: 'ready' },
            exposed(),
          ),
        );
      }
      weight = s.setWeight;
      steps.push(step(`set weight ${weight}%`, sets(weight), current(), { kind: 'none' }, exposed()));
    } else if ('pause' in s && s.pause.untilApproved) {
      steps.push(pauseApprovalStep(spec, { sets: sets(weight), traffic: current(), watch: exposed() }));
    } else if ('pause' in s) {
      const ms = s.pause.durationMs;
      const name = ms === undefined ? 'pause until promoted' : `pause ${formatMs(ms)}`;
      const wait: PlanStep['wait'] = ms === undefined ? { kind: 'promotion' } : { kind: 'duration', ms };
      steps.push(step(name, sets(weight), current(), wait, exposed()));
    } else if ('setHeaderRoute' in s) {
      headerRoutes = [...headerRoutes, { ...s.setHeaderRoute.match, version }];
      const on = s.setHeaderRoute.match.header ?? s.setHeaderRoute.match.cookie;
      steps.push(
        step(
          `route ${on?.name ?? 'header'} to ${version}`,
          sets(weight),
          current(),
          { kind: 'none' },
          exposed(),
        ),
      );
    } else {
      const percent = s.setMirror.percent;
      mirror = percent > 0 ? { version, percent } : undefined;
      steps.push(
        step(
          percent > 0 ? `mirror ${percent}% to ${version}` : 'stop mirroring',
          sets(weight),
          current(),
          { kind: 'none' },
          exposed(),
        ),
      );
    }
  }
  return [...steps, ...promotionSteps(spec, version, from, current())];
}
