// The metric provider port: the smallest contract the analysis needs from a source of numbers (after Flagger's
// `runQuery`). A provider measures one compiled query for one version over a window and always answers with a
// Measurement: a source that fails is a measurement in phase `error`, missing data is `inconclusive`. A factory
// turns the spec's raw settings into a compiled config and compiled queries, refusing bad ones at compile time.
import type { z } from 'zod';
import type { AppStats } from '../../targets/local/types.js';
import type { Measurement } from '../measurement.js';

export type Role = 'stable' | 'canary' | 'baseline';

/** What one measurement is about: whose numbers, over which window, as of when. */
export interface MeasureContext {
  app: string;
  version: string;
  role: Role;
  /** The span the value should cover, e.g. the metric's interval. */
  windowMs: number;
  /** Epoch ms the measurement is for (the engine's clock); also stamps startedAt. */
  now: number;
  /** Aborting it ends the measurement at once, in phase `error`. */
  signal?: AbortSignal;
}

/** A compiled query of one metric. Each provider extends it with its own fields. */
export interface ProviderQuery {
  /** The metric's name, copied into every measurement. */
  readonly metric: string;
}

export interface MetricProvider<Q extends ProviderQuery = ProviderQuery> {
  readonly kind: string;
  /** Never rejects: every failure is a measurement in phase `error` with a message. */
  measure(query: Q, ctx: MeasureContext): Promise<Measurement>;
}

/** Live dependencies a provider may need, injected by whoever wires the engine. */
export interface ProviderDeps {
  /** The router's per-version statistics (AgentClient#stats); required by `builtin`. */
  stats?: (app: string) => Promise<AppStats>;
}

/**
 * How a provider kind is compiled from the spec and created. `compileConfig` and `compileQuery` throw
 * InvalidInputError naming the field; `create` throws only when a required dependency is not wired.
 */
export interface ProviderFactory<C = unknown, Q extends ProviderQuery = ProviderQuery> {
  readonly kind: string;
  /** The raw shape of the provider's settings (for the spec schema and its JSON Schema). */
  readonly configSchema: z.ZodType;
  /** The raw shape of one metric's `query` for this provider. */
  readonly querySchema: z.ZodType;
  /** Raw settings (undefined: all defaults) → compiled config. `path` prefixes field names in errors. */
  compileConfig(raw: unknown, path?: string): C;
  /** One metric's raw query → compiled query. */
  compileQuery(metric: string, raw: unknown, path?: string): Q;
  create(config: C, deps?: ProviderDeps): MetricProvider<Q>;
}
