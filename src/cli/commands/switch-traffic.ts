// greenlight switch-traffic APP --to VERSION --percentage N --reason R: move a share of traffic by hand, outside
// a release (the live version keeps the rest).
import { InvalidInputError } from '../../errors.js';
import { appPath, connect, type ApiRequest } from '../client.js';
import { outputFormat, printJson } from '../output.js';
import { weightsText } from './format.js';
import type { ApiFlags } from './release-action.js';

export interface SwitchFlags {
  to: string;
  percentage: string;
  reason: string;
}

export function switchTrafficRequest(app: string, flags: SwitchFlags): ApiRequest {
  const percentage = Number(flags.percentage);
  if (flags.percentage.trim() === '' || !Number.isFinite(percentage) || percentage < 0 || percentage > 100) {
    throw new InvalidInputError(`--percentage ${flags.percentage}: expected a number from 0 to 100`);
  }
  return {
    method: 'post',
    path: appPath(app, 'traffic'),
    body: { to: flags.to, percentage, reason: flags.reason },
  };
}

export async function switchTrafficCommand(app: string, flags: ApiFlags & SwitchFlags): Promise<void> {
  const format = outputFormat(flags.output ?? 'table');
  const answer = await connect(flags).send<{ app: string; live: string; weights: Record<string, number> }>(
    switchTrafficRequest(app, flags),
  );
  if (format === 'json') printJson(answer);
  else console.log(`${app}: traffic ${weightsText(answer.weights)} (live version ${answer.live})`);
}
