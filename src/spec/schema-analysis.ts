// The spec schema, part three: automated analysis. Named providers (settings per kind, from each provider's own
// schema), templates of metrics (where a number comes from and which judge reads it), and where they run
// (background, bake; canary steps and blue-green checks refer to templates by name). Rules across fields
// (template names that exist, a query that fits its provider, one judge per metric) are in check-analysis.ts.
import { z } from 'zod';
import { PROVIDER_KINDS, providers } from '../analysis/providers/registry.js';
import type { ProviderKind } from '../analysis/providers/registry.js';
import { DNS_LABEL, DNS_LABEL_EXPECTED } from './names.js';
import { bool, decimal, duration, fields, integer, text } from './schema-kit.js';

export const JUDGE_KINDS = ['threshold', 'compare', 'sequential'] as const;
export const COMPARE_TESTS = ['mannWhitney', 'quantile', 'proportion'] as const;

const name = () => text(DNS_LABEL_EXPECTED, DNS_LABEL);
/** One message whatever the bound broken (a refine beside min/max would report 1.5 twice). */
const probability = (what: string) => {
  const expected = `a probability between 0 and 1, both excluded (${what})`;
  return z.number({ error: expected }).gt(0, { error: expected }).lt(1, { error: expected });
};

export const analysisRefSchema = fields({
  templates: z
    .array(name(), { error: 'a list of template names' })
    .min(1, { error: 'at least one template name' })
    .meta({ description: 'Templates of spec.analysis.templates to run together.' }),
  duration: duration('1s').optional().meta({
    description:
      'How long the analysis runs; absent: until every metric has taken its count of measurements.',
  }),
}).meta({ id: 'AnalysisRef', description: 'Run analysis templates.' });

/** Descriptions for editors, by field; a nested map describes the fields of a nested map. */
interface Notes {
  [field: string]: string | Notes;
}

const PROVIDER_NOTES: Record<ProviderKind, { description: string; settings?: Notes }> = {
  builtin: { description: "The router's own statistics of each version: error rate, latency quantiles." },
  prometheus: {
    description: 'A Prometheus server, queried with PromQL.',
    settings: {
      address: 'Base URL of the Prometheus HTTP API, e.g. http://127.0.0.1:9090 (a path prefix is kept).',
      auth: {
        header: 'Name of the header.',
        value: 'Value of the header, e.g. "Bearer <token>"; never shown in messages or logs.',
      },
    },
  },
  web: { description: 'An HTTP endpoint answering JSON; the query picks the value.' },
  command: { description: 'A program whose last line of output (or exit code) is the value.' },
};

/**
 * A provider's settings schema with descriptions for editors where its own schema (in
 * src/analysis/providers) has none. Validation is unchanged: the same fields, rules and messages.
 */
function described(schema: z.ZodType, notes: Notes): z.ZodType {
  if (schema instanceof z.ZodOptional) {
    const meta = z.globalRegistry.get(schema);
    const inner = described(schema.unwrap() as z.ZodType, notes).optional();
    return meta === undefined ? inner : inner.meta(meta);
  }
  if (!(schema instanceof z.ZodObject)) return schema;
  const shape: Record<string, z.ZodType> = {};
  for (const [field, note] of Object.entries(notes)) {
    const child = schema.shape[field];
    if (child === undefined) throw new Error(`no setting ${field} to describe`);
    if (typeof note !== 'string') shape[field] = described(child, note);
    else if (z.globalRegistry.get(child)?.description === undefined)
      shape[field] = child.meta({ description: note });
  }
  return schema.extend(shape);
}

const providerSchema = fields(
  Object.fromEntries(
    PROVIDER_KINDS.map((kind) => {
      const { description, settings = {} } = PROVIDER_NOTES[kind];
      return [kind, described(providers[kind].configSchema, settings).optional().meta({ description })];
    }),
  ),
).meta({ description: `Exactly one of: ${PROVIDER_KINDS.join(', ')}, with its settings.` });

const thresholdSchema = fields({
  max: z.number({ error: 'a number' }).optional().meta({ description: 'A measurement above this breaches.' }),
  min: z.number({ error: 'a number' }).optional().meta({ description: 'A measurement below this breaches.' }),
  for: duration().optional().meta({
    description: 'A breach counts as a failure once it has held this long.',
    default: '0s',
  }),
}).meta({ description: 'Fail on a value out of bounds: "error rate > 0.05 for 2m".' });

const compareTestSchema = fields({
  name: name().meta({ description: 'Name in the verdict.' }),
  test: z
    .enum(COMPARE_TESTS, { error: `one of: ${COMPARE_TESTS.join(', ')}` })
    .meta({ description: 'mannWhitney and quantile read latencies; proportion reads error counts.' }),
  tolerance: decimal(0).optional().meta({
    description: 'How much higher (lower) the canary may be before it counts: 0.1 = 10%.',
    default: 0.1,
  }),
  failOn: z
    .enum(['increase', 'decrease', 'either'], { error: 'one of: increase, decrease, either' })
    .optional()
    .meta({ description: 'Which direction of difference counts against the canary.', default: 'increase' }),
  weight: decimal(0).optional().meta({ description: 'Weight in the score.', default: 1 }),
  critical: bool().optional().meta({ description: 'A failure fails the whole comparison.', default: false }),
  minSamples: integer(1).optional().meta({
    description: 'Fewer samples (requests) per version is no data.',
    default: 50,
  }),
  quantile: decimal(0.5, 0.999).optional().meta({ description: 'For the quantile test.', default: 0.95 }),
});

const compareSchema = fields(
  {
    tests: z.array(compareTestSchema, { error: 'a list of tests' }).min(1).optional().meta({
      description:
        'Default: latency (mannWhitney), latency-p95 (quantile), error-rate (proportion, critical).',
    }),
    alpha: probability('the false-failure rate of one comparison').optional().meta({
      description: 'Significance level of each test: the chance of failing a canary no worse than stable.',
      default: 0.01,
    }),
    pass: decimal(0, 100).optional().meta({ description: 'Score that passes.', default: 95 }),
    marginal: decimal(0, 100).optional().meta({ description: 'Score below which it fails.', default: 75 }),
    window: duration('1s').optional().meta({
      description: "The stretch of the router's stream each comparison reads (default: the interval).",
    }),
  },
  '{} for the defaults',
).meta({ description: 'Canary against stable on the router stream: statistical tests and a score.' });

const sequentialSchema = fields(
  {
    alpha: probability('failing a canary no worse than stable').optional().meta({
      description: 'The chance of failing a canary no worse than stable.',
      default: 0.01,
    }),
    beta: probability('passing a canary oddsRatio times worse').optional().meta({
      description: "The chance of passing a canary whose error odds are oddsRatio times stable's.",
      default: 0.1,
    }),
    oddsRatio: z
      .number({ error: 'a number above 1' })
      .gt(1, { error: 'a number above 1' })
      .optional()
      .meta({ description: 'The error odds ratio (canary to stable) that must be caught.', default: 3 }),
    minIncrease: decimal(0, 1).optional().meta({
      description: 'A failure also needs the canary error rate this much above stable.',
      default: 0.001,
    }),
    minCanaryRequests: integer(1).optional().meta({
      description: 'A pass needs at least this many canary requests.',
      default: 100,
    }),
  },
  '{} for the defaults',
).meta({ description: "A sequential test of the canary's error rate against stable's, request by request." });

export const metricSchema = fields({
  name: name().meta({ description: 'Name shown in measurements and verdicts.' }),
  provider: name().optional().meta({
    description: 'A provider of analysis.providers, or a kind with default settings.',
    default: 'builtin',
  }),
  query: z.unknown().optional().meta({ description: "The provider's query (see docs/analysis.md)." }),
  role: z
    .enum(['canary', 'stable'], { error: 'one of: canary, stable' })
    .optional()
    .meta({ description: 'Whose numbers the query reads.', default: 'canary' }),
  threshold: thresholdSchema.optional(),
  compare: compareSchema.optional(),
  sequential: sequentialSchema.optional(),
  interval: duration('100ms').optional().meta({ description: 'Time between measurements.', default: '10s' }),
  count: integer(1).optional().meta({ description: 'Measurements after which the metric concludes.' }),
  initialDelay: duration().optional().meta({ description: 'Wait before the first measurement.' }),
  failureLimit: integer(0).optional().meta({ description: 'Failed measurements tolerated.', default: 0 }),
  inconclusiveLimit: integer(0)
    .optional()
    .meta({ description: 'Measurements without data tolerated.', default: 0 }),
  consecutiveErrorLimit: integer(0)
    .optional()
    .meta({ description: 'Consecutive query errors tolerated.', default: 4 }),
  dryRun: bool().optional().meta({ description: 'Measure and show, never act.', default: false }),
}).meta({ id: 'AnalysisMetric', description: 'One metric: a source and a judge.' });

export const analysisSchema = fields({
  builtin: bool().optional().meta({
    description: 'With no templates configured, run the builtin defaults (false: no analysis at all).',
    default: true,
  }),
  providers: z
    .record(name(), providerSchema, { error: 'a map of provider names to settings' })
    .optional()
    .meta({ description: 'Named metric providers.' }),
  templates: z
    .record(name(), z.array(metricSchema, { error: 'a list of metrics' }).min(1), {
      error: 'a map of template names to lists of metrics',
    })
    .optional()
    .meta({ description: 'Named lists of metrics.' }),
  background: z
    .array(name(), { error: 'a list of template names' })
    .optional()
    .meta({ description: 'Templates run from the first exposure of the new version to its promotion.' }),
  backgroundMinDuration: duration().optional().meta({
    description:
      'The background analysis concludes at the promotion gate no earlier than this after it started.',
    default: '30s',
  }),
  bake: analysisRefSchema.optional().meta({
    description: 'After the switch, with the old version still warm: the release is final once it passes.',
  }),
  onInconclusive: z
    .enum(['pause', 'rollback'], { error: 'one of: pause, rollback' })
    .optional()
    .meta({ description: 'What an analysis without a clear answer does.', default: 'pause' }),
}).meta({ description: 'Automated analysis: providers, templates, and where they run.' });

export type RawAnalysis = z.output<typeof analysisSchema>;
export type RawMetric = z.output<typeof metricSchema>;
export type RawAnalysisRef = z.output<typeof analysisRefSchema>;
