// The Store conformance suite: the contract of every Store method as node:test cases, run against each
// implementation (SQLite now, PostgreSQL later) so they cannot drift apart. Each case gets a fresh, migrated
// store whose clock moves only when the case says so.
import { describe, it } from 'node:test';
import { TestClock } from './conformance-fixtures.js';
import type { StoreCase } from './conformance-fixtures.js';
import { lockConformance } from './conformance-locks.js';
import { recordConformance } from './conformance-records.js';
import { releaseConformance } from './conformance-releases.js';
import type { Store } from './store.js';

/**
 * Register the suite. `create` returns an empty store that reads time from `clock`; the suite migrates it
 * before each case and closes it after.
 */
export function runStoreConformance(
  name: string,
  create: (options: { clock: () => Date }) => Promise<Store>,
): void {
  const storeCase: StoreCase = (title, fn) =>
    void it(title, async () => {
      const clock = new TestClock();
      const store = await create({ clock: clock.date });
      try {
        await store.migrate();
        await fn({ store, clock });
      } finally {
        await store.close();
      }
    });

  void describe(`store conformance: ${name}`, () => {
    releaseConformance(storeCase);
    lockConformance(storeCase);
    recordConformance(storeCase);
  });
}
