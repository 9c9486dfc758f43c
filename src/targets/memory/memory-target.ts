// An in-memory Target: a fake data plane for engine tests and the engine benchmark. Instances become ready after
// a configurable time on the injected clock; per-version behaviour (never ready, crash loop, error rate,
// latency, preview answers) is set by the test. Held to the same conformance suite as the real targets.
import type { Clock } from '../../engine/clock.js';
import type { SetIntent, TrafficIntent } from '../../engine/model.js';
import type { CompiledSpec } from '../../spec/compiled.js';
import type { AppStats, StatsBucket, VersionStats, VersionWindowStats } from '../local/types.js';
import type { PreviewResponse, Target, TargetCapabilities, TargetObservation } from '../target.js';

export interface MemoryBehaviour {
  readyAfterMs?: number;
  neverReady?: boolean;
  crashLoop?: boolean;
  /** Share of requests failing, reported in the synthetic statistics. */
  errorRate?: number;
  p95Ms?: number;
  /** Requests per statistics window while the version has traffic. Default 200. */
  requests?: number;
  previewStatus?: number;
}

interface MemorySet {
  desired: number;
  /** Start time of each instance, oldest first. */
  started: number[];
}

interface MemoryApp {
  sets: Map<string, MemorySet>;
  traffic: TrafficIntent;
  behaviour: Map<string, MemoryBehaviour>;
}

function windowStats(requests: number, errorRate: number, p95Ms: number): VersionWindowStats {
  const errors = Math.round(requests * errorRate);
  return {
    requests,
    responses: { '1xx': 0, '2xx': requests - errors, '3xx': 0, '4xx': 0, '5xx': errors },
    upstreamErrors: 0,
    errorRate: requests === 0 ? null : errors / requests,
    latency:
      requests === 0
        ? { p50Ms: null, p90Ms: null, p95Ms: null, p99Ms: null, meanMs: null }
        : { p50Ms: p95Ms / 2, p90Ms: p95Ms * 0.9, p95Ms, p99Ms: p95Ms * 1.2, meanMs: p95Ms / 2 },
    histogram: { boundsMs: [], counts: [] },
  };
}

export class MemoryTarget implements Target {
  readonly name = 'memory (fake)';
  private readonly apps = new Map<string, MemoryApp>();
  /** Every call, in order, for tests that assert what the engine asked for. */
  readonly calls: string[] = [];
  private readonly streams = new Map<string, Set<(bucket: StatsBucket) => void>>();

  constructor(
    private readonly clock: Clock,
    private readonly defaults: MemoryBehaviour = {},
  ) {}

  behave(app: string, version: string, behaviour: MemoryBehaviour): void {
    this.app(app).behaviour.set(version, behaviour);
  }

  traffic(app: string): TrafficIntent {
    return this.app(app).traffic;
  }

  private app(name: string): MemoryApp {
    let app = this.apps.get(name);
    if (!app) {
      app = {
        sets: new Map(),
        traffic: { weights: {}, stable: null, headerRoutes: [] },
        behaviour: new Map(),
      };
      this.apps.set(name, app);
    }
    return app;
  }

  private behaviourOf(app: MemoryApp, version: string): MemoryBehaviour {
    return { ...this.defaults, ...app.behaviour.get(version) };
  }

  capabilities(): TargetCapabilities {
    return {
      headerRoutes: true,
      cookieRoutes: true,
      mirror: true,
      sticky: true,
      maintenance: true,
      retryOnStable: true,
      builtinStats: true,
    };
  }

  async ensureApp(spec: CompiledSpec): Promise<void> {
    this.calls.push(`ensureApp ${spec.name}`);
    this.app(spec.name);
  }

  async ensureVersionSet(spec: CompiledSpec, set: SetIntent): Promise<void> {
    const app = this.app(spec.name);
    const current = app.sets.get(set.version) ?? { desired: 0, started: [] };
    if (current.desired !== set.instances)
      this.calls.push(`ensureVersionSet ${spec.name} ${set.version}=${set.instances}`);
    const started = current.started.slice(0, set.instances);
    while (started.length < set.instances) started.push(this.clock.now());
    app.sets.set(set.version, { desired: set.instances, started });
  }

  async removeVersionSet(app: string, version: string): Promise<void> {
    if (this.app(app).sets.delete(version)) this.calls.push(`removeVersionSet ${app} ${version}`);
  }

  async setTraffic(spec: CompiledSpec, traffic: TrafficIntent): Promise<void> {
    const app = this.app(spec.name);
    if (JSON.stringify(app.traffic) !== JSON.stringify(traffic)) {
      this.calls.push(`setTraffic ${spec.name} ${JSON.stringify(traffic.weights)}`);
    }
    app.traffic = structuredClone(traffic);
  }

  async observe(name: string): Promise<TargetObservation> {
    const app = this.app(name);
    const now = this.clock.now();
    const versionSets = [...app.sets.entries()].map(([version, set]) => {
      const b = this.behaviourOf(app, version);
      const ready =
        b.neverReady || b.crashLoop ? 0 : set.started.filter((t) => now - t >= (b.readyAfterMs ?? 0)).length;
      return {
        version,
        desired: set.desired,
        ready,
        available: ready,
        restarts: b.crashLoop ? 5 : 0,
        crashLooping: Boolean(b.crashLoop),
      };
    });
    return { versionSets, traffic: { verified: 'verified', weights: { ...app.traffic.weights } } };
  }

  async stats(name: string): Promise<AppStats | undefined> {
    const app = this.app(name);
    const versions: VersionStats[] = [...app.sets.keys()].map((version) => {
      const b = this.behaviourOf(app, version);
      const weighted =
        (app.traffic.weights[version] ?? 0) > 0 ||
        app.traffic.headerRoutes.some((r) => r.version === version);
      const w = windowStats(weighted ? (b.requests ?? 200) : 0, b.errorRate ?? 0, b.p95Ms ?? 20);
      return {
        version,
        cumulative: w,
        windows: { '10s': w, '1m': w, '5m': w },
        mirrored: 0,
        retriedOnStable: 0,
      };
    });
    return {
      app: name,
      at: new Date(this.clock.now()).toISOString(),
      versions,
      maintenance: { rejected: 0, heldThenServed: 0 },
    };
  }

  /** Follows the buckets a test pushes with pushBucket. */
  streamStats(app: string, onBucket: (bucket: StatsBucket) => void, signal: AbortSignal): Promise<void> {
    let listeners = this.streams.get(app);
    if (!listeners) this.streams.set(app, (listeners = new Set()));
    listeners.add(onBucket);
    return new Promise((resolve) => {
      const stop = (): void => {
        listeners.delete(onBucket);
        resolve();
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    });
  }

  /** Sends one bucket of the low-latency stream to whoever follows the app's. */
  pushBucket(bucket: StatsBucket): void {
    for (const listener of this.streams.get(bucket.app) ?? []) listener(bucket);
  }

  /** Whether someone follows the app's stream (tests wait for the engine to subscribe). */
  streaming(app: string): boolean {
    return (this.streams.get(app)?.size ?? 0) > 0;
  }

  async previewRequest(spec: CompiledSpec, version: string): Promise<PreviewResponse> {
    const app = this.app(spec.name);
    if (!app.sets.has(version)) return { status: 503, body: `no instances of ${version}` };
    const status = this.behaviourOf(app, version).previewStatus ?? 200;
    return { status, body: JSON.stringify({ version }) };
  }
}
