// The local agent's core: one place that owns the desired state of every app and applies it to the supervisor
// (instances) and the router (traffic). Every change is persisted before it is applied, so a restarted agent
// converges to the same state. The admin API is a thin HTTP face over these methods.
import { availableParallelism } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { ConflictError, NotFoundError } from '../../../errors.js';
import { Router } from '../router/router.js';
import { Supervisor } from '../supervisor/supervisor.js';
import type {
  AppDesired,
  AppStats,
  AppStatus,
  MaintenanceSpec,
  StatsBucket,
  TrafficSpec,
  VersionSetSpec,
} from '../types.js';
import { parseAppDesired, parseTraffic, parseVersionSet } from './desired-schema.js';
import { DesiredStateFile } from './state-file.js';

export type Logger = (msg: string, fields?: Record<string, unknown>) => void;

/**
 * Router processes the agent runs: two on a machine with two or more cores (27k rps against 21.6k with one in
 * the router benchmark, 0.55-0.64x HAProxy against 0.53x; bench/results/router.md), one otherwise.
 */
export function defaultRouterWorkers(): number {
  return Math.min(2, availableParallelism());
}

export interface AgentOptions {
  dataDir: string;
  log?: Logger;
  /** Router processes; default defaultRouterWorkers(). */
  routerWorkers?: number;
  /** Supervisor tuning, mostly for tests. */
  backoff?: { initialMs: number; maxMs: number; resetAfterMs: number };
}

export class Agent {
  readonly router: Router;
  readonly supervisor: Supervisor;
  private readonly apps = new Map<string, AppDesired>();
  private readonly stateFile: DesiredStateFile;
  private readonly log: Logger;

  constructor(opts: AgentOptions) {
    this.log = opts.log ?? (() => {});
    this.stateFile = new DesiredStateFile(opts.dataDir);
    this.router = new Router({ log: this.log, workers: opts.routerWorkers ?? defaultRouterWorkers() });
    this.supervisor = new Supervisor({
      dataDir: opts.dataDir,
      log: this.log,
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
      onEndpoints: (app, version, endpoints) => {
        if (this.apps.has(app)) this.router.setEndpoints(app, version, endpoints);
      },
      drain: async (app, endpointId, timeoutMs) => {
        if (this.apps.has(app)) await this.router.waitDrained(app, endpointId, timeoutMs);
      },
    });
  }

  /** Restores the persisted state: routes first, then re-adopts running instances, then converges. */
  async restore(): Promise<{ apps: number; adopted: number; lost: number }> {
    const saved = this.stateFile.load();
    for (const app of saved) {
      this.apps.set(app.name, app);
      await this.bindRouter(app);
    }
    const { adopted, lost } = await this.supervisor.adopt();
    for (const app of saved) {
      for (const spec of app.versions) await this.supervisor.ensureVersionSet(app.name, spec);
    }
    this.persist();
    this.log('agent state restored', { apps: saved.length, adopted, lost });
    return { apps: saved.length, adopted, lost };
  }

  list(): AppDesired[] {
    return [...this.apps.values()];
  }

  get(app: string): AppDesired {
    const desired = this.apps.get(app);
    if (!desired) throw new NotFoundError(`app ${app}`, { app });
    return desired;
  }

  /** Creates or replaces an app's whole desired state. Versions no longer listed are drained and stopped. */
  async putApp(input: unknown): Promise<AppDesired> {
    const desired = parseAppDesired(input);
    const previous = this.apps.get(desired.name);
    await this.bindRouter(desired);
    this.apps.set(desired.name, desired);
    this.persist();
    for (const spec of desired.versions) await this.supervisor.ensureVersionSet(desired.name, spec);
    const kept = new Set(desired.versions.map((v) => v.version));
    const gone = (previous?.versions ?? []).filter((v) => !kept.has(v.version));
    await Promise.all(gone.map((v) => this.supervisor.removeVersionSet(desired.name, v.version)));
    return desired;
  }

  async deleteApp(app: string): Promise<void> {
    const desired = this.get(app);
    await Promise.all(desired.versions.map((v) => this.supervisor.removeVersionSet(app, v.version)));
    this.apps.delete(app);
    this.persist();
    await this.router.removeApp(app);
  }

  async ensureVersionSet(app: string, input: unknown): Promise<VersionSetSpec> {
    const desired = this.get(app);
    const spec = parseVersionSet(input);
    const others = desired.versions.filter((v) => v.version !== spec.version);
    this.update({ ...desired, versions: [...others, spec] });
    await this.supervisor.ensureVersionSet(app, spec);
    return spec;
  }

  /** Drains and stops a version's instances. Refused while the version still has traffic weight. */
  async removeVersionSet(app: string, version: string): Promise<void> {
    const desired = this.get(app);
    if (!desired.versions.some((v) => v.version === version)) {
      throw new NotFoundError(`version ${version} of app ${app}`, { app, version });
    }
    if ((desired.traffic.weights[version] ?? 0) > 0) {
      throw new ConflictError(
        `version ${version} still has ${desired.traffic.weights[version]}% of ${app}'s traffic; set its weight to 0 first`,
        { app, version },
      );
    }
    this.update({ ...desired, versions: desired.versions.filter((v) => v.version !== version) });
    await this.supervisor.removeVersionSet(app, version);
  }

  setTraffic(app: string, input: unknown): TrafficSpec {
    const desired = this.get(app);
    const traffic = parseTraffic(input);
    this.router.setTraffic(app, traffic);
    this.update({ ...desired, traffic });
    return traffic;
  }

  /** Turns maintenance mode on (with a spec) or off (null), keeping the rest of the routing table. */
  setMaintenance(app: string, maintenance: Partial<MaintenanceSpec> | null): TrafficSpec {
    const { maintenance: _previous, ...rest } = this.get(app).traffic;
    return this.setTraffic(
      app,
      maintenance ? { ...rest, maintenance: { mode: 'reject', ...maintenance } } : rest,
    );
  }

  status(app: string): AppStatus {
    const desired = this.get(app);
    const served = this.router.table(app);
    return {
      name: app,
      listen: desired.listen,
      versions: this.supervisor.status(app),
      traffic: desired.traffic,
      trafficVerified:
        served && isDeepStrictEqual(served.traffic, desired.traffic) ? 'verified' : 'notVerified',
      maintenance: desired.traffic.maintenance !== undefined,
    };
  }

  stats(app: string): AppStats {
    this.get(app);
    return this.router.stats(app);
  }

  subscribe(app: string, onBucket: (bucket: StatsBucket) => void): () => void {
    this.get(app);
    return this.router.subscribe(app, onBucket);
  }

  probeNow(app: string): ReturnType<Supervisor['probeNow']> {
    this.get(app);
    return this.supervisor.probeNow(app);
  }

  logs(app: string, instanceId: string, lines?: number): string[] {
    this.get(app);
    return this.supervisor.logs(app, instanceId, lines);
  }

  /** Stops every instance (drain, SIGTERM, SIGKILL) and closes the router. The desired state stays on disk. */
  async shutdown(): Promise<void> {
    await this.supervisor.stopAll();
    await this.router.close();
  }

  private async bindRouter(desired: AppDesired): Promise<void> {
    const { port } = await this.router.putApp(desired.name, desired.listen, desired.limits, desired.traffic);
    // A port picked by the OS is remembered, so a restarted agent serves the app on the same address.
    if (desired.listen.port === 0) desired.listen = { ...desired.listen, port };
  }

  private update(desired: AppDesired): void {
    this.apps.set(desired.name, desired);
    this.persist();
  }

  private persist(): void {
    this.stateFile.save(this.apps.values());
  }
}
