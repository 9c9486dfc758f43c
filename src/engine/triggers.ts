// Standing rollback triggers on the builtin router statistics: "error rate > 5% for 2 minutes". Pure: given the
// new version's statistics, the previous trigger states and the time, it returns the new states and whether a
// trigger fired. Too few requests is "no data": it neither fires nor counts as passing.
import type { RollbackTrigger } from '../spec/compiled.js';
import type { VersionStats, VersionWindowStats } from '../targets/local/types.js';
import type { TriggerState } from './model.js';

export interface TriggerFiring {
  name: string;
  metric: RollbackTrigger['metric'];
  value: number;
  max: number;
  requests: number;
}

export interface TriggerEvaluation {
  states: Record<string, TriggerState>;
  fired: TriggerFiring | null;
  changed: boolean;
}

function windowFor(stats: VersionStats, forMs: number): VersionWindowStats {
  // The freshest window that still holds enough evidence: short "for" durations read the last 10 s.
  if (forMs <= 10_000) return stats.windows['10s'];
  if (forMs <= 60_000) return stats.windows['1m'];
  return stats.windows['5m'];
}

function metricValue(window: VersionWindowStats, metric: RollbackTrigger['metric']): number | null {
  switch (metric) {
    case 'errorRate':
      return window.errorRate;
    case 'latencyP95Ms':
      return window.latency.p95Ms;
    case 'latencyP99Ms':
      return window.latency.p99Ms;
  }
}

export function evaluateTriggers(
  triggers: RollbackTrigger[],
  stats: VersionStats | undefined,
  previous: Record<string, TriggerState>,
  now: number,
): TriggerEvaluation {
  const states: Record<string, TriggerState> = {};
  let fired: TriggerFiring | null = null;
  let changed = false;
  for (const trigger of triggers) {
    const before = previous[trigger.name] ?? { breachedSince: null, lastValue: null, lastRequests: 0 };
    const window = stats ? windowFor(stats, trigger.forMs) : undefined;
    const requests = window?.requests ?? 0;
    const value = window && requests >= trigger.minRequests ? metricValue(window, trigger.metric) : null;
    const breached = value !== null && value > trigger.max;
    const breachedSince = breached ? (before.breachedSince ?? new Date(now).toISOString()) : null;
    const state: TriggerState = { breachedSince, lastValue: value, lastRequests: requests };
    if (!(trigger.name in previous) || breachedSince !== before.breachedSince) changed = true;
    states[trigger.name] = state;
    if (
      breachedSince !== null &&
      value !== null &&
      !fired &&
      now - Date.parse(breachedSince) >= trigger.forMs
    ) {
      fired = { name: trigger.name, metric: trigger.metric, value, max: trigger.max, requests };
    }
  }
  return { states, fired, changed };
}
