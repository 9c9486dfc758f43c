// A version set as the supervisor holds it (the desired spec and its instances), and the views derived from
// it: status, ready endpoints, available count, reconcile members, records.
import type { Endpoint, VersionSetSpec, VersionSetStatus } from '../types.js';
import type { Instance } from './instance.js';
import type { Member } from './reconcile.js';
import type { RecordsFile } from './records.js';
import { specHash } from './spec.js';

export interface VersionSet {
  app: string;
  spec: VersionSetSpec;
  hash: string;
  /** Being removed: desired count zero, dropped once its last instance has stopped. */
  removing: boolean;
  instances: Map<string, Instance>;
  /** The endpoint list last published, so that only changes are published. */
  published: string;
}

export function newVersionSet(app: string, spec: VersionSetSpec): VersionSet {
  return { app, spec, hash: specHash(spec), removing: false, instances: new Map(), published: '' };
}

/** The instance number in `<version>-<n>`: creation order. */
export function instanceNumber(instance: Instance): number {
  return Number(instance.id.slice(instance.version.length + 1)) || 0;
}

export function orderedInstances(set: VersionSet): Instance[] {
  return [...set.instances.values()].sort((a, b) => instanceNumber(a) - instanceNumber(b));
}

/** Ready instances running the version set's current spec (an old-spec instance is ready, not available). */
export function availableCount(set: VersionSet): number {
  return [...set.instances.values()].filter((i) => i.ready && !i.retiring && i.specHash === set.hash).length;
}

export function readyEndpoints(set: VersionSet): Endpoint[] {
  return orderedInstances(set)
    .filter((i) => i.ready && !i.retiring)
    .map((i) => ({ id: i.id, host: '127.0.0.1', port: i.port }));
}

export function versionSetStatus(set: VersionSet): VersionSetStatus {
  const instances = orderedInstances(set);
  return {
    version: set.spec.version,
    desired: set.removing ? 0 : set.spec.instances,
    ready: instances.filter((i) => i.ready).length,
    available: availableCount(set),
    restarts: instances.reduce((sum, i) => sum + i.restarts, 0),
    crashLooping: instances.some((i) => i.crashLooping),
    instances: instances.map((i) => i.status()),
  };
}

export function membersOf(set: VersionSet): Member[] {
  return [...set.instances.values()].map((i) => ({
    id: i.id,
    specHash: i.specHash,
    ready: i.ready,
    retiring: i.retiring,
    unknown: i.readinessUnknown,
    order: instanceNumber(i),
  }));
}

/** The records of every version set and of every instance not yet stopped, with the spec each one runs. */
export function recordsOf(sets: VersionSet[], counters: Record<string, number>): RecordsFile {
  const records: RecordsFile = { format: 1, counters, versionSets: [], specs: {}, instances: [] };
  for (const set of sets) {
    records.versionSets.push({ app: set.app, spec: set.spec, removing: set.removing });
    for (const instance of set.instances.values()) {
      if (instance.phase === 'stopped') continue;
      records.instances.push(instance.record());
      records.specs[instance.specHash] = instance.spec;
    }
  }
  return records;
}
