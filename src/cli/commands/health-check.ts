// greenlight health-check APP: run every instance's readiness and liveness probes now (local target); exit 1
// when any fails.
import { GreenlightError } from '../../errors.js';
import type { ProbeResult } from '../../targets/local/agent/client.js';
import { appPath, connect, type ApiRequest } from '../client.js';
import { color, outputFormat, printJson, table } from '../output.js';
import type { ApiFlags } from './release-action.js';

export interface HealthAnswer {
  app: string;
  healthy: boolean;
  summary: { instances: number; ready: number; live: number; failing: string[] };
  results: ProbeResult[];
}

export const healthCheckRequest = (app: string): ApiRequest => ({
  method: 'post',
  path: appPath(app, 'health-check'),
});

const probeText = (p: { ok: boolean; message: string } | null): string =>
  p === null ? '-' : p.ok ? color('green', `ok ${p.message}`) : color('red', `FAIL ${p.message}`);

export function formatHealth(h: HealthAnswer): string {
  const rows = h.results.map((r) => [r.instance, r.version, probeText(r.readiness), probeText(r.liveness)]);
  const head = `${h.app}: ${h.summary.instances} instances, ${h.summary.ready} ready, ${h.summary.live} live`;
  return rows.length ? `${head}\n${table(['INSTANCE', 'VERSION', 'READINESS', 'LIVENESS'], rows)}` : head;
}

export async function healthCheckCommand(app: string, flags: ApiFlags): Promise<void> {
  const format = outputFormat(flags.output ?? 'table');
  const answer = await connect(flags).send<HealthAnswer>(healthCheckRequest(app));
  if (format === 'json') printJson(answer);
  else console.log(formatHealth(answer));
  if (!answer.healthy) {
    throw new GreenlightError('GL1003', `${app}: failing instances: ${answer.summary.failing.join(', ')}`);
  }
}
