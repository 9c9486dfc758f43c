// One app in the router: its listener (of the chosen engine), limits, compiled traffic, endpoints, recorders,
// maintenance hold queue and stats stream. Every change rebuilds the route table and swaps it in one step.
import type { Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AppStats, Endpoint, RouterLimits, StatsBucket, TrafficSpec } from '../types.js';
import { EndpointSet, type PoolOptions } from './endpoints.js';
import { ENGINES, type RouterEngine } from './engines.js';
import { bindServer, type AppListener, type ListenerApp } from './listener.js';
import { HoldQueue, type Holdable } from './maintenance.js';
import type { MetricsSource } from './metrics.js';
import { VersionRecorder } from './stats.js';
import { StatsStream } from './stream.js';
import { buildTable, type CompiledTraffic, type RouteTable } from './table.js';
import { handleUpgrade, type UpgradeRequest } from './websocket.js';
import type { AppReport } from './worker-protocol.js';

export type Log = (msg: string, fields?: Record<string, unknown>) => void;

export interface AppOptions {
  log: Log;
  engine: RouterEngine;
  nextRequestId: () => string;
  maxHeld: number;
  upstreamConnections: number;
  /** In-flight requests of this app in worker processes (primary only). */
  remoteInFlight?: (version?: string, endpointId?: string) => number;
  /** Called when the stats stream gets its first subscriber or loses its last one. */
  onStreamActive?: (active: boolean) => void;
}

export class AppRuntime implements ListenerApp, MetricsSource {
  readonly name: string;
  table: RouteTable;
  limits: RouterLimits;
  private traffic: CompiledTraffic;
  private readonly endpoints: EndpointSet;
  private readonly recorderMap = new Map<string, VersionRecorder>();
  private readonly holds: HoldQueue;
  private readonly stream: StatsStream;
  private readonly upgrades = new Set<Duplex>();
  private listener: AppListener | null = null;
  private bound: { host: string; port: number } | null = null;
  /** Worker processes: collect stream buckets for the primary even without local subscribers. */
  private exportBuckets = false;
  private exportedHolds = [0, 0];

  constructor(
    name: string,
    limits: RouterLimits,
    traffic: CompiledTraffic,
    private readonly options: AppOptions,
  ) {
    this.name = name;
    this.limits = { ...limits };
    this.traffic = traffic;
    this.endpoints = new EndpointSet(this.poolOptions());
    this.holds = new HoldQueue(options.maxHeld, options.nextRequestId);
    this.stream = new StatsStream(name, () => this.recorderMap.values(), options.log, options.onStreamActive);
    this.table = this.build();
  }

  get app(): string {
    return this.name;
  }

  get recorders(): Iterable<VersionRecorder> {
    return this.recorderMap.values();
  }

  get port(): number {
    return this.bound?.port ?? 0;
  }

  /** The current listener, whose handle the primary shares with worker processes. */
  get listening(): NetServer | null {
    return this.listener?.server ?? null;
  }

  nextRequestId(): string {
    return this.options.nextRequestId();
  }

  hold(item: Holdable): void {
    const m = this.traffic.maintenance;
    if (m === null) item.release();
    else this.holds.hold(item, m);
  }

  upgrade(req: UpgradeRequest, socket: Duplex, head: Buffer): void {
    this.upgrades.add(socket);
    socket.once('close', () => this.upgrades.delete(socket));
    handleUpgrade(this, req, socket, head);
  }

  countRejected(): void {
    this.holds.rejected += 1;
  }

  get held(): number {
    return this.holds.size;
  }

  /** Binds, or rebinds when the address changed (port 0 keeps the current port on the same host). */
  async listen(listen: { host: string; port: number }): Promise<number> {
    const b = this.bound;
    if (b !== null && b.host === listen.host && (listen.port === 0 || listen.port === b.port)) return b.port;
    const listener = ENGINES[this.options.engine](this.limits, this);
    const port = await bindServer(listener.server, this.name, listen);
    this.swapListener(listener);
    this.bound = { host: listen.host, port };
    return port;
  }

  /** Worker processes: accept on the primary's listening handle (replacing any previous one). */
  async adopt(handle: NetServer): Promise<void> {
    const listener = ENGINES[this.options.engine](this.limits, this);
    const port = await bindServer(listener.server, this.name, handle);
    this.swapListener(listener);
    this.bound = { host: '', port };
  }

  private swapListener(listener: AppListener): void {
    const old = this.listener;
    this.listener = listener;
    listener.server.on('error', (err) =>
      this.options.log('router listener error', { app: this.name, error: String(err) }),
    );
    if (old !== null) void old.close(10_000);
  }

  setLimits(limits: RouterLimits): void {
    this.limits = { ...limits };
    this.endpoints.setPoolOptions(this.poolOptions());
    this.listener?.applyLimits(limits);
  }

  setTraffic(traffic: CompiledTraffic): void {
    this.traffic = traffic;
    this.table = this.build();
    const m = traffic.maintenance;
    if (this.holds.size === 0) return;
    if (m === null) this.holds.releaseAll();
    else if (m.mode === 'reject') this.holds.rejectAll(m.retryAfterSeconds);
  }

  setEndpoints(version: string, endpoints: Endpoint[]): void {
    this.endpoints.set(version, endpoints);
    this.table = this.build();
  }

  private build(): RouteTable {
    const versions = new Set<string>([...this.traffic.weights.keys(), ...this.endpoints.versions()]);
    // Versions gone from the table keep their statistics until every window is empty, then are forgotten.
    const now = performance.now();
    for (const [v, r] of this.recorderMap) if (!versions.has(v) && r.idleAt(now)) this.recorderMap.delete(v);
    for (const v of versions) this.recorderOf(v);
    return buildTable(
      this.traffic,
      (v) => this.endpoints.ready(v),
      versions,
      (v) => this.recorderOf(v),
    );
  }

  private recorderOf(version: string): VersionRecorder {
    let r = this.recorderMap.get(version);
    if (r === undefined) {
      r = new VersionRecorder(version);
      r.streaming = this.stream.active || this.exportBuckets;
      this.recorderMap.set(version, r);
    }
    return r;
  }

  private poolOptions(): PoolOptions {
    return {
      connections: this.options.upstreamConnections,
      connectTimeoutMs: Math.min(this.limits.upstreamTimeoutMs, 10_000),
    };
  }

  trafficSpec(): TrafficSpec {
    return structuredClone(this.traffic.spec);
  }

  readyEndpoints(): Record<string, Endpoint[]> {
    const out: Record<string, Endpoint[]> = {};
    for (const v of this.endpoints.versions()) {
      out[v] = this.endpoints.ready(v).map((e) => ({ id: e.id, host: e.host, port: e.port }));
    }
    return out;
  }

  inFlight(version?: string, endpointId?: string): number {
    let n = this.options.remoteInFlight?.(version, endpointId) ?? 0;
    for (const e of this.endpoints.all()) {
      if (
        (version === undefined || e.version === version) &&
        (endpointId === undefined || e.id === endpointId)
      ) {
        n += e.inFlight;
      }
    }
    return n;
  }

  async waitDrained(endpointId: string, timeoutMs: number): Promise<boolean> {
    const states = this.endpoints.withId(endpointId);
    const results = await Promise.all(states.map((e) => e.whenIdle(timeoutMs)));
    for (const e of states) if (e.draining) void e.closePool(false);
    return results.every(Boolean);
  }

  /** Local in-flight requests per endpoint, draining ones included (worker reports). */
  localInFlight(): { id: string; version: string; n: number }[] {
    return this.endpoints.all().map((e) => ({ id: e.id, version: e.version, n: e.inFlight }));
  }

  /** Worker processes: what changed since the last report. */
  exportReport(nowMs: number): AppReport {
    const versions = [];
    for (const r of this.recorderMap.values()) {
      const d = r.exportDelta(nowMs);
      if (
        d.slots.length > 0 ||
        d.mirrored !== 0 ||
        d.retriedOnStable !== 0 ||
        (d.bucket?.requests ?? 0) > 0
      ) {
        versions.push(d);
      }
    }
    const [rejected, held] = this.exportedHolds as [number, number];
    this.exportedHolds = [this.holds.rejected, this.holds.heldThenServed];
    return {
      app: this.name,
      versions,
      rejected: this.holds.rejected - rejected,
      heldThenServed: this.holds.heldThenServed - held,
      inFlight: this.localInFlight().filter((e) => e.n > 0),
    };
  }

  /** Primary: adds a worker's report to this app's statistics. */
  mergeReport(report: AppReport): void {
    for (const d of report.versions) this.recorderOf(d.version).mergeDelta(d);
    this.holds.rejected += report.rejected;
    this.holds.heldThenServed += report.heldThenServed;
  }

  /** Worker processes: collect stream buckets while the primary has subscribers. */
  setExportBuckets(on: boolean): void {
    this.exportBuckets = on;
    for (const r of this.recorderMap.values()) r.streaming = on || this.stream.active;
  }

  stats(): AppStats {
    const now = performance.now();
    return {
      app: this.name,
      at: new Date().toISOString(),
      versions: [...this.recorderMap.values()].map((r) => r.snapshot(now)),
      maintenance: { rejected: this.holds.rejected, heldThenServed: this.holds.heldThenServed },
    };
  }

  subscribe(onBucket: (b: StatsBucket) => void): () => void {
    return this.stream.subscribe(onBucket);
  }

  /** Stops listening, lets in-flight requests finish for up to `graceMs`, then closes everything. */
  async close(graceMs: number): Promise<void> {
    this.stream.stop();
    this.holds.rejectAll(this.traffic.maintenance?.retryAfterSeconds ?? 1);
    const listener = this.listener;
    this.listener = null;
    this.bound = null;
    if (listener !== null) await listener.close(graceMs);
    for (const s of this.upgrades) s.destroy();
    await this.endpoints.closeAll(true);
  }
}
