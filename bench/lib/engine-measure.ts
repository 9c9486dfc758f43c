// What the engine benchmark measures besides the engine's own onStepLatency: percentiles, peak RSS (sampled,
// and the kernel's high-water mark), event-loop delay, and a watcher over the engine's onChange that counts
// finished releases and times ready-waits (the fake turning a step's sets ready → the next step starting).
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { FINAL_PHASES, type Release } from '../../src/engine/model.js';
import type { ReadyTrackingTarget } from './engine-fixture.js';

export interface Distribution {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

const round = (n: number): number => Math.round(n * 100) / 100;

/** Nearest-rank percentiles of `samples`, in their unit, rounded to 0.01. */
export function distribution(samples: readonly number[]): Distribution {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  const sum = sorted.reduce((s, n) => s + n, 0);
  return {
    count: sorted.length,
    p50: round(at(50)),
    p90: round(at(90)),
    p99: round(at(99)),
    max: round(sorted[sorted.length - 1] ?? 0),
    mean: round(sorted.length ? sum / sorted.length : 0),
  };
}

const MB = 1024 * 1024;

/** Samples RSS and heap every `everyMs`; a blocked event loop delays samples, so maxRSS is kept as well. */
export class MemorySampler {
  private timer: NodeJS.Timeout | undefined;
  peakRssBytes = 0;
  peakHeapUsedBytes = 0;
  samples = 0;

  start(everyMs: number): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  sample(): void {
    const { rss, heapUsed } = process.memoryUsage();
    this.peakRssBytes = Math.max(this.peakRssBytes, rss);
    this.peakHeapUsedBytes = Math.max(this.peakHeapUsedBytes, heapUsed);
    this.samples += 1;
  }

  stop(): { sampledPeakRssMB: number; maxRssMB: number; peakHeapUsedMB: number; samples: number } {
    clearInterval(this.timer);
    this.sample();
    return {
      sampledPeakRssMB: round(this.peakRssBytes / MB),
      // getrusage's ru_maxrss, in KiB on Linux: the process's high-water mark since it started.
      maxRssMB: round((process.resourceUsage().maxRSS * 1024) / MB),
      peakHeapUsedMB: round(this.peakHeapUsedBytes / MB),
      samples: this.samples,
    };
  }
}

/** Event-loop delay (how late a 10 ms timer runs), in ms. */
export function startLoopDelay(): { histogram: IntervalHistogram; read: () => Distribution } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const ms = (ns: number): number => round(ns / 1e6);
  return {
    histogram,
    read: () => ({
      count: histogram.count,
      p50: ms(histogram.percentile(50)),
      p90: ms(histogram.percentile(90)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
      mean: ms(histogram.mean),
    }),
  };
}

interface Seen {
  stepIndex: number;
  stepStartedAt: number;
}

/**
 * Follows releases through the engine's onChange. When a release leaves a step, the delay from the step being
 * due to the next step starting is recorded: for a ready-wait, due is when the fake reported the sets ready
 * (never before the step itself started); a step that waits for nothing is due as it starts; for duration
 * steps (timed by the engine itself) due → persisted, as onChange runs after the write.
 */
export class ReleaseWatcher {
  private readonly seen = new Map<number, Seen>();
  private readonly finished = new Map<string, number>();
  private waiting: { count: number; resolve: () => void } | undefined;
  readyWaitMs: number[] = [];
  durationDueToPersistedMs: number[] = [];
  readyDueToPersistedMs: number[] = [];
  /** Steps that wait for nothing: due as they start. */
  noWaitMs: number[] = [];
  lastFinishAt = 0;
  /** Releases created and not yet finished: now, and the most at once since resetSamples. */
  active = 0;
  peakActive = 0;

  constructor(private readonly target: ReadyTrackingTarget) {}

  /** Resets the samples (the finished counts stay). */
  resetSamples(): void {
    this.readyWaitMs = [];
    this.durationDueToPersistedMs = [];
    this.readyDueToPersistedMs = [];
    this.noWaitMs = [];
    this.peakActive = this.active;
  }

  created(release: Release): void {
    this.active += 1;
    this.peakActive = Math.max(this.peakActive, this.active);
    if (this.seen.has(release.id)) return;
    this.seen.set(release.id, {
      stepIndex: release.stepIndex,
      stepStartedAt: Date.parse(release.stepStartedAt),
    });
  }

  readonly onChange = (release: Release): void => {
    const persistedAt = Date.now();
    const before = this.seen.get(release.id);
    const startedAt = Date.parse(release.stepStartedAt);
    if (before && release.phase !== 'rollingBack' && release.stepIndex !== before.stepIndex) {
      const left = release.plan[before.stepIndex];
      if (left?.wait.kind === 'ready') {
        const readyAt = this.target.readyAt(release.app, left);
        if (readyAt !== null) {
          const due = Math.max(readyAt, before.stepStartedAt);
          this.readyWaitMs.push(startedAt - due);
          this.readyDueToPersistedMs.push(persistedAt - due);
        }
      } else if (left?.wait.kind === 'none') {
        this.noWaitMs.push(startedAt - before.stepStartedAt);
      } else if (left?.wait.kind === 'duration') {
        this.durationDueToPersistedMs.push(persistedAt - (before.stepStartedAt + left.wait.ms));
      }
    }
    this.seen.set(release.id, { stepIndex: release.stepIndex, stepStartedAt: startedAt });
    if (FINAL_PHASES.has(release.phase)) {
      this.seen.delete(release.id);
      this.active -= 1;
      this.finished.set(release.phase, (this.finished.get(release.phase) ?? 0) + 1);
      this.lastFinishAt = persistedAt;
      if (this.waiting && this.total() >= this.waiting.count) this.waiting.resolve();
    }
  };

  total(): number {
    return [...this.finished.values()].reduce((s, n) => s + n, 0);
  }

  count(phase: string): number {
    return this.finished.get(phase) ?? 0;
  }

  outcomes(): Record<string, number> {
    return Object.fromEntries(this.finished);
  }

  /** Resolves once `count` releases in all have finished; rejects after timeoutMs. */
  async finishedCount(count: number, timeoutMs: number): Promise<void> {
    if (this.total() >= count) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve) => (this.waiting = { count, resolve })),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`only ${this.total()} of ${count} releases finished in ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
      this.waiting = undefined;
    }
  }
}
