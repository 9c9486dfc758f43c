// Following the stored events as they are appended: each event once and in id order. The controller feeds its
// webhook notifier from it, so events stored by the engine, operations and API are all seen. With a cursor the
// feed resumes after a restart where it left off: the cursor is saved as the last event before the oldest one
// whose delivery has not settled, so nothing is lost (an event delivered just before a crash may be sent again).
import type { GreenlightEvent } from '../engine/model.js';
import type { Store } from '../store/store.js';

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export interface EventFeedOptions {
  store: Pick<Store, 'listEvents'>;
  /** Subscribe to "events were stored" signals; returns an unsubscribe function. */
  onEvents(listener: () => void): () => void;
  /** Hands an event on; the returned promise settles when the consumer is done with it. */
  deliver(event: GreenlightEvent): Promise<void> | void;
  /** Where the feed resumes after a restart; without it, it starts after the newest event. */
  cursor?: { load(): Promise<number | undefined>; save(eventId: number): Promise<void> };
  log?(msg: string, fields?: Record<string, unknown>): void;
  /** Also re-read this often, for writers that do not signal. Default 5 s. */
  pollMs?: number;
}

const PAGE = 100;

/** The id of the newest stored event (0: none), in O(log n) one-row reads rather than a scan of the log. */
export async function lastEventId(store: Pick<Store, 'listEvents'>): Promise<number> {
  const after = async (id: number): Promise<number | undefined> =>
    (await store.listEvents({ afterId: id, limit: 1 }))[0]?.id;
  let low = 0; // 0 or an existing id
  let high = 1; // nothing is stored after it, once the first loop ends
  for (let i = 0; i < 60 && (await after(high)) !== undefined; i++) high *= 2;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    const next = await after(mid);
    if (next === undefined) high = mid;
    else low = next;
  }
  return low;
}

/**
 * Pass every event stored from now on to `deliver`, each once and in id order: the events appended after the
 * newest one at the call, read when a writer signals (and every `pollMs`). Returns the function that stops it.
 */
export async function followStoredEvents(opts: EventFeedOptions): Promise<() => void> {
  let cursor = (await opts.cursor?.load()) ?? (await lastEventId(opts.store));
  let stopped = false;
  // Events handed on and not yet done with; the saved cursor never passes the oldest of them.
  const pending = new Set<number>();
  let saved = cursor;
  let saving = Promise.resolve();
  const saveProgress = (): void => {
    if (!opts.cursor || stopped) return;
    const done = pending.size === 0 ? cursor : Math.min(...pending) - 1;
    if (done <= saved) return;
    saved = done;
    const save = opts.cursor.save.bind(opts.cursor);
    saving = saving
      .then(() => save(done))
      .catch((error: unknown) =>
        opts.log?.('event feed: could not save the cursor', { error: errorText(error) }),
      );
  };
  const hand = (event: GreenlightEvent): void => {
    pending.add(event.id);
    void Promise.resolve(opts.deliver(event))
      .catch(() => undefined)
      .then(() => {
        pending.delete(event.id);
        saveProgress();
      });
  };
  let reading = false;
  let again = false;
  const read = async (): Promise<void> => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        let page: GreenlightEvent[];
        do {
          page = await opts.store.listEvents({ afterId: cursor, limit: PAGE });
          if (stopped) return;
          for (const event of page) hand(event);
          cursor = page.at(-1)?.id ?? cursor;
          saveProgress();
        } while (page.length === PAGE);
      } while (again && !stopped);
    } catch (error) {
      opts.log?.('event feed: could not read new events', { error: errorText(error) });
    } finally {
      reading = false;
    }
  };
  const unsubscribe = opts.onEvents(() => void read());
  const timer = setInterval(() => void read(), opts.pollMs ?? 5000);
  timer.unref();
  void read();
  return () => {
    stopped = true;
    clearInterval(timer);
    unsubscribe();
  };
}
