// Deadlines of the fast engine's connections (headers, keep-alive idle, request body, upstream answer), checked
// by one sweep every few tens of milliseconds, as node:http checks its own timeouts: the hot path only writes a
// number, instead of arming and clearing a timer per request.

export interface HasDeadline {
  /** performance.now() time at which `expire` is due; Infinity for none. */
  deadline: number;
  expire(now: number): void;
}

export class DeadlineSet<T extends HasDeadline> {
  private readonly items = new Set<T>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private intervalMs: number) {}

  /** Takes effect at the next (re)start of the sweep. */
  setInterval(ms: number): void {
    if (ms === this.intervalMs) return;
    this.intervalMs = ms;
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
      this.start();
    }
  }

  add(item: T): void {
    this.items.add(item);
    if (this.timer === null) this.start();
  }

  delete(item: T): void {
    this.items.delete(item);
    if (this.items.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  get size(): number {
    return this.items.size;
  }

  values(): IterableIterator<T> {
    return this.items.values();
  }

  private start(): void {
    this.timer = setInterval(() => this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  private sweep(): void {
    const now = performance.now();
    for (const item of [...this.items]) if (item.deadline <= now) item.expire(now);
  }
}
