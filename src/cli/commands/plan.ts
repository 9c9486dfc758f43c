// greenlight plan APP --version V: the steps a release of V would run now; changes nothing.
import type { PlanStep } from '../../engine/model.js';
import { appPath, connect, type ApiRequest } from '../client.js';
import { outputFormat, printJson, table } from '../output.js';
import { humanDuration, weightsText } from './format.js';
import type { ApiFlags } from './release-action.js';

export interface PlanAnswer {
  fromVersion: string | null;
  steps: PlanStep[];
}

export const planRequest = (app: string, version: string): ApiRequest => ({
  method: 'get',
  path: `${appPath(app, 'plan')}?version=${encodeURIComponent(version)}`,
});

function waitText(step: PlanStep): string {
  switch (step.wait.kind) {
    case 'ready':
      return 'instances ready';
    case 'duration':
      return humanDuration(step.wait.ms);
    case 'promotion':
      return 'greenlight promote';
    case 'checks':
      return `checks: ${step.wait.checks.map((c) => c.name).join(', ')}`;
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
  const head = `${app}: ${plan.fromVersion ? `${plan.fromVersion} -> ${version}` : `${version} (first release)`}, ${plan.steps.length} steps`;
  return `${head}\n${table(['#', 'STEP', 'INSTANCES', 'TRAFFIC', 'WAITS FOR'], rows)}`;
}

export async function planCommand(app: string, flags: ApiFlags & { version: string }): Promise<void> {
  const format = outputFormat(flags.output ?? 'table');
  const plan = await connect(flags).send<PlanAnswer>(planRequest(app, flags.version));
  if (format === 'json') printJson(plan);
  else console.log(formatPlan(app, flags.version, plan));
}
