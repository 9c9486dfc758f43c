// The local agent's router: one HTTP listener per app, a reverse proxy that splits traffic between versions
// (weights, header/cookie routes, preview header, sticky sessions, mirroring, maintenance, retry on stable),
// per-version statistics, and a Prometheus exposition. This class is the public face; app.ts holds the state
// of one app and proxy.ts the request path.
import { randomBytes } from 'node:crypto';
import { InvalidInputError, NotFoundError } from '../../../errors.js';
import type { AppStats, Endpoint, RouterLimits, StatsBucket, TrafficSpec } from '../types.js';
import { AppRuntime, type Log } from './app.js';
import { DEFAULT_ENGINE, engineUsable, type RouterEngine } from './engines.js';
import { createRouterMetrics } from './metrics.js';
import { compileTraffic } from './table.js';
import { WorkerPool } from './workers.js';

export interface RouterOptions {
  /** Prefix of generated request ids (default: 8 random hex characters). */
  bootId?: string;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Keep-alive connections per upstream endpoint (default 128). */
  upstreamConnections?: number;
  /** Requests held at once per app in maintenance `hold` mode; beyond it, 503 at once (default 1000). */
  maxHeldRequests?: number;
  /** How long removeApp/close let in-flight requests finish before cutting them (default 10 s). */
  closeGraceMs?: number;
  /**
   * Processes serving traffic (default 1: this one only). With N > 1, N - 1 worker processes accept on the
   * same listening sockets; this process stays the source of truth and merges their statistics.
   */
  workers?: number;
  /**
   * How HTTP/1.1 is served: `fast` (raw sockets, llhttp on both sides; the default: 1.7–2× the throughput) or `node`
   * (node:http and undici). Default: DEFAULT_ENGINE.
   */
  engine?: RouterEngine;
}

const LIMIT_FIELDS = [
  'maxHeaderBytes',
  'maxBodyBytes',
  'headersTimeoutMs',
  'upstreamTimeoutMs',
  'keepAliveTimeoutMs',
] as const;

function checkLimits(limits: RouterLimits): void {
  for (const f of LIMIT_FIELDS) {
    const v = limits?.[f];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      throw new InvalidInputError(`limits.${f} must be a positive integer`, {
        field: `limits.${f}`,
        value: v,
      });
    }
  }
}

function checkListen(listen: { host: string; port: number }): void {
  if (typeof listen?.host !== 'string' || listen.host === '') {
    throw new InvalidInputError('listen.host is required', { field: 'listen.host' });
  }
  if (!Number.isInteger(listen.port) || listen.port < 0 || listen.port > 65535) {
    throw new InvalidInputError('listen.port must be an integer in 0..65535', {
      field: 'listen.port',
      value: listen.port,
    });
  }
}

export class Router {
  readonly metricsContentType: string;
  private readonly apps = new Map<string, AppRuntime>();
  /** putApp/removeApp of one app run one after the other. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly log: Log;
  private readonly registry;
  private readonly nextRequestId: () => string;
  private readonly options: Required<
    Pick<RouterOptions, 'upstreamConnections' | 'maxHeldRequests' | 'closeGraceMs'>
  >;
  private readonly pool: WorkerPool | null;
  private readonly engine: RouterEngine;
  private poolStarted: Promise<void> | null = null;

  constructor(opts: RouterOptions = {}) {
    this.log = opts.log ?? (() => undefined);
    const prefix = `${opts.bootId ?? randomBytes(4).toString('hex')}-`;
    let counter = 0;
    this.nextRequestId = () => prefix + String(++counter);
    this.options = {
      upstreamConnections: opts.upstreamConnections ?? 128,
      maxHeldRequests: opts.maxHeldRequests ?? 1000,
      closeGraceMs: opts.closeGraceMs ?? 10_000,
    };
    this.registry = createRouterMetrics(() => this.apps.values());
    this.metricsContentType = this.registry.contentType;
    const engine = opts.engine ?? DEFAULT_ENGINE;
    if (!engineUsable(engine)) {
      throw new InvalidInputError(`engine ${String(engine)} is not available`, {
        field: 'engine',
        value: engine,
      });
    }
    this.engine = engine;
    const workers = opts.workers ?? 1;
    if (!Number.isInteger(workers) || workers < 1) {
      throw new InvalidInputError('workers must be an integer >= 1', { field: 'workers', value: workers });
    }
    this.pool =
      workers === 1
        ? null
        : new WorkerPool(
            {
              count: workers - 1,
              bootId: prefix.slice(0, -1),
              engine,
              log: this.log,
              upstreamConnections: this.options.upstreamConnections,
              maxHeld: this.options.maxHeldRequests,
              closeGraceMs: this.options.closeGraceMs,
            },
            () => this.apps,
          );
  }

  /** Create or update an app: bind (or rebind if changed) its listen address, apply limits and traffic. */
  async putApp(
    app: string,
    listen: { host: string; port: number },
    limits: RouterLimits,
    traffic: TrafficSpec,
  ): Promise<{ port: number }> {
    if (typeof app !== 'string' || app === '')
      throw new InvalidInputError('app name is required', { field: 'app' });
    checkListen(listen);
    checkLimits(limits);
    const compiled = compileTraffic(traffic);
    return this.serial(app, async () => {
      const pool = this.pool;
      if (pool !== null) await (this.poolStarted ??= pool.start());
      let runtime = this.apps.get(app);
      if (runtime === undefined) {
        runtime = new AppRuntime(app, limits, compiled, {
          log: this.log,
          engine: this.engine,
          nextRequestId: this.nextRequestId,
          maxHeld: this.options.maxHeldRequests,
          upstreamConnections: this.options.upstreamConnections,
          remoteInFlight: pool === null ? undefined : (version, id) => pool.inFlight(app, version, id),
          onStreamActive: pool === null ? undefined : (on) => pool.stream(app, on),
        });
        const port = await runtime.listen(listen);
        this.apps.set(app, runtime);
        pool?.config(app, limits, traffic);
        if (pool !== null && runtime.listening !== null) pool.listen(app, runtime.listening);
        this.log('router app added', { app, host: listen.host, port });
        return { port };
      }
      // Bind first: when the new address cannot be had, nothing changes.
      const before = runtime.listening;
      const port = await runtime.listen(listen);
      runtime.setLimits(limits);
      runtime.setTraffic(compiled);
      pool?.config(app, limits, traffic);
      if (pool !== null && runtime.listening !== null && runtime.listening !== before) {
        pool.listen(app, runtime.listening);
      }
      return { port };
    });
  }

  /** Atomic: from the next request on. Throws InvalidInputError for a bad table. */
  setTraffic(app: string, traffic: TrafficSpec): void {
    const runtime = this.get(app);
    runtime.setTraffic(compileTraffic(traffic));
    this.pool?.config(app, runtime.limits, traffic);
  }

  /** The ready endpoints of one version (full list). Endpoints no longer listed drain. */
  setEndpoints(app: string, version: string, endpoints: Endpoint[]): void {
    const runtime = this.get(app);
    if (typeof version !== 'string' || version === '')
      throw new InvalidInputError('version is required', { field: 'version' });
    const ids = new Set<string>();
    for (const e of endpoints) {
      if (typeof e?.id !== 'string' || e.id === '' || ids.has(e.id)) {
        throw new InvalidInputError('each endpoint needs a unique id', { field: 'endpoints', value: e?.id });
      }
      if (
        typeof e.host !== 'string' ||
        e.host === '' ||
        !Number.isInteger(e.port) ||
        e.port <= 0 ||
        e.port > 65535
      ) {
        throw new InvalidInputError(`endpoint ${e.id} needs a host and a port in 1..65535`, {
          field: 'endpoints',
          value: e,
        });
      }
      ids.add(e.id);
    }
    runtime.setEndpoints(version, endpoints);
    this.pool?.endpoints(app, version, endpoints);
  }

  /** Resolves true when the endpoint has nothing in flight, false at timeout; a drained pool is then closed. */
  async waitDrained(app: string, endpointId: string, timeoutMs: number): Promise<boolean> {
    const runtime = this.apps.get(app);
    if (runtime === undefined) return true;
    const [local, remote] = await Promise.all([
      runtime.waitDrained(endpointId, timeoutMs),
      this.pool?.waitIdle(app, endpointId, timeoutMs) ?? true,
    ]);
    return local && remote;
  }

  inFlight(app: string, endpointId?: string): number {
    return this.apps.get(app)?.inFlight(undefined, endpointId) ?? 0;
  }

  /** Requests held right now by maintenance `hold` (in this process). */
  held(app: string): number {
    return this.apps.get(app)?.held ?? 0;
  }

  /** The traffic spec and endpoints the router is serving now. */
  table(app: string): { traffic: TrafficSpec; endpoints: Record<string, Endpoint[]> } | undefined {
    const runtime = this.apps.get(app);
    if (runtime === undefined) return undefined;
    return { traffic: runtime.trafficSpec(), endpoints: runtime.readyEndpoints() };
  }

  stats(app: string): AppStats {
    return this.get(app).stats();
  }

  /** Buckets of at most 100 ms, only while subscribed. Returns the unsubscribe function. */
  subscribe(app: string, onBucket: (b: StatsBucket) => void): () => void {
    return this.get(app).subscribe(onBucket);
  }

  /** Prometheus text exposition of all apps. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** Closes the app's listener after letting in-flight requests finish (bounded), then its pools. */
  removeApp(app: string): Promise<void> {
    return this.serial(app, async () => {
      const runtime = this.apps.get(app);
      if (runtime === undefined) return;
      this.apps.delete(app);
      await Promise.all([runtime.close(this.options.closeGraceMs), this.pool?.remove(app)]);
      this.log('router app removed', { app });
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.apps.keys()].map((app) => this.removeApp(app)));
    if (this.poolStarted !== null) await this.pool?.close();
  }

  private get(app: string): AppRuntime {
    const runtime = this.apps.get(app);
    if (runtime === undefined) throw new NotFoundError(`app ${app}`, { app });
    return runtime;
  }

  private serial<T>(app: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(app) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.queues.set(app, settled);
    void settled.then(() => {
      if (this.queues.get(app) === settled) this.queues.delete(app);
    });
    return next;
  }
}
