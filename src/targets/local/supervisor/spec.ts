// What the supervisor accepts and derives from a version set spec: input checks, the hash that says whether
// an instance runs the current spec, the default readiness probe, and an instance's environment.
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../../../errors.js';
import type { ProbeSpec, VersionSetSpec } from '../types.js';

/** App names and versions become file names and instance ids, so they are kept to a safe alphabet. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Without a readiness probe an instance is ready once its port accepts a TCP connection. */
export const DEFAULT_READINESS: ProbeSpec = {
  tcp: {},
  initialDelayMs: 0,
  periodMs: 500,
  timeoutMs: 1_000,
  successThreshold: 1,
  failureThreshold: 3,
};

const PASSED_ENV = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'];

export function checkName(what: 'app' | 'version', value: unknown): string {
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new InvalidInputError(`${what} must match ${NAME.source}`, { field: what, value });
  }
  return value;
}

function checkNumber(field: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new InvalidInputError(`${field} must be a number >= ${min}`, { field, value });
  }
}

function checkCommand(field: string, command: unknown): void {
  if (
    !Array.isArray(command) ||
    command.length === 0 ||
    !command.every((part) => typeof part === 'string') ||
    command[0] === ''
  ) {
    throw new InvalidInputError(`${field} must be a non-empty array of strings`, { field });
  }
}

function checkProbe(field: string, probe: ProbeSpec | undefined): void {
  if (probe === undefined) return;
  const kinds = [probe.http, probe.tcp, probe.exec].filter((kind) => kind !== undefined).length;
  if (kinds !== 1) throw new InvalidInputError(`${field} needs exactly one of http, tcp, exec`, { field });
  if (probe.http !== undefined && (typeof probe.http.path !== 'string' || !probe.http.path.startsWith('/'))) {
    throw new InvalidInputError(`${field}.http.path must start with /`, { field: `${field}.http.path` });
  }
  if (probe.exec !== undefined) checkCommand(`${field}.exec.command`, probe.exec.command);
  checkNumber(`${field}.initialDelayMs`, probe.initialDelayMs, 0);
  checkNumber(`${field}.periodMs`, probe.periodMs, 1);
  checkNumber(`${field}.timeoutMs`, probe.timeoutMs, 1);
  checkNumber(`${field}.successThreshold`, probe.successThreshold, 1);
  checkNumber(`${field}.failureThreshold`, probe.failureThreshold, 1);
}

/** Refuse a spec the supervisor cannot run, naming the field. */
export function checkVersionSetSpec(spec: VersionSetSpec): void {
  checkName('version', spec.version);
  if (!Number.isInteger(spec.instances) || spec.instances < 0) {
    throw new InvalidInputError('instances must be an integer >= 0', { field: 'instances' });
  }
  checkCommand('run.command', spec.run?.command);
  for (const [key, value] of Object.entries(spec.run.env ?? {})) {
    if (typeof value !== 'string') throw new InvalidInputError('env values must be strings', { field: key });
  }
  checkProbe('readiness', spec.readiness);
  checkProbe('liveness', spec.liveness);
  checkNumber('drainTimeoutMs', spec.drainTimeoutMs, 0);
  checkNumber('stopGraceMs', spec.stopGraceMs, 0);
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** Hash of what an instance runs (command, cwd, env, probes). Scale and stop timings do not count. */
export function specHash(spec: VersionSetSpec): string {
  const material = { run: spec.run, readiness: spec.readiness ?? null, liveness: spec.liveness ?? null };
  return createHash('sha256')
    .update(JSON.stringify(canonical(material)))
    .digest('hex')
    .slice(0, 16);
}

export function substitutePort(value: string, port: number): string {
  return value.replaceAll('${PORT}', String(port));
}

export interface InstanceIdentity {
  app: string;
  version: string;
  id: string;
  port: number;
}

/** The environment of an instance: a few variables from the agent, the spec's, then Greenlight's. */
export function instanceEnv(spec: VersionSetSpec, who: InstanceIdentity): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [key, value] of Object.entries(spec.run.env ?? {})) env[key] = substitutePort(value, who.port);
  env.PORT = String(who.port);
  env.GREENLIGHT_APP = who.app;
  env.GREENLIGHT_VERSION = who.version;
  env.GREENLIGHT_INSTANCE = who.id;
  return env;
}
