// The safety benchmark's app: greenlight.yaml texts for the example app (examples/app/server.js) with one
// canary step at 10% held long enough for the analysis to decide, the builtin analysis (no `analysis` section)
// or a Flagger-like one, and per-version behaviour (error rate, lognormal latency) set through env overrides.
import { fileURLToPath } from 'node:url';

export const APP = 'shop';
export const STABLE = 'v1';
const EXAMPLE_APP = fileURLToPath(new URL('../../examples/app/server.js', import.meta.url));

/** One version's behaviour in the example app: its share of 500s and a lognormal latency. */
export interface AppBehaviour {
  failRate: number;
  /** The latency's median (LATENCY_MS) and the standard deviation of its log (LATENCY_SIGMA). */
  medianMs: number;
  sigma: number;
}

/** The healthy version of every scenario: as simulate.ts's HEALTHY (median 50 ms, sigma 0.5: p95 ≈ 114 ms). */
export const HEALTHY_APP: AppBehaviour = { failRate: 0, medianMs: 50, sigma: 0.5 };

/** The canary weight and how long the canary step is held (no scenario should need it all). */
export const CANARY_WEIGHT = 10;
export const CANARY_HOLD = '10m';

/**
 * Flagger's defaults expressed in Greenlight's spec: a check every minute (interval 1m, the first one after a
 * minute, as Flagger's first analysis iteration), request success rate ≥ 99% (error rate ≤ 1%) over the last
 * minute, and rollback once `threshold: 5` checks have failed, i.e. 4 failures tolerated (failureLimit 4).
 */
export const FLAGGER_LIKE_ANALYSIS = `templates:
  flagger:
    - name: request-success-rate
      provider: builtin
      query: errorRate
      threshold: { max: 0.01 }
      interval: 1m
      initialDelay: 1m
      failureLimit: 4
background: [flagger]`;

export interface SafetySpecOptions {
  port: number;
  stable: AppBehaviour;
  /** The behaviour of each canary version, by version name. */
  canaries: Record<string, AppBehaviour>;
  retryOnStable: boolean;
  /** The YAML body of spec.analysis; absent: no section, the builtin defaults. */
  analysis?: string;
}

const env = (b: AppBehaviour): string =>
  `FAIL_RATE: "${b.failRate}", LATENCY_MS: "${b.medianMs}", LATENCY_SIGMA: "${b.sigma}"`;

export function safetySpec(opts: SafetySpecOptions): string {
  const versions = Object.entries(opts.canaries)
    .map(([version, b]) => `        ${version}: { env: { ${env(b)} } }`)
    .join('\n');
  const analysis =
    opts.analysis === undefined
      ? ''
      : `  analysis:\n${opts.analysis
          .split('\n')
          .map((line) => `    ${line}`)
          .join('\n')}\n`;
  return `apiVersion: greenlight.dev/v1alpha1
kind: App
metadata:
  name: ${APP}
spec:
  target:
    local:
      listen: 127.0.0.1:${opts.port}
      instances: 2
      run:
        command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(EXAMPLE_APP)}]
        env: { APP_VERSION: "\${version}", ${env(opts.stable)} }
      versions:
${versions}
      drainTimeout: 1s
      stopGrace: 1s
  health:
    readiness: { http: { path: /ready }, period: 100ms }
  traffic:
    retryOnStable: ${opts.retryOnStable}
  strategy:
    canary:
      instances: 1
      steps:
        - setWeight: ${CANARY_WEIGHT}
        - pause: { duration: ${CANARY_HOLD} }
  progressDeadline: 1m
${analysis}`;
}
