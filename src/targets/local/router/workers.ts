// Router worker processes (RouterOptions.workers > 1): child processes that accept on the same listening
// sockets as the primary, so the proxy uses more than one core. The primary stays the source of truth: it
// sends every change to every worker, merges their statistics, and counts their in-flight requests for
// draining. A worker that dies is restarted and given the current state again.
import { fork, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:net';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Endpoint, RouterLimits, TrafficSpec } from '../types.js';
import type { AppRuntime, Log } from './app.js';
import type { WorkerArgs } from './worker-entry.js';
import type { AppReport, FromWorker, InFlightEntry, ToWorker } from './worker-protocol.js';

/** A message to a worker, without its sequence number (added when sent). */
type Command = ToWorker extends infer M ? (M extends ToWorker ? Omit<M, 'seq'> : never) : never;

const HERE = fileURLToPath(import.meta.url);
const ENTRY = fileURLToPath(new URL(`./worker-entry${extname(HERE)}`, import.meta.url));
const RESTART_DELAY_MS = 500;

interface Worker {
  index: number;
  child: ChildProcess;
  /** Messages are sent only once the worker listens for them; `replay` then sends the whole state. */
  ready: boolean;
  /** Sequence number of the last message the worker has applied. */
  applied: number;
  inFlight: Map<string, InFlightEntry[]>;
  acks: Map<number, () => void>;
}

export interface WorkerPoolOptions extends Omit<WorkerArgs, 'index'> {
  count: number;
  log: Log;
}

export class WorkerPool {
  private readonly workers = new Map<number, Worker>();
  private readonly streaming = new Set<string>();
  private seq = 0;
  private closing = false;

  constructor(
    private readonly options: WorkerPoolOptions,
    private readonly apps: () => ReadonlyMap<string, AppRuntime>,
  ) {}

  /** Starts the workers and resolves once each is ready for messages. */
  async start(): Promise<void> {
    await Promise.all(Array.from({ length: this.options.count }, (_, i) => this.spawn(i)));
  }

  private spawn(index: number): Promise<void> {
    const o = this.options;
    const args: WorkerArgs = {
      index,
      bootId: o.bootId,
      engine: o.engine,
      upstreamConnections: o.upstreamConnections,
      maxHeld: o.maxHeld,
      closeGraceMs: o.closeGraceMs,
    };
    const child = fork(ENTRY, [JSON.stringify(args)], {
      // The worker needs the same loaders (tsx in development), not the test runner's flags.
      execArgv: process.execArgv.filter((a) => !a.startsWith('--test')),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const worker: Worker = { index, child, ready: false, applied: 0, inFlight: new Map(), acks: new Map() };
    this.workers.set(index, worker);
    return new Promise<void>((resolve) => {
      child.on('message', (m: FromWorker) => {
        if (m.t === 'ready') {
          worker.ready = true;
          this.replay(worker);
          resolve();
        } else this.onMessage(worker, m);
      });
      child.on('exit', (code, signal) => {
        resolve();
        for (const ack of worker.acks.values()) ack();
        if (this.workers.get(index) !== worker) return;
        this.workers.delete(index);
        if (this.closing) return;
        this.options.log('router worker exited; restarting it', { index, code, signal });
        setTimeout(() => {
          if (!this.closing) void this.spawn(index);
        }, RESTART_DELAY_MS).unref();
      });
    });
  }

  private onMessage(worker: Worker, m: FromWorker): void {
    if (m.t === 'report') {
      worker.applied = m.seq;
      worker.inFlight.clear();
      const apps = this.apps();
      for (const report of m.apps) {
        worker.inFlight.set(report.app, report.inFlight);
        apps.get(report.app)?.mergeReport(report as AppReport);
      }
    } else if (m.t === 'done') {
      worker.acks.get(m.seq)?.();
      worker.acks.delete(m.seq);
    } else if (m.t === 'log') {
      this.options.log(m.msg, { ...m.fields, worker: worker.index });
    }
  }

  /** Gives a (re)started worker the whole current state. */
  private replay(worker: Worker): void {
    for (const [name, app] of this.apps()) {
      this.sendTo(worker, { t: 'config', app: name, limits: app.limits, traffic: app.trafficSpec() });
      for (const [version, endpoints] of Object.entries(app.readyEndpoints())) {
        this.sendTo(worker, { t: 'endpoints', app: name, version, endpoints });
      }
      if (this.streaming.has(name)) this.sendTo(worker, { t: 'stream', app: name, on: true });
      const server = app.listening;
      if (server !== null) this.sendTo(worker, { t: 'listen', app: name }, server);
    }
  }

  private sendTo(worker: Worker, command: Command, handle?: Server): number {
    const seq = ++this.seq;
    if (worker.ready && worker.child.connected) {
      worker.child.send({ ...command, seq } as ToWorker, handle, (err) => {
        if (err !== null)
          this.options.log('router worker message failed', { index: worker.index, error: String(err) });
      });
    }
    return seq;
  }

  private broadcast(command: Command, handle?: Server): number {
    let seq = this.seq;
    for (const w of this.workers.values()) seq = this.sendTo(w, command, handle);
    return seq;
  }

  config(app: string, limits: RouterLimits, traffic: TrafficSpec): void {
    this.broadcast({ t: 'config', app, limits, traffic });
  }

  listen(app: string, server: Server): void {
    this.broadcast({ t: 'listen', app }, server);
  }

  endpoints(app: string, version: string, endpoints: Endpoint[]): void {
    this.broadcast({ t: 'endpoints', app, version, endpoints });
  }

  stream(app: string, on: boolean): void {
    if (on) this.streaming.add(app);
    else this.streaming.delete(app);
    this.broadcast({ t: 'stream', app, on });
  }

  /** Removes an app from every worker; resolves when each has closed it (or died). */
  async remove(app: string): Promise<void> {
    this.streaming.delete(app);
    await Promise.all([...this.workers.values()].map((w) => this.request(w, { t: 'remove', app })));
    for (const w of this.workers.values()) w.inFlight.delete(app);
  }

  private request(worker: Worker, command: Command): Promise<void> {
    return new Promise((resolve) => {
      const seq = this.sendTo(worker, command);
      if (!worker.ready || !worker.child.connected) return resolve();
      worker.acks.set(seq, resolve);
    });
  }

  /** In-flight requests of an app in the workers (as of their last reports). */
  inFlight(app: string, version?: string, endpointId?: string): number {
    let n = 0;
    for (const w of this.workers.values()) {
      for (const e of w.inFlight.get(app) ?? []) {
        if (
          (version === undefined || e.version === version) &&
          (endpointId === undefined || e.id === endpointId)
        ) {
          n += e.n;
        }
      }
    }
    return n;
  }

  /**
   * Resolves true once every worker has applied everything sent so far (the endpoint's removal included) and
   * reports nothing in flight to it; false at the deadline.
   */
  async waitIdle(app: string, endpointId: string, timeoutMs: number): Promise<boolean> {
    const upTo = this.seq;
    const deadline = performance.now() + timeoutMs;
    const idle = () =>
      [...this.workers.values()].every(
        (w) => w.applied >= upTo && !(w.inFlight.get(app) ?? []).some((e) => e.id === endpointId && e.n > 0),
      );
    while (!idle()) {
      if (performance.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      [...this.workers.values()].map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.child.exitCode !== null || w.child.signalCode !== null) return resolve();
            w.child.once('exit', () => resolve());
            this.sendTo(w, { t: 'close' });
            setTimeout(() => w.child.kill('SIGKILL'), this.options.closeGraceMs + 2_000).unref();
          }),
      ),
    );
    this.workers.clear();
  }
}
