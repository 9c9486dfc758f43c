// Store conformance, part two: the per-app lock's lease, renewed by its holder and taken over once expired.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { newRelease, withApp } from './conformance-fixtures.js';
import type { StoreCase } from './conformance-fixtures.js';

const LEASE = 15_000;

export function lockConformance(storeCase: StoreCase): void {
  void describe('locks', () => {
    storeCase('renewLocks extends the leases of that holder only', async (ctx) => {
      const { store, clock } = ctx;
      await withApp(ctx);
      await store.createRelease(newRelease('checkout'), 'ctl-a', LEASE, []);
      await store.createRelease(newRelease('checkout', { environment: 'staging' }), 'ctl-a', LEASE, []);
      await store.createRelease(newRelease('checkout', { environment: 'dev' }), 'ctl-b', LEASE, []);
      const before = await store.getLock('checkout', 'dev');
      clock.advance(10_000);
      assert.equal(await store.renewLocks('ctl-a', 30_000), 2);
      const expected = new Date(clock.date().getTime() + 30_000).toISOString();
      assert.equal((await store.getLock('checkout', 'production'))?.expiresAt, expected);
      assert.equal((await store.getLock('checkout', 'staging'))?.expiresAt, expected);
      assert.deepEqual(await store.getLock('checkout', 'dev'), before);
      assert.equal(await store.renewLocks('nobody', 30_000), 0);
      assert.equal(await store.getLock('billing', 'production'), undefined);
    });

    storeCase('claimExpiredLocks takes over expired leases only, recording lock.takenOver', async (ctx) => {
      const { store, clock } = ctx;
      await withApp(ctx);
      const old = await store.createRelease(newRelease('checkout'), 'ctl-a', LEASE, []);
      clock.advance(LEASE / 2);
      const fresh = await store.createRelease(
        newRelease('checkout', { environment: 'staging' }),
        'ctl-a',
        LEASE,
        [],
      );
      assert.deepEqual(await store.claimExpiredLocks('ctl-b', LEASE), []);

      clock.advance(LEASE / 2);
      assert.deepEqual(await store.claimExpiredLocks('ctl-b', LEASE), [old.id]);
      assert.deepEqual(await store.getLock('checkout', 'production'), {
        app: 'checkout',
        environment: 'production',
        holder: 'ctl-b',
        releaseId: old.id,
        acquiredAt: clock.iso(),
        expiresAt: new Date(clock.date().getTime() + LEASE).toISOString(),
      });
      assert.equal((await store.getLock('checkout', 'staging'))?.holder, 'ctl-a');
      const [takeover, ...others] = await store.listEvents({ releaseId: old.id });
      assert.equal(others.length, 0);
      assert.equal(takeover?.action, 'lock.takenOver');
      assert.equal(takeover?.app, 'checkout');
      assert.equal(takeover?.actor.name, 'ctl-b');
      assert.equal(takeover?.data['previousHolder'], 'ctl-a');
      assert.equal(takeover?.data['environment'], 'production');
      assert.deepEqual(await store.claimExpiredLocks('ctl-c', LEASE), [], 'the new lease is not expired');
      assert.deepEqual(await store.listEvents({ releaseId: fresh.id }), []);
    });
  });
}
