// The upstream endpoints of one app: a keep-alive connection pool and an in-flight counter per endpoint, the
// ready list per version, and draining: an endpoint no longer listed gets no new request, keeps its pool
// until its in-flight requests finish, then the pool is closed. The pool is the node engine's undici Pool or
// the fast engine's own, created on first use, so an endpoint holds only the one its engine uses.
import { Pool } from 'undici';
import type { Endpoint } from '../types.js';
import { UpstreamPool } from './fast/upstream.js';

export interface PoolOptions {
  connections: number;
  connectTimeoutMs: number;
}

export class EndpointState {
  readonly id: string;
  readonly version: string;
  readonly host: string;
  readonly port: number;
  inFlight = 0;
  draining = false;
  private waiters: (() => void)[] | null = null;
  private onDrained: (() => void) | null = null;
  private undiciPool: Pool | null = null;
  private fastPool: UpstreamPool | null = null;

  constructor(
    version: string,
    endpoint: Endpoint,
    private readonly options: PoolOptions,
  ) {
    this.id = endpoint.id;
    this.version = version;
    this.host = endpoint.host;
    this.port = endpoint.port;
  }

  /** The node engine's pool (undici). */
  get pool(): Pool {
    if (this.undiciPool === null) {
      const host = this.host.includes(':') ? `[${this.host}]` : this.host;
      this.undiciPool = new Pool(`http://${host}:${this.port}`, {
        connections: this.options.connections,
        pipelining: 1,
        connectTimeout: this.options.connectTimeoutMs,
      });
    }
    return this.undiciPool;
  }

  /** The fast engine's pool. */
  get upstream(): UpstreamPool {
    return (this.fastPool ??= new UpstreamPool(this.host, this.port, this.options));
  }

  sameAddress(e: Endpoint): boolean {
    return e.host === this.host && e.port === this.port;
  }

  release(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0 && (this.draining || this.waiters !== null)) this.idle();
  }

  /** Resolves true once nothing is in flight, false after `timeoutMs`. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters?.filter((w) => w !== done) ?? null;
        if (this.waiters?.length === 0) this.waiters = null;
        resolve(false);
      }, timeoutMs);
      (this.waiters ??= []).push(done);
    });
  }

  /** Stops taking requests; the pool closes when the last in-flight one finishes, then `onDrained` runs. */
  drain(onDrained: () => void): void {
    this.draining = true;
    this.onDrained = onDrained;
    if (this.inFlight === 0) this.idle();
  }

  /** Closes the pool: in-flight requests finish (close) or are aborted (destroy). Never rejects. */
  async closePool(force: boolean): Promise<void> {
    const u = this.undiciPool;
    const closing = u === null ? null : force ? u.destroy() : u.close();
    await Promise.all([closing?.catch(() => undefined), this.fastPool?.close(force)]);
  }

  private idle(): void {
    const waiters = this.waiters;
    const onDrained = this.onDrained;
    this.waiters = null;
    this.onDrained = null;
    if (this.draining) void this.closePool(false);
    if (waiters !== null) for (const w of waiters) w();
    onDrained?.();
  }
}

/** The endpoints of one app, by version, plus the ones draining. */
export class EndpointSet {
  private readonly byVersion = new Map<string, EndpointState[]>();
  private readonly draining = new Set<EndpointState>();
  private options: PoolOptions;

  constructor(options: PoolOptions) {
    this.options = options;
  }

  setPoolOptions(options: PoolOptions): void {
    this.options = options;
  }

  /** Replaces the ready list of a version. Kept endpoints keep their pools; removed ones drain. */
  set(version: string, endpoints: Endpoint[]): void {
    const previous = this.byVersion.get(version) ?? [];
    const next: EndpointState[] = [];
    for (const e of endpoints) {
      const kept = previous.find((p) => p.id === e.id && p.sameAddress(e));
      next.push(kept ?? new EndpointState(version, e, this.options));
    }
    for (const p of previous) if (!next.includes(p)) this.startDraining(p);
    if (next.length === 0) this.byVersion.delete(version);
    else this.byVersion.set(version, next);
  }

  /** The ready endpoints of a version (the list the table is built from). */
  ready(version: string): readonly EndpointState[] {
    return this.byVersion.get(version) ?? [];
  }

  versions(): IterableIterator<string> {
    return this.byVersion.keys();
  }

  /** Every endpoint with this id, ready or draining. */
  withId(id: string): EndpointState[] {
    const out: EndpointState[] = [];
    for (const list of this.byVersion.values()) for (const e of list) if (e.id === id) out.push(e);
    for (const e of this.draining) if (e.id === id) out.push(e);
    return out;
  }

  /** Every endpoint, ready or draining. */
  all(): EndpointState[] {
    const out: EndpointState[] = [...this.draining];
    for (const list of this.byVersion.values()) out.push(...list);
    return out;
  }

  private startDraining(e: EndpointState): void {
    this.draining.add(e);
    e.drain(() => this.draining.delete(e));
  }

  /** Closes every pool, aborting what is still in flight when `force`. */
  async closeAll(force: boolean): Promise<void> {
    const all = this.all();
    this.byVersion.clear();
    this.draining.clear();
    await Promise.all(all.map((e) => e.closePool(force)));
  }
}
