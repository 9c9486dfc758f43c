// The builtin provider: the router's own per-version statistics (request rate, error rate, latency quantiles,
// upstream errors), read through an injected `stats(app)` — the agent client's — over the router window that
// covers the measurement's window (10s, 1m or 5m). Too few requests in the window is no data: inconclusive.
import { z } from 'zod';
import { GreenlightError } from '../../errors.js';
import { formatDuration, parseDuration } from '../../spec/duration.js';
import { duration, fields, integer } from '../../spec/schema-kit.js';
import type { AppStats, VersionWindowStats } from '../../targets/local/types.js';
import { parseRaw } from './compile-kit.js';
import { startDeadline, untilAborted } from './deadline.js';
import { guarded } from './measurement-kit.js';
import type { Measurement } from '../measurement.js';
import type {
  MeasureContext,
  MetricProvider,
  ProviderDeps,
  ProviderFactory,
  ProviderQuery,
} from './provider.js';

export const BUILTIN_STATS = [
  'requestRate',
  'errorRate',
  'latencyP50Ms',
  'latencyP90Ms',
  'latencyP95Ms',
  'latencyP99Ms',
  'upstreamErrors',
] as const;
export type BuiltinStat = (typeof BUILTIN_STATS)[number];

/** The windows the router keeps, shortest first. */
export const BUILTIN_WINDOWS = [
  { name: '10s', ms: 10_000 },
  { name: '1m', ms: 60_000 },
  { name: '5m', ms: 300_000 },
] as const;
export type BuiltinWindow = (typeof BUILTIN_WINDOWS)[number];

/** The shortest router window covering `windowMs`; undefined when it is longer than all (5m). */
export function builtinWindowFor(windowMs: number): BuiltinWindow | undefined {
  return BUILTIN_WINDOWS.find((w) => w.ms >= windowMs);
}

export const DEFAULT_MIN_REQUESTS = 20;
export const DEFAULT_BUILTIN_TIMEOUT_MS = 5_000;

export interface BuiltinConfig {
  /** Below this many requests in the window, every statistic but requestRate is inconclusive. */
  minRequests: number;
  timeoutMs: number;
}

export interface BuiltinQuery extends ProviderQuery {
  stat: BuiltinStat;
  /** Overrides the provider's minRequests for this metric. */
  minRequests?: number;
}

const STAT_EXPECTED = `one of: ${BUILTIN_STATS.join(', ')}`;
const stat = () => z.enum(BUILTIN_STATS, { error: STAT_EXPECTED });

const configSchema = fields({
  minRequests: integer(0)
    .optional()
    .meta({ description: 'Fewer requests in the window make a measurement inconclusive.', default: 20 }),
  timeout: duration('1ms')
    .optional()
    .meta({ description: 'Time allowed to read the router statistics.', default: '5s' }),
});

const queryFields = fields({
  stat: stat(),
  minRequests: integer(0).optional().meta({ description: "Overrides the provider's minRequests." }),
});

/** A statistic's name, or a map with the name and its own minimum. */
const querySchema = z.union([stat(), queryFields]);

interface Reader {
  /** Whether the value means nothing below minRequests (everything but the rate itself). */
  needsRequests: boolean;
  read(window: VersionWindowStats, seconds: number): number | null;
  describe(value: number, window: VersionWindowStats): string;
}

const latency = (key: keyof VersionWindowStats['latency'], label: string): Reader => ({
  needsRequests: true,
  read: (w) => w.latency[key],
  describe: (v, w) => `${label} ${v} ms over ${w.requests} requests`,
});

const READERS: Record<BuiltinStat, Reader> = {
  requestRate: {
    needsRequests: false,
    read: (w, seconds) => w.requests / seconds,
    describe: (v, w) => `${w.requests} requests, ${Number(v.toFixed(3))} per second`,
  },
  errorRate: {
    needsRequests: true,
    read: (w) => w.errorRate,
    describe: (v, w) =>
      `error rate ${Number(v.toFixed(6))} (${w.responses['5xx']} 5xx and ${w.upstreamErrors} upstream errors in ${w.requests} requests)`,
  },
  latencyP50Ms: latency('p50Ms', 'p50'),
  latencyP90Ms: latency('p90Ms', 'p90'),
  latencyP95Ms: latency('p95Ms', 'p95'),
  latencyP99Ms: latency('p99Ms', 'p99'),
  upstreamErrors: {
    needsRequests: true,
    read: (w) => w.upstreamErrors,
    describe: (v, w) => `${v} upstream errors in ${w.requests} requests`,
  },
};

class BuiltinProvider implements MetricProvider<BuiltinQuery> {
  readonly kind = 'builtin';

  constructor(
    private readonly config: BuiltinConfig,
    private readonly stats: (app: string) => Promise<AppStats>,
  ) {}

  measure(query: BuiltinQuery, ctx: MeasureContext): Promise<Measurement> {
    return guarded(query.metric, ctx, async (m) => {
      const window = builtinWindowFor(ctx.windowMs);
      if (window === undefined) {
        return m.error(
          `the router keeps statistics over 10s, 1m and 5m; none covers a ${formatDuration(ctx.windowMs)} window`,
        );
      }
      const deadline = startDeadline(this.config.timeoutMs, ctx.signal);
      let stats: AppStats;
      try {
        stats = await untilAborted(this.stats(ctx.app), deadline);
      } catch (error) {
        // A DeadlineError's message is the reason: "timed out after 5s" or "cancelled".
        return m.error(`could not read the router statistics of ${ctx.app}: ${(error as Error).message}`);
      } finally {
        deadline.dispose();
      }
      const version = stats.versions.find((v) => v.version === ctx.version);
      if (version === undefined) {
        return m.inconclusive(`the router has no statistics for ${ctx.app} version ${ctx.version}`);
      }
      const counts = version.windows[window.name];
      const reader = READERS[query.stat];
      const over = `${ctx.version} over the last ${window.name}`;
      const minRequests = query.minRequests ?? this.config.minRequests;
      if (reader.needsRequests && counts.requests < minRequests) {
        return m.inconclusive(`${counts.requests} requests to ${over}, fewer than the ${minRequests} needed`);
      }
      const value = reader.read(counts, window.ms / 1000);
      if (value === null) return m.inconclusive(`no ${query.stat} for ${over} (no timed responses)`);
      return m.value(value, `${reader.describe(value, counts)} to ${over}`);
    });
  }
}

export const builtinProvider: ProviderFactory<BuiltinConfig, BuiltinQuery> = {
  kind: 'builtin',
  configSchema,
  querySchema,
  compileConfig(raw, path = 'builtin') {
    const parsed = parseRaw(configSchema, raw ?? {}, path, 'builtin provider settings');
    return {
      minRequests: parsed.minRequests ?? DEFAULT_MIN_REQUESTS,
      timeoutMs: parsed.timeout === undefined ? DEFAULT_BUILTIN_TIMEOUT_MS : parseDuration(parsed.timeout),
    };
  },
  compileQuery(metric, raw, path = 'query') {
    if (typeof raw === 'string') return { metric, stat: parseRaw(stat(), raw, path, 'builtin query') };
    const parsed = parseRaw(queryFields, raw, path, 'builtin query');
    return {
      metric,
      stat: parsed.stat,
      ...(parsed.minRequests === undefined ? {} : { minRequests: parsed.minRequests }),
    };
  },
  create(config, deps: ProviderDeps = {}) {
    if (deps.stats === undefined) {
      throw new GreenlightError('GL9000', 'the builtin provider needs the router statistics (deps.stats)');
    }
    return new BuiltinProvider(config, deps.stats);
  },
};
