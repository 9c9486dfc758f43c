// The runbook around a strategy's plan: gates before anything changes (pre-deployment checks, an approval
// before the start, preDeploy hooks, a safe migration), smoke tests through the preview route before users
// reach the new version, an approval before the promotion, onSuccess hooks at the end. A breaking migration
// replaces the strategy: maintenance on, old version drained and stopped, migration, new version started,
// maintenance off.
import type {
  ApprovalPolicy,
  ApprovalStage,
  CompiledSpec,
  HookAction,
  HttpCheck,
  HttpAction,
  MigrationSpec,
} from '../../spec/compiled.js';
import type { HookPoint, PlanStep, SetIntent, TrafficIntent } from '../model.js';
import { step, traffic } from './shared.js';

export interface RunbookOptions {
  /** An emergency release: windows were bypassed; approvals too when the policy says so. */
  emergency: boolean;
}

const DEFAULT_APPROVAL: Omit<ApprovalPolicy, 'stage'> = {
  roles: ['approver'],
  count: 1,
  expiresAfterMs: null,
  allowSelfApproval: false,
};

export function approvalPolicy(spec: CompiledSpec, stage: ApprovalStage): ApprovalPolicy | null {
  const found = spec.gates.approvals.find((a) => a.stage === stage);
  if (found) return found;
  return stage === 'pause' ? { stage, ...DEFAULT_APPROVAL } : null;
}

export function describeApproval(policy: ApprovalPolicy): string {
  const who = policy.roles.join(' or ');
  return policy.count === 1 ? `1 ${who}` : `${policy.count} ${who}s`;
}

export function httpCheckAction(check: HttpCheck): HttpAction {
  return {
    kind: 'http',
    name: check.name,
    url: null,
    path: check.path,
    method: check.method,
    headers: {},
    expectStatus: check.expectStatus,
    expectBody: check.expectBody ?? null,
    timeoutMs: check.timeoutMs,
    retries: check.retries,
  };
}

export function actionsStep(
  title: string,
  like: Pick<PlanStep, 'sets' | 'traffic' | 'watch'>,
  hook: HookPoint,
  actions: HookAction[],
  version: string,
  onFailure: 'stop' | 'rollback' | 'continue',
  extra: Partial<PlanStep> = {},
): PlanStep {
  return step(
    `${title} (${actions.map((a) => a.name).join(', ')})`,
    like.sets,
    like.traffic,
    { kind: 'actions', hook, actions, version, onFailure },
    like.watch,
    extra,
  );
}

function approvalStep(
  title: string,
  like: Pick<PlanStep, 'sets' | 'traffic' | 'watch'>,
  policy: ApprovalPolicy,
  extra: Partial<PlanStep> = {},
): PlanStep {
  return step(
    `${title}: ${describeApproval(policy)}`,
    like.sets,
    like.traffic,
    { kind: 'approval', stage: policy.stage, policy },
    like.watch,
    extra,
  );
}

/** What runs now, untouched: the state the gate steps hold (they apply nothing). */
function liveState(
  spec: CompiledSpec,
  fromVersion: string | null,
): Pick<PlanStep, 'sets' | 'traffic' | 'watch'> {
  if (fromVersion === null) return { sets: [], traffic: traffic({}, null), watch: false };
  return {
    sets: [{ version: fromVersion, role: 'stable', instances: spec.target.instances }],
    traffic: traffic({ [fromVersion]: 100 }, fromVersion),
    watch: false,
  };
}

/** The gate steps, before anything changes. */
function gateSteps(
  spec: CompiledSpec,
  version: string,
  fromVersion: string | null,
  approvals: boolean,
): PlanStep[] {
  const live = liveState(spec, fromVersion);
  const gate = { gate: true } as const;
  const steps: PlanStep[] = [];
  if (spec.gates.checks.length > 0)
    steps.push(
      actionsStep('pre-deployment checks', live, 'checks', spec.gates.checks, version, 'stop', gate),
    );
  const start = approvals ? approvalPolicy(spec, 'start') : null;
  if (start) steps.push(approvalStep('approval to start', live, start, gate));
  if (spec.hooks.preDeploy.length > 0)
    steps.push(
      actionsStep('pre-deploy hooks', live, 'preDeploy', spec.hooks.preDeploy, version, 'stop', gate),
    );
  const migration = spec.hooks.migrate;
  if (migration?.mode === 'safe')
    steps.push(actionsStep('migration', live, 'migrate', [migration.action], version, 'stop', gate));
  return steps;
}

/** Whether `version` runs in this step without users (weight 0, no routes): smoke tests can reach it. */
function previewOnly(s: PlanStep, version: string): boolean {
  const set = s.sets.find((x) => x.version === version);
  // Under maintenance the router holds every request, preview ones too.
  return (
    set !== undefined &&
    s.traffic.maintenance === undefined &&
    s.wait.kind === 'ready' &&
    (s.traffic.weights[version] ?? 0) === 0 &&
    s.traffic.headerRoutes.length === 0 &&
    s.traffic.mirror === undefined
  );
}

function withSmokeTests(plan: PlanStep[], spec: CompiledSpec, version: string): PlanStep[] {
  const actions = spec.hooks.postDeploy;
  if (actions.length === 0) return plan;
  const at = plan.findIndex((s) => previewOnly(s, version));
  if (at >= 0) {
    const smoke = actionsStep('smoke tests', plan[at]!, 'postDeploy', actions, version, 'rollback');
    return [...plan.slice(0, at + 1), smoke, ...plan.slice(at + 1)];
  }
  // No step runs the new version without users (a breaking migration): test it once it is live.
  const live = plan.findIndex((s) => s.marksLive);
  const like = plan[live] ?? plan[plan.length - 1]!;
  const smoke = actionsStep('smoke tests', like, 'postDeploy', actions, version, 'rollback');
  return [...plan.slice(0, live + 1), smoke, ...plan.slice(live + 1)];
}

/**
 * An approval before the promotion sequence; `promote --full` lands on it, never past it. With a breaking
 * migration it comes before maintenance starts: users are not held while people decide.
 */
function withPromotionApproval(plan: PlanStep[], policy: ApprovalPolicy | null): PlanStep[] {
  const maintenance = plan.findIndex((s) => s.maintenance === 'start');
  if (policy && maintenance >= 0) {
    const like = plan[maintenance - 1] ?? plan[maintenance]!;
    const gate = approvalStep(
      'approval to promote',
      { ...like, traffic: { ...like.traffic, maintenance: undefined } },
      policy,
    );
    return [...plan.slice(0, maintenance), gate, ...plan.slice(maintenance)];
  }
  const at = plan.findIndex((s) => s.promotionStart);
  if (!policy || at < 0) return plan;
  const before = plan[at - 1] ?? plan[at]!;
  const gate = approvalStep('approval to promote', before, policy, { promotionStart: true });
  const promotion = { ...plan[at]!, promotionStart: false };
  return [...plan.slice(0, at), gate, promotion, ...plan.slice(at + 1)];
}

/** An emergency release whose policy bypasses approvals does not stop at canary pauses `untilApproved`. */
function withoutPauseApprovals(plan: PlanStep[]): PlanStep[] {
  return plan.filter((s) => s.wait.kind !== 'approval');
}

/** A canary pause `untilApproved`: waits for the `pause` approvals. */
export function pauseApprovalStep(
  spec: CompiledSpec,
  like: Pick<PlanStep, 'sets' | 'traffic' | 'watch'>,
): PlanStep {
  return approvalStep('pause until approved', like, approvalPolicy(spec, 'pause')!);
}

/**
 * A breaking migration: requests held (or refused) while the old version drains and stops, the migration
 * runs and the new version starts; then traffic resumes on the new version.
 */
export function breakingMigrationPlan(
  spec: CompiledSpec,
  version: string,
  fromVersion: string | null,
  migration: MigrationSpec,
): PlanStep[] {
  const n = spec.target.instances;
  const maintenance = { ...migration.maintenance };
  const held = (weights: Record<string, number>, stable: string | null): TrafficIntent =>
    traffic(weights, stable, { maintenance });
  const oldSets: SetIntent[] = fromVersion ? [{ version: fromVersion, role: 'stable', instances: n }] : [];
  const oldWeights = fromVersion ? { [fromVersion]: 100 } : {};
  const newSets: SetIntent[] = [{ version, role: 'stable', instances: n }];
  return [
    step('maintenance on', oldSets, held(oldWeights, fromVersion), { kind: 'none' }, false, {
      maintenance: 'start',
    }),
    step(
      fromVersion ? `drain and stop ${fromVersion}` : 'no version to stop',
      [],
      held({}, null),
      fromVersion ? { kind: 'stopped', version: fromVersion } : { kind: 'none' },
      false,
    ),
    actionsStep(
      'migration',
      { sets: [], traffic: held({}, null), watch: false },
      'migrate',
      [migration.action],
      version,
      'rollback',
    ),
    step(`start ${version} (${n} instances)`, newSets, held({}, null), { kind: 'ready' }, false),
    step(
      `maintenance off: all traffic to ${version}`,
      newSets,
      traffic({ [version]: 100 }, version),
      { kind: 'none' },
      true,
      {
        maintenance: 'end',
        marksLive: true,
        promotionStart: true,
      },
    ),
  ];
}

/** The strategy's plan with the runbook around it. */
export function withRunbook(
  strategyPlan: PlanStep[],
  spec: CompiledSpec,
  version: string,
  fromVersion: string | null,
  options: RunbookOptions,
): PlanStep[] {
  const approvals = !(options.emergency && spec.gates.emergency.bypassApprovals);
  let plan = approvals ? strategyPlan : withoutPauseApprovals(strategyPlan);
  plan = withSmokeTests(plan, spec, version);
  plan = withPromotionApproval(plan, approvals ? approvalPolicy(spec, 'promotion') : null);
  const steps = [...gateSteps(spec, version, fromVersion, approvals), ...plan];
  if (spec.hooks.onSuccess.length > 0) {
    const last = steps[steps.length - 1]!;
    steps.push(
      actionsStep(
        'on-success hooks',
        { ...last, watch: false },
        'onSuccess',
        spec.hooks.onSuccess,
        version,
        'continue',
      ),
    );
  }
  return steps;
}
