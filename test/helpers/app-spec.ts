// Spec texts for end-to-end tests: the example app (examples/app/server.js) under one of the three strategies,
// with short timings (readiness every 100 ms, drain 1 s, pauses of 1 s) so a release takes a few seconds.
import { fileURLToPath } from 'node:url';

export const exampleApp = fileURLToPath(new URL('../../examples/app/server.js', import.meta.url));

/** The YAML body of `spec.strategy` (indented under it by appSpec). */
export type StrategyText = string;

export const strategies = {
  /** One canary instance, 20% then 50%, a second each. */
  canary: (
    steps = ['setWeight: 20', 'pause: { duration: 1s }', 'setWeight: 50', 'pause: { duration: 1s }'],
  ) => ['canary:', '  instances: 1', '  steps:', ...steps.map((s) => `    - ${s}`)].join('\n'),
  /**
   * Blue-green with one pre-promotion check through the preview route. `expectBody` lets a test demand an
   * answer only the new version gives (the example app puts its version in every body).
   */
  blueGreen: (expectBody: string) =>
    [
      'blueGreen:',
      '  prePromotionChecks:',
      `    - { name: home, path: /, expectStatus: 200, expectBody: ${JSON.stringify(expectBody)}, timeout: 2s, retries: 1 }`,
      '  autoPromote: true',
      '  postPromotionWatch: 1s',
      '  scaleDownDelay: 1s',
    ].join('\n'),
  /** One instance at a time, never fewer ready than the count. */
  rolling: () => ['rolling:', '  maxSurge: 1', '  maxUnavailable: 0'].join('\n'),
} as const;

export interface AppSpecOptions {
  app?: string;
  port: number;
  /** Instances of the live version. Default 2. */
  instances?: number;
  strategy: StrategyText;
  /** Versions made broken: the share of their answers to `/` that are 500 `{"error":"injected failure"}`. */
  broken?: Record<string, number>;
  /** Default 1m: a release stuck on a step fails instead of hanging the test. */
  progressDeadline?: string;
  /**
   * The YAML body of `spec.analysis` (indented under it). Default `builtin: false`: the tests of steps,
   * triggers and durability stay independent of the analysis, which has tests of its own.
   */
  analysis?: string;
  /**
   * The YAML items of `spec.rollbackTriggers`. Default: the error-rate trigger below; `[]` for none, so that
   * a broken version meets the analysis instead of the trigger.
   */
  rollbackTriggers?: string[];
}

const ERROR_RATE_TRIGGER = '{ name: error-rate, metric: errorRate, max: 0.1, for: 1s, minRequests: 10 }';

const triggers = (items: string[]): string =>
  items.length === 0
    ? '  rollbackTriggers: []'
    : ['  rollbackTriggers:', ...items.map((item) => `    - ${item}`)].join('\n');

const indent = (text: string, spaces: number): string =>
  text
    .split('\n')
    .map((line) => ' '.repeat(spaces) + line)
    .join('\n');

/**
 * A complete greenlight.yaml for the example app. `${version}` reaches the app as APP_VERSION, so every answer
 * names the version that served it; the error-rate trigger (over 10% for 1 s) rolls back a broken version
 * unless `rollbackTriggers` says otherwise.
 */
export function appSpec(opts: AppSpecOptions): string {
  const broken = Object.entries(opts.broken ?? {});
  const versions =
    broken.length === 0
      ? ''
      : [
          '      versions:',
          ...broken.map(([v, rate]) => `        ${v}: { env: { FAIL_RATE: "${rate}" } }`),
        ].join('\n') + '\n';
  return `apiVersion: greenlight.dev/v1alpha1
kind: App
metadata:
  name: ${opts.app ?? 'shop'}
spec:
  target:
    local:
      listen: 127.0.0.1:${opts.port}
      instances: ${opts.instances ?? 2}
      run:
        command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(exampleApp)}]
        env: { APP_VERSION: "\${version}" }
${versions}      drainTimeout: 1s
      stopGrace: 1s
  health:
    readiness: { http: { path: /ready }, period: 100ms }
  strategy:
${indent(opts.strategy, 4)}
  progressDeadline: ${opts.progressDeadline ?? '1m'}
  analysis:
${indent(opts.analysis ?? 'builtin: false', 4)}
${triggers(opts.rollbackTriggers ?? [ERROR_RATE_TRIGGER])}
`;
}
