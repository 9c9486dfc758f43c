// Per-version request statistics, recorded on the hot path with a few number increments: cumulative counts,
// a ring of per-second slots covering 5 minutes (read as 10s / 1m / 5m windows), and, only while someone
// subscribes, the counts and raw latencies of the current stream bucket. Slots are keyed by wall-clock second
// so that router worker processes can ship their changes (exportDelta) to the primary (mergeDelta).
import type { VersionStats, VersionWindowStats } from '../types.js';
import { BOUNDS_MS, BUCKETS, bucketOf, summarize } from './histogram.js';

/** Outcome passed to `record` instead of a status: the router answered 502/504 itself. */
export const UPSTREAM_ERROR = -1;
/** Outcome passed to `record` instead of a status: the client went away before any response. */
export const CLIENT_GONE = 0;

/** Raw latencies kept per version per stream bucket; beyond it only the counts grow. */
export const BUCKET_LATENCY_CAP = 2000;

const SLOTS = 300;
// Layout of one slot (and of the cumulative record): counters, then the histogram.
const REQUESTS = 0;
const CLASS_BASE = 0; // status class n (1..5) is at index n
const UPSTREAM = 6;
const TIMED = 7; // requests with a latency sample
const SUM_MS = 8;
const HIST = 9;
const STRIDE = HIST + BUCKETS;

const WINDOWS = { '10s': 10, '1m': 60, '5m': 300 } as const;

// performance.now() is per process; adding the origin makes seconds comparable between processes.
const ORIGIN = performance.timeOrigin;

/** What changed in a recorder since its last export, for the primary to merge. */
export interface RecorderDelta {
  version: string;
  /** [epoch second, slot values] for each second that changed. */
  slots: [number, number[]][];
  mirrored: number;
  retriedOnStable: number;
  bucket: BucketCounts | null;
}

export interface BucketCounts {
  requests: number;
  errors: number;
  upstreamErrors: number;
  latenciesMs: number[];
}

export class VersionRecorder {
  readonly version: string;
  mirrored = 0;
  retriedOnStable = 0;
  /** Set by the stream while it has subscribers: then `record` also fills the current bucket. */
  streaming = false;

  private readonly cumulative = new Float64Array(STRIDE);
  private readonly ring = new Float64Array(SLOTS * STRIDE);
  private readonly slotSecond = new Float64Array(SLOTS).fill(-1);
  private currentSecond = -1;
  private currentBase = 0;
  /** The latest epoch second with data (recorded here or merged). */
  lastSecond = -1;

  private bucketRequests = 0;
  private bucketErrors = 0;
  private bucketUpstream = 0;
  private bucketLatencies: number[] = [];

  // Export bookkeeping (worker processes only): what was already shipped, per slot.
  private exported: Float64Array | null = null;
  private exportedSecond: Float64Array | null = null;
  private exportedUpTo = -1;
  private exportedCounters = [0, 0];

  constructor(version: string) {
    this.version = version;
  }

  /**
   * One finished request. `outcome` is the HTTP status the client got from the upstream, or UPSTREAM_ERROR,
   * or CLIENT_GONE (counted as a request, without latency). `nowMs` is performance.now() at the end.
   */
  record(outcome: number, latencyMs: number, nowMs: number): void {
    const second = Math.floor((nowMs + ORIGIN) / 1000);
    const base = second === this.currentSecond ? this.currentBase : this.rotate(second);
    const ring = this.ring;
    const cum = this.cumulative;
    ring[base + REQUESTS]! += 1;
    cum[REQUESTS]! += 1;
    if (outcome === CLIENT_GONE) {
      if (this.streaming) this.bucketRequests += 1;
      return;
    }
    const k = outcome === UPSTREAM_ERROR ? UPSTREAM : CLASS_BASE + classOf(outcome);
    ring[base + k]! += 1;
    cum[k]! += 1;
    const h = HIST + bucketOf(latencyMs);
    ring[base + h]! += 1;
    cum[h]! += 1;
    ring[base + TIMED]! += 1;
    cum[TIMED]! += 1;
    ring[base + SUM_MS]! += latencyMs;
    cum[SUM_MS]! += latencyMs;
    if (this.streaming) {
      this.bucketRequests += 1;
      if (outcome === UPSTREAM_ERROR) {
        this.bucketUpstream += 1;
        this.bucketErrors += 1;
      } else if (outcome >= 500) this.bucketErrors += 1;
      if (this.bucketLatencies.length < BUCKET_LATENCY_CAP) this.bucketLatencies.push(latencyMs);
    }
  }

  /** Moves the current slot to `second`, clearing it when it still holds an older second. */
  private rotate(second: number): number {
    const index = second % SLOTS;
    const base = index * STRIDE;
    if (this.slotSecond[index] !== second) {
      this.ring.fill(0, base, base + STRIDE);
      this.slotSecond[index] = second;
    }
    this.currentSecond = second;
    this.currentBase = base;
    this.lastSecond = Math.max(this.lastSecond, second);
    return base;
  }

  /** Whether nothing was recorded in the last 5 minutes (every window is empty). */
  idleAt(nowMs: number): boolean {
    return this.lastSecond <= Math.floor((nowMs + ORIGIN) / 1000) - SLOTS;
  }

  /** Counts of the stream bucket since the last call, then starts a new one. */
  takeBucket(): BucketCounts {
    const out = {
      requests: this.bucketRequests,
      errors: this.bucketErrors,
      upstreamErrors: this.bucketUpstream,
      latenciesMs: this.bucketLatencies,
    };
    this.bucketRequests = 0;
    this.bucketErrors = 0;
    this.bucketUpstream = 0;
    this.bucketLatencies = [];
    return out;
  }

  /** Cumulative counters for the Prometheus collectors (no windows, no quantiles). */
  totals(): { classes: number[]; upstreamErrors: number; histogram: number[]; sumMs: number; timed: number } {
    const cum = this.cumulative;
    return {
      classes: [cum[1]!, cum[2]!, cum[3]!, cum[4]!, cum[5]!],
      upstreamErrors: cum[UPSTREAM]!,
      histogram: Array.from(cum.subarray(HIST, HIST + BUCKETS)),
      sumMs: cum[SUM_MS]!,
      timed: cum[TIMED]!,
    };
  }

  /** Cumulative and windowed statistics as of `nowMs` (performance.now()). */
  snapshot(nowMs: number): VersionStats {
    const nowSecond = Math.floor((nowMs + ORIGIN) / 1000);
    const windows = {} as VersionStats['windows'];
    for (const [name, seconds] of Object.entries(WINDOWS) as [keyof typeof WINDOWS, number][]) {
      windows[name] = toWindowStats(this.sumWindow(nowSecond, seconds), 0);
    }
    return {
      version: this.version,
      cumulative: toWindowStats(this.cumulative, 0),
      windows,
      mirrored: this.mirrored,
      retriedOnStable: this.retriedOnStable,
    };
  }

  /** The changes since the previous call (the first call covers the whole ring). */
  exportDelta(nowMs: number): RecorderDelta {
    const nowSecond = Math.floor((nowMs + ORIGIN) / 1000);
    const exported = (this.exported ??= new Float64Array(SLOTS * STRIDE));
    const exportedSecond = (this.exportedSecond ??= new Float64Array(SLOTS).fill(-1));
    const slots: [number, number[]][] = [];
    const from = Math.max(this.exportedUpTo, nowSecond - SLOTS + 1);
    for (let s = from; s <= nowSecond; s++) {
      const index = s % SLOTS;
      if (this.slotSecond[index] !== s) continue;
      const base = index * STRIDE;
      if (exportedSecond[index] !== s) {
        exported.fill(0, base, base + STRIDE);
        exportedSecond[index] = s;
      }
      let changed = false;
      const diff = new Array<number>(STRIDE);
      for (let i = 0; i < STRIDE; i++) {
        const d = this.ring[base + i]! - exported[base + i]!;
        diff[i] = d;
        if (d !== 0) changed = true;
      }
      if (!changed) continue;
      exported.set(this.ring.subarray(base, base + STRIDE), base);
      slots.push([s, diff]);
    }
    this.exportedUpTo = nowSecond;
    const [mirrored, retried] = this.exportedCounters as [number, number];
    this.exportedCounters = [this.mirrored, this.retriedOnStable];
    return {
      version: this.version,
      slots,
      mirrored: this.mirrored - mirrored,
      retriedOnStable: this.retriedOnStable - retried,
      bucket: this.streaming ? this.takeBucket() : null,
    };
  }

  /** Adds another process's changes: to the cumulative counts always, to the ring while still in it. */
  mergeDelta(delta: RecorderDelta): void {
    for (const [second, values] of delta.slots) {
      this.lastSecond = Math.max(this.lastSecond, second);
      const index = second % SLOTS;
      const base = index * STRIDE;
      const held = this.slotSecond[index]!;
      const inRing = held <= second;
      if (held < second) {
        this.ring.fill(0, base, base + STRIDE);
        this.slotSecond[index] = second;
        if (this.currentSecond === held) this.currentSecond = -1;
      }
      for (let i = 0; i < STRIDE; i++) {
        const v = values[i] ?? 0;
        this.cumulative[i]! += v;
        if (inRing) this.ring[base + i]! += v;
      }
    }
    this.mirrored += delta.mirrored;
    this.retriedOnStable += delta.retriedOnStable;
    const b = delta.bucket;
    if (b !== null && this.streaming) {
      this.bucketRequests += b.requests;
      this.bucketErrors += b.errors;
      this.bucketUpstream += b.upstreamErrors;
      for (const ms of b.latenciesMs) {
        if (this.bucketLatencies.length >= BUCKET_LATENCY_CAP) break;
        this.bucketLatencies.push(ms);
      }
    }
  }

  /** Sum of the slots for the `seconds` seconds ending with `nowSecond` (the current, partial one included). */
  private sumWindow(nowSecond: number, seconds: number): Float64Array {
    const out = new Float64Array(STRIDE);
    for (let s = nowSecond - seconds + 1; s <= nowSecond; s++) {
      if (s < 0) continue;
      const index = s % SLOTS;
      if (this.slotSecond[index] !== s) continue;
      const base = index * STRIDE;
      for (let i = 0; i < STRIDE; i++) out[i]! += this.ring[base + i]!;
    }
    return out;
  }
}

function classOf(status: number): number {
  const c = (status / 100) | 0;
  return c < 1 ? 1 : c > 5 ? 5 : c;
}

function toWindowStats(record: Float64Array, base: number): VersionWindowStats {
  const requests = record[base + REQUESTS]!;
  const fivexx = record[base + 5]!;
  const upstreamErrors = record[base + UPSTREAM]!;
  const timed = record[base + TIMED]!;
  return {
    requests,
    responses: {
      '1xx': record[base + 1]!,
      '2xx': record[base + 2]!,
      '3xx': record[base + 3]!,
      '4xx': record[base + 4]!,
      '5xx': fivexx,
    },
    upstreamErrors,
    errorRate: requests > 0 ? (fivexx + upstreamErrors) / requests : null,
    latency: summarize(record, base + HIST, timed, record[base + SUM_MS]!),
    histogram: {
      boundsMs: [...BOUNDS_MS],
      counts: Array.from(record.subarray(base + HIST, base + HIST + BUCKETS)),
    },
  };
}
