// The pulled event stream on its own: a heartbeat when nothing happens, and no listener left after the client
// goes away.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GreenlightEvent } from '../../engine/model.js';
import type { Store } from '../../store/store.js';
import { eventStream } from './event-stream.js';

void describe('eventStream', () => {
  void it('sends a heartbeat comment while no event comes, and unsubscribes when cancelled', async () => {
    const listeners = new Set<() => void>();
    const store = { listEvents: async (): Promise<GreenlightEvent[]> => [] } as unknown as Store;
    const stream = eventStream({
      store,
      filter: {},
      afterId: 0,
      heartbeatMs: 5,
      onEvents: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    });
    const reader = stream.getReader();
    let text = '';
    while (!text.includes(': heartbeat')) text += new TextDecoder().decode((await reader.read()).value);
    assert.equal(listeners.size, 1);
    await reader.cancel();
    assert.equal(listeners.size, 0);
  });

  void it('reads the store again when notified, from its cursor, one page at a time', async () => {
    const queries: Array<number | undefined> = [];
    const stored: GreenlightEvent[] = [];
    const store = {
      listEvents: async (q: { afterId?: number }) => {
        queries.push(q.afterId);
        return stored.filter((e) => e.id > (q.afterId ?? 0));
      },
    } as unknown as Store;
    let wake = (): void => {};
    const stream = eventStream({
      store,
      filter: { app: 'shop' },
      afterId: 3,
      onEvents: (l) => ((wake = l), () => {}),
    });
    const reader = stream.getReader();
    await reader.read(); // the opening comment
    const next = reader.read();
    stored.push({ id: 4, action: 'x' } as GreenlightEvent);
    wake();
    const text = new TextDecoder().decode((await next).value);
    assert.match(text, /^id: 4\ndata: \{"id":4,"action":"x"\}\n\n$/);
    assert.deepEqual(queries.slice(-1), [3]);
    await reader.cancel();
  });
});
