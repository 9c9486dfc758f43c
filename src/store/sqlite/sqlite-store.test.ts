// The SQLite store: the shared conformance suite on a file database, plus what only SQLite has: its pragmas,
// durability across reopening, and two connections sharing one lock table and one event chain.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConflictError } from '../../errors.js';
import { event, newRelease, sampleSpec } from '../conformance-fixtures.js';
import { runStoreConformance } from '../conformance.js';
import { openSqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'gl-sqlite-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;
const nextPath = (): string => join(dir, `store-${++count}.db`);

runStoreConformance('sqlite', async ({ clock }) => openSqliteStore(nextPath(), { clock }));

void describe('sqlite store', () => {
  void it('opens in WAL mode with synchronous=FULL and foreign keys on', async () => {
    const store = openSqliteStore(nextPath(), { busyTimeoutMs: 1_234 });
    try {
      assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(store.db.pragma('synchronous', { simple: true }), 2);
      assert.equal(store.db.pragma('foreign_keys', { simple: true }), 1);
      assert.equal(store.db.pragma('busy_timeout', { simple: true }), 1_234);
    } finally {
      await store.close();
    }
  });

  void it('keeps everything across closing and reopening the file', async () => {
    const path = nextPath();
    const first = openSqliteStore(path);
    await first.migrate();
    await first.putApp(sampleSpec('checkout'), 'yaml', event('app.applied'));
    const release = await first.createRelease(newRelease('checkout'), 'ctl', 60_000, [
      event('release.created'),
    ]);
    await first.close();

    const second = openSqliteStore(path);
    try {
      await second.migrate();
      assert.deepEqual(await second.getRelease(release.id), release);
      assert.equal((await second.getLock('checkout', 'production'))?.releaseId, release.id);
      assert.deepEqual(await second.verifyChain(), { ok: true, checked: 2 });
    } finally {
      await second.close();
    }
  });

  void it('two connections share the locks and one event chain', async () => {
    const path = nextPath();
    const a = openSqliteStore(path);
    const b = openSqliteStore(path);
    try {
      await a.migrate();
      await b.migrate();
      await a.putApp(sampleSpec('checkout'), 'yaml', event('app.applied'));
      const release = await b.createRelease(newRelease('checkout'), 'ctl-b', 60_000, []);
      await assert.rejects(a.createRelease(newRelease('checkout'), 'ctl-a', 60_000, []), ConflictError);
      assert.equal((await a.getLock('checkout', 'production'))?.releaseId, release.id);
      await a.appendEvent(event('a'));
      await b.appendEvent(event('b'));
      assert.deepEqual(
        (await a.listEvents({})).map((e) => e.id),
        [1, 2, 3],
      );
      assert.deepEqual(await b.verifyChain(), { ok: true, checked: 3 });
    } finally {
      await a.close();
      await b.close();
    }
  });
});
