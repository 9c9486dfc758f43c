// Restart pacing for one instance: exponential backoff that resets after a stable run, and crash-loop
// detection. Pure: the caller passes the clock, so it is tested without sleeping.

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** An instance that stayed up this long is considered healthy again: backoff and crash loop reset. */
  resetAfterMs: number;
}

export interface CrashLoopPolicy {
  restarts: number;
  withinMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, resetAfterMs: 10_000 };
export const DEFAULT_CRASH_LOOP: CrashLoopPolicy = { restarts: 3, withinMs: 60_000 };

export class RestartTracker {
  private consecutive = 0;
  private recent: number[] = [];
  private looping = false;

  constructor(
    private readonly backoff: BackoffPolicy,
    private readonly crashLoop: CrashLoopPolicy,
  ) {}

  /**
   * Record an exit at `now` of a process that had been up `upMs`, and decide the delay before the restart.
   * Once in a crash loop the delay is the cap, until a run lasts resetAfterMs.
   */
  onExit(now: number, upMs: number): { delayMs: number; crashLooping: boolean } {
    if (upMs >= this.backoff.resetAfterMs) this.reset();
    this.recent.push(now);
    this.recent = this.recent.filter((t) => now - t <= this.crashLoop.withinMs);
    if (this.recent.length >= this.crashLoop.restarts) this.looping = true;
    const exponential = this.backoff.initialMs * 2 ** Math.min(this.consecutive, 30);
    const delayMs = this.looping ? this.backoff.maxMs : Math.min(this.backoff.maxMs, exponential);
    this.consecutive += 1;
    return { delayMs, crashLooping: this.looping };
  }

  /** Whether the instance counts as crash looping; `upMs` is the current run's length, null when not running. */
  crashLooping(upMs: number | null): boolean {
    if (this.looping && upMs !== null && upMs >= this.backoff.resetAfterMs) this.reset();
    return this.looping;
  }

  private reset(): void {
    this.consecutive = 0;
    this.recent = [];
    this.looping = false;
  }
}
