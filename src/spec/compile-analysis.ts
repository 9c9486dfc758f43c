// The analysis section compiled: defaults filled in, durations in ms, providers resolved to a kind and its
// settings. With no templates configured (and `builtin` not false) an app gets the builtin defaults: a
// sequential test of error rate and a comparison of latency against stable in the background of canary and
// rolling releases, and an error-rate threshold after a blue-green switch.
import { resolve } from 'node:path';
import { isProviderKind } from '../analysis/providers/registry.js';
import { COMPARE_DEFAULTS, COMPARE_METRIC_DEFAULTS } from '../analysis/judges/compare.js';
import { SEQUENTIAL_DEFAULTS } from '../analysis/judges/sequential.js';
import { THRESHOLD_DEFAULTS } from '../analysis/judges/threshold.js';
import type {
  AnalysisMetricSpec,
  AnalysisRef,
  AnalysisSpec,
  CompareTestSpec,
  JudgeSpec,
  MetricSourceSpec,
  Strategy,
} from './compiled.js';
import { parseDuration } from './duration.js';
import type { RawAnalysis, RawAnalysisRef, RawMetric } from './schema-analysis.js';

export const BUILTIN_TEMPLATE = 'builtin';
export const BUILTIN_THRESHOLD_TEMPLATE = 'builtin-error-rate';
const DEFAULT_INTERVAL_MS = 10_000;
const DEFAULT_BACKGROUND_MIN_MS = 30_000;

const ms = (value: string | undefined, fallback: number): number =>
  value === undefined ? fallback : parseDuration(value);

export function compileAnalysisRef(raw: RawAnalysisRef | undefined): AnalysisRef | null {
  if (raw === undefined) return null;
  return {
    templates: [...raw.templates],
    durationMs: raw.duration === undefined ? null : parseDuration(raw.duration),
  };
}

const defaultTests = (): CompareTestSpec[] => [
  { ...COMPARE_METRIC_DEFAULTS, name: 'latency', test: 'mannWhitney' },
  { ...COMPARE_METRIC_DEFAULTS, name: 'latency-p95', test: 'quantile' },
  { ...COMPARE_METRIC_DEFAULTS, name: 'error-rate', test: 'proportion', critical: true },
];

function compileJudge(raw: RawMetric, intervalMs: number): JudgeSpec {
  if (raw.compare !== undefined) {
    const c = raw.compare;
    return {
      kind: 'compare',
      tests: c.tests?.map((t) => ({ ...COMPARE_METRIC_DEFAULTS, ...t })) ?? defaultTests(),
      alpha: c.alpha ?? COMPARE_DEFAULTS.alpha,
      pass: c.pass ?? COMPARE_DEFAULTS.pass,
      marginal: c.marginal ?? COMPARE_DEFAULTS.marginal,
      windowMs: ms(c.window, intervalMs),
    };
  }
  if (raw.sequential !== undefined) {
    const { durationMs: _unused, ...defaults } = SEQUENTIAL_DEFAULTS;
    return { kind: 'sequential', ...defaults, ...raw.sequential };
  }
  return {
    kind: 'threshold',
    min: raw.threshold?.min ?? null,
    max: raw.threshold?.max ?? null,
    forMs: ms(raw.threshold?.for, 0),
  };
}

/** A command runs in the spec's folder, and a relative `cwd` is relative to it, as for the app's own run. */
function commandQuery(query: unknown, baseDir: string): unknown {
  if (Array.isArray(query)) return { command: query, cwd: baseDir };
  if (typeof query !== 'object' || query === null) return query;
  const cwd = (query as { cwd?: unknown }).cwd;
  return { ...query, cwd: resolve(baseDir, typeof cwd === 'string' ? cwd : '.') };
}

function compileSource(
  raw: RawMetric,
  named: RawAnalysis['providers'],
  baseDir: string,
): MetricSourceSpec | null {
  if (raw.compare !== undefined || raw.sequential !== undefined) return null;
  const provider = raw.provider ?? 'builtin';
  const settings = named?.[provider];
  if (settings !== undefined) {
    const [kind, config] = Object.entries(settings).find(([k]) => isProviderKind(k)) ?? [];
    if (kind === undefined || !isProviderKind(kind)) throw new Error(`provider ${provider} has no kind`);
    const query = kind === 'command' ? commandQuery(raw.query, baseDir) : raw.query;
    return { provider, kind, config: config ?? {}, query, role: raw.role ?? 'canary' };
  }
  if (!isProviderKind(provider)) throw new Error(`unknown provider ${provider} passed validation`);
  const query = provider === 'command' ? commandQuery(raw.query, baseDir) : raw.query;
  return { provider, kind: provider, config: {}, query, role: raw.role ?? 'canary' };
}

function compileMetric(raw: RawMetric, named: RawAnalysis['providers'], baseDir: string): AnalysisMetricSpec {
  const intervalMs = ms(raw.interval, DEFAULT_INTERVAL_MS);
  const judge = compileJudge(raw, intervalMs);
  // A comparison's first window should hold data: by default it is measured once a window has passed.
  const delay = judge.kind === 'compare' ? judge.windowMs : THRESHOLD_DEFAULTS.initialDelayMs;
  return {
    name: raw.name,
    judge,
    source: compileSource(raw, named, baseDir),
    intervalMs,
    count: raw.count ?? THRESHOLD_DEFAULTS.count,
    initialDelayMs: ms(raw.initialDelay, delay),
    failureLimit: raw.failureLimit ?? THRESHOLD_DEFAULTS.failureLimit,
    inconclusiveLimit: raw.inconclusiveLimit ?? THRESHOLD_DEFAULTS.inconclusiveLimit,
    consecutiveErrorLimit: raw.consecutiveErrorLimit ?? THRESHOLD_DEFAULTS.consecutiveErrorLimit,
    dryRun: raw.dryRun ?? false,
  };
}

/** Most windows of a long rollout hold no regression: one failing comparison is not enough to roll back. */
const UNLIMITED = 1_000_000;

/**
 * The builtin defaults, on the router's own statistics:
 * - error-rate: the sequential test against stable (false-failure rate 1%, catches 3× the error odds);
 * - latency: canary against stable every 10 s over the last 10 s from 10 s on (Mann–Whitney on the whole
 *   distribution, the pooled-quantile test on p95, 10% tolerance, 0.1% per comparison), failing on a second
 *   failed window;
 *   windows without enough requests are no data, and a run that never had any is inconclusive, never a pass.
 */
export function builtinTemplates(): Record<string, AnalysisMetricSpec[]> {
  const metric = (name: string, judge: JudgeSpec, extra: Partial<AnalysisMetricSpec> = {}) => ({
    name,
    judge,
    source: null,
    intervalMs: DEFAULT_INTERVAL_MS,
    count: null,
    initialDelayMs: 0,
    failureLimit: 0,
    inconclusiveLimit: UNLIMITED,
    consecutiveErrorLimit: THRESHOLD_DEFAULTS.consecutiveErrorLimit,
    dryRun: false,
    ...extra,
  });
  const { durationMs: _unused, ...sequential } = SEQUENTIAL_DEFAULTS;
  return {
    [BUILTIN_TEMPLATE]: [
      metric('error-rate', { kind: 'sequential', ...sequential }, { intervalMs: 5_000 }),
      metric(
        'latency',
        {
          kind: 'compare',
          tests: defaultTests().filter((t) => t.test !== 'proportion'),
          alpha: 0.001,
          pass: COMPARE_DEFAULTS.pass,
          marginal: COMPARE_DEFAULTS.marginal,
          windowMs: DEFAULT_INTERVAL_MS,
        },
        { failureLimit: 1, initialDelayMs: DEFAULT_INTERVAL_MS },
      ),
    ],
    [BUILTIN_THRESHOLD_TEMPLATE]: [
      metric(
        'error-rate',
        { kind: 'threshold', min: null, max: 0.05, forMs: 0 },
        {
          source: {
            provider: 'builtin',
            kind: 'builtin',
            config: { minRequests: 20 },
            query: 'errorRate',
            role: 'canary',
          },
          intervalMs: 5_000,
          failureLimit: 1,
        },
      ),
    ],
  };
}

/** No analysis at all (`analysis: { builtin: false }`). */
export function noAnalysis(): AnalysisSpec {
  return {
    templates: {},
    background: [],
    backgroundMinMs: DEFAULT_BACKGROUND_MIN_MS,
    bake: null,
    onInconclusive: 'pause',
    builtinDefaults: false,
  };
}

/** `baseDir`: the spec file's folder (command metrics run there). */
export function compileAnalysis(
  raw: RawAnalysis | undefined,
  strategy: Strategy,
  baseDir = process.cwd(),
): AnalysisSpec {
  const onInconclusive = raw?.onInconclusive ?? 'pause';
  const backgroundMinMs = ms(raw?.backgroundMinDuration, DEFAULT_BACKGROUND_MIN_MS);
  const configured = raw?.templates !== undefined && Object.keys(raw.templates).length > 0;
  if (!configured) {
    const enabled = raw?.builtin !== false;
    return {
      templates: enabled ? builtinTemplates() : {},
      background: enabled && strategy.kind !== 'blueGreen' ? [BUILTIN_TEMPLATE] : [],
      backgroundMinMs,
      bake: null,
      onInconclusive,
      builtinDefaults: enabled,
    };
  }
  const templates: AnalysisSpec['templates'] = {};
  for (const [name, metrics] of Object.entries(raw.templates ?? {})) {
    templates[name] = metrics.map((m) => compileMetric(m, raw.providers, baseDir));
  }
  return {
    templates,
    background: [...(raw.background ?? [])],
    backgroundMinMs,
    bake: compileAnalysisRef(raw.bake),
    onInconclusive,
    builtinDefaults: false,
  };
}

/** Blue-green with the builtin defaults: an error-rate threshold over the post-promotion watch. */
export function builtinPostPromotion(analysis: AnalysisSpec, watchMs: number): AnalysisRef | null {
  if (!analysis.builtinDefaults || watchMs <= 0) return null;
  return { templates: [BUILTIN_THRESHOLD_TEMPLATE], durationMs: watchMs };
}
