// Store conformance, part three: app specs and their revisions, live revisions, the event log with its hash
// chain, and API tokens.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe } from 'node:test';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.js';
import { ALICE, event, newRelease, sampleSpec } from './conformance-fixtures.js';
import type { StoreCase } from './conformance-fixtures.js';
import { GENESIS_HASH, eventHash } from './event-chain.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The same object with its keys inserted in reverse order, at every level. */
function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).reverse();
  return Object.fromEntries(entries.map(([k, v]) => [k, reversedKeys(v)])) as T;
}

export function recordConformance(storeCase: StoreCase): void {
  void describe('apps', () => {
    storeCase('migrate is idempotent and keeps the data', async ({ store }) => {
      await store.putApp(sampleSpec('checkout'), 'yaml', event('app.applied'));
      await store.migrate();
      assert.equal((await store.getApp('checkout'))?.specRevision, 1);
    });

    storeCase('putApp stores the first spec as revision 1 with its event', async ({ store, clock }) => {
      const { record, changed } = await store.putApp(
        sampleSpec('checkout'),
        'kind: App\n',
        event('app.applied'),
      );
      assert.equal(changed, true);
      assert.deepEqual(record, {
        name: 'checkout',
        specRevision: 1,
        spec: sampleSpec('checkout'),
        sourceText: 'kind: App\n',
        updatedAt: clock.iso(),
      });
      assert.deepEqual(await store.getApp('checkout'), record);
      const [applied] = await store.listEvents({ app: 'checkout' });
      assert.equal(applied?.action, 'app.applied');
      assert.equal(applied?.data['specRevision'], 1);
    });

    storeCase(
      'putApp with an equal spec (keys in another order) changes nothing',
      async ({ store, clock }) => {
        const first = await store.putApp(sampleSpec('checkout'), 'a', event('app.applied'));
        clock.advance(1_000);
        const again = await store.putApp(reversedKeys(sampleSpec('checkout')), 'b', event('app.applied'));
        assert.equal(again.changed, false);
        assert.deepEqual(again.record, first.record);
        assert.equal((await store.listEvents({})).length, 1, 'no event for a change that did not happen');
      },
    );

    storeCase('putApp with a changed spec makes a new revision; old revisions stay readable', async (ctx) => {
      const { store, clock } = ctx;
      await store.putApp(sampleSpec('checkout', 2), 'two', event('app.applied'));
      clock.advance(1_000);
      const { record, changed } = await store.putApp(
        sampleSpec('checkout', 3),
        'three',
        event('app.applied'),
      );
      assert.equal(changed, true);
      assert.equal(record.specRevision, 2);
      assert.equal(record.sourceText, 'three');
      assert.equal(record.updatedAt, clock.iso());
      assert.deepEqual(await store.getAppSpec('checkout', 1), sampleSpec('checkout', 2));
      assert.deepEqual(await store.getAppSpec('checkout', 2), sampleSpec('checkout', 3));
      assert.equal(await store.getAppSpec('checkout', 3), undefined);
      const events = await store.listEvents({ app: 'checkout' });
      assert.deepEqual(
        events.map((e) => e.data['specRevision']),
        [1, 2],
      );
    });

    storeCase('getApp and listApps', async ({ store }) => {
      assert.equal(await store.getApp('ghost'), undefined);
      assert.equal(await store.getAppSpec('ghost', 1), undefined);
      await store.putApp(sampleSpec('web'), '', event('app.applied'));
      await store.putApp(sampleSpec('api'), '', event('app.applied'));
      assert.deepEqual(
        (await store.listApps()).map((a) => a.name),
        ['api', 'web'],
      );
    });
  });

  void describe('revisions', () => {
    storeCase(
      'recordRevision numbers 1, 2, 3 per app and environment; current is the highest',
      async (ctx) => {
        const { store, clock } = ctx;
        await store.putApp(sampleSpec('checkout'), '', event('app.applied'));
        const release = await store.createRelease(newRelease('checkout'), 'ctl', 1_000, []);
        const record = (environment: string, version: string) =>
          store.recordRevision(
            { app: 'checkout', environment, version, releaseId: release.id, specRevision: 1 },
            event('revision.recorded', { data: { version } }),
          );
        assert.equal(await store.currentRevision('checkout', 'production'), undefined);
        const one = await record('production', 'v1');
        await record('staging', 'v1');
        clock.advance(1_000);
        const two = await record('production', 'v2');
        assert.deepEqual(two, {
          app: 'checkout',
          environment: 'production',
          number: 2,
          version: 'v2',
          releaseId: release.id,
          specRevision: 1,
          createdAt: clock.iso(),
        });
        assert.deepEqual(await store.listRevisions('checkout', 'production'), [one, two]);
        assert.deepEqual(await store.currentRevision('checkout', 'production'), two);
        assert.equal((await store.currentRevision('checkout', 'staging'))?.number, 1);
        assert.deepEqual(await store.listRevisions('checkout', 'dev'), []);
        const events = await store.listEvents({ releaseId: release.id });
        assert.deepEqual(
          events.map((e) => [e.app, e.data['revision'], e.data['version']]),
          [
            ['checkout', 1, 'v1'],
            ['checkout', 1, 'v1'],
            ['checkout', 2, 'v2'],
          ],
        );
      },
    );

    storeCase('recordRevision needs an existing release', async ({ store }) => {
      await assert.rejects(
        store.recordRevision(
          { app: 'checkout', environment: 'production', version: 'v1', releaseId: 99, specRevision: 1 },
          event('revision.recorded'),
        ),
        NotFoundError,
      );
      assert.deepEqual(await store.listEvents({}), []);
    });
  });

  void describe('events', () => {
    storeCase(
      'appendEvent numbers events and links each one to the previous by hash',
      async ({ store, clock }) => {
        const first = await store.appendEvent(
          event('a', { data: { n: 1, nested: { b: [1, 'x'], a: null } } }),
        );
        const second = await store.appendEvent(event('b', { at: '2025-12-31T00:00:00.000Z', reason: 'why' }));
        assert.equal(first.id, 1);
        assert.equal(first.at, clock.iso());
        assert.equal(first.prevHash, GENESIS_HASH);
        assert.match(first.hash, /^[0-9a-f]{64}$/);
        assert.equal(first.hash, eventHash(GENESIS_HASH, first), 'the shared chain format');
        assert.deepEqual(first.data, { n: 1, nested: { b: [1, 'x'], a: null } });
        assert.equal(second.id, 2);
        assert.equal(second.at, '2025-12-31T00:00:00.000Z');
        assert.equal(second.prevHash, first.hash);
        assert.equal(second.hash, eventHash(first.hash, second));
        assert.deepEqual(await store.listEvents({}), [first, second]);
      },
    );

    storeCase('a cursor is undefined until set, then keeps its last value per name', async ({ store }) => {
      assert.equal(await store.getCursor('webhooks'), undefined);
      await store.setCursor('webhooks', 7);
      await store.setCursor('webhooks', 12);
      await store.setCursor('other', 3);
      assert.equal(await store.getCursor('webhooks'), 12);
      assert.equal(await store.getCursor('other'), 3);
    });

    storeCase('listEvents filters by app, release and afterId, oldest first, limited', async ({ store }) => {
      const ids: number[] = [];
      for (const [app, releaseId] of [
        ['a', 1],
        ['b', 2],
        ['a', null],
        ['a', 1],
      ] as const) {
        ids.push((await store.appendEvent(event('x', { app, releaseId }))).id);
      }
      const list = async (q: Parameters<typeof store.listEvents>[0]): Promise<number[]> =>
        (await store.listEvents(q)).map((e) => e.id);
      assert.deepEqual(await list({}), ids);
      assert.deepEqual(await list({ app: 'a' }), [ids[0], ids[2], ids[3]]);
      assert.deepEqual(await list({ releaseId: 1 }), [ids[0], ids[3]]);
      assert.deepEqual(await list({ app: 'a', afterId: ids[0] }), [ids[2], ids[3]]);
      assert.deepEqual(await list({ limit: 2 }), ids.slice(0, 2));
    });

    storeCase('verifyChain accepts the chain every write extends', async (ctx) => {
      const { store } = ctx;
      assert.deepEqual(await store.verifyChain(), { ok: true, checked: 0 });
      await store.putApp(sampleSpec('checkout'), '', event('app.applied'));
      const release = await store.createRelease(newRelease('checkout'), 'ctl', 1_000, [
        event('release.created'),
      ]);
      await store.updateRelease({ ...release, phase: 'promoted' }, 1, [event('release.promoted')]);
      await store.createRelease(newRelease('checkout'), 'ctl', 1_000, [event('release.created')]);
      ctx.clock.advance(5_000);
      await store.claimExpiredLocks('ctl-2', 1_000);
      await store.createToken('ci', 'deployer', null, sha256('secret'), ALICE);
      await store.revokeToken('ci', ALICE);
      await store.appendEvent(event('note'));
      const events = await store.listEvents({});
      assert.equal(events.length, 8);
      assert.deepEqual(await store.verifyChain(), { ok: true, checked: 8 });
    });
  });

  void describe('tokens', () => {
    storeCase('createToken keeps the hash only; findToken finds it', async ({ store, clock }) => {
      const hash = sha256('glt_secret');
      const token = await store.createToken('ci', 'deployer', ['staging'], hash, ALICE);
      assert.deepEqual(token, {
        id: token.id,
        name: 'ci',
        role: 'deployer',
        environments: ['staging'],
        createdAt: clock.iso(),
        revokedAt: null,
      });
      assert.deepEqual(await store.findToken(hash), token);
      assert.equal(await store.findToken(sha256('other')), undefined);
      assert.deepEqual(await store.listTokens(), [token]);
      const [created] = await store.listEvents({});
      assert.equal(created?.action, 'token.created');
      assert.deepEqual(created?.actor, ALICE);
      assert.ok(!JSON.stringify(created).includes(hash), 'the hash stays out of the event log');
    });

    storeCase('createToken refuses anything but a SHA-256 hex hash', async ({ store }) => {
      await assert.rejects(
        store.createToken('ci', 'deployer', null, 'glt_plaintext', ALICE),
        InvalidInputError,
      );
      await assert.rejects(
        store.createToken('ci', 'deployer', null, sha256('x').toUpperCase(), ALICE),
        InvalidInputError,
      );
      assert.deepEqual(await store.listTokens(), []);
    });

    storeCase('names are unique among live tokens', async ({ store }) => {
      await store.createToken('ci', 'deployer', null, sha256('1'), ALICE);
      await assert.rejects(store.createToken('ci', 'viewer', null, sha256('2'), ALICE), ConflictError);
      await assert.rejects(store.createToken('other', 'viewer', null, sha256('1'), ALICE), ConflictError);
      assert.equal(await store.revokeToken('ci', ALICE), true);
      const again = await store.createToken('ci', 'viewer', null, sha256('2'), ALICE);
      assert.equal(again.role, 'viewer');
    });

    storeCase('revokeToken hides the token from findToken and keeps it listed', async ({ store, clock }) => {
      const hash = sha256('glt_secret');
      const token = await store.createToken('ci', 'deployer', null, hash, ALICE);
      clock.advance(1_000);
      assert.equal(await store.revokeToken('ci', ALICE), true);
      assert.equal(await store.findToken(hash), undefined);
      assert.deepEqual(await store.listTokens(), [{ ...token, revokedAt: clock.iso() }]);
      assert.equal(await store.revokeToken('ci', ALICE), false);
      assert.equal(await store.revokeToken('ghost', ALICE), false);
      assert.deepEqual(
        (await store.listEvents({})).map((e) => [e.action, e.data['name']]),
        [
          ['token.created', 'ci'],
          ['token.revoked', 'ci'],
        ],
      );
    });
  });
}
