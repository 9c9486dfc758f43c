import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError, NotFoundError } from '../errors.js';
import type { CompiledSpec } from './compiled.js';
import { compileSpecText, loadSpecFile } from './load.js';
import { SpecError } from './spec-error.js';
import { builtinTemplates } from './compile-analysis.js';
import { noRunbook } from './runbook-defaults.js';
import { MINIMAL_SPEC_TEXT } from '../../test/helpers/spec-text.js';

const HEAD = MINIMAL_SPEC_TEXT;

function problemsOf(text: string): SpecError {
  try {
    compileSpecText(text, 'g.yaml');
  } catch (error) {
    if (error instanceof SpecError) return error;
    throw error;
  }
  assert.fail('the spec compiled');
}

void test('a minimal spec gets every default, once', () => {
  const spec = compileSpecText(HEAD, '/apps/shop/greenlight.yaml');
  const expected: CompiledSpec = {
    apiVersion: 'greenlight.dev/v1alpha1',
    name: 'shop',
    labels: {},
    source: '/apps/shop/greenlight.yaml',
    target: {
      kind: 'local',
      listen: { host: '127.0.0.1', port: 8080 },
      instances: 1,
      run: { command: ['node', 'server.js'], cwd: '/apps/shop', env: {} },
      versions: {},
      drainTimeoutMs: 10_000,
      stopGraceMs: 5_000,
    },
    health: {},
    traffic: {
      previewHeader: 'x-greenlight-version',
      retryOnStable: false,
      limits: {
        maxHeaderBytes: 16 * 1024,
        maxBodyBytes: 10 * 1024 * 1024,
        headersTimeoutMs: 10_000,
        upstreamTimeoutMs: 30_000,
        keepAliveTimeoutMs: 5_000,
      },
    },
    strategy: { kind: 'rolling', maxSurge: 1, maxUnavailable: 0 },
    progressDeadlineMs: 600_000,
    rollbackTriggers: [],
    analysis: {
      templates: builtinTemplates(),
      background: ['builtin'],
      backgroundMinMs: 30_000,
      bake: null,
      onInconclusive: 'pause',
      builtinDefaults: true,
    },
    ...noRunbook(),
  };
  assert.deepEqual(spec, expected);
});

void test('a full spec compiles every field to its unit', () => {
  const spec = compileSpecText(
    `${HEAD}        cwd: ./app
        env: { APP_VERSION: "\${version}" }
      instances: 2
      versions:
        v3: { env: { FAIL_RATE: "0.3" }, cwd: ../v3 }
      drainTimeout: 1m30s
      stopGrace: 250ms
  health:
    readiness: { http: { path: /ready, expectStatus: 200 }, initialDelay: 2s, period: 500ms, timeout: 1s, successThreshold: 2, failureThreshold: 4 }
    liveness: { exec: { command: [./check.sh] } }
  traffic:
    previewHeader: X-Preview
    sticky: { cookie: gl-version, ttl: 90s }
    retryOnStable: true
    limits: { maxHeaderSize: 32KiB, maxBodySize: 1MB, headersTimeout: 5s, upstreamTimeout: 1m, keepAliveTimeout: 2s }
  strategy:
    canary:
      instances: 1
      steps:
        - setWeight: 10
        - pause: { duration: 30s }
        - pause: {}
        - setHeaderRoute: { header: { name: X-Beta, value: "yes" } }
        - setHeaderRoute: { cookie: { name: Beta, regex: "^on$" } }
        - setMirror: { percent: 20 }
        - setWeight: 100
        - setWeight: 50
  progressDeadline: 2m
  rollbackTriggers:
    - { name: error-rate, metric: errorRate, max: 0.05, for: 30s, minRequests: 20 }
    - { name: p95, metric: latencyP95Ms, max: 1000 }
`,
    '/apps/shop/greenlight.yaml',
  );
  assert.deepEqual(spec.target.run, {
    command: ['node', 'server.js'],
    cwd: '/apps/shop/app',
    env: { APP_VERSION: '${version}' },
  });
  assert.deepEqual(spec.target.versions, { v3: { env: { FAIL_RATE: '0.3' }, cwd: '/apps/v3' } });
  assert.equal(spec.target.drainTimeoutMs, 90_000);
  assert.equal(spec.target.stopGraceMs, 250);
  assert.deepEqual(spec.health.readiness, {
    http: { path: '/ready', expectStatus: 200 },
    initialDelayMs: 2000,
    periodMs: 500,
    timeoutMs: 1000,
    successThreshold: 2,
    failureThreshold: 4,
  });
  assert.deepEqual(spec.health.liveness, {
    exec: { command: ['./check.sh'] },
    initialDelayMs: 0,
    periodMs: 1000,
    timeoutMs: 1000,
    successThreshold: 1,
    failureThreshold: 3,
  });
  assert.deepEqual(spec.traffic, {
    previewHeader: 'x-preview',
    sticky: { cookie: 'gl-version', ttlSeconds: 90 },
    retryOnStable: true,
    limits: {
      maxHeaderBytes: 32 * 1024,
      maxBodyBytes: 1_000_000,
      headersTimeoutMs: 5000,
      upstreamTimeoutMs: 60_000,
      keepAliveTimeoutMs: 2000,
    },
  });
  assert.deepEqual(spec.strategy, {
    kind: 'canary',
    canaryInstances: 1,
    steps: [
      { setWeight: 10 },
      { pause: { durationMs: 30_000 } },
      { pause: {} },
      { setHeaderRoute: { match: { header: { name: 'x-beta', value: 'yes' } } } },
      { setHeaderRoute: { match: { cookie: { name: 'Beta', regex: '^on$' } } } },
      { setMirror: { percent: 20 } },
      { setWeight: 100 },
      { setWeight: 50 },
    ],
  });
  assert.equal(spec.progressDeadlineMs, 120_000);
  assert.deepEqual(spec.rollbackTriggers, [
    { name: 'error-rate', metric: 'errorRate', max: 0.05, forMs: 30_000, minRequests: 20 },
    { name: 'p95', metric: 'latencyP95Ms', max: 1000, forMs: 60_000, minRequests: 20 },
  ]);
});

void test('strategy defaults: canary {} gets the default plan and all instances, blueGreen {} its timings', () => {
  const canary = compileSpecText(`${HEAD}      instances: 3\n  strategy: { canary: {} }\n`, 'g.yaml');
  assert.deepEqual(canary.strategy, {
    kind: 'canary',
    canaryInstances: 3,
    steps: [
      { setWeight: 10 },
      { pause: { durationMs: 30_000 } },
      { setWeight: 50 },
      { pause: { durationMs: 30_000 } },
    ],
  });
  const blueGreen = compileSpecText(`${HEAD}  strategy: { blueGreen: {} }\n`, 'g.yaml');
  assert.deepEqual(blueGreen.strategy, {
    kind: 'blueGreen',
    prePromotionChecks: [],
    autoPromote: true,
    postPromotionWatchMs: 30_000,
    scaleDownDelayMs: 30_000,
    prePromotionAnalysis: null,
    postPromotionAnalysis: { templates: ['builtin-error-rate'], durationMs: 30_000 },
  });
  const checks = compileSpecText(
    `${HEAD}  strategy: { blueGreen: { prePromotionChecks: [{ name: smoke, path: /health }] } }\n`,
    'g.yaml',
  );
  assert.deepEqual(checks.strategy.kind === 'blueGreen' && checks.strategy.prePromotionChecks, [
    { name: 'smoke', path: '/health', method: 'GET', expectStatus: 200, timeoutMs: 2000, retries: 2 },
  ]);
});

void test('rolling percentages are of the target instances: surge rounds up, unavailable rounds down', () => {
  const spec = compileSpecText(
    `${HEAD}      instances: 10\n  strategy: { rolling: { maxSurge: "25%", maxUnavailable: "25%" } }\n`,
    'g.yaml',
  );
  assert.deepEqual(spec.strategy, { kind: 'rolling', maxSurge: 3, maxUnavailable: 2 });
});

void test('listen takes IPv6 in brackets, localhost and port 0', () => {
  const at = (listen: string) =>
    compileSpecText(HEAD.replace('127.0.0.1:8080', listen), 'g.yaml').target.listen;
  assert.deepEqual(at('"[::1]:9000"'), { host: '::1', port: 9000 });
  assert.deepEqual(at('localhost:0'), { host: 'localhost', port: 0 });
  assert.deepEqual(at('0.0.0.0:80'), { host: '0.0.0.0', port: 80 });
});

void test('a SpecError is bad input and carries each problem with its parts', () => {
  const error = problemsOf(
    HEAD.replace('listen: 127.0.0.1:8080', 'listen: 127.0.0.1:8080\n      replicas: 2'),
  );
  assert.ok(error instanceof InvalidInputError);
  assert.equal(error.code, 'GL1001');
  assert.deepEqual(error.problems, [
    {
      file: 'g.yaml',
      line: 9,
      column: 7,
      path: 'spec.target.local.replicas',
      message:
        'found unknown field "replicas", expected one of: listen, instances, run, versions, drainTimeout, stopGrace (did you mean "instances"?)',
      found: 'unknown field "replicas"',
      expected: 'one of: listen, instances, run, versions, drainTimeout, stopGrace',
      hint: 'did you mean "instances"?',
    },
  ]);
});

void test('positions: a wrong value at the value, a missing field at the key of its parent map', () => {
  const error = problemsOf(HEAD.replace('        command: [node, server.js]\n', '        cwd: 7\n'));
  assert.deepEqual(
    error.problems.map((p) => [p.line, p.column, p.path]),
    [
      [9, 7, 'spec.target.local.run.command'],
      [10, 14, 'spec.target.local.run.cwd'],
    ],
  );
});

void test('schema problems and rule problems are reported together', () => {
  const error = problemsOf(
    `${HEAD}  strategy:\n    canary: { steps: [{ setWeight: 200 }] }\n    rolling: {}\n`,
  );
  assert.deepEqual(
    error.problems.map((p) => p.path),
    ['spec.strategy', 'spec.strategy.canary.steps[0].setWeight'],
  );
});

void test('a YAML syntax error is reported with its position, alone', () => {
  const error = problemsOf(`${HEAD}  strategy: { rolling: {\n  bad: [\n`);
  assert.ok(error.problems.length >= 1);
  assert.ok(
    error.problems.every(
      (p) => p.path === '(yaml)' && p.line >= 11 && p.message.startsWith('invalid YAML: '),
    ),
  );
});

void test('a value reached through an alias is pointed at where the alias is written', () => {
  const error = problemsOf(`${HEAD}      drainTimeout: &slow 10\n      stopGrace: *slow\n`);
  assert.deepEqual(
    error.problems.map((p) => [p.line, p.column, p.path]),
    [
      [11, 27, 'spec.target.local.drainTimeout'],
      [12, 18, 'spec.target.local.stopGrace'],
    ],
  );
});

void test('loadSpecFile resolves cwd against the file and names a missing file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gl-spec-'));
  const file = join(dir, 'greenlight.yaml');
  writeFileSync(
    file,
    HEAD.replace('command: [node, server.js]', 'command: [node, server.js]\n        cwd: app'),
  );
  assert.equal(loadSpecFile(file).target.run.cwd, join(dir, 'app'));
  assert.throws(() => loadSpecFile(join(dir, 'missing.yaml')), NotFoundError);
});
