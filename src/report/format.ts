// The deployment report for people: the period and filters, then the DORA figures and the runbook figures as
// aligned tables. A figure without data reads "no data" (the JSON has null there).
import { table } from '../cli/output.js';
import type { DeploymentReport, Percentiles } from './dora.js';

const NO_DATA = 'no data';

/** 850ms, 12s, 3m04s, 2h05m, 3d04h: two units at most, enough to compare. */
export function span(ms: number | null): string {
  if (ms === null) return NO_DATA;
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)}ms`;
  const s = Math.floor(abs / 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  if (s < 60) return `${sign}${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${sign}${m}m${two(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${sign}${h}h${two(m % 60)}m`;
  return `${sign}${Math.floor(h / 24)}d${two(h % 24)}h`;
}

const percent = (rate: number | null): string =>
  rate === null ? NO_DATA : `${(rate * 100).toFixed(1).replace(/\.0$/, '')}%`;

/** Up to two decimals, without trailing zeros: 0.83, 2, 0.1. */
const decimal = (n: number): string => String(Math.round(n * 100) / 100);

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const day = (iso: string): string => iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');

function percentilesText(p: Percentiles): string {
  return p.count === 0 ? NO_DATA : `p50 ${span(p.p50)}  p90 ${span(p.p90)}  p99 ${span(p.p99)}`;
}

/** The period and filters line: `2026-01-01 12:00 UTC → 2026-01-31 12:00 UTC (30 days), all environments...` */
export function periodLine(report: DeploymentReport): string {
  const { period, filters } = report;
  const env = filters.environment === null ? 'all environments' : `environment ${filters.environment}`;
  const app = filters.app === null ? 'all apps' : `app ${filters.app}`;
  return `${day(period.from)} → ${day(period.to)} (${decimal(period.days)} days), ${env}, ${app}`;
}

export function formatReport(report: DeploymentReport): string {
  const { dora, runbook } = report;
  const lead = dora.leadTime;
  const cfr = dora.changeFailureRate;
  const recovery = dora.recoveryTime;
  const freq = dora.deploymentFrequency;
  const doraRows = [
    [
      'deployment frequency',
      `${decimal(freq.perDay)}/day`,
      `${plural(freq.promoted, 'promoted deployment')}`,
    ],
    [
      'lead time for changes',
      lead.count === 0 ? NO_DATA : `median ${span(lead.medianMs)}`,
      lead.count === 0
        ? `no promoted deployment with a commit time (${lead.withoutCommitTime} without)`
        : `p90 ${span(lead.p90Ms)}; ${lead.count} with a commit time, ${lead.withoutCommitTime} without`,
    ],
    [
      'change failure rate',
      percent(cfr.rate),
      cfr.rate === null
        ? 'no finished deployment'
        : `${cfr.failed} of ${plural(cfr.deployments, 'deployment')}: ` +
          `${cfr.rolledBack} rolled back, ${cfr.undone} undone later`,
    ],
    [
      'failed deployment recovery time',
      recovery.count === 0 ? NO_DATA : `median ${span(recovery.medianMs)}`,
      recovery.count === 0
        ? `no recovered failure (${recovery.unrecovered} not recovered yet)`
        : `p90 ${span(recovery.p90Ms)}; ${recovery.count} recovered, ${recovery.unrecovered} not yet`,
    ],
  ];
  const rb = runbook.rollbacks;
  const outcomes = Object.entries(runbook.byOutcome)
    .filter(([, n]) => n > 0)
    .map(([phase, n]) => `${phase} ${n}`)
    .join(', ');
  const runbookRows = [
    [
      'success rate',
      percent(runbook.successRate.rate),
      runbook.successRate.rate === null
        ? 'no finished deployment'
        : `${runbook.successRate.promoted} of ${plural(runbook.successRate.deployments, 'deployment')} promoted`,
    ],
    [
      'deployment duration',
      percentilesText(runbook.durationMs),
      plural(runbook.durationMs.count, 'deployment'),
    ],
    [
      'rollbacks',
      String(rb.total),
      `${rb.automatic} automatic, ${rb.manual} manual, ${rb.other} other; ${decimal(rb.perWeek)}/week`,
    ],
    ['emergency releases', String(runbook.emergencies), 'hotfixes started with a justification'],
    ['releases by outcome', outcomes || 'none', plural(report.releases, 'release')],
  ];
  const failed = report.failedChanges.map((f) => [
    f.releaseId,
    `${f.app}/${f.environment}`,
    f.version,
    f.how === 'self' ? 'rolled back' : `undone by release ${f.undoneBy}`,
    span(f.recoveryMs),
  ]);
  return [
    `Deployment report: ${periodLine(report)}`,
    '',
    table(['DORA', 'VALUE', 'DETAIL'], doraRows),
    '',
    table(['RUNBOOK', 'VALUE', 'DETAIL'], runbookRows),
    ...(failed.length === 0
      ? []
      : ['', table(['FAILED CHANGE', 'APP/ENV', 'VERSION', 'HOW', 'RECOVERY'], failed)]),
  ].join('\n');
}
