// Maintenance `hold`: requests wait (bounded in number and in time) until maintenance ends, then are routed
// as if they had just arrived; past holdMs, or beyond the bound, they get 503 with Retry-After.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MaintenanceSpec } from '../types.js';
import { sendError } from './responses.js';

interface Held {
  req: IncomingMessage;
  res: ServerResponse;
  timer: NodeJS.Timeout;
  onClose: () => void;
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
  hold(req: IncomingMessage, res: ServerResponse, spec: MaintenanceSpec): void {
    if (this.held.size >= this.maxHeld) {
      this.reject(res, spec.retryAfterSeconds);
      return;
    }
    const entry: Held = {
      req,
      res,
      timer: setTimeout(() => {
        this.drop(entry);
        this.reject(res, spec.retryAfterSeconds);
      }, spec.holdMs),
      onClose: () => this.drop(entry),
    };
    res.once('close', entry.onClose);
    this.held.add(entry);
  }

  /** Answers 503 maintenance, counted as rejected. */
  reject(res: ServerResponse, retryAfterSeconds: number): void {
    this.rejected += 1;
    sendError(res, 503, 'maintenance', null, this.nextRequestId(), retryAfterSeconds);
  }

  /** Maintenance ended: every held request is handed to `route`, in arrival order. */
  releaseAll(route: (req: IncomingMessage, res: ServerResponse) => void): void {
    const all = [...this.held];
    for (const entry of all) {
      this.drop(entry);
      this.heldThenServed += 1;
      route(entry.req, entry.res);
    }
  }

  /** Maintenance switched to reject (or the app is going away): every held request gets 503 now. */
  rejectAll(retryAfterSeconds: number): void {
    for (const entry of [...this.held]) {
      this.drop(entry);
      this.reject(entry.res, retryAfterSeconds);
    }
  }

  private drop(entry: Held): void {
    if (!this.held.delete(entry)) return;
    clearTimeout(entry.timer);
    entry.res.off('close', entry.onClose);
  }
}
