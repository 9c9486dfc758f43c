// Maintenance `hold`: requests wait (bounded in number and in time) until maintenance ends, then are routed
// as if they had just arrived; past holdMs, or beyond the bound, they get 503 with Retry-After. A held request
// is engine-neutral (a Holdable): each engine says how to answer it, route it, and notice its client leaving.
import type { MaintenanceSpec } from '../types.js';

export interface Holdable {
  /** Answers 503 maintenance with this request id and Retry-After. */
  reject(requestId: string, retryAfterSeconds: number): void;
  /** Routes the request now, as if it had just arrived. */
  release(): void;
  /** Calls `onGone` if the client goes away while held; returns the function that stops watching. */
  watchGone(onGone: () => void): () => void;
}

interface Held {
  item: Holdable;
  timer: NodeJS.Timeout;
  unwatch: () => void;
}

export class HoldQueue {
  private readonly held = new Set<Held>();
  rejected = 0;
  heldThenServed = 0;

  constructor(
    private readonly maxHeld: number,
    private readonly nextRequestId: () => string,
  ) {}

  get size(): number {
    return this.held.size;
  }

  /** Holds a request under `spec` (mode hold). Beyond the bound it is answered 503 at once. */
  hold(item: Holdable, spec: MaintenanceSpec): void {
    if (this.held.size >= this.maxHeld) {
      this.reject(item, spec.retryAfterSeconds);
      return;
    }
    const entry: Held = {
      item,
      timer: setTimeout(() => {
        this.drop(entry);
        this.reject(item, spec.retryAfterSeconds);
      }, spec.holdMs),
      unwatch: () => undefined,
    };
    entry.unwatch = item.watchGone(() => this.drop(entry));
    this.held.add(entry);
  }

  /** Answers 503 maintenance, counted as rejected. */
  reject(item: Holdable, retryAfterSeconds: number): void {
    this.rejected += 1;
    item.reject(this.nextRequestId(), retryAfterSeconds);
  }

  /** Maintenance ended: every held request is routed, in arrival order. */
  releaseAll(): void {
    const all = [...this.held];
    for (const entry of all) {
      this.drop(entry);
      this.heldThenServed += 1;
      entry.item.release();
    }
  }

  /** Maintenance switched to reject (or the app is going away): every held request gets 503 now. */
  rejectAll(retryAfterSeconds: number): void {
    for (const entry of [...this.held]) {
      this.drop(entry);
      this.reject(entry.item, retryAfterSeconds);
    }
  }

  private drop(entry: Held): void {
    if (!this.held.delete(entry)) return;
    clearTimeout(entry.timer);
    entry.unwatch();
  }
}
