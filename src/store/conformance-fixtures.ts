// Builders for the store conformance suite and the store's own tests: a compiled spec, a new release, an
// event, a clock that moves only when told, and the shape of one conformance case.
import type { Actor, NewEvent, PlanStep, Release } from '../engine/model.js';
import { API_VERSION } from '../spec/compiled.js';
import type { CompiledSpec } from '../spec/compiled.js';
import type { NewRelease, Store } from './store.js';
import { noAnalysis } from '../spec/compile-analysis.js';
import { noRunbook } from '../spec/runbook-defaults.js';

export const ALICE: Actor = { name: 'alice', role: 'deployer' };

export class TestClock {
  private current = Date.UTC(2026, 0, 1, 12, 0, 0);

  readonly date = (): Date => new Date(this.current);

  iso(): string {
    return new Date(this.current).toISOString();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

export function sampleSpec(name: string, instances = 2): CompiledSpec {
  return {
    apiVersion: API_VERSION,
    name,
    labels: { team: 'payments', tier: 'web' },
    source: `/specs/${name}.yaml`,
    target: {
      kind: 'local',
      listen: { host: '127.0.0.1', port: 8080 },
      instances,
      run: { command: ['node', 'server.js'], cwd: '/srv/app', env: { PORT: '${PORT}' } },
      versions: {},
      drainTimeoutMs: 5_000,
      stopGraceMs: 10_000,
    },
    health: {},
    traffic: {
      previewHeader: 'x-greenlight-preview',
      retryOnStable: false,
      limits: {
        maxHeaderBytes: 16_384,
        maxBodyBytes: 1_048_576,
        headersTimeoutMs: 10_000,
        upstreamTimeoutMs: 30_000,
        keepAliveTimeoutMs: 5_000,
      },
    },
    strategy: {
      kind: 'canary',
      steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 100 }],
      canaryInstances: 1,
    },
    progressDeadlineMs: 600_000,
    rollbackTriggers: [],
    analysis: noAnalysis(),
    ...noRunbook(),
  };
}

function step(name: string, weights: Record<string, number>): PlanStep {
  return {
    name,
    sets: Object.keys(weights).map((version) => ({ version, role: 'stable', instances: 1 })),
    traffic: { weights, stable: null, headerRoutes: [] },
    wait: { kind: 'ready' },
    watch: false,
  };
}

export function newRelease(app: string, over: Partial<NewRelease> = {}): NewRelease {
  return {
    app,
    environment: 'production',
    version: 'v2',
    fromVersion: 'v1',
    kind: 'deploy',
    specRevision: 1,
    plan: [step('canary 20%', { v1: 80, v2: 20 }), step('full', { v2: 100 })],
    rollbackPlan: [step('back', { v1: 100 })],
    phase: 'progressing',
    stepIndex: 0,
    stepStartedAt: '2026-01-01T12:00:00.000Z',
    pausedMs: 0,
    pausedAt: null,
    rollbackStepIndex: 0,
    runtime: { promote: 'none', triggers: {}, checks: [] },
    outcomeReason: null,
    createdBy: ALICE,
    reason: 'ship it',
    meta: { commit: 'abc123', emergency: null },
    ...over,
  };
}

export function event(action: string, over: Partial<NewEvent> = {}): NewEvent {
  return { app: null, releaseId: null, actor: ALICE, action, reason: null, data: {}, ...over };
}

/** The release with one step advanced, as the engine would write it. */
export function advanced(release: Release, at: string): Release {
  return { ...release, stepIndex: release.stepIndex + 1, stepStartedAt: at };
}

export interface StoreContext {
  store: Store;
  clock: TestClock;
}

/** Registers one conformance case; the store is migrated before and closed after. */
export type StoreCase = (title: string, fn: (ctx: StoreContext) => Promise<void>) => void;

/** Store the sample spec of `app` as its revision 1. */
export async function withApp({ store }: StoreContext, app = 'checkout'): Promise<void> {
  await store.putApp(sampleSpec(app), 'yaml', event('app.applied'));
}
