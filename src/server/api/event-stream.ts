// Server-Sent Events over the event log. The stream is pulled: each read by the client fetches the next page of
// stored events after its cursor, or waits for new ones (a notification from the store's writers) or for the
// heartbeat. Nothing is buffered beyond one page, whatever the client's pace, and a slow client simply reads
// from the store later. `id:` is the event id, so a client reconnects with Last-Event-ID and misses nothing.
import type { EventQuery, Store } from '../../store/store.js';

export const HEARTBEAT_MS = 15_000;
const PAGE = 100;

/** A one-slot wake-up signal: notifications coalesce, so a burst of writes costs one store read. */
class Wakeup {
  private pending = false;
  private release: ((woken: boolean) => void) | undefined;

  notify(): void {
    if (this.release) {
      this.release(true);
      this.release = undefined;
    } else {
      this.pending = true;
    }
  }

  /** True when notified (now or before), false when the time ran out. */
  wait(ms: number): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.release = undefined;
        resolve(false);
      }, ms);
      this.release = (woken) => {
        clearTimeout(timer);
        resolve(woken);
      };
    });
  }

  /** Ends a pending wait (the client went away). */
  cancel(): void {
    this.release?.(true);
    this.release = undefined;
  }
}

export interface EventStreamOptions {
  store: Store;
  /** Which events: app and/or release filters. */
  filter: Pick<EventQuery, 'app' | 'releaseId'>;
  /** Start after this event id (0: from the first one). */
  afterId: number;
  onEvents: (listener: () => void) => () => void;
  heartbeatMs?: number;
}

export function eventStream(opts: EventStreamOptions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const wakeup = new Wakeup();
  const unsubscribe = opts.onEvents(() => wakeup.notify());
  let cursor = opts.afterId;
  let closed = false;
  const stop = (): void => {
    closed = true;
    unsubscribe();
    wakeup.cancel();
  };

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(': greenlight events\nretry: 2000\n\n'));
      },
      async pull(controller) {
        while (!closed) {
          const events = await opts.store.listEvents({ ...opts.filter, afterId: cursor, limit: PAGE });
          if (closed) return;
          if (events.length > 0) {
            const text = events.map((e) => `id: ${e.id}\ndata: ${JSON.stringify(e)}\n\n`).join('');
            cursor = events[events.length - 1]!.id;
            controller.enqueue(encoder.encode(text));
            return;
          }
          const woken = await wakeup.wait(opts.heartbeatMs ?? HEARTBEAT_MS);
          if (!woken && !closed) {
            controller.enqueue(encoder.encode(': heartbeat\n\n'));
            return;
          }
        }
      },
      cancel: stop,
    },
    { highWaterMark: 0 },
  );
}
