// Tampering with the event log through a raw connection to the database file: the append-only triggers stop
// a casual edit; with them dropped, verifyChain names the altered event, the gap, or the removed newest one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { event } from '../conformance-fixtures.js';
import { eventHash } from '../event-chain.js';
import { eventFromRow } from './rows.js';
import type { EventRow } from './rows.js';
import { openSqliteStore } from './sqlite-store.js';
import { tamperEventLog } from '../../../test/helpers/tamper.js';

const dir = mkdtempSync(join(tmpdir(), 'gl-sqlite-tamper-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;

/** A database file holding a verified chain of `n` events. */
async function chainOf(n: number): Promise<string> {
  const path = join(dir, `t-${++count}.db`);
  const store = openSqliteStore(path);
  await store.migrate();
  for (let i = 1; i <= n; i++) await store.appendEvent(event('note', { reason: `event ${i}`, data: { i } }));
  assert.deepEqual(await store.verifyChain(), { ok: true, checked: n });
  await store.close();
  return path;
}

async function verdict(path: string): Promise<unknown> {
  const store = openSqliteStore(path);
  try {
    return await store.verifyChain();
  } finally {
    await store.close();
  }
}

void describe('sqlite event log tampering', () => {
  void it('the triggers refuse UPDATE and DELETE on events', async () => {
    const path = await chainOf(2);
    const raw = new Database(path);
    try {
      assert.throws(() => raw.exec(`UPDATE events SET reason = 'x' WHERE id = 1`), /append-only/);
      assert.throws(() => raw.exec('DELETE FROM events WHERE id = 2'), /append-only/);
    } finally {
      raw.close();
    }
    assert.deepEqual(await verdict(path), { ok: true, checked: 2 });
  });

  void it('names the event whose reason was changed as altered', async () => {
    const path = await chainOf(5);
    tamperEventLog(path, `UPDATE events SET reason = 'nothing to see' WHERE id = 3`);
    assert.deepEqual(await verdict(path), { ok: false, checked: 2, firstBad: { id: 3, problem: 'altered' } });
  });

  void it('names the next event as a broken link when one was rewritten with a recomputed hash', async () => {
    const path = await chainOf(5);
    const raw = new Database(path);
    const row = raw.prepare('SELECT * FROM events WHERE id = 2').get() as EventRow;
    raw.close();
    const forged = { ...eventFromRow(row), reason: 'nothing to see' };
    tamperEventLog(
      path,
      `UPDATE events SET reason = '${forged.reason}', hash = '${eventHash(forged.prevHash, forged)}' WHERE id = 2`,
    );
    assert.deepEqual(await verdict(path), {
      ok: false,
      checked: 2,
      firstBad: { id: 3, problem: 'broken-link' },
    });
  });

  void it('names the gap a deleted middle event leaves', async () => {
    const path = await chainOf(5);
    tamperEventLog(path, 'DELETE FROM events WHERE id = 3');
    assert.deepEqual(await verdict(path), { ok: false, checked: 2, firstBad: { id: 3, problem: 'missing' } });
  });

  void it('detects the newest event deleted, through the chain head', async () => {
    const path = await chainOf(5);
    tamperEventLog(path, 'DELETE FROM events WHERE id = 5');
    assert.deepEqual(await verdict(path), { ok: false, checked: 4, firstBad: { id: 5, problem: 'missing' } });
  });

  void it('detects an event inserted past the chain head', async () => {
    const path = await chainOf(2);
    tamperEventLog(
      path,
      `INSERT INTO events (id, at, app, release_id, actor, action, reason, data, prev_hash, hash)
       SELECT 3, at, app, release_id, actor, action, reason, data, hash, hash FROM events WHERE id = 2`,
    );
    const result = (await verdict(path)) as { firstBad?: { id: number } };
    assert.equal(result.firstBad?.id, 3);
  });
});
