// The hash chain over events, shared by every Store implementation: each event's hash covers its content and
// the previous event's hash, so an altered, removed or reordered event shows when the chain is walked.
// Without a secret key this catches accidents and casual edits, not someone who rewrites every later hash.
import { createHash } from 'node:crypto';
import type { GreenlightEvent, NewEvent } from '../engine/model.js';
import type { ChainVerdict } from './store.js';

export const GENESIS_HASH = '0'.repeat(64);

/** What a store keeps beside the events, updated in the same transaction as each append. */
export interface ChainHead {
  lastId: number;
  lastHash: string;
  count: number;
}

export const EMPTY_HEAD: ChainHead = { lastId: 0, lastHash: GENESIS_HASH, count: 0 };

/**
 * The value as it reads back after a JSON round trip (undefined members dropped, Dates as strings...), so a
 * hash computed before storing equals the one computed from the stored row.
 */
export function jsonNormalize<T>(value: T): T {
  const text = JSON.stringify(value) as string | undefined;
  return (text === undefined ? null : JSON.parse(text)) as T;
}

function serialize(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(serialize).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    // Written by hand because JSON.stringify puts integer-like keys first whatever the insertion order.
    const members = Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${serialize(record[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** JSON with object keys sorted recursively: equal data gives equal text. */
export function canonicalJson(value: unknown): string {
  return serialize(jsonNormalize(value));
}

type HashedFields = Omit<GreenlightEvent, 'prevHash' | 'hash'>;

export function eventHash(prevHash: string, event: HashedFields): string {
  const { id, at, app, releaseId, actor, action, reason, data } = event;
  const body = canonicalJson({ id, at, app, releaseId, actor, action, reason, data });
  return createHash('sha256')
    .update(prevHash + body)
    .digest('hex');
}

/**
 * The next events of the chain after `head`, with ids, times and hashes, and the new head. `now` is the time
 * for events that bring none.
 */
export function sealEvents(
  head: ChainHead,
  events: readonly NewEvent[],
  now: string,
): { sealed: GreenlightEvent[]; head: ChainHead } {
  const sealed: GreenlightEvent[] = [];
  let { lastId, lastHash } = head;
  for (const event of events) {
    const fields: HashedFields = {
      id: lastId + 1,
      at: event.at ?? now,
      app: event.app ?? null,
      releaseId: event.releaseId ?? null,
      actor: jsonNormalize(event.actor),
      action: event.action,
      reason: event.reason ?? null,
      data: jsonNormalize(event.data ?? {}),
    };
    const hash = eventHash(lastHash, fields);
    sealed.push({ ...fields, prevHash: lastHash, hash });
    lastId = fields.id;
    lastHash = hash;
  }
  return { sealed, head: { lastId, lastHash, count: head.count + sealed.length } };
}

/**
 * Walks a chain fed in id order and names the first problem: `altered` (an event does not match its own
 * hash), `broken-link` (it does not follow the previous event, or lies past the recorded head), `missing`
 * (the id of the first event absent, including newest ones removed behind the head's back). Feeding stops
 * mattering after the first problem; `add` returns false from then on.
 */
export class ChainWalker {
  private expectedId = 1;
  private prevHash = GENESIS_HASH;
  private checked = 0;
  private bad: ChainVerdict['firstBad'];

  constructor(private readonly head: ChainHead) {}

  add(event: GreenlightEvent): boolean {
    if (this.bad) return false;
    if (event.id !== this.expectedId) {
      this.bad =
        event.id > this.expectedId
          ? { id: this.expectedId, problem: 'missing' }
          : { id: event.id, problem: 'broken-link' };
    } else if (eventHash(event.prevHash, event) !== event.hash) {
      this.bad = { id: event.id, problem: 'altered' };
    } else if (event.prevHash !== this.prevHash || event.id > this.head.lastId) {
      this.bad = { id: event.id, problem: 'broken-link' };
    }
    if (this.bad) return false;
    this.checked += 1;
    this.expectedId = event.id + 1;
    this.prevHash = event.hash;
    return true;
  }

  finish(): ChainVerdict {
    const lastSeen = this.expectedId - 1;
    if (!this.bad && lastSeen < this.head.lastId) this.bad = { id: lastSeen + 1, problem: 'missing' };
    // Ids run from 1 without gaps up to the head here, so a differing hash or count means the head row itself
    // (or the newest event together with it) was rewritten.
    if (!this.bad && (this.prevHash !== this.head.lastHash || this.checked !== this.head.count)) {
      this.bad = { id: this.head.lastId, problem: 'altered' };
    }
    return this.bad
      ? { ok: false, checked: this.checked, firstBad: this.bad }
      : { ok: true, checked: this.checked };
  }
}
