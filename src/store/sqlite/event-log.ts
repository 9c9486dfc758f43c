// The event log on SQLite: appends that extend the hash chain and move its head row, queries, and the walk
// that verifies the chain. Appends run inside the caller's transaction, beside the state change they record.
import type { GreenlightEvent, NewEvent } from '../../engine/model.js';
import { ChainWalker, sealEvents } from '../event-chain.js';
import type { ChainHead } from '../event-chain.js';
import type { ChainVerdict, EventQuery } from '../store.js';
import { eventFromRow } from './rows.js';
import type { EventRow } from './rows.js';
import type { Sql } from './sql.js';

const EVENT_COLUMNS = 'id, at, app, release_id, actor, action, reason, data, prev_hash, hash';

function readHead(sql: Sql): ChainHead {
  const row = sql.get<{ last_id: number; last_hash: string; count: number }>(
    'SELECT last_id, last_hash, count FROM chain_head WHERE id = 1',
  );
  if (!row) throw new Error('the chain_head row is missing: the events table cannot be trusted');
  return { lastId: row.last_id, lastHash: row.last_hash, count: row.count };
}

/** Append events; call inside a write transaction. */
export function appendEvents(sql: Sql, events: readonly NewEvent[], now: string): GreenlightEvent[] {
  if (events.length === 0) return [];
  const { sealed, head } = sealEvents(readHead(sql), events, now);
  for (const event of sealed) {
    sql.run(
      `INSERT INTO events (${EVENT_COLUMNS})
       VALUES (@id, @at, @app, @releaseId, @actor, @action, @reason, @data, @prevHash, @hash)`,
      { ...event, actor: JSON.stringify(event.actor), data: JSON.stringify(event.data) },
    );
  }
  sql.run('UPDATE chain_head SET last_id = @lastId, last_hash = @lastHash, count = @count WHERE id = 1', {
    ...head,
  });
  return sealed;
}

/** Events in id order (oldest first), filtered. */
export function listEvents(sql: Sql, query: EventQuery): GreenlightEvent[] {
  const where: string[] = [];
  if (query.app !== undefined) where.push('app = @app');
  if (query.releaseId !== undefined) where.push('release_id = @releaseId');
  if (query.afterId !== undefined) where.push('id > @afterId');
  const rows = sql.all<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY id LIMIT @limit`,
    { ...query, limit: query.limit ?? -1 },
  );
  return rows.map(eventFromRow);
}

export function verifyEventLog(sql: Sql): ChainVerdict {
  return sql.read(() => {
    const walker = new ChainWalker(readHead(sql));
    for (const row of sql.iterate<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY id`)) {
      if (!walker.add(eventFromRow(row))) break;
    }
    return walker.finish();
  });
}
