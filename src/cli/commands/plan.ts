// greenlight plan APP --version V: the steps a release of V would run now; changes nothing.
import type { AnalysisDescription } from '../../analysis/describe.js';
import type { PlanStep } from '../../engine/model.js';
import { appPath, connect, type ApiRequest } from '../client.js';
import { outputFormat, printJson, table } from '../output.js';
import { humanDuration, weightsText } from './format.js';
import type { ApiFlags } from './release-action.js';

export interface PlanAnswer {
  environment?: string;
  fromVersion: string | null;
  steps: PlanStep[];
  analysis?: AnalysisDescription;
  /** The deployment window now, when the environment has windows. */
  window?: { open: boolean; reason: string } | null;
}

/** The analysis lines under the plan: what is measured, by which judge, where. */
export function formatAnalysis(analysis: AnalysisDescription | undefined, steps: PlanStep[]): string {
  if (!analysis) return '';
  const used = steps.some((s) => (s.analysis?.length ?? 0) > 0);
  if (analysis.metrics.length === 0)
    return '\nAnalysis: none (analysis.builtin is false and no templates are configured)';
  const title = analysis.builtinDefaults
    ? 'Analysis: the builtin defaults (no analysis configured)'
    : 'Analysis:';
  const lines = [title];
  // Only the templates this plan runs (the builtin defaults hold one for blue-green too).
  const inUse = new Set(steps.flatMap((s) => s.analysis ?? []).flatMap((run) => run.templates));
  const shown = used
    ? analysis.metrics.filter((m) => inUse.has(m.key.split('/')[0] ?? ''))
    : analysis.metrics;
  for (const m of shown) {
    lines.push(`  ${m.key} [${m.judge}${m.dryRun ? ', dry run' : ''}]: ${m.description}`);
  }
  if (analysis.background.length > 0) {
    lines.push(
      `  background: ${analysis.background.join(', ')} from the first step with users on the new version; the gate concludes it after at least ${analysis.backgroundMin}`,
    );
  }
  if (analysis.bake) lines.push(`  bake: ${analysis.bake} after the switch`);
  lines.push(`  inconclusive (no data, errors): ${analysis.onInconclusive}; missing data is never a pass`);
  if (!used)
    lines.push(
      '  (this release has no step that runs analysis: the app has no live version to compare with)',
    );
  return `\n${lines.join('\n')}`;
}

export const planRequest = (
  app: string,
  version: string,
  options: { env?: string; emergency?: boolean } = {},
): ApiRequest => ({
  method: 'get',
  path: `${appPath(app, 'plan')}?version=${encodeURIComponent(version)}${options.env ? `&env=${encodeURIComponent(options.env)}` : ''}${options.emergency ? '&emergency=true' : ''}`,
});

function waitText(step: PlanStep): string {
  switch (step.wait.kind) {
    case 'ready':
      return 'instances ready';
    case 'duration':
      return humanDuration(step.wait.ms);
    case 'promotion':
      return 'greenlight promote';
    case 'stopped':
      return `${step.wait.version} drained and stopped`;
    case 'actions':
      return `${step.wait.hook}: ${step.wait.actions.map((c) => c.name).join(', ')}`;
    case 'approval':
      return `approval: ${step.wait.policy.count} of ${step.wait.policy.roles.join('/')}`;
    case 'analysis':
      return step.wait.conclude ? `analysis ${step.wait.run} concludes` : `analysis ${step.wait.run}`;
    case 'none':
      return '-';
  }
}

export function formatPlan(app: string, version: string, plan: PlanAnswer): string {
  const rows = plan.steps.map((step, i) => [
    i + 1,
    step.name,
    step.sets.map((s) => `${s.version}x${s.instances}`).join(' ') || '-',
    weightsText(step.traffic.weights),
    waitText(step),
  ]);
  const where = plan.environment && plan.environment !== 'default' ? ` (${plan.environment})` : '';
  const head = `${app}${where}: ${plan.fromVersion ? `${plan.fromVersion} -> ${version}` : `${version} (first release)`}, ${plan.steps.length} steps`;
  const window = plan.window
    ? `\ndeployment window: ${plan.window.open ? 'open' : 'closed'}: ${plan.window.reason}`
    : '';
  const steps = table(['#', 'STEP', 'INSTANCES', 'TRAFFIC', 'WAITS FOR'], rows);
  return `${head}\n${steps}${window}${formatAnalysis(plan.analysis, plan.steps)}`;
}

export async function planCommand(
  app: string,
  flags: ApiFlags & { version: string; emergency?: boolean },
): Promise<void> {
  const format = outputFormat(flags.output ?? 'table');
  const plan = await connect(flags).send<PlanAnswer>(
    planRequest(app, flags.version, {
      ...(flags.env ? { env: flags.env } : {}),
      emergency: flags.emergency === true,
    }),
  );
  if (format === 'json') printJson(plan);
  else console.log(formatPlan(app, flags.version, plan));
}
