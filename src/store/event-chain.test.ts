// The shared hash chain: canonical JSON, sealing, and the walker naming the first altered, unlinked or
// missing event, on events held in memory.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GreenlightEvent } from '../engine/model.js';
import { ALICE, event } from './conformance-fixtures.js';
import {
  ChainWalker,
  EMPTY_HEAD,
  GENESIS_HASH,
  canonicalJson,
  eventHash,
  sealEvents,
} from './event-chain.js';
import type { ChainHead } from './event-chain.js';

function chain(n: number): { events: GreenlightEvent[]; head: ChainHead } {
  const news = Array.from({ length: n }, (_, i) => event(`e${i + 1}`, { data: { i } }));
  const { sealed, head } = sealEvents(EMPTY_HEAD, news, '2026-01-01T00:00:00.000Z');
  return { events: sealed, head };
}

function walk(events: GreenlightEvent[], head: ChainHead): ReturnType<ChainWalker['finish']> {
  const walker = new ChainWalker(head);
  for (const e of events) if (!walker.add(e)) break;
  return walker.finish();
}

void describe('canonicalJson', () => {
  void it('sorts keys at every level, integer-like keys included, and reads like a JSON round trip', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined, '10': 1, '9': 2 } }),
      '{"a":{"10":1,"9":2,"d":[{"y":2,"z":1}]},"b":1}',
    );
    assert.equal(
      canonicalJson({ at: new Date(0), gone: undefined, list: [undefined] }),
      '{"at":"1970-01-01T00:00:00.000Z","list":[null]}',
    );
    assert.equal(canonicalJson(undefined), 'null');
  });
});

void describe('sealEvents', () => {
  void it('numbers from the head, links by hash and moves the head', () => {
    const { events, head } = chain(3);
    assert.deepEqual(
      events.map((e) => e.id),
      [1, 2, 3],
    );
    assert.equal(events[0]?.prevHash, GENESIS_HASH);
    assert.equal(events[1]?.prevHash, events[0]?.hash);
    assert.equal(events[0]?.hash, eventHash(GENESIS_HASH, { ...events[0]!, data: { i: 0 } }));
    assert.deepEqual(head, { lastId: 3, lastHash: events[2]?.hash, count: 3 });
    assert.equal(events[0]?.at, '2026-01-01T00:00:00.000Z');
    assert.deepEqual(events[0]?.actor, ALICE);
  });

  void it('hashes every field: changing any one changes the hash', () => {
    const [base] = chain(1).events;
    assert.ok(base);
    const variants: Partial<GreenlightEvent>[] = [
      { id: 2 },
      { at: 'x' },
      { app: 'a' },
      { releaseId: 1 },
      { actor: { name: 'bob', role: 'deployer' } },
      { action: 'other' },
      { reason: 'r' },
      { data: { i: 1 } },
    ];
    for (const change of variants) {
      assert.notEqual(eventHash(base.prevHash, { ...base, ...change }), base.hash, JSON.stringify(change));
    }
    assert.notEqual(eventHash('1'.repeat(64), base), base.hash);
  });
});

void describe('ChainWalker', () => {
  void it('accepts an intact chain and an empty one', () => {
    const { events, head } = chain(4);
    assert.deepEqual(walk(events, head), { ok: true, checked: 4 });
    assert.deepEqual(walk([], EMPTY_HEAD), { ok: true, checked: 0 });
  });

  void it('names an altered event', () => {
    const { events, head } = chain(4);
    events[1] = { ...events[1]!, reason: 'rewritten' };
    assert.deepEqual(walk(events, head), { ok: false, checked: 1, firstBad: { id: 2, problem: 'altered' } });
  });

  void it('names the event after one rewritten with a fresh hash as a broken link', () => {
    const { events, head } = chain(4);
    const forged = { ...events[1]!, reason: 'rewritten' };
    events[1] = { ...forged, hash: eventHash(forged.prevHash, forged) };
    assert.deepEqual(walk(events, head), {
      ok: false,
      checked: 2,
      firstBad: { id: 3, problem: 'broken-link' },
    });
  });

  void it('names the first missing id: in the middle, at the start, at the end', () => {
    const { events, head } = chain(4);
    assert.deepEqual(walk([events[0]!, events[2]!, events[3]!], head).firstBad, {
      id: 2,
      problem: 'missing',
    });
    assert.deepEqual(walk(events.slice(1), head).firstBad, { id: 1, problem: 'missing' });
    assert.deepEqual(walk(events.slice(0, 3), head), {
      ok: false,
      checked: 3,
      firstBad: { id: 4, problem: 'missing' },
    });
  });

  void it('refuses events past the head, and a head that disagrees with the newest event', () => {
    const { events, head } = chain(4);
    const shortHead = { lastId: 3, lastHash: events[2]!.hash, count: 3 };
    assert.deepEqual(walk(events, shortHead).firstBad, { id: 4, problem: 'broken-link' });
    assert.deepEqual(walk(events, { ...head, lastHash: GENESIS_HASH }).firstBad, {
      id: 4,
      problem: 'altered',
    });
    assert.deepEqual(walk(events, { ...head, count: 5 }).firstBad, { id: 4, problem: 'altered' });
  });
});
