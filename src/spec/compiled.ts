// The compiled spec: what `greenlight.yaml` becomes after parsing, validation and defaults, once.
// Everything downstream (planner, engine, targets) reads only this; nothing re-validates or re-defaults.
// Durations are milliseconds; weights are percentages.
import type { HeaderRoute, ProbeSpec, RouterLimits } from '../targets/local/types.js';
import type {
  EnvironmentOverrides,
  GatesSpec,
  HooksSpec,
  NotificationsSpec,
  SecretsSpec,
} from './compiled-gates.js';

export type * from './compiled-gates.js';

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
  | { pause: { durationMs?: number; untilApproved?: boolean } }
  | { setHeaderRoute: { match: Omit<HeaderRoute, 'version'> } }
  /** percent 0 removes the mirror. */
  | { setMirror: { percent: number } }
  /** Run analysis templates; the step ends when they conclude (durationMs null: when every metric has). */
  | { analysis: AnalysisRef };

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
  /** Analysis of the preview before the switch (no user traffic: providers other than the router's). */
  prePromotionAnalysis: AnalysisRef | null;
  /** Analysis after the switch, while the old set is still warm. */
  postPromotionAnalysis: AnalysisRef | null;
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

/** Templates to run together, for a duration (null: until each metric concludes by its count). */
export interface AnalysisRef {
  templates: string[];
  durationMs: number | null;
}

export interface ThresholdJudgeSpec {
  kind: 'threshold';
  min: number | null;
  max: number | null;
  forMs: number;
}

export interface CompareTestSpec {
  /** The name in the verdict: latency, latency-p95, error-rate. */
  name: string;
  test: 'mannWhitney' | 'quantile' | 'proportion';
  tolerance: number;
  failOn: 'increase' | 'decrease' | 'either';
  weight: number;
  critical: boolean;
  minSamples: number;
  quantile: number;
}

/** Canary against stable on the router's stream, over the last `windowMs` at every interval. */
export interface CompareJudgeSpec {
  kind: 'compare';
  tests: CompareTestSpec[];
  alpha: number;
  pass: number;
  marginal: number;
  windowMs: number;
}

/** A sequential test of the canary's error rate against stable's, fed by the router's stream. */
export interface SequentialJudgeSpec {
  kind: 'sequential';
  alpha: number;
  beta: number;
  oddsRatio: number;
  minIncrease: number;
  minCanaryRequests: number;
}

export type JudgeSpec = ThresholdJudgeSpec | CompareJudgeSpec | SequentialJudgeSpec;

/** Where a threshold metric's numbers come from: a provider kind, its settings (raw) and the query (raw). */
export interface MetricSourceSpec {
  /** The provider's name in the spec (`builtin` unless one of analysis.providers). */
  provider: string;
  kind: 'builtin' | 'prometheus' | 'web' | 'command';
  /** Checked when the spec was compiled; compiled again (with live dependencies) when the analysis runs. */
  config: unknown;
  query: unknown;
  /** Whose numbers: the new version's (default) or stable's. */
  role: 'canary' | 'stable';
}

export interface AnalysisMetricSpec {
  name: string;
  judge: JudgeSpec;
  /** Threshold judges only: the stream judges read the router. */
  source: MetricSourceSpec | null;
  intervalMs: number;
  /** Measurements after which the metric concludes; null: until the analysis ends. */
  count: number | null;
  initialDelayMs: number;
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
  /** Measured and shown, never acts. */
  dryRun: boolean;
}

export interface AnalysisSpec {
  templates: Record<string, AnalysisMetricSpec[]>;
  /** Run for the whole rollout, from the first step that exposes the new version to the promotion. */
  background: string[];
  /** The background run concludes at the promotion gate no earlier than this after it started. */
  backgroundMinMs: number;
  /** After the switch, while the old version is still warm: the release is final once this passes. */
  bake: AnalysisRef | null;
  /** What an inconclusive analysis does: pause for a person (default) or roll back. */
  onInconclusive: 'pause' | 'rollback';
  /** Whether the templates are the builtin defaults (no analysis configured). */
  builtinDefaults: boolean;
}

export interface CompiledSpec {
  apiVersion: typeof API_VERSION;
  /** The app's name; in the effective spec of a declared environment, the target's name for it. */
  name: string;
  /** Set in the effective spec of one environment (specForEnvironment). */
  environment?: string;
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
  analysis: AnalysisSpec;
  gates: GatesSpec;
  hooks: HooksSpec;
  notifications: NotificationsSpec;
  secrets: SecretsSpec;
  /** Declared environments and what each overrides; an app that declares none has one, `default`. */
  environments: Record<string, EnvironmentOverrides>;
}
