import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { followStoredEvents, lastEventId } from './event-feed.js';

void describe('followStoredEvents', () => {
  const actor = { name: 'alice', role: 'admin' };
  const append = (store: ReturnType<typeof openSqliteStore>, action: string) =>
    store.appendEvent({ app: 'shop', releaseId: null, actor, action, reason: null, data: {} });

  void it('finds the newest event id', async () => {
    const store = openSqliteStore(':memory:');
    after(() => store.close());
    await store.migrate();
    assert.equal(await lastEventId(store), 0);
    for (let i = 0; i < 37; i++) await append(store, `e${i}`);
    assert.equal(await lastEventId(store), 37);
  });

  void it('passes on each event stored after it starts, once, in order', async () => {
    const store = openSqliteStore(':memory:');
    after(() => store.close());
    await store.migrate();
    await append(store, 'old.one');
    await append(store, 'old.two');
    const listeners = new Set<() => void>();
    const seen: string[] = [];
    let reached: () => void = () => undefined;
    const stopFeed = await followStoredEvents({
      store,
      onEvents: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      deliver: (e) => {
        seen.push(e.action);
        if (seen.length === 103) reached();
      },
    });
    const done = new Promise<void>((resolve) => (reached = resolve));
    for (let i = 0; i < 103; i++) await append(store, `new.${i}`);
    // Several signals at once: the reads coalesce and the cursor keeps each event to one delivery.
    for (let i = 0; i < 3; i++) for (const l of listeners) l();
    await done;
    stopFeed();
    assert.equal(listeners.size, 0);
    assert.deepEqual(
      seen,
      Array.from({ length: 103 }, (_, i) => `new.${i}`),
    );
  });

  void it('resumes after a saved cursor, and never saves past an event still being delivered', async () => {
    const store = openSqliteStore(':memory:');
    after(() => store.close());
    await store.migrate();
    for (const action of ['before.one', 'missed.two', 'missed.three']) await append(store, action);
    const saves: number[] = [];
    const seen: string[] = [];
    const listeners = new Set<() => void>();
    let finishTwo: () => void = () => undefined;
    const stopFeed = await followStoredEvents({
      store,
      onEvents: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      // Stored as done up to event 1 by an earlier controller: 2 and 3 were stored while it was down.
      cursor: { load: async () => 1, save: async (id) => void saves.push(id) },
      deliver: (e) => {
        seen.push(e.action);
        // Event 2's delivery is slow: it settles only when the test says so.
        return e.id === 2 ? new Promise<void>((resolve) => (finishTwo = resolve)) : Promise.resolve();
      },
    });
    await append(store, 'new.four');
    for (const l of listeners) l();
    await waitFor(() => seen.length === 3);
    assert.deepEqual(seen, ['missed.two', 'missed.three', 'new.four']);
    assert.ok(
      saves.every((id) => id < 2),
      `saved ${saves.join(',')} while event 2 was pending`,
    );
    finishTwo();
    await waitFor(() => saves.at(-1) === 4);
    stopFeed();
  });
});

/** Polls until `done` holds, for at most 2 s. */
async function waitFor(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(done(), 'condition not reached');
}
