// The compiled spec: what `greenlight.yaml` becomes after parsing, validation and defaults, once.
// Everything downstream (planner, engine, targets) reads only this; nothing re-validates or re-defaults.
// Durations are milliseconds; weights are percentages.
import type { HeaderRoute, ProbeSpec, RouterLimits } from '../targets/local/types.js';

export const API_VERSION = 'greenlight.dev/v1alpha1';

/** How a version becomes something to run on the local target. `${version}` is already a placeholder here. */
export interface LocalRunTemplate {
  command: string[];
  /** Absolute (resolved against the spec file's folder). */
  cwd: string;
  env: Record<string, string>;
}

export interface LocalTargetSpec {
  kind: 'local';
  listen: { host: string; port: number };
  instances: number;
  run: LocalRunTemplate;
  /** Per-version overrides, merged over run (env merged key by key). */
  versions: Record<string, Partial<LocalRunTemplate>>;
  drainTimeoutMs: number;
  stopGraceMs: number;
}

export type TargetSpec = LocalTargetSpec;

export interface HttpCheck {
  name: string;
  /** Sent to the new version through the preview route before users reach it. */
  path: string;
  method: 'GET' | 'HEAD' | 'POST';
  expectStatus: number;
  /** Optional substring the body must contain. */
  expectBody?: string;
  timeoutMs: number;
  retries: number;
}

export type CanaryStep =
  | { setWeight: number }
  /** durationMs absent: wait until promoted. */
  | { pause: { durationMs?: number } }
  | { setHeaderRoute: { match: Omit<HeaderRoute, 'version'> } }
  /** percent 0 removes the mirror. */
  | { setMirror: { percent: number } };

export interface RollingStrategy {
  kind: 'rolling';
  /** Extra instances allowed above the desired count during the update. */
  maxSurge: number;
  /** Instances allowed below the desired count (ready) during the update. */
  maxUnavailable: number;
}

export interface BlueGreenStrategy {
  kind: 'blueGreen';
  prePromotionChecks: HttpCheck[];
  /** false: wait for `greenlight promote` after the checks. */
  autoPromote: boolean;
  /** After the switch, watch the rollback triggers this long before the release is final. */
  postPromotionWatchMs: number;
  /** Keep the old set running (instant rollback) this long after the switch. */
  scaleDownDelayMs: number;
}

export interface CanaryStrategy {
  kind: 'canary';
  steps: CanaryStep[];
  /** Canary instances (default: the target's instance count). */
  canaryInstances: number;
}

export type Strategy = RollingStrategy | BlueGreenStrategy | CanaryStrategy;

/** A standing rollback trigger on the builtin router statistics of the new version. */
export interface RollbackTrigger {
  name: string;
  metric: 'errorRate' | 'latencyP95Ms' | 'latencyP99Ms';
  max: number;
  /** The condition must hold over this window of the router's statistics. */
  forMs: number;
  /** Below this many requests in the window the trigger has no data (never a pass, never a fire). */
  minRequests: number;
}

export interface CompiledSpec {
  apiVersion: typeof API_VERSION;
  name: string;
  labels: Record<string, string>;
  /** The file it came from, for messages. */
  source: string;
  target: TargetSpec;
  health: { readiness?: ProbeSpec; liveness?: ProbeSpec };
  traffic: {
    previewHeader: string;
    sticky?: { cookie: string; ttlSeconds: number };
    retryOnStable: boolean;
    limits: RouterLimits;
  };
  strategy: Strategy;
  /** A release that has not reached its next step within this time rolls back. */
  progressDeadlineMs: number;
  rollbackTriggers: RollbackTrigger[];
}
