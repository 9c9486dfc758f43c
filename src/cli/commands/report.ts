// greenlight report [--since 30d] [--env E] [--app A]: the DORA and runbook figures of a period, as tables or
// JSON (the API's answer as is).
import type { DeploymentReport } from '../../report/dora.js';
import { formatReport } from '../../report/format.js';
import { connect } from '../client.js';
import { outputFormat, printJson } from '../output.js';
import type { ApiFlags } from './release-action.js';

export interface ReportFlags extends ApiFlags {
  since?: string;
  env?: string;
  app?: string;
}

export function reportPath(flags: Pick<ReportFlags, 'since' | 'env' | 'app'>): string {
  const query = new URLSearchParams();
  if (flags.since) query.set('since', flags.since);
  if (flags.env) query.set('env', flags.env);
  if (flags.app) query.set('app', flags.app);
  const text = query.toString();
  return `/v1/report${text ? `?${text}` : ''}`;
}

export async function reportCommand(flags: ReportFlags): Promise<void> {
  const format = outputFormat(flags.output ?? 'table');
  const report = await connect(flags).get<DeploymentReport>(reportPath(flags));
  if (format === 'json') printJson(report);
  else console.log(formatReport(report));
}
