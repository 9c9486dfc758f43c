// The supervisor of the local agent: keeps, for every app and version, the desired number of instances
// running as process groups; publishes the ready ones as endpoints; records every process in
// <dataDir>/instances.json so that a restarted agent adopts them instead of starting them again.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, InvalidInputError, NotFoundError } from '../../../errors.js';
import type { VersionSetSpec, VersionSetStatus } from '../types.js';
import { planAdoption } from './adoption.js';
import type { ProbeReport } from './health.js';
import { Instance } from './instance.js';
import type { InstanceHooks } from './instance.js';
import { readLogTail } from './log-capture.js';
import { freePort } from './ports.js';
import { planReconcile } from './reconcile.js';
import { loadRecords, saveRecords } from './records.js';
import { checkName, checkVersionSetSpec, specHash } from './spec.js';
import {
  availableCount,
  membersOf,
  newVersionSet,
  orderedInstances,
  readyEndpoints,
  recordsOf,
  versionSetStatus,
} from './version-set.js';
import { Waiters } from './waiters.js';
import type { VersionSet } from './version-set.js';

import { compileOptions } from './options.js';
import type { CompiledOptions, Log, SupervisorOptions } from './options.js';

export type { ProbeReport } from './health.js';
export type { SupervisorOptions } from './options.js';

const LOG_POLL_MS = 250;
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$/;

export class Supervisor {
  private readonly sets = new Map<string, Map<string, VersionSet>>();
  private readonly opts: CompiledOptions;
  private readonly log: Log;
  private readonly recordsPath: string;
  private readonly logsDir: string;
  private counters: Record<string, number> = {};
  private readonly reservedPorts = new Set<number>();
  private readonly waiters = new Waiters();
  private readonly pending = new Set<VersionSet>();
  private pendingRun: NodeJS.Immediate | null = null;
  private logTimer: NodeJS.Timeout | null = null;
  private adoptCalled = false;
  /** After stopAll(): instances are only stopped, never started again. */
  private shuttingDown = false;
  /** After detach(): the supervisor touches nothing any more, not even its records. */
  private detached = false;

  constructor(options: SupervisorOptions) {
    this.opts = compileOptions(options);
    this.log = this.opts.log;
    this.recordsPath = join(this.opts.dataDir, 'instances.json');
    this.logsDir = join(this.opts.dataDir, 'logs');
  }

  /**
   * Read instances.json; re-adopt every recorded process still alive (same pid and same /proc start time, so
   * a reused pid is never adopted); forget the rest. The recorded version sets are resumed as desired state.
   */
  async adopt(): Promise<{ adopted: number; lost: number }> {
    if (this.adoptCalled || this.sets.size > 0) {
      throw new ConflictError('adopt() runs once, before ensureVersionSet');
    }
    this.adoptCalled = true;
    const plan = planAdoption(
      loadRecords(this.recordsPath, (message) => this.log(message)),
      this.log,
    );
    this.counters = plan.counters;
    for (const { app, spec, removing } of plan.versionSets) this.createSet(app, spec).removing = removing;
    for (const { record, spec } of plan.adopt) {
      // A live process of a version set nobody asks for any more is adopted only to be stopped properly.
      let set = this.sets.get(record.app)?.get(record.version);
      if (set === undefined) {
        set = this.createSet(record.app, spec);
        set.removing = true;
      }
      this.newInstance(set, record.id, spec, record.specHash).adopt(record);
      this.log('instance adopted', { app: record.app, instance: record.id, pid: record.pid });
    }
    for (const set of this.allSets()) {
      this.publish(set);
      this.reconcile(set);
    }
    this.persist();
    this.startLogPolling();
    return { adopted: plan.adopt.length, lost: plan.lost };
  }

  /** Idempotent desired state for one version of an app; returns once recorded and the work is started. */
  async ensureVersionSet(app: string, spec: VersionSetSpec): Promise<void> {
    this.refuseIfClosed();
    if (this.shuttingDown) throw new ConflictError('the supervisor is shutting down');
    checkName('app', app);
    checkVersionSetSpec(spec);
    const copy = structuredClone(spec);
    const existing = this.sets.get(app)?.get(copy.version);
    const set = existing ?? this.createSet(app, copy);
    set.spec = copy;
    set.hash = specHash(copy);
    set.removing = false;
    this.persist();
    this.publish(set);
    this.reconcile(set);
    this.startLogPolling();
  }

  /** Drain and stop every instance of the version; resolves when all are stopped. */
  async removeVersionSet(app: string, version: string): Promise<void> {
    this.refuseIfClosed();
    const set = this.sets.get(app)?.get(version);
    if (set === undefined) return;
    set.removing = true;
    this.persist();
    await Promise.all([...set.instances.values()].map((instance) => this.retire(set, instance)));
    this.dropIfRemoved(set);
  }

  /** Versions of an app not in `keep` are removed (used when an app's whole desired state is replaced). */
  async retainVersions(app: string, keep: readonly string[]): Promise<void> {
    const versions = [...(this.sets.get(app)?.keys() ?? [])].filter((version) => !keep.includes(version));
    await Promise.all(versions.map((version) => this.removeVersionSet(app, version)));
  }

  status(app: string): VersionSetStatus[] {
    return [...(this.sets.get(app)?.values() ?? [])].map(versionSetStatus);
  }

  apps(): string[] {
    return [...this.sets.keys()].sort();
  }

  /** Resolves true when `count` instances of the version run its current spec and are ready; false at the deadline. */
  waitReady(app: string, version: string, count: number, timeoutMs: number): Promise<boolean> {
    return this.waiters.wait(() => {
      const set = this.sets.get(app)?.get(version);
      return set !== undefined ? availableCount(set) >= count : count <= 0;
    }, timeoutMs);
  }

  /** Run the readiness and liveness probes of every instance of the app now, and report each result. */
  async probeNow(app: string): Promise<ProbeReport[]> {
    const sets = this.sets.get(app);
    if (sets === undefined) throw new NotFoundError('app', { app });
    return Promise.all([...sets.values()].flatMap((set) => orderedInstances(set).map((i) => i.probeNow())));
  }

  /** The last lines of an instance's log (of its file, for an instance that is gone). */
  logs(app: string, instanceId: string, lines?: number): string[] {
    const count = lines ?? this.opts.memoryLogLines;
    for (const set of this.sets.get(app)?.values() ?? []) {
      const instance = set.instances.get(instanceId);
      if (instance === undefined) continue;
      instance.logs.poll();
      return instance.logs.lines(count);
    }
    checkName('app', app);
    if (!ID_PATTERN.test(instanceId))
      throw new InvalidInputError('bad instance id', { instance: instanceId });
    const path = join(this.logsDir, app, `${instanceId}.log`);
    if (!existsSync(path)) throw new NotFoundError('instance', { app, instance: instanceId });
    return readLogTail(path, count);
  }

  /** Stop everything (drain, SIGTERM, grace, SIGKILL of each process group) in parallel. For agent shutdown. */
  async stopAll(): Promise<void> {
    if (this.detached) return;
    this.shuttingDown = true;
    await Promise.all(
      this.allSets().flatMap((set) =>
        [...set.instances.values()].map((instance) => this.retire(set, instance)),
      ),
    );
    this.stopTimers();
    this.persist();
  }

  /** Stop monitoring and timers but leave every process running and recorded (tests of adoption, upgrades). */
  detach(): void {
    this.persist();
    this.detached = true;
    for (const set of this.allSets()) for (const instance of set.instances.values()) instance.detach();
    this.stopTimers();
  }

  private createSet(app: string, spec: VersionSetSpec): VersionSet {
    const set = newVersionSet(app, spec);
    let versions = this.sets.get(app);
    if (versions === undefined) this.sets.set(app, (versions = new Map()));
    versions.set(spec.version, set);
    return set;
  }

  private newInstance(set: VersionSet, id: string, spec: VersionSetSpec, hash: string): Instance {
    const instance = new Instance(
      {
        app: set.app,
        id,
        spec,
        specHash: hash,
        logFile: join(this.logsDir, set.app, `${id}.log`),
        backoff: this.opts.backoff,
        crashLoop: this.opts.crashLoop,
        maxLogBytes: this.opts.maxLogBytes,
        memoryLogLines: this.opts.memoryLogLines,
      },
      this.hooksFor(set),
    );
    set.instances.set(id, instance);
    return instance;
  }

  private hooksFor(set: VersionSet): InstanceHooks {
    return {
      drain: (app, id, timeoutMs) => this.opts.drain(app, id, timeoutMs),
      log: this.log,
      changed: (_instance, durable) => this.changed(set, durable),
      allocatePort: () => this.allocatePort(),
      timings: () => ({ drainTimeoutMs: set.spec.drainTimeoutMs, stopGraceMs: set.spec.stopGraceMs }),
    };
  }

  private async allocatePort(): Promise<number> {
    const taken = new Set(this.reservedPorts);
    for (const set of this.allSets()) for (const instance of set.instances.values()) taken.add(instance.port);
    const port = await freePort(taken);
    this.reservedPorts.add(port);
    return port;
  }

  private changed(set: VersionSet, durable: boolean): void {
    if (this.detached) return;
    if (durable) this.persist();
    this.publish(set);
    this.waiters.check();
    this.schedule(set);
  }

  private schedule(set: VersionSet): void {
    this.pending.add(set);
    this.pendingRun ??= setImmediate(() => {
      this.pendingRun = null;
      const sets = [...this.pending];
      this.pending.clear();
      for (const pending of sets) this.reconcile(pending);
    });
  }

  private reconcile(set: VersionSet): void {
    if (this.detached || this.shuttingDown || this.sets.get(set.app)?.get(set.spec.version) !== set) return;
    const plan = planReconcile(set.removing ? 0 : set.spec.instances, set.hash, membersOf(set));
    for (const id of plan.retire) {
      const instance = set.instances.get(id);
      if (instance !== undefined) void this.retire(set, instance);
    }
    for (let k = 0; k < plan.spawn; k += 1) this.spawn(set);
  }

  private spawn(set: VersionSet): void {
    const key = `${set.app}/${set.spec.version}`;
    const n = (this.counters[key] ?? 0) + 1;
    this.counters[key] = n;
    const instance = this.newInstance(set, `${set.spec.version}-${n}`, set.spec, set.hash);
    this.persist();
    instance.start();
  }

  private async retire(set: VersionSet, instance: Instance): Promise<void> {
    await instance.stop();
    if (this.detached) return;
    if (set.instances.get(instance.id) === instance) {
      set.instances.delete(instance.id);
      this.reservedPorts.delete(instance.port);
    }
    this.persist();
    this.publish(set);
    this.waiters.check();
    this.schedule(set);
    this.dropIfRemoved(set);
  }

  private dropIfRemoved(set: VersionSet): void {
    const versions = this.sets.get(set.app);
    if (!set.removing || set.instances.size > 0 || versions?.get(set.spec.version) !== set) return;
    versions.delete(set.spec.version);
    if (versions.size === 0) this.sets.delete(set.app);
    this.persist();
  }

  private publish(set: VersionSet): void {
    if (this.detached) return;
    const endpoints = readyEndpoints(set);
    const key = JSON.stringify(endpoints);
    if (key === set.published) return;
    set.published = key;
    try {
      this.opts.onEndpoints(set.app, set.spec.version, endpoints);
    } catch (error) {
      this.log('onEndpoints failed', { app: set.app, version: set.spec.version, error: String(error) });
    }
  }

  private persist(): void {
    if (this.detached) return;
    try {
      saveRecords(this.recordsPath, recordsOf(this.allSets(), this.counters));
    } catch (error) {
      this.log('cannot save instance records', { path: this.recordsPath, error: String(error) });
    }
  }

  private allSets(): VersionSet[] {
    return [...this.sets.values()].flatMap((versions) => [...versions.values()]);
  }

  private startLogPolling(): void {
    if (this.logTimer !== null || this.detached) return;
    this.logTimer = setInterval(() => {
      for (const set of this.allSets()) for (const instance of set.instances.values()) instance.logs.poll();
    }, LOG_POLL_MS);
    this.logTimer.unref();
  }

  private stopTimers(): void {
    if (this.logTimer !== null) clearInterval(this.logTimer);
    this.logTimer = null;
    if (this.pendingRun !== null) clearImmediate(this.pendingRun);
    this.pendingRun = null;
    this.pending.clear();
  }

  private refuseIfClosed(): void {
    if (this.detached) throw new ConflictError('the supervisor is detached');
  }
}
