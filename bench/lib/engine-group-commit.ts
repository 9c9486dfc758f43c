// A diagnostic for the engine benchmark, not a store: what group commit would give. Release updates issued in
// the same turn of the event loop are committed together, one transaction (one WAL fsync) for the batch, each
// update in its own savepoint so a stale write fails alone; every promise settles only after the commit, so
// the engine still persists before it acts. It reuses the SQLite store's own release-update code.
import type { NewEvent, Release } from '../../src/engine/model.js';
import * as releases from '../../src/store/sqlite/releases.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { Sql } from '../../src/store/sqlite/sql.js';
import type { Store } from '../../src/store/store.js';

interface Pending {
  release: Release;
  expectedGeneration: number;
  events: NewEvent[];
  resolve: (release: Release) => void;
  reject: (error: Error) => void;
}

export interface CommitStats {
  commits: number;
  updates: number;
  totalMs: number;
  maxMs: number;
  largestBatch: number;
}

export function emptyCommitStats(): CommitStats {
  return { commits: 0, updates: 0, totalMs: 0, maxMs: 0, largestBatch: 0 };
}

/** `store` with updateRelease grouped per event-loop turn; the other methods are the store's own. */
export function groupCommitStore(store: SqliteStore, stats: CommitStats): Store {
  const sql = new Sql(store.db);
  let pending: Pending[] = [];

  const flush = (): void => {
    const batch = pending;
    pending = [];
    const start = performance.now();
    let outcomes: Array<{ saved: Release } | { error: Error }>;
    try {
      outcomes = sql.write(() =>
        batch.map((p) => {
          try {
            // Nested in the batch's transaction, better-sqlite3 makes this a savepoint.
            const saved = store.db.transaction(() =>
              releases.updateRelease(
                sql,
                p.release,
                p.expectedGeneration,
                p.events,
                new Date().toISOString(),
              ),
            )();
            return { saved };
          } catch (error) {
            return { error: error instanceof Error ? error : new Error(String(error)) };
          }
        }),
      );
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      outcomes = batch.map(() => ({ error: failure }));
    }
    const ms = performance.now() - start;
    stats.commits += 1;
    stats.updates += batch.length;
    stats.totalMs += ms;
    stats.maxMs = Math.max(stats.maxMs, ms);
    stats.largestBatch = Math.max(stats.largestBatch, batch.length);
    batch.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome && 'saved' in outcome) p.resolve(outcome.saved);
      else p.reject(outcome?.error ?? new Error('no outcome for a grouped update'));
    });
  };

  const updateRelease = (release: Release, expectedGeneration: number, events: NewEvent[]) =>
    new Promise<Release>((resolve, reject) => {
      pending.push({ release, expectedGeneration, events, resolve, reject });
      if (pending.length === 1) setImmediate(flush);
    });

  return new Proxy(store, {
    get(target, prop, receiver) {
      return prop === 'updateRelease' ? updateRelease : (Reflect.get(target, prop, receiver) as unknown);
    },
  });
}
