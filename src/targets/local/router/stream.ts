// The low-latency stats stream of one app: while at least one subscriber listens, every 100 ms each version's
// recorder hands over the counts and raw latencies of the bucket, and subscribers get one StatsBucket.
// With no subscriber the recorders do not collect bucket data at all.
import type { StatsBucket } from '../types.js';
import type { VersionRecorder } from './stats.js';

export const BUCKET_MS = 100;

export class StatsStream {
  private readonly subscribers = new Set<(b: StatsBucket) => void>();
  private timer: NodeJS.Timeout | null = null;
  private bucketStart = 0;

  constructor(
    private readonly app: string,
    private readonly recorders: () => Iterable<VersionRecorder>,
    private readonly log: (msg: string, fields?: Record<string, unknown>) => void,
    private readonly onActive?: (active: boolean) => void,
  ) {}

  get active(): boolean {
    return this.subscribers.size > 0;
  }

  subscribe(onBucket: (b: StatsBucket) => void): () => void {
    this.subscribers.add(onBucket);
    if (this.timer === null) this.start();
    return () => {
      this.subscribers.delete(onBucket);
      if (this.subscribers.size === 0) this.stop();
    };
  }

  stop(): void {
    this.subscribers.clear();
    if (this.timer === null) return;
    clearInterval(this.timer);
    this.timer = null;
    this.onActive?.(false);
    for (const r of this.recorders()) {
      r.streaming = false;
      r.takeBucket();
    }
  }

  private start(): void {
    for (const r of this.recorders()) {
      r.takeBucket();
      r.streaming = true;
    }
    this.bucketStart = Date.now();
    this.timer = setInterval(() => this.emit(), BUCKET_MS);
    this.timer.unref();
    this.onActive?.(true);
  }

  private emit(): void {
    const end = Date.now();
    const bucket: StatsBucket = { app: this.app, start: this.bucketStart, end, versions: {} };
    for (const r of this.recorders()) {
      // A recorder created since the stream started begins collecting now.
      if (!r.streaming) {
        r.streaming = true;
        continue;
      }
      bucket.versions[r.version] = r.takeBucket();
    }
    this.bucketStart = end;
    for (const s of [...this.subscribers]) {
      try {
        s(bucket);
      } catch (err) {
        this.log('stats subscriber threw', { app: this.app, error: String(err) });
      }
    }
  }
}
