// A compiled spec for engine tests, built directly (the spec compiler has its own tests).
import { noAnalysis } from '../../src/spec/compile-analysis.js';
import type { CompiledSpec, Strategy } from '../../src/spec/compiled.js';
import { noRunbook } from '../../src/spec/runbook-defaults.js';

export function testSpec(overrides: Partial<CompiledSpec> & { strategy?: Strategy } = {}): CompiledSpec {
  return {
    apiVersion: 'greenlight.dev/v1alpha1',
    name: 'shop',
    labels: {},
    source: 'test.yaml',
    target: {
      kind: 'local',
      listen: { host: '127.0.0.1', port: 0 },
      instances: 4,
      run: { command: ['node', 'server.js'], cwd: '/tmp', env: { APP_VERSION: '${version}' } },
      versions: {},
      drainTimeoutMs: 1000,
      stopGraceMs: 1000,
    },
    health: {},
    traffic: {
      previewHeader: 'x-greenlight-version',
      retryOnStable: false,
      limits: {
        maxHeaderBytes: 16384,
        maxBodyBytes: 1048576,
        headersTimeoutMs: 10000,
        upstreamTimeoutMs: 30000,
        keepAliveTimeoutMs: 5000,
      },
    },
    strategy: {
      kind: 'canary',
      canaryInstances: 1,
      steps: [{ setWeight: 25 }, { pause: { durationMs: 30_000 } }, { pause: {} }, { setWeight: 50 }],
    },
    progressDeadlineMs: 120_000,
    rollbackTriggers: [],
    analysis: noAnalysis(),
    ...noRunbook(),
    ...overrides,
  };
}
