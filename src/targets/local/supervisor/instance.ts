// One instance of a version: its process (spawned here, or adopted from an earlier agent), its readiness and
// liveness probes, restarts with backoff after an exit, and its stop (drain, SIGTERM, grace, SIGKILL).
import type { ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import type { InstancePhase, InstanceStatus, VersionSetSpec } from '../types.js';
import { RestartTracker } from './backoff.js';
import type { BackoffPolicy, CrashLoopPolicy } from './backoff.js';
import { LogCapture } from './log-capture.js';
import { probeOnce, startHealthProbes } from './health.js';
import type { ProbeReport } from './health.js';
import type { ProbeLoop } from './probe-loop.js';
import type { ProbeResult, ProbeTarget } from './probes.js';
import { groupIsOurs, isRunning, readProcStat, signalGroup } from './proc.js';
import type { InstanceRecord } from './records.js';
import { DEFAULT_READINESS, instanceEnv } from './spec.js';
import { spawnInstance } from './spawn.js';
import { boundedDrain, terminateGroup } from './terminate.js';

/** How often an adopted process (not our child: no exit event) is checked for life. */
const ADOPTED_POLL_MS = 200;

export interface InstanceHooks {
  drain: (app: string, instanceId: string, timeoutMs: number) => Promise<void>;
  log: (msg: string, fields?: Record<string, unknown>) => void;
  /** Something about the instance changed; `durable` when its record must be saved. */
  changed: (instance: Instance, durable: boolean) => void;
  allocatePort: () => Promise<number>;
  /** Drain and grace come from the version set's current spec, which may have changed since the spawn. */
  timings: () => { drainTimeoutMs: number; stopGraceMs: number };
}

export interface InstanceInit {
  app: string;
  id: string;
  spec: VersionSetSpec;
  specHash: string;
  logFile: string;
  backoff: BackoffPolicy;
  crashLoop: CrashLoopPolicy;
  maxLogBytes: number;
  memoryLogLines: number;
}

export class Instance {
  readonly app: string;
  readonly id: string;
  readonly version: string;
  readonly spec: VersionSetSpec;
  readonly specHash: string;
  readonly logs: LogCapture;
  port = 0;
  pid: number | null = null;
  phase: InstancePhase = 'starting';
  ready = false;
  restarts = 0;
  adopted = false;
  /** Set once a stop was asked for: the instance no longer counts towards its version set. */
  retiring = false;
  /**
   * Adopted, and its readiness not settled yet (ready, or failureThreshold failures in a row): it may be
   * serving already, so it must not be taken for an unready instance.
   */
  readinessUnknown = false;
  private unknownFailures = 0;
  private procStart: string | null = null;
  private startedAtMs: number | null = null;
  private lastExit: InstanceStatus['lastExit'];
  private lastProbe: InstanceStatus['lastProbe'];
  private child: ChildProcess | null = null;
  private probes: ProbeLoop[] = [];
  private restartTimer: NodeJS.Timeout | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  private servedThisRun = false;
  private killing = false;
  private detached = false;
  private stopping: Promise<void> | null = null;
  private readonly tracker: RestartTracker;

  constructor(
    init: InstanceInit,
    private readonly hooks: InstanceHooks,
  ) {
    this.app = init.app;
    this.id = init.id;
    this.version = init.spec.version;
    this.spec = init.spec;
    this.specHash = init.specHash;
    this.logs = new LogCapture(init.logFile, { maxBytes: init.maxLogBytes, lines: init.memoryLogLines });
    this.tracker = new RestartTracker(init.backoff, init.crashLoop);
  }

  /** Spawn the first process of a new instance. */
  start(): void {
    void this.launch();
  }

  /** Take over a process an earlier agent started; the caller has checked it is alive and the same one. */
  adopt(record: InstanceRecord): void {
    this.port = record.port;
    this.restarts = record.restarts;
    this.pid = record.pid;
    this.procStart = record.procStartTime;
    this.startedAtMs = record.startedAt !== null ? Date.parse(record.startedAt) : Date.now();
    this.adopted = true;
    this.readinessUnknown = true;
    this.phase = 'starting';
    this.startProbes();
    this.watchTimer = setInterval(() => {
      if (this.pid !== null && !isRunning(this.pid, this.procStart)) this.exited(null, null);
    }, ADOPTED_POLL_MS);
    this.watchTimer.unref();
  }

  /** Drain (when it was serving), SIGTERM, grace, SIGKILL. Idempotent; resolves once the group is gone. */
  stop(): Promise<void> {
    this.stopping ??= this.runStop();
    return this.stopping;
  }

  /** Forget the process without touching it: timers and probes stop, the process keeps running. */
  detach(): void {
    this.detached = true;
    this.clearTimers();
    if (this.child !== null) {
      this.child.removeAllListeners('exit');
      this.child.unref();
    }
  }

  get crashLooping(): boolean {
    return this.tracker.crashLooping(this.startedAtMs !== null ? Date.now() - this.startedAtMs : null);
  }

  status(): InstanceStatus {
    return {
      id: this.id,
      version: this.version,
      pid: this.pid,
      port: this.port,
      phase: this.phase,
      ready: this.ready,
      restarts: this.restarts,
      ...(this.lastExit !== undefined ? { lastExit: this.lastExit } : {}),
      ...(this.lastProbe !== undefined ? { lastProbe: this.lastProbe } : {}),
      startedAt: this.startedAtMs !== null ? new Date(this.startedAtMs).toISOString() : null,
      adopted: this.adopted,
      logFile: this.logs.path,
    };
  }

  record(): InstanceRecord {
    return {
      app: this.app,
      version: this.version,
      id: this.id,
      pid: this.pid,
      port: this.port,
      procStartTime: this.procStart,
      startedAt: this.startedAtMs !== null ? new Date(this.startedAtMs).toISOString() : null,
      specHash: this.specHash,
      logFile: this.logs.path,
      restarts: this.restarts,
    };
  }

  /** Run both probes once now, outside the counting of the periodic ones. */
  async probeNow(): Promise<ProbeReport> {
    const target = this.pid !== null && !this.retiring ? this.probeTarget() : null;
    const results = await probeOnce(this.spec, target, `not running (${this.phase})`);
    return { instance: this.id, version: this.version, ...results };
  }

  private probeTarget(): ProbeTarget {
    const env = instanceEnv(this.spec, this);
    return { port: this.port, env, ...(this.spec.run.cwd !== undefined ? { cwd: this.spec.run.cwd } : {}) };
  }

  private async launch(): Promise<void> {
    if (this.retiring || this.detached) return;
    if (this.port === 0) {
      try {
        this.port = await this.hooks.allocatePort();
      } catch (error) {
        this.failedStart(`no port: ${String(error)}`);
        return;
      }
    }
    if (this.retiring || this.detached) return;
    const outcome = await spawnInstance(this.spec, this, this.logs);
    if ('error' in outcome) return this.failedStart(outcome.error);
    if (this.retiring || this.detached) {
      // Stopped or detached while the spawn was settling: the new process must not outlive the request.
      signalGroup(outcome.pid, 'SIGKILL');
      return;
    }
    outcome.child.once('exit', (code, signal) => this.exited(code, signal));
    this.child = outcome.child;
    this.pid = outcome.pid;
    this.procStart = readProcStat(outcome.pid)?.startTime ?? null;
    this.startedAtMs = Date.now();
    this.phase = 'starting';
    this.servedThisRun = false;
    this.startProbes();
    this.hooks.log('instance started', { app: this.app, instance: this.id, pid: this.pid, port: this.port });
    this.hooks.changed(this, true);
  }

  private failedStart(message: string): void {
    try {
      appendFileSync(this.logs.path, `greenlight: ${message}\n`);
    } catch {
      // the log directory itself is unusable; the message still goes to the agent's log
    }
    this.hooks.log('instance failed to start', { app: this.app, instance: this.id, error: message });
    this.startedAtMs = Date.now();
    this.exited(null, null);
  }

  private startProbes(): void {
    const upMs = Date.now() - (this.startedAtMs ?? Date.now());
    this.probes = startHealthProbes(this.spec, this.probeTarget(), upMs, {
      readiness: (result, passing, changed) => this.readinessResult(result, passing, changed),
      liveness: (result, passing, changed) => {
        this.lastProbe = { kind: 'liveness', ...result, at: new Date().toISOString() };
        if (changed && !passing) void this.livenessFailed();
      },
    });
  }

  private readinessResult(result: ProbeResult, passing: boolean, changed: boolean): void {
    this.lastProbe = { kind: 'readiness', ...result, at: new Date().toISOString() };
    if (this.readinessUnknown) {
      this.unknownFailures = result.ok ? 0 : this.unknownFailures + 1;
      const threshold = (this.spec.readiness ?? DEFAULT_READINESS).failureThreshold;
      if (passing || this.unknownFailures >= threshold) {
        this.readinessUnknown = false;
        if (!changed) this.hooks.changed(this, false);
      }
    }
    if (!changed || this.retiring || this.killing) return;
    this.ready = passing;
    this.phase = passing ? 'ready' : 'unready';
    if (passing) this.servedThisRun = true;
    this.hooks.changed(this, false);
  }

  private async livenessFailed(): Promise<void> {
    if (this.retiring || this.killing || this.pid === null) return;
    this.killing = true;
    this.hooks.log('liveness failed: restarting', {
      app: this.app,
      instance: this.id,
      probe: this.lastProbe,
    });
    await this.endProcess(false);
    this.killing = false;
  }

  /** Take the instance out of traffic, drain if it was serving, then end its process group. */
  private async endProcess(wholeGroup: boolean): Promise<void> {
    this.stopProbes();
    const wasServing = this.servedThisRun && this.pid !== null;
    this.ready = false;
    this.phase = 'stopping';
    this.hooks.changed(this, false);
    const { drainTimeoutMs, stopGraceMs } = this.hooks.timings();
    if (wasServing) {
      await boundedDrain(
        () => this.hooks.drain(this.app, this.id, drainTimeoutMs),
        drainTimeoutMs,
        (error) => this.hooks.log('drain failed', { app: this.app, instance: this.id, error: String(error) }),
      );
    }
    const pgid = this.pid;
    if (pgid === null) return;
    const outcome = await terminateGroup({
      pgid,
      leaderStart: this.procStart,
      graceMs: stopGraceMs,
      wholeGroup,
      leaderGone: () => {
        // An adopted leader sends no exit event: look at /proc ourselves.
        if (this.pid === pgid && this.child === null && !isRunning(pgid, this.procStart))
          this.exited(null, null);
        return this.pid !== pgid;
      },
    });
    if (outcome !== 'exited') {
      this.hooks.log(`process group ${outcome === 'killed' ? 'killed with SIGKILL' : 'did not exit'}`, {
        app: this.app,
        instance: this.id,
        pgid,
        signal: 'SIGKILL',
      });
    }
  }

  private async runStop(): Promise<void> {
    this.retiring = true;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    await this.endProcess(true);
    this.clearTimers();
    this.phase = 'stopped';
    this.hooks.changed(this, true);
  }

  private exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.detached) return;
    const pgid = this.pid;
    const leaderStart = this.procStart;
    const upMs = this.startedAtMs !== null ? Date.now() - this.startedAtMs : 0;
    this.stopProbes();
    if (this.watchTimer !== null) clearInterval(this.watchTimer);
    this.watchTimer = null;
    this.child = null;
    this.pid = null;
    this.procStart = null;
    this.startedAtMs = null;
    this.ready = false;
    this.readinessUnknown = false;
    this.lastExit = { code, signal, at: new Date().toISOString() };
    if (this.retiring) {
      this.hooks.changed(this, true);
      return;
    }
    // Whatever the dead process started would keep the port busy: the group goes with its leader.
    if (pgid !== null && groupIsOurs(pgid, leaderStart)) signalGroup(pgid, 'SIGKILL');
    const { delayMs, crashLooping } = this.tracker.onExit(Date.now(), upMs);
    this.phase = crashLooping ? 'crashLoop' : 'backoff';
    this.hooks.log('instance exited', {
      app: this.app,
      instance: this.id,
      code,
      signal,
      restartInMs: delayMs,
    });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.restarts += 1;
      this.adopted = false;
      void this.launch();
    }, delayMs);
    this.restartTimer.unref();
    this.hooks.changed(this, true);
  }

  private stopProbes(): void {
    for (const probe of this.probes) probe.stop();
    this.probes = [];
  }

  private clearTimers(): void {
    this.stopProbes();
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    if (this.watchTimer !== null) clearInterval(this.watchTimer);
    this.restartTimer = null;
    this.watchTimer = null;
  }
}
