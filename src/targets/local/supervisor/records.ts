// The supervisor's durable memory, <dataDir>/instances.json: every instance it started (so a restarted agent
// can adopt them), the version sets it was asked to run, and the id counters. Written atomically.
import {
  closeSync,
  copyFileSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { VersionSetSpec } from '../types.js';

export interface InstanceRecord {
  app: string;
  version: string;
  id: string;
  /** Null while the instance has no process (waiting to restart). */
  pid: number | null;
  port: number;
  /** From /proc/<pid>/stat: with pid, the identity of the process. */
  procStartTime: string | null;
  startedAt: string | null;
  specHash: string;
  logFile: string;
  restarts: number;
}

export interface VersionSetRecord {
  app: string;
  spec: VersionSetSpec;
  /** Set while the version set is being removed: an agent that restarts then finishes the removal. */
  removing: boolean;
}

export interface RecordsFile {
  format: 1;
  /** Last instance number used, per `<app>/<version>`: ids are never reused. */
  counters: Record<string, number>;
  versionSets: VersionSetRecord[];
  /** The spec each instance was started with, by spec hash (an instance may predate its set's spec). */
  specs: Record<string, VersionSetSpec>;
  instances: InstanceRecord[];
}

export function emptyRecords(): RecordsFile {
  return { format: 1, counters: {}, versionSets: [], specs: {}, instances: [] };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInstanceRecord(value: unknown): value is InstanceRecord {
  return (
    isObject(value) &&
    typeof value.app === 'string' &&
    typeof value.version === 'string' &&
    typeof value.id === 'string' &&
    (value.pid === null || typeof value.pid === 'number') &&
    typeof value.port === 'number' &&
    (value.procStartTime === null || typeof value.procStartTime === 'string') &&
    typeof value.specHash === 'string' &&
    typeof value.logFile === 'string' &&
    typeof value.restarts === 'number'
  );
}

function isVersionSetRecord(value: unknown): value is VersionSetRecord {
  return isObject(value) && typeof value.app === 'string' && isObject(value.spec);
}

/**
 * Read the records. A missing file is an empty one; an unreadable one is reported through `problem` and
 * treated as empty (entries that do not fit are skipped the same way).
 */
export function loadRecords(path: string, problem: (message: string) => void): RecordsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') problem(`cannot read ${path}: ${String(error)}`);
    return emptyRecords();
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    // Kept aside for a person to read: the next save would otherwise overwrite it.
    copyFileSync(path, `${path}.corrupt`);
    problem(`cannot parse ${path} (kept as ${path}.corrupt): ${String(error)}`);
    return emptyRecords();
  }
  if (!isObject(raw)) return emptyRecords();
  const records = emptyRecords();
  if (isObject(raw.counters)) {
    for (const [key, value] of Object.entries(raw.counters))
      if (typeof value === 'number') records.counters[key] = value;
  }
  // Specs are only shape-checked here; the supervisor runs its full spec check before using one.
  if (isObject(raw.specs)) {
    for (const [hash, spec] of Object.entries(raw.specs)) {
      if (isObject(spec)) records.specs[hash] = spec as unknown as VersionSetSpec;
    }
  }
  for (const entry of Array.isArray(raw.versionSets) ? raw.versionSets : []) {
    if (isVersionSetRecord(entry)) records.versionSets.push({ ...entry, removing: entry.removing === true });
    else problem('skipped a malformed version set record');
  }
  for (const entry of Array.isArray(raw.instances) ? raw.instances : []) {
    if (isInstanceRecord(entry)) records.instances.push(entry);
    else problem('skipped a malformed instance record');
  }
  return records;
}

/** Write the records atomically: a reader (or a crash) sees the old file or the new one, never half. */
export function saveRecords(path: string, records: RecordsFile): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify(records, null, 2) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
