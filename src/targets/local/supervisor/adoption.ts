// What a starting supervisor takes over from its records: the version sets it was asked to run, and each
// recorded process that is still the same process (pid and /proc start time), with the spec it runs.
// Everything else is forgotten, and said so.
import type { VersionSetSpec } from '../types.js';
import { isRunning, signalGroup } from './proc.js';
import type { InstanceRecord, RecordsFile } from './records.js';
import { checkName, checkVersionSetSpec } from './spec.js';

export interface AdoptionPlan {
  counters: Record<string, number>;
  versionSets: Array<{ app: string; spec: VersionSetSpec; removing: boolean }>;
  adopt: Array<{ record: InstanceRecord; spec: VersionSetSpec }>;
  lost: number;
}

type Log = (msg: string, fields?: Record<string, unknown>) => void;

function usableSpec(app: string, spec: VersionSetSpec | undefined, log: Log): VersionSetSpec | null {
  if (spec === undefined) return null;
  try {
    checkName('app', app);
    checkVersionSetSpec(spec);
    return spec;
  } catch (error) {
    log('recorded spec refused', { app, error: String(error) });
    return null;
  }
}

export function planAdoption(records: RecordsFile, log: Log): AdoptionPlan {
  const plan: AdoptionPlan = { counters: { ...records.counters }, versionSets: [], adopt: [], lost: 0 };
  for (const entry of records.versionSets) {
    const spec = usableSpec(entry.app, entry.spec, log);
    if (spec !== null) plan.versionSets.push({ app: entry.app, spec, removing: entry.removing });
  }
  for (const record of records.instances) {
    // Ids are never reused, even if the counters were lost.
    const n = Number(record.id.slice(record.version.length + 1));
    const key = `${record.app}/${record.version}`;
    if (Number.isInteger(n) && n > (plan.counters[key] ?? 0)) plan.counters[key] = n;

    const fields = { app: record.app, instance: record.id, pid: record.pid };
    if (
      record.pid === null ||
      record.procStartTime === null ||
      !isRunning(record.pid, record.procStartTime)
    ) {
      plan.lost += 1;
      log('recorded instance is gone: forgotten', fields);
      continue;
    }
    const spec = usableSpec(record.app, records.specs[record.specHash], log);
    if (spec === null || spec.version !== record.version || !record.id.startsWith(`${record.version}-`)) {
      // Ours (same pid and start time), but nothing says how to run it: end it rather than leave an orphan.
      plan.lost += 1;
      log('recorded instance has no usable spec: sent SIGTERM, not adopted', fields);
      signalGroup(record.pid, 'SIGTERM');
      continue;
    }
    plan.adopt.push({ record, spec });
  }
  return plan;
}
