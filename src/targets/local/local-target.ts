// The local Target: drives the agent on this machine through its admin API. The engine's intents become the
// agent's desired state (version sets with the spec's run template for that version; the routing table with the
// spec's preview header, sticky sessions and retry policy).
import { Pool } from 'undici';
import { GreenlightError } from '../../errors.js';
import type { SetIntent, TrafficIntent } from '../../engine/model.js';
import type { CompiledSpec } from '../../spec/compiled.js';
import { runSpecFor } from '../../spec/resolve-version.js';
import type { PreviewResponse, Target, TargetCapabilities, TargetObservation } from '../target.js';
import type { AgentClient } from './agent/client.js';
import type { AppStats, StatsBucket } from './types.js';

const isNotFound = (error: unknown): boolean => error instanceof GreenlightError && error.code === 'GL1002';

export class LocalTarget implements Target {
  readonly name = 'local';
  private readonly previewPools = new Map<string, Pool>();

  constructor(private readonly agent: AgentClient) {}

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

  private routing(spec: CompiledSpec): {
    previewHeader: string;
    sticky?: { cookie: string; ttlSeconds: number };
    retryOnStable: boolean;
  } {
    return {
      previewHeader: spec.traffic.previewHeader,
      ...(spec.traffic.sticky ? { sticky: spec.traffic.sticky } : {}),
      retryOnStable: spec.traffic.retryOnStable,
    };
  }

  async ensureApp(spec: CompiledSpec): Promise<void> {
    let existing;
    try {
      existing = await this.agent.desired(spec.name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const listen = spec.target.listen;
    const sameListen =
      existing &&
      existing.listen.host === listen.host &&
      (listen.port === 0 || existing.listen.port === listen.port);
    if (existing && sameListen && JSON.stringify(existing.limits) === JSON.stringify(spec.traffic.limits))
      return;
    const current = existing?.traffic ?? { weights: {} };
    const routing = this.routing(spec);
    // retry-on-stable needs a stable version to retry on: a new app has none before its first release.
    routing.retryOnStable &&= 'stable' in current && current.stable !== undefined;
    const traffic = { ...current, ...routing };
    await this.agent.putApp({
      name: spec.name,
      listen: existing && listen.port === 0 ? existing.listen : listen,
      versions: existing?.versions ?? [],
      traffic,
      limits: spec.traffic.limits,
    });
  }

  async ensureVersionSet(spec: CompiledSpec, set: SetIntent): Promise<void> {
    const { readiness, liveness } = spec.health;
    await this.agent.ensureVersionSet(spec.name, {
      version: set.version,
      instances: set.instances,
      run: runSpecFor(spec, set.version),
      ...(readiness ? { readiness } : {}),
      ...(liveness ? { liveness } : {}),
      drainTimeoutMs: spec.target.drainTimeoutMs,
      stopGraceMs: spec.target.stopGraceMs,
    });
  }

  async removeVersionSet(app: string, version: string): Promise<void> {
    try {
      await this.agent.removeVersionSet(app, version);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async setTraffic(spec: CompiledSpec, traffic: TrafficIntent): Promise<void> {
    await this.agent.setTraffic(spec.name, {
      weights: traffic.weights,
      ...(traffic.stable ? { stable: traffic.stable } : {}),
      headerRoutes: traffic.headerRoutes,
      ...(traffic.mirror ? { mirror: traffic.mirror } : {}),
      ...(traffic.maintenance ? { maintenance: traffic.maintenance } : {}),
      ...this.routing(spec),
      // retry-on-stable needs a stable version to retry on
      retryOnStable: spec.traffic.retryOnStable && traffic.stable !== null,
    });
  }

  async observe(app: string): Promise<TargetObservation> {
    let status;
    try {
      status = await this.agent.status(app);
    } catch (error) {
      if (isNotFound(error)) return { versionSets: [], traffic: { verified: 'notVerified', weights: {} } };
      throw error;
    }
    return {
      versionSets: status.versions.map((v) => ({
        version: v.version,
        desired: v.desired,
        ready: v.ready,
        available: v.available,
        restarts: v.restarts,
        crashLooping: v.crashLooping,
      })),
      traffic: { verified: status.trafficVerified, weights: status.traffic.weights },
    };
  }

  async stats(app: string): Promise<AppStats | undefined> {
    return this.agent.stats(app);
  }

  streamStats(app: string, onBucket: (bucket: StatsBucket) => void, signal: AbortSignal): Promise<void> {
    return this.agent.streamStats(app, onBucket, signal);
  }

  async previewRequest(
    spec: CompiledSpec,
    version: string,
    request: { method: string; path: string; timeoutMs: number; headers?: Record<string, string> },
  ): Promise<PreviewResponse> {
    const desired = await this.agent.desired(spec.name);
    const origin = `http://${desired.listen.host}:${desired.listen.port}`;
    let pool = this.previewPools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: 2 });
      this.previewPools.set(origin, pool);
    }
    const response = await pool.request({
      method: request.method as 'GET',
      path: request.path,
      headers: { ...request.headers, [spec.traffic.previewHeader]: version },
      headersTimeout: request.timeoutMs,
      bodyTimeout: request.timeoutMs,
    });
    const body = await response.body.text();
    return { status: response.statusCode, body: body.slice(0, 64 * 1024) };
  }

  async close(): Promise<void> {
    await Promise.all([...this.previewPools.values()].map((p) => p.close()));
  }
}
