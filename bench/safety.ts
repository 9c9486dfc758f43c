// `npm run bench -- safety`: how safe the builtin analysis makes a canary release. With a real controller,
// agent and example app under 200 requests per second (canary 10%): how fast a broken canary (100% 5xx) is
// rolled back and how many requests fail, with retry-on-stable off and on; how fast subtle regressions (error
// rate 0.5% → 3%, p95 +50%) are detected. Simulated through the engine's analysis code: how often a canary
// identical to stable is rolled back (A/A). With --long, the broken canary under a Flagger-like analysis too.
// Writes bench/results/safety.json and safety.md, only after a complete run.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { VersionModel } from '../src/analysis/judges/simulate.js';
import type { AnalysisSpec } from '../src/spec/compiled.js';
import { compileSpecText } from '../src/spec/load.js';
import { loadAverage, machine } from './lib/engine-report.js';
import { writeSafetyResults } from './lib/safety-markdown.js';
import { summary, TAIL_SIM_LABEL, type SafetyConfig, type SafetyRun } from './lib/safety-report.js';
import {
  brokenCanary,
  flaggerLike,
  REGRESSIONS,
  subtleRegressions,
  SUBTLE_STABLE,
  type RealOptions,
} from './lib/safety-scenarios.js';
import { simulateRollouts } from './lib/safety-sim.js';
import { CANARY_WEIGHT, HEALTHY_APP, safetySpec, type AppBehaviour } from './lib/safety-spec.js';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const log = (line: string): void => void process.stdout.write(`[safety] ${line}\n`);

function options(args: string[]): { quick: boolean; long: boolean; skipReal: boolean; config: SafetyConfig } {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      long: { type: 'boolean', default: false },
      'skip-real': { type: 'boolean', default: false },
      rps: { type: 'string', default: '200' },
      'broken-repeat': { type: 'string' },
      'subtle-repeat': { type: 'string' },
      'subtle-timeout': { type: 'string', default: '120' },
      'aa-runs': { type: 'string' },
      'aa-long-runs': { type: 'string' },
      'sim-runs': { type: 'string' },
      seed: { type: 'string', default: '1' },
    },
  });
  const quick = values.quick;
  const number = (name: string, text: string | undefined, fallback: number, min: number): number => {
    const n = Number(text ?? fallback);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be an integer ≥ ${min}, got "${text}"`);
    return n;
  };
  return {
    quick,
    long: values.long,
    skipReal: values['skip-real'],
    config: {
      rps: number('rps', values.rps, 200, 1),
      canaryWeight: CANARY_WEIGHT,
      warmupS: 2,
      brokenRepeat: number('broken-repeat', values['broken-repeat'], quick ? 1 : 3, 1),
      subtleRepeat: number('subtle-repeat', values['subtle-repeat'], quick ? 1 : 3, 1),
      subtleTimeoutS: number('subtle-timeout', values['subtle-timeout'], 120, 10),
      aaRuns: number('aa-runs', values['aa-runs'], quick ? 200 : 1000, 1),
      aaCanarySeconds: 60,
      aaLongRuns: number('aa-long-runs', values['aa-long-runs'], quick ? 0 : 200, 0),
      aaLongCanarySeconds: 300,
      regressionSimRuns: number('sim-runs', values['sim-runs'], quick ? 50 : 200, 1),
      seed: number('seed', values.seed, 1, 0),
    },
  };
}

const model = (b: AppBehaviour): VersionModel => ({
  errorRate: b.failRate,
  medianMs: b.medianMs,
  sigma: b.sigma,
});

/** The analysis the real runs get: the benchmark's spec, compiled (no analysis section: the builtin defaults). */
function benchAnalysis(): AnalysisSpec {
  const text = safetySpec({
    port: 8080,
    stable: SUBTLE_STABLE,
    canaries: { v2: SUBTLE_STABLE },
    retryOnStable: false,
  });
  return compileSpecText(text, 'safety.yaml').analysis;
}

function simulations(config: SafetyConfig): Pick<SafetyRun, 'aa' | 'simulatedDetection'> {
  const analysis = benchAnalysis();
  const healthy = model(SUBTLE_STABLE);
  const started = Date.now();
  log(`A/A: ${config.aaRuns} simulated rollouts of ${config.aaCanarySeconds} s of canary, then the gate`);
  const rollout = simulateRollouts(
    analysis,
    healthy,
    healthy,
    config.aaCanarySeconds * 1000,
    config.aaRuns,
    config.seed,
  );
  log(`  ${JSON.stringify(rollout)}`);
  let longRollout = null;
  if (config.aaLongRuns > 0) {
    log(`A/A: ${config.aaLongRuns} simulated rollouts of ${config.aaLongCanarySeconds} s of canary`);
    longRollout = simulateRollouts(
      analysis,
      healthy,
      healthy,
      config.aaLongCanarySeconds * 1000,
      config.aaLongRuns,
      config.seed,
    );
    log(`  ${JSON.stringify(longRollout)}`);
  }
  const simulatedDetection: SafetyRun['simulatedDetection'] = {};
  const cases: Array<[string, AppBehaviour, AppBehaviour]> = [
    ['broken canary (100 % errors)', { ...HEALTHY_APP, failRate: 1 }, HEALTHY_APP],
    ['error rate 0.5 % → 3 %', REGRESSIONS.errorRate, SUBTLE_STABLE],
    ['latency ×1.5', REGRESSIONS.latency, SUBTLE_STABLE],
    [TAIL_SIM_LABEL, REGRESSIONS.latencyTail, SUBTLE_STABLE],
  ];
  for (const [label, canary, stable] of cases) {
    const s = simulateRollouts(
      analysis,
      model(canary),
      model(stable),
      120_000,
      config.regressionSimRuns,
      config.seed,
    );
    log(`simulated ${label}: ${JSON.stringify(s)}`);
    simulatedDetection[label] = s;
  }
  log(`simulations took ${Math.round((Date.now() - started) / 1000)} s`);
  return { aa: { rollout, longRollout }, simulatedDetection };
}

export async function main(args: string[]): Promise<void> {
  const opts = options(args);
  const loadAverageAtStart = loadAverage();
  const date = new Date().toISOString();
  log(`load average ${loadAverageAtStart.join(' ')}; ${JSON.stringify(opts.config)}`);
  // The spec the simulations compile, checked before the real runs rather than after them.
  benchAnalysis();
  if (opts.skipReal) {
    const sims = simulations(opts.config);
    log(`--skip-real: nothing written (${JSON.stringify(sims.aa.rollout)})`);
    return;
  }
  const real: RealOptions = { rps: opts.config.rps, warmupMs: opts.config.warmupS * 1000, log };
  const retryOff = await brokenCanary(false, opts.config.brokenRepeat, real);
  const retryOn = await brokenCanary(true, opts.config.brokenRepeat, real);
  const subtle = await subtleRegressions(opts.config.subtleRepeat, opts.config.subtleTimeoutS * 1000, real);
  const flagger = opts.long ? await flaggerLike(real) : null;
  const sims = simulations(opts.config);
  const run: SafetyRun = {
    quick: opts.quick,
    long: opts.long,
    date,
    machine: machine(loadAverageAtStart),
    config: opts.config,
    brokenCanary: { retryOff, retryOn },
    subtleRegression: subtle,
    ...sims,
    flaggerLike: flagger,
  };
  const files = await writeSafetyResults(RESULTS_DIR, run);
  const { brokenCanary: b, subtleRegression: s, aa } = summary(run);
  log(`summary: ${JSON.stringify({ brokenCanary: b, subtleRegression: s, aa })}`);
  log(`wrote ${files.join(', ')}`);
}
