// The supervisor's options as the agent passes them, and compiled once with every default filled in.
import { InvalidInputError } from '../../../errors.js';
import type { Endpoint } from '../types.js';
import { DEFAULT_BACKOFF, DEFAULT_CRASH_LOOP } from './backoff.js';
import type { BackoffPolicy, CrashLoopPolicy } from './backoff.js';

export type Log = (msg: string, fields?: Record<string, unknown>) => void;

export interface SupervisorOptions {
  /** Logs in <dataDir>/logs/<app>/<instanceId>.log; instance records in <dataDir>/instances.json. */
  dataDir: string;
  /** Called before SIGTERM of an instance that was serving: the router waits for its in-flight requests (bounded). */
  drain: (app: string, endpointId: string, timeoutMs: number) => Promise<void>;
  /** Called whenever the set of READY instances of a version changes (readiness, exit, stop). Full list each time. */
  onEndpoints: (app: string, version: string, endpoints: Endpoint[]) => void;
  backoff?: BackoffPolicy;
  crashLoop?: CrashLoopPolicy;
  /** Per instance log file, default 5 MiB, then rotated to .1 (one old file kept). */
  maxLogBytes?: number;
  /** Last lines kept in memory per instance, default 200. */
  memoryLogLines?: number;
  log?: Log;
}

export type CompiledOptions = Required<SupervisorOptions>;

function positive(field: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidInputError(`${field} must be a positive number`, { field, value });
  }
}

export function compileOptions(opts: SupervisorOptions): CompiledOptions {
  const compiled: CompiledOptions = {
    ...opts,
    backoff: opts.backoff ?? DEFAULT_BACKOFF,
    crashLoop: opts.crashLoop ?? DEFAULT_CRASH_LOOP,
    maxLogBytes: opts.maxLogBytes ?? 5 * 1024 * 1024,
    memoryLogLines: opts.memoryLogLines ?? 200,
    log: opts.log ?? (() => undefined),
  };
  // A zero backoff would restart a crashing command in a tight loop.
  positive('backoff.initialMs', compiled.backoff.initialMs);
  positive('backoff.maxMs', compiled.backoff.maxMs);
  positive('crashLoop.restarts', compiled.crashLoop.restarts);
  positive('maxLogBytes', compiled.maxLogBytes);
  positive('memoryLogLines', compiled.memoryLogLines);
  return compiled;
}
