// Blue-green: the new version at full size beside the old, reachable only through the preview route; checks
// against it; an atomic switch; a watch after the switch while the old set stays warm (rollback is then a
// traffic switch, not a restart); then the old set is removed.
import type { BlueGreenStrategy } from '../../spec/compiled.js';
import type { PlanStep, SetIntent } from '../model.js';
import { analysisStep, runOf } from './analysis.js';
import { formatMs } from './format.js';
import { httpCheckAction } from './runbook.js';
import { type PlanInput, removeOldStep, step, traffic } from './shared.js';

export function blueGreenPlan({
  spec,
  version,
  fromVersion,
}: PlanInput & { fromVersion: string }): PlanStep[] {
  const strategy = spec.strategy as BlueGreenStrategy;
  const from = fromVersion;
  const n = spec.target.instances;
  const both: SetIntent[] = [
    { version: from, role: 'stable', instances: n },
    { version, role: 'preview', instances: n },
  ];
  const before = traffic({ [from]: 100, [version]: 0 }, from);
  const after = traffic({ [version]: 100, [from]: 0 }, from);

  const steps: PlanStep[] = [
    step(`start preview ${version} (${n} instances)`, both, before, { kind: 'ready' }, false),
  ];
  if (strategy.prePromotionChecks.length > 0) {
    const names = strategy.prePromotionChecks.map((c) => c.name).join(', ');
    steps.push(
      step(
        `pre-promotion checks (${names})`,
        both,
        before,
        {
          kind: 'actions',
          hook: 'prePromotion',
          actions: strategy.prePromotionChecks.map(httpCheckAction),
          version,
          onFailure: 'rollback',
        },
        false,
      ),
    );
  }
  if (strategy.prePromotionAnalysis !== null) {
    const run = runOf('pre-promotion', strategy.prePromotionAnalysis);
    steps.push(analysisStep('pre-promotion analysis', steps[0]!, run, false));
  }
  if (!strategy.autoPromote)
    steps.push(step('wait for promotion', both, before, { kind: 'promotion' }, false));
  const switched = step(`switch traffic to ${version}`, both, after, { kind: 'none' }, true, {
    marksLive: true,
    promotionStart: true,
  });
  steps.push(switched);
  const post = strategy.postPromotionAnalysis;
  if (post !== null) {
    steps.push(analysisStep('post-promotion analysis', switched, runOf('post-promotion', post), true));
  } else if (strategy.postPromotionWatchMs > 0) {
    steps.push(
      step(
        `post-promotion watch ${formatMs(strategy.postPromotionWatchMs)}`,
        both,
        after,
        { kind: 'duration', ms: strategy.postPromotionWatchMs },
        true,
      ),
    );
  }
  const watched = post !== null ? (post.durationMs ?? 0) : strategy.postPromotionWatchMs;
  const warm = strategy.scaleDownDelayMs - watched;
  if (warm > 0) {
    steps.push(
      step(`keep ${from} warm ${formatMs(warm)}`, both, after, { kind: 'duration', ms: warm }, true),
    );
  }
  steps.push(removeOldStep(spec, version, from));
  return steps;
}
