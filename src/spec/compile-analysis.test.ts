// The analysis section compiled: a full section to exactly its AnalysisSpec (durations in ms, defaults filled,
// provider kind and raw settings and query kept), the builtin defaults per strategy when nothing is configured,
// none at all with `builtin: false`, and canary analysis steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisMetricSpec, AnalysisSpec, CompiledSpec } from './compiled.js';
import { compileSpecText } from './load.js';
import { MINIMAL_SPEC_TEXT } from '../../test/helpers/spec-text.js';

const HEAD = MINIMAL_SPEC_TEXT;

const compile = (body: string): CompiledSpec => compileSpecText(`${HEAD}${body}`, 'greenlight.yaml');

/** What every metric gets when it sets nothing but its name and judge (and source). */
const METRIC_DEFAULTS = {
  intervalMs: 10_000,
  count: null,
  initialDelayMs: 0,
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  dryRun: false,
} as const;

const COMPARE_TEST_DEFAULTS = {
  tolerance: 0.1,
  failOn: 'increase',
  weight: 1,
  critical: false,
  minSamples: 50,
  quantile: 0.95,
} as const;

const PROMETHEUS_SETTINGS = {
  address: 'https://prometheus.internal:9090/prom',
  timeout: '5s',
  auth: { header: 'x-api-key', value: 'Bearer s3cret' },
};

const P99_QUERY =
  'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{version="{{version}}"}[{{window}}])))';

const FULL = `  strategy:
    canary:
      steps:
        - setWeight: 10
        - analysis: { templates: [slo], duration: 2m }
        - setWeight: 50
        - analysis: { templates: [slo, versus-stable] }
  analysis:
    providers:
      prom:
        prometheus:
          address: ${PROMETHEUS_SETTINGS.address}
          timeout: 5s
          auth: { header: x-api-key, value: 'Bearer s3cret' }
    templates:
      slo:
        - name: p99
          provider: prom
          query: '${P99_QUERY}'
          threshold: { max: 0.5, for: 1m }
          interval: 30s
          count: 10
          initialDelay: 1m
          failureLimit: 2
          inconclusiveLimit: 3
          consecutiveErrorLimit: 5
        - name: stable-errors
          query: { stat: errorRate, minRequests: 50 }
          role: stable
          threshold: { min: 0, max: 0.1 }
          dryRun: true
      versus-stable:
        - name: latency
          compare:
            tests:
              - { name: p90, test: quantile, quantile: 0.9, tolerance: 0.2, critical: true }
              - { name: errors, test: proportion, failOn: either, weight: 2, minSamples: 200 }
            alpha: 0.05
            pass: 90
            marginal: 60
            window: 1m
          interval: 20s
        - name: latency-defaults
          compare: {}
        - name: error-rate
          sequential: { alpha: 0.05, oddsRatio: 2 }
          interval: 5s
    background: [versus-stable]
    backgroundMinDuration: 2m
    bake: { templates: [slo], duration: 5m }
    onInconclusive: rollback
`;

void test('a full analysis section compiles to exactly its AnalysisSpec', () => {
  const spec = compile(FULL);
  const expected: AnalysisSpec = {
    templates: {
      slo: [
        {
          name: 'p99',
          judge: { kind: 'threshold', min: null, max: 0.5, forMs: 60_000 },
          source: {
            provider: 'prom',
            kind: 'prometheus',
            config: PROMETHEUS_SETTINGS,
            query: P99_QUERY,
            role: 'canary',
          },
          intervalMs: 30_000,
          count: 10,
          initialDelayMs: 60_000,
          failureLimit: 2,
          inconclusiveLimit: 3,
          consecutiveErrorLimit: 5,
          dryRun: false,
        },
        {
          ...METRIC_DEFAULTS,
          name: 'stable-errors',
          judge: { kind: 'threshold', min: 0, max: 0.1, forMs: 0 },
          source: {
            provider: 'builtin',
            kind: 'builtin',
            config: {},
            query: { stat: 'errorRate', minRequests: 50 },
            role: 'stable',
          },
          dryRun: true,
        },
      ],
      'versus-stable': [
        {
          ...METRIC_DEFAULTS,
          name: 'latency',
          judge: {
            kind: 'compare',
            tests: [
              {
                ...COMPARE_TEST_DEFAULTS,
                name: 'p90',
                test: 'quantile',
                quantile: 0.9,
                tolerance: 0.2,
                critical: true,
              },
              {
                ...COMPARE_TEST_DEFAULTS,
                name: 'errors',
                test: 'proportion',
                failOn: 'either',
                weight: 2,
                minSamples: 200,
              },
            ],
            alpha: 0.05,
            pass: 90,
            marginal: 60,
            windowMs: 60_000,
          },
          source: null,
          intervalMs: 20_000,
          initialDelayMs: 60_000, // a comparison first measures once its window has passed
        },
        {
          ...METRIC_DEFAULTS,
          name: 'latency-defaults',
          judge: {
            kind: 'compare',
            tests: [
              { ...COMPARE_TEST_DEFAULTS, name: 'latency', test: 'mannWhitney' },
              { ...COMPARE_TEST_DEFAULTS, name: 'latency-p95', test: 'quantile' },
              { ...COMPARE_TEST_DEFAULTS, name: 'error-rate', test: 'proportion', critical: true },
            ],
            alpha: 0.01,
            pass: 95,
            marginal: 75,
            windowMs: 10_000,
          },
          source: null,
          initialDelayMs: 10_000,
        },
        {
          ...METRIC_DEFAULTS,
          name: 'error-rate',
          judge: {
            kind: 'sequential',
            alpha: 0.05,
            beta: 0.1,
            oddsRatio: 2,
            minIncrease: 0.001,
            minCanaryRequests: 100,
          },
          source: null,
          intervalMs: 5_000,
        },
      ],
    },
    background: ['versus-stable'],
    backgroundMinMs: 120_000,
    bake: { templates: ['slo'], durationMs: 300_000 },
    onInconclusive: 'rollback',
    builtinDefaults: false,
  };
  assert.deepEqual(spec.analysis, expected);
});

void test('a canary analysis step compiles to its templates and duration (null: until each metric concludes)', () => {
  const spec = compile(FULL);
  assert.deepEqual(spec.strategy, {
    kind: 'canary',
    canaryInstances: 1,
    steps: [
      { setWeight: 10 },
      { analysis: { templates: ['slo'], durationMs: 120_000 } },
      { setWeight: 50 },
      { analysis: { templates: ['slo', 'versus-stable'], durationMs: null } },
    ],
  });
});

/** The builtin defaults, written out once so a change to them is a visible change here. */
const BUILTIN_TEMPLATES: Record<string, AnalysisMetricSpec[]> = {
  builtin: [
    {
      ...METRIC_DEFAULTS,
      name: 'error-rate',
      judge: {
        kind: 'sequential',
        alpha: 0.01,
        beta: 0.1,
        oddsRatio: 3,
        minIncrease: 0.001,
        minCanaryRequests: 100,
      },
      source: null,
      intervalMs: 5_000,
      inconclusiveLimit: 1_000_000,
    },
    {
      ...METRIC_DEFAULTS,
      name: 'latency',
      judge: {
        kind: 'compare',
        tests: [
          { ...COMPARE_TEST_DEFAULTS, name: 'latency', test: 'mannWhitney' },
          { ...COMPARE_TEST_DEFAULTS, name: 'latency-p95', test: 'quantile' },
        ],
        alpha: 0.001,
        pass: 95,
        marginal: 75,
        windowMs: 10_000,
      },
      source: null,
      initialDelayMs: 10_000,
      failureLimit: 1,
      inconclusiveLimit: 1_000_000,
    },
  ],
  'builtin-error-rate': [
    {
      ...METRIC_DEFAULTS,
      name: 'error-rate',
      judge: { kind: 'threshold', min: null, max: 0.05, forMs: 0 },
      source: {
        provider: 'builtin',
        kind: 'builtin',
        config: { minRequests: 20 },
        query: 'errorRate',
        role: 'canary',
      },
      intervalMs: 5_000,
      failureLimit: 1,
      inconclusiveLimit: 1_000_000,
    },
  ],
};

const builtinAnalysis = (background: string[]): AnalysisSpec => ({
  templates: BUILTIN_TEMPLATES,
  background,
  backgroundMinMs: 30_000,
  bake: null,
  onInconclusive: 'pause',
  builtinDefaults: true,
});

void test('no analysis section: canary and rolling run the builtin templates in the background', () => {
  for (const strategy of ['canary: {}', 'rolling: {}']) {
    const spec = compile(`  strategy: { ${strategy} }\n`);
    assert.deepEqual(spec.analysis, builtinAnalysis(['builtin']), strategy);
  }
  assert.deepEqual(compile('').analysis, builtinAnalysis(['builtin']), 'the default strategy');
});

void test('no analysis section: blue-green has no background, and the error-rate threshold over its watch', () => {
  const spec = compile('  strategy:\n    blueGreen: { postPromotionWatch: 2m }\n');
  assert.deepEqual(spec.analysis, builtinAnalysis([]));
  assert.ok(spec.strategy.kind === 'blueGreen');
  assert.equal(spec.strategy.prePromotionAnalysis, null);
  assert.deepEqual(spec.strategy.postPromotionAnalysis, {
    templates: ['builtin-error-rate'],
    durationMs: 120_000,
  });
  const unwatched = compile('  strategy:\n    blueGreen: { postPromotionWatch: 0s }\n');
  assert.ok(unwatched.strategy.kind === 'blueGreen');
  assert.equal(unwatched.strategy.postPromotionAnalysis, null, 'no watch, nothing to analyse');
});

void test('settings of an analysis section without templates still apply to the builtin defaults', () => {
  const spec = compile('  analysis: { backgroundMinDuration: 1m, onInconclusive: rollback }\n');
  assert.deepEqual(spec.analysis, {
    ...builtinAnalysis(['builtin']),
    backgroundMinMs: 60_000,
    onInconclusive: 'rollback',
  });
});

void test('builtin: false gives no templates and no background, for every strategy', () => {
  const none: AnalysisSpec = {
    templates: {},
    background: [],
    backgroundMinMs: 30_000,
    bake: null,
    onInconclusive: 'pause',
    builtinDefaults: false,
  };
  for (const strategy of ['canary: {}', 'rolling: {}', 'blueGreen: {}']) {
    const spec = compile(`  strategy: { ${strategy} }\n  analysis: { builtin: false }\n`);
    assert.deepEqual(spec.analysis, none, strategy);
    if (spec.strategy.kind === 'blueGreen') assert.equal(spec.strategy.postPromotionAnalysis, null);
  }
});

void test('blue-green with its own templates: its analyses as written, no builtin one after the switch', () => {
  const spec = compile(`  strategy:
    blueGreen:
      prePromotionAnalysis: { templates: [smoke] }
  analysis:
    templates:
      smoke:
        - name: checkout
          provider: command
          query: { command: [node, smoke.js, '{{version}}'], result: exitCode }
          count: 1
`);
  assert.ok(spec.strategy.kind === 'blueGreen');
  assert.deepEqual(spec.strategy.prePromotionAnalysis, { templates: ['smoke'], durationMs: null });
  assert.equal(spec.strategy.postPromotionAnalysis, null);
  assert.deepEqual(spec.analysis.templates.smoke?.[0]?.source, {
    provider: 'command',
    kind: 'command',
    config: {},
    // the command runs in the spec's folder, like the app itself
    query: { command: ['node', 'smoke.js', '{{version}}'], result: 'exitCode', cwd: process.cwd() },
    role: 'canary',
  });
  assert.deepEqual(spec.analysis.background, []);
});
