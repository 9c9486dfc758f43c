// The live event stream (Server-Sent Events): stored events first, in SSE format with their ids, then new ones
// as they are stored; a bounded read, then the client goes away.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MINIMAL_SPEC, startApiFixture, type ApiFixture } from './testing.js';

/** A bounded SSE reader: `until` reads until the text so far fits, or `maxBytes` arrived; `close` cancels. */
function sseReader(response: Response, maxBytes = 64 * 1024) {
  assert.ok(response.body);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  return {
    async until(done: (text: string) => boolean): Promise<string> {
      while (!done(text) && text.length < maxBytes) {
        const { value, done: ended } = await reader.read();
        if (ended) break;
        text += decoder.decode(value, { stream: true });
      }
      return text;
    },
    close: () => reader.cancel(),
  };
}

const ids = (text: string): number[] => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));

void describe('events stream API', () => {
  let f: ApiFixture;
  beforeEach(async () => {
    f = await startApiFixture();
    await f.call('post', '/v1/apps', { body: { file: 'greenlight.yaml', text: MINIMAL_SPEC } });
    await f.call('post', '/v1/apps/shop/releases', { body: { version: 'v1' } });
    await f.engine.idle();
  });
  afterEach(() => f.close());

  void it('sends the stored events of an app as SSE messages with their ids', async () => {
    const { events } = (await (await f.call('get', '/v1/apps/shop/events')).json()) as {
      events: Array<{ id: number }>;
    };
    assert.ok(events.length >= 2);
    const response = await f.call('get', '/v1/events/stream?app=shop', { token: f.tokens.viewer });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const last = events[events.length - 1]!.id;
    const sse = sseReader(response);
    const text = await sse.until((t) => ids(t).includes(last)).finally(sse.close);
    assert.deepEqual(
      ids(text),
      events.map((e) => e.id),
    );
    const firstData = /^data: (.*)$/m.exec(text)?.[1];
    assert.ok(firstData);
    assert.equal((JSON.parse(firstData) as { action: string }).action, 'app.applied');
  });

  void it('resumes after Last-Event-ID and then sends events as they are stored', async () => {
    const { events } = (await (await f.call('get', '/v1/apps/shop/events')).json()) as {
      events: Array<{ id: number }>;
    };
    const last = events[events.length - 1]!.id;
    const response = await f.call('get', '/v1/events/stream?app=shop', {
      headers: { 'last-event-id': String(last) },
    });
    const sse = sseReader(response);
    try {
      await sse.until((t) => t.includes('greenlight events'));
      const deployed = await f.call('post', '/v1/apps/shop/releases', {
        body: { version: 'v2', reason: 'live' },
      });
      assert.equal(deployed.status, 201);
      const text = await sse.until((t) => /"action":"release\.created"/.test(t));
      assert.ok(ids(text).length > 0 && ids(text).every((id) => id > last));
      assert.match(text, /"reason":"live"/);
    } finally {
      await sse.close();
    }
  });

  void it('refuses the stream without a token, and for an unknown app', async () => {
    assert.equal((await f.call('get', '/v1/events/stream', { token: null })).status, 401);
    assert.equal((await f.call('get', '/v1/events/stream?app=nope')).status, 404);
    assert.equal(
      (await f.call('get', '/v1/events/stream', { headers: { 'last-event-id': 'x' } })).status,
      400,
    );
  });
});
