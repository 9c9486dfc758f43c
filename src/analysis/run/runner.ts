// The analysis runner: the side-effecting half of analysis. For every run the engine says is active it
// measures threshold and compare metrics when they are due (through the metric providers, or over the
// router's stream), and feeds the stream to the sequential metrics. Every result goes back to the engine as a
// pure change of the run's state (run-state.ts), which the engine persists with the release and its events, so
// the run survives a restart. Sequential metrics are judged in memory on every bucket (a shadow of the
// persisted state); the buckets are persisted at once when one decides, otherwise with a snapshot every
// interval, so a broken canary is acted on within one bucket while a healthy one costs one write per interval.
import type { Clock } from '../../engine/clock.js';
import type { AnalysisMetricSpec, CompiledSpec } from '../../spec/compiled.js';
import type { StatsBucket } from '../../targets/local/types.js';
import type { Target } from '../../targets/target.js';
import type { Measurement } from '../measurement.js';
import { compileMetricSource, type CompiledMetricSource } from '../providers/registry.js';
import {
  compareMeasurement,
  nextDue,
  observeStream,
  recordMeasurement,
  recordSnapshot,
  runMetrics,
  sequentialSnapshot,
  type AnalysisRunState,
} from './run-state.js';

export interface JudgedMeasurement {
  /** template/metric */
  metric: string;
  measurement: Measurement;
  dryRun: boolean;
}

export type RunChange = (run: AnalysisRunState) => { run: AnalysisRunState; measured: JudgedMeasurement[] };

export interface AnalysisRunnerOptions {
  target: Target;
  clock: Clock;
  /**
   * Applies a change to a run of an active release and persists it, serialised with the engine's own work.
   * Resolves with the persisted run, or undefined when the release or the run is gone.
   */
  apply(releaseId: number, key: string, change: RunChange): Promise<AnalysisRunState | undefined>;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

/** How long the stream keeps buckets for compare windows at most. */
const MAX_WINDOW_MS = 5 * 60_000;
const RESUBSCRIBE_MS = 1_000;

interface ActiveRun {
  releaseId: number;
  app: string;
  key: string;
  metrics: Map<string, AnalysisMetricSpec>;
  sources: Map<string, CompiledMetricSource>;
  timers: Map<string, () => void>;
  inFlight: Set<string>;
  abort: AbortController;
  /** The persisted state with the unpersisted buckets folded in. */
  shadow: AnalysisRunState;
  pending: StatsBucket[];
  flushing: boolean;
  snapshotCancel: (() => void) | undefined;
  needsStream: boolean;
}

interface AppStream {
  abort: AbortController;
  buckets: StatsBucket[];
  runs: Set<ActiveRun>;
  keepMs: number;
}

const runId = (releaseId: number, key: string): string => `${releaseId}:${key}`;

export class AnalysisRunner {
  private readonly runs = new Map<string, ActiveRun>();
  private readonly streams = new Map<string, AppStream>();
  /** Measurements and flushes under way (idle waits for them). */
  private readonly work = new Set<Promise<void>>();
  private readonly log: NonNullable<AnalysisRunnerOptions['log']>;

  constructor(private readonly opts: AnalysisRunnerOptions) {
    this.log = opts.log ?? (() => {});
  }

  /**
   * The runs of a release that are active now (those of its current step), with their persisted state; every
   * other run of the release stops. Idempotent: called on every reconcile.
   */
  sync(releaseId: number, spec: CompiledSpec, active: AnalysisRunState[]): void {
    const wanted = new Set(active.filter((r) => r.verdict.phase === 'running').map((r) => r.key));
    for (const run of [...this.runs.values()]) {
      if (run.releaseId === releaseId && !wanted.has(run.key)) this.stopRun(run);
    }
    for (const state of active) {
      if (!wanted.has(state.key)) continue;
      const id = runId(releaseId, state.key);
      let run = this.runs.get(id);
      if (!run) {
        run = this.startRun(releaseId, spec, state);
        this.runs.set(id, run);
      } else if (run.pending.length === 0 && !run.flushing) {
        run.shadow = state;
      }
      this.schedule(run);
    }
  }

  stopRelease(releaseId: number): void {
    for (const run of [...this.runs.values()]) if (run.releaseId === releaseId) this.stopRun(run);
  }

  stopAll(): void {
    for (const run of [...this.runs.values()]) this.stopRun(run);
  }

  /** Resolves once no measurement or flush is under way. */
  async idle(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  get busy(): boolean {
    return this.work.size > 0;
  }

  private track(promise: Promise<void>): void {
    this.work.add(promise);
    void promise.finally(() => this.work.delete(promise));
  }

  /** Active runs (for tests and metrics). */
  activeRuns(): Array<{ releaseId: number; key: string }> {
    return [...this.runs.values()].map((r) => ({ releaseId: r.releaseId, key: r.key }));
  }

  private startRun(releaseId: number, spec: CompiledSpec, state: AnalysisRunState): ActiveRun {
    const metrics = runMetrics(spec.analysis, state.templates);
    const run: ActiveRun = {
      releaseId,
      app: spec.name,
      key: state.key,
      metrics,
      sources: new Map(),
      timers: new Map(),
      inFlight: new Set(),
      abort: new AbortController(),
      shadow: state,
      pending: [],
      flushing: false,
      snapshotCancel: undefined,
      needsStream: [...metrics.values()].some((m) => m.judge.kind !== 'threshold'),
    };
    for (const [key, metric] of metrics) {
      if (metric.source === null) continue;
      try {
        const { kind, config, query } = metric.source;
        run.sources.set(
          key,
          compileMetricSource(metric.name, { kind, config, query }, { stats: (app) => this.statsOf(app) }),
        );
      } catch (error) {
        this.log('analysis metric cannot be measured', { metric: key, error: String(error) });
      }
    }
    if (run.needsStream) this.follow(run);
    this.scheduleSnapshot(run);
    return run;
  }

  private async statsOf(app: string) {
    const stats = await this.opts.target.stats(app);
    if (!stats) throw new Error(`the ${this.opts.target.name} target keeps no statistics`);
    return stats;
  }

  private stopRun(run: ActiveRun): void {
    this.runs.delete(runId(run.releaseId, run.key));
    run.abort.abort();
    for (const cancel of run.timers.values()) cancel();
    run.timers.clear();
    run.snapshotCancel?.();
    const stream = this.streams.get(run.app);
    if (stream) {
      stream.runs.delete(run);
      if (stream.runs.size === 0) {
        stream.abort.abort();
        this.streams.delete(run.app);
      }
    }
  }

  private isLive(run: ActiveRun): boolean {
    return this.runs.get(runId(run.releaseId, run.key)) === run;
  }

  // --- threshold and compare metrics: one timer each, at the time the judge says the next is due ---

  private schedule(run: ActiveRun): void {
    for (const [key, metric] of run.metrics) {
      if (metric.judge.kind === 'sequential' || run.timers.has(key) || run.inFlight.has(key)) continue;
      const due = nextDue(run.shadow, key, metric);
      if (due === null) continue;
      const cancel = this.opts.clock.setTimer(due - this.opts.clock.now(), () => {
        run.timers.delete(key);
        this.track(this.measure(run, key, metric));
      });
      run.timers.set(key, cancel);
    }
  }

  private async measure(run: ActiveRun, key: string, metric: AnalysisMetricSpec): Promise<void> {
    if (!this.isLive(run)) return;
    run.inFlight.add(key);
    try {
      const m = await this.measurementOf(run, key, metric);
      if (!this.isLive(run)) return;
      const saved = await this.opts.apply(run.releaseId, run.key, (state) => {
        const { state: next, judged } = recordMeasurement(state, key, metric, m);
        return {
          run: next,
          measured: judged ? [{ metric: key, measurement: judged, dryRun: metric.dryRun }] : [],
        };
      });
      if (saved === undefined) return this.stopRun(run);
      if (run.pending.length === 0 && !run.flushing) run.shadow = saved;
      else run.shadow = { ...run.shadow, metrics: { ...run.shadow.metrics, [key]: saved.metrics[key]! } };
    } catch (error) {
      this.log('analysis measurement could not be recorded', { metric: key, error: String(error) });
    } finally {
      run.inFlight.delete(key);
    }
    if (this.isLive(run)) this.schedule(run);
  }

  private async measurementOf(run: ActiveRun, key: string, metric: AnalysisMetricSpec): Promise<Measurement> {
    const now = this.opts.clock.now();
    const state = run.shadow;
    if (metric.judge.kind === 'compare') {
      const buckets = this.streams.get(run.app)?.buckets ?? [];
      return compareMeasurement(metric, state, buckets, now);
    }
    const source = run.sources.get(key);
    const at = new Date(now).toISOString();
    if (!source || !metric.source) {
      return {
        metric: metric.name,
        phase: 'error',
        value: null,
        startedAt: at,
        finishedAt: at,
        message: 'the metric source could not be compiled',
      };
    }
    const role = metric.source.role;
    const version = role === 'stable' ? state.stable : state.canary;
    if (version === null) {
      return {
        metric: metric.name,
        phase: 'inconclusive',
        value: null,
        startedAt: at,
        finishedAt: at,
        message: 'no stable version to measure',
      };
    }
    return source.provider.measure(source.query, {
      app: run.app,
      version,
      role,
      windowMs: metric.intervalMs,
      now,
      signal: run.abort.signal,
    });
  }

  // --- the router's stream: compare windows and sequential metrics ---

  private follow(run: ActiveRun): void {
    let stream = this.streams.get(run.app);
    const keepMs = Math.max(
      0,
      ...[...run.metrics.values()].map((m) => (m.judge.kind === 'compare' ? m.judge.windowMs : 0)),
    );
    if (!stream) {
      stream = { abort: new AbortController(), buckets: [], runs: new Set(), keepMs };
      this.streams.set(run.app, stream);
      void this.subscribe(run.app, stream);
    }
    stream.keepMs = Math.min(MAX_WINDOW_MS, Math.max(stream.keepMs, keepMs));
    stream.runs.add(run);
  }

  private async subscribe(app: string, stream: AppStream): Promise<void> {
    const { target } = this.opts;
    if (!target.streamStats) {
      this.log('the target has no statistics stream: stream judges will have no data', { app });
      return;
    }
    while (!stream.abort.signal.aborted) {
      try {
        await target.streamStats(app, (bucket) => this.onBucket(stream, bucket), stream.abort.signal);
      } catch (error) {
        if (stream.abort.signal.aborted) return;
        this.log('statistics stream lost; following it again', { app, error: String(error) });
      }
      if (stream.abort.signal.aborted) return;
      await new Promise<void>((resolve) => this.opts.clock.setTimer(RESUBSCRIBE_MS, resolve));
    }
  }

  private onBucket(stream: AppStream, bucket: StatsBucket): void {
    stream.buckets.push(bucket);
    const horizon = bucket.end - stream.keepMs;
    let drop = 0;
    while (drop < stream.buckets.length && stream.buckets[drop]!.end < horizon) drop++;
    if (drop > 0) stream.buckets.splice(0, drop);
    for (const run of stream.runs) {
      if (bucket.end <= run.shadow.startedAt || run.shadow.verdict.phase !== 'running') continue;
      const { state, decided } = observeStream(run.shadow, run.metrics, bucket);
      if (state === run.shadow) continue;
      run.pending.push(bucket);
      run.shadow = state;
      if (decided.length > 0) this.track(this.flush(run, false));
    }
  }

  private scheduleSnapshot(run: ActiveRun): void {
    const intervals = [...run.metrics.values()]
      .filter((m) => m.judge.kind === 'sequential')
      .map((m) => m.intervalMs);
    if (intervals.length === 0) return;
    run.snapshotCancel = this.opts.clock.setTimer(Math.min(...intervals), () => {
      if (!this.isLive(run)) return;
      this.track(
        this.flush(run, true).finally(() => {
          if (this.isLive(run)) this.scheduleSnapshot(run);
        }),
      );
    });
  }

  /** Persists the pending buckets (and, for a snapshot, where each sequential metric stands). */
  private async flush(run: ActiveRun, snapshot: boolean): Promise<void> {
    if (run.flushing) return;
    run.flushing = true;
    const buckets = run.pending;
    run.pending = [];
    const now = this.opts.clock.now();
    try {
      const saved = await this.opts.apply(run.releaseId, run.key, (state) => {
        let next = state;
        for (const bucket of buckets) next = observeStream(next, run.metrics, bucket).state;
        const measured: JudgedMeasurement[] = [];
        for (const [key, metric] of Object.entries(next.metrics)) {
          const before = state.metrics[key];
          const decidedNow = before?.verdict.phase === 'running' && metric.verdict.phase !== 'running';
          if (!metric.sequential || (!snapshot && !decidedNow)) continue;
          if (before?.verdict.phase !== 'running') continue;
          const m = sequentialSnapshot(metric, now);
          next = recordSnapshot(next, key, m);
          measured.push({ metric: key, measurement: m, dryRun: metric.dryRun });
        }
        return { run: next, measured };
      });
      if (saved === undefined) return this.stopRun(run);
      let shadow = saved;
      for (const bucket of run.pending) shadow = observeStream(shadow, run.metrics, bucket).state;
      run.shadow = shadow;
    } catch (error) {
      run.pending = [...buckets, ...run.pending];
      this.log('analysis stream state could not be recorded', { run: run.key, error: String(error) });
    } finally {
      run.flushing = false;
    }
    if (this.isLive(run) && run.pending.length > 0 && run.shadow.verdict.phase !== 'running') {
      this.track(this.flush(run, false));
    }
  }
}
