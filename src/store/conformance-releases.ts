// Store conformance, part one: releases, their optimistic concurrency, and the per-app lock they take.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.js';
import { advanced, event, newRelease, withApp } from './conformance-fixtures.js';
import type { StoreCase } from './conformance-fixtures.js';
import { StaleWriteError } from './store.js';

const LEASE = 15_000;

/** A value JSON cannot hold: a write carrying it must fail as a whole. */
const UNSERIALISABLE = { size: 1n };

export function releaseConformance(storeCase: StoreCase): void {
  void describe('releases', () => {
    storeCase('createRelease stores generation 1, takes the lock and tags its events', async (ctx) => {
      const { store, clock } = ctx;
      await withApp(ctx);
      clock.advance(1_000);
      const release = await store.createRelease(newRelease('checkout'), 'ctl-a', LEASE, [
        event('release.created'),
      ]);
      assert.ok(release.id > 0);
      assert.equal(release.generation, 1);
      assert.equal(release.createdAt, clock.iso());
      assert.equal(release.updatedAt, clock.iso());
      assert.equal(release.finishedAt, null);
      assert.deepEqual(
        { ...release, id: 0, createdAt: '', updatedAt: '', finishedAt: null, generation: 0 },
        {
          ...newRelease('checkout'),
          id: 0,
          createdAt: '',
          updatedAt: '',
          finishedAt: null,
          generation: 0,
        },
      );
      assert.deepEqual(await store.getRelease(release.id), release);
      assert.deepEqual(await store.getLock('checkout', 'production'), {
        app: 'checkout',
        environment: 'production',
        holder: 'ctl-a',
        releaseId: release.id,
        acquiredAt: clock.iso(),
        expiresAt: new Date(clock.date().getTime() + LEASE).toISOString(),
      });
      const events = await store.listEvents({ releaseId: release.id });
      assert.deepEqual(
        events.map((e) => [e.action, e.app, e.releaseId]),
        [['release.created', 'checkout', release.id]],
      );
    });

    storeCase(
      'createRelease refuses while a release of the app and environment is unfinished',
      async (ctx) => {
        const { store, clock } = ctx;
        await withApp(ctx);
        const since = clock.iso();
        const first = await store.createRelease(newRelease('checkout'), 'ctl-a', LEASE, [
          event('release.created'),
        ]);
        clock.advance(5_000);
        await assert.rejects(
          store.createRelease(newRelease('checkout', { version: 'v3' }), 'ctl-b', LEASE, [
            event('release.created'),
          ]),
          (error: unknown) => {
            assert.ok(error instanceof ConflictError);
            assert.deepEqual(error.details, { releaseId: first.id, holder: 'ctl-a', since });
            return true;
          },
        );
        assert.equal((await store.listReleases({})).length, 1);
        assert.equal(
          (await store.listEvents({ app: 'checkout' })).length,
          2,
          'app.applied and release.created',
        );

        const staging = await store.createRelease(
          newRelease('checkout', { environment: 'staging' }),
          'ctl-a',
          LEASE,
          [],
        );
        assert.equal((await store.getLock('checkout', 'staging'))?.releaseId, staging.id);
        await withApp(ctx, 'billing');
        await store.createRelease(newRelease('billing'), 'ctl-a', LEASE, []);
      },
    );

    storeCase('a release may start once the previous one is final', async (ctx) => {
      const { store } = ctx;
      await withApp(ctx);
      const first = await store.createRelease(newRelease('checkout'), 'ctl-a', LEASE, []);
      await store.updateRelease({ ...first, phase: 'aborted', outcomeReason: 'abort' }, 1, [
        event('release.aborted'),
      ]);
      const second = await store.createRelease(newRelease('checkout', { version: 'v3' }), 'ctl-b', LEASE, []);
      assert.ok(second.id > first.id);
      assert.equal((await store.getLock('checkout', 'production'))?.holder, 'ctl-b');
    });

    storeCase('createRelease needs a stored spec revision of the app', async (ctx) => {
      await withApp(ctx);
      await assert.rejects(
        ctx.store.createRelease(newRelease('checkout', { specRevision: 7 }), 'ctl-a', LEASE, []),
        NotFoundError,
      );
      await assert.rejects(ctx.store.createRelease(newRelease('ghost'), 'ctl-a', LEASE, []), NotFoundError);
      assert.deepEqual(await ctx.store.listReleases({}), []);
    });

    storeCase('createRelease writes nothing when one of its events cannot be stored', async (ctx) => {
      const { store } = ctx;
      await withApp(ctx);
      await assert.rejects(
        store.createRelease(newRelease('checkout'), 'ctl-a', LEASE, [
          event('release.created', { data: UNSERIALISABLE }),
        ]),
      );
      assert.deepEqual(await store.listReleases({}), []);
      assert.equal(await store.getLock('checkout', 'production'), undefined);
      assert.deepEqual(
        (await store.listEvents({})).map((e) => e.action),
        ['app.applied'],
      );
      assert.equal((await store.verifyChain()).ok, true);
    });

    storeCase('a release created in a final phase takes no lock', async (ctx) => {
      await withApp(ctx);
      const release = await ctx.store.createRelease(
        newRelease('checkout', { phase: 'failed' }),
        'ctl-a',
        LEASE,
        [],
      );
      assert.equal(release.finishedAt, ctx.clock.iso());
      assert.equal(await ctx.store.getLock('checkout', 'production'), undefined);
    });

    storeCase('updateRelease bumps the generation and updatedAt and appends its events', async (ctx) => {
      const { store, clock } = ctx;
      await withApp(ctx);
      const created = await store.createRelease(newRelease('checkout'), 'ctl-a', LEASE, []);
      clock.advance(2_000);
      const runtime = { promote: 'step' as const, triggers: {}, checks: [] };
      const updated = await store.updateRelease({ ...advanced(created, clock.iso()), runtime }, 1, [
        event('step.started', { app: 'checkout', releaseId: created.id, data: { step: 1 } }),
        event('traffic.set'),
      ]);
      assert.equal(updated.generation, 2);
      assert.equal(updated.stepIndex, 1);
      assert.deepEqual(updated.runtime, runtime);
      assert.equal(updated.updatedAt, clock.iso());
      assert.equal(updated.createdAt, created.createdAt);
      assert.deepEqual(await store.getRelease(created.id), updated);
      const events = await store.listEvents({ releaseId: created.id });
      assert.deepEqual(
        events.map((e) => [e.action, e.app, e.releaseId]),
        [
          ['step.started', 'checkout', created.id],
          ['traffic.set', 'checkout', created.id],
        ],
      );
    });

    storeCase(
      'updateRelease with a stale generation fails with StaleWriteError and writes nothing',
      async (ctx) => {
        const { store } = ctx;
        await withApp(ctx);
        const created = await store.createRelease(newRelease('checkout'), 'ctl-a', LEASE, []);
        await store.updateRelease(advanced(created, created.createdAt), 1, [event('step.started')]);
        await assert.rejects(
          store.updateRelease({ ...created, phase: 'paused' }, 1, [event('release.paused')]),
          (e) => {
            assert.ok(e instanceof StaleWriteError);
            assert.equal(e.releaseId, created.id);
            assert.equal(e.retryable, true);
            return true;
          },
        );
        const stored = await store.getRelease(created.id);
        assert.equal(stored?.phase, 'progressing');
        assert.equal(stored?.generation, 2);
        assert.deepEqual(
          (await store.listEvents({ releaseId: created.id })).map((e) => e.action),
          ['step.started'],
        );
      },
    );

    storeCase('reaching a final phase sets finishedAt and frees the lock in the same write', async (ctx) => {
      const { store, clock } = ctx;
      await withApp(ctx);
      const created = await store.createRelease(newRelease('checkout'), 'ctl-a', LEASE, []);
      const paused = await store.updateRelease({ ...created, phase: 'paused', pausedAt: clock.iso() }, 1, []);
      assert.equal(paused.finishedAt, null);
      assert.ok(await store.getLock('checkout', 'production'));
      clock.advance(60_000);
      const done = await store.updateRelease({ ...paused, phase: 'promoted' }, 2, [
        event('release.promoted'),
      ]);
      assert.equal(done.finishedAt, clock.iso());
      assert.equal(await store.getLock('checkout', 'production'), undefined);
    });

    storeCase('a finished release does not change', async (ctx) => {
      await withApp(ctx);
      const created = await ctx.store.createRelease(newRelease('checkout'), 'ctl-a', LEASE, []);
      const done = await ctx.store.updateRelease({ ...created, phase: 'rolledBack' }, 1, []);
      await assert.rejects(ctx.store.updateRelease({ ...done, phase: 'progressing' }, 2, []), ConflictError);
      assert.equal((await ctx.store.getRelease(created.id))?.phase, 'rolledBack');
      assert.equal(await ctx.store.getLock('checkout', 'production'), undefined);
    });

    storeCase(
      'updateRelease refuses to change what was fixed at creation, and unknown releases',
      async (ctx) => {
        await withApp(ctx);
        const created = await ctx.store.createRelease(newRelease('checkout'), 'ctl-a', LEASE, []);
        await assert.rejects(
          ctx.store.updateRelease({ ...created, version: 'v9' }, 1, []),
          InvalidInputError,
        );
        await assert.rejects(
          ctx.store.updateRelease({ ...created, environment: 'dev' }, 1, []),
          InvalidInputError,
        );
        await assert.rejects(
          ctx.store.updateRelease({ ...created, id: created.id + 100 }, 1, []),
          NotFoundError,
        );
        assert.equal((await ctx.store.getRelease(created.id))?.generation, 1);
      },
    );

    storeCase('updateRelease writes nothing when one of its events cannot be stored', async (ctx) => {
      await withApp(ctx);
      const created = await ctx.store.createRelease(newRelease('checkout'), 'ctl-a', LEASE, []);
      await assert.rejects(
        ctx.store.updateRelease({ ...created, phase: 'promoted' }, 1, [event('x', { data: UNSERIALISABLE })]),
      );
      const stored = await ctx.store.getRelease(created.id);
      assert.equal(stored?.phase, 'progressing');
      assert.equal(stored?.generation, 1);
      assert.ok(await ctx.store.getLock('checkout', 'production'), 'the lock is still held');
    });

    storeCase('listReleases returns newest first, filtered by app and phases, limited', async (ctx) => {
      const { store } = ctx;
      await withApp(ctx);
      await withApp(ctx, 'billing');
      const a = await store.createRelease(newRelease('checkout'), 'ctl-a', LEASE, []);
      await store.updateRelease({ ...a, phase: 'promoted' }, 1, []);
      const b = await store.createRelease(newRelease('billing'), 'ctl-a', LEASE, []);
      const c = await store.createRelease(newRelease('checkout', { version: 'v3' }), 'ctl-a', LEASE, []);
      const ids = async (q: Parameters<typeof store.listReleases>[0]): Promise<number[]> =>
        (await store.listReleases(q)).map((r) => r.id);
      assert.deepEqual(await ids({}), [c.id, b.id, a.id]);
      assert.deepEqual(await ids({ app: 'checkout' }), [c.id, a.id]);
      assert.deepEqual(await ids({ phases: ['progressing', 'paused'] }), [c.id, b.id]);
      assert.deepEqual(await ids({ app: 'checkout', phases: ['promoted'] }), [a.id]);
      assert.deepEqual(await ids({ phases: [] }), []);
      assert.deepEqual(await ids({ limit: 1 }), [c.id]);
      assert.equal(await store.getRelease(c.id + 1), undefined);
    });
  });
}
