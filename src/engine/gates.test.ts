// Runbook gates in the engine (fake clock, in-memory fake target, real SQLite store, hooks as real processes):
// pre-deployment checks stop a release before anything changes, approvals count distinct unexpired approvers
// of the right role, `promote` never skips an approval, canary pauses wait for an approver, and windows refuse
// a deploy unless it is an emergency with a written justification.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  appendLine,
  deployer,
  engineHarness,
  nodeCommand,
  withRunbookParts,
  type EngineHarness,
} from '../../test/helpers/engine-harness.js';
import { testSpec } from '../../test/helpers/spec.js';
import { ConflictError, ForbiddenError, InvalidInputError } from '../errors.js';
import type { ApprovalPolicy, CompiledSpec, WindowPolicy } from '../spec/compiled.js';
import type { Actor, Release } from './model.js';

const bob: Actor = { name: 'bob', role: 'approver' };
const erin: Actor = { name: 'erin', role: 'approver' };
const carol: Actor = { name: 'carol', role: 'approver' };

const stepName = (r: Release): string | undefined => r.plan[r.stepIndex]?.name;
const lines = (file: string): string[] =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];

describe('runbook gates in the engine', () => {
  let h: EngineHarness;
  const finished = (id: number) => async (): Promise<Release | false> => {
    const r = await h.release(id);
    return ['promoted', 'rolledBack', 'aborted', 'failed'].includes(r.phase) && r;
  };

  beforeEach(async () => {
    h = await engineHarness({ prefix: 'gl-engine-gates-' });
  });

  afterEach(async () => {
    await h.close();
  });

  describe('pre-deployment checks', () => {
    it('a failing check ends the release failed before anything changes, running only onFailure hooks', async () => {
      await h.liveOn('v1', testSpec());
      const failedFile = join(h.dir, 'on-failure.log');
      const rollbackFile = join(h.dir, 'on-rollback.log');
      await h.apply(
        withRunbookParts(testSpec(), {
          gates: {
            checks: [
              nodeCommand('lint', 'console.log("lint ok")', h.dir),
              nodeCommand('capacity', 'console.log("no capacity left"); process.exit(3)', h.dir),
              nodeCommand('never', 'process.exit(0)', h.dir),
            ],
          },
          hooks: {
            onFailure: [nodeCommand('page', appendLine(failedFile), h.dir)],
            onRollback: [nodeCommand('undo', appendLine(rollbackFile), h.dir)],
          },
        }),
      );
      const callsBefore = h.target.calls.length;
      const r = await h.ops.deploy({ app: 'shop', version: 'v2', actor: deployer });
      const done = await h.until('the release to end', finished(r.id));

      assert.equal(done.phase, 'failed');
      assert.equal(done.outcomeReason, 'check:capacity');
      assert.deepEqual(h.target.calls.slice(callsBefore), [], 'nothing was asked of the target');
      assert.deepEqual(h.target.traffic('shop').weights, { v1: 100 });
      assert.deepEqual(lines(failedFile), ['ran'], 'onFailure ran once');
      assert.deepEqual(lines(rollbackFile), [], 'onRollback does not run: nothing to undo');
      assert.equal((await h.store.currentRevision('shop', 'default'))?.version, 'v1');

      const events = await h.events(r.id);
      const actions = events.map((e) => e.action);
      assert.ok(actions.includes('check.passed'));
      assert.ok(actions.includes('release.failed'));
      assert.ok(actions.indexOf('check.failed') < actions.indexOf('release.failed'));
      const failed = events.find((e) => e.action === 'check.failed');
      assert.equal(failed?.data.name, 'capacity');
      assert.equal(failed?.data.hook, 'checks');
      assert.equal(failed?.data.exitCode, 3);
      assert.match(String(failed?.data.output), /no capacity left/);
      assert.ok(!events.some((e) => e.data.name === 'never'), 'the checks after a failed one do not run');
      assert.equal(await h.store.getLock('shop', 'default'), undefined, 'the lock is free');
    });

    it('passing checks let the release proceed; their output is stored with declared secrets redacted', async () => {
      const secret = 'hunter2-correct-horse';
      process.env.GL_TEST_CHECK_DB_PASSWORD = secret;
      try {
        await h.liveOn('v1', testSpec());
        await h.apply(
          withRunbookParts(testSpec(), {
            gates: {
              checks: [
                nodeCommand(
                  'db',
                  'console.log("connecting with " + process.env.GL_TEST_CHECK_DB_PASSWORD); console.log("db reachable")',
                  h.dir,
                ),
              ],
            },
            secrets: { env: ['GL_TEST_CHECK_DB_PASSWORD'] },
          }),
        );
        const r = await h.ops.deploy({ app: 'shop', version: 'v2', actor: deployer });
        assert.equal(r.plan[0]?.gate, true);
        const moved = await h.until('the canary to start', async () => {
          const now = await h.release(r.id);
          return now.stepIndex > 0 && now;
        });
        assert.equal(moved.phase, 'progressing');
        await h.run(5000);
        assert.deepEqual(h.target.traffic('shop').weights, { v1: 75, v2: 25 });

        const passed = (await h.events(r.id)).find((e) => e.action === 'check.passed');
        assert.ok(passed);
        const output = String(passed.data.output);
        assert.match(output, /db reachable/);
        assert.match(output, /connecting with \[redacted:GL_TEST_CHECK_DB_PASSWORD\]/);
        const everything = JSON.stringify(await h.store.listEvents({}));
        assert.ok(!everything.includes(secret), 'the secret is in no event');
      } finally {
        delete process.env.GL_TEST_CHECK_DB_PASSWORD;
      }
    });
  });

  describe('approvals', () => {
    const startPolicy: ApprovalPolicy = {
      stage: 'start',
      roles: ['approver'],
      count: 2,
      expiresAfterMs: 60_000,
      allowSelfApproval: false,
    };

    it('waits at the start for two distinct, unexpired approvers, refusing the creator and other roles', async () => {
      await h.liveOn('v1', testSpec());
      await h.apply(withRunbookParts(testSpec(), { gates: { approvals: [startPolicy] } }));
      const r = await h.ops.deploy({ app: 'shop', version: 'v2', actor: carol });
      const callsBefore = h.target.calls.length;
      await h.run(5000);
      let now = await h.release(r.id);
      assert.equal(now.stepIndex, 0);
      assert.equal(stepName(now), 'approval to start: 2 approvers');
      const requested = (await h.events(r.id)).filter((e) => e.action === 'approval.requested');
      assert.equal(requested.length, 1);
      assert.deepEqual(requested[0]?.data, {
        index: 0,
        step: 'approval to start: 2 approvers',
        stage: 'start',
        roles: ['approver'],
        count: 2,
      });

      await assert.rejects(h.ops.approve({ app: 'shop', actor: carol, reason: 'mine' }), ForbiddenError);
      await assert.rejects(
        h.ops.approve({ app: 'shop', actor: { name: 'dave', role: 'deployer' }, reason: 'lgtm' }),
        ForbiddenError,
      );
      await assert.rejects(h.ops.approve({ app: 'shop', actor: bob, reason: '  ' }), InvalidInputError);
      await assert.rejects(h.ops.promote('shop', deployer, false), ConflictError);
      await assert.rejects(h.ops.promote('shop', deployer, true), ConflictError);

      await h.ops.approve({ app: 'shop', actor: bob, reason: 'looks fine' });
      await h.run(5000);
      assert.equal((await h.release(r.id)).stepIndex, 0, 'one approver of two');
      await h.ops.approve({ app: 'shop', actor: bob, reason: 'really fine' });
      await h.run(5000);
      assert.equal((await h.release(r.id)).stepIndex, 0, 'the same approver counts once');

      await h.run(60_000, 5000);
      await h.ops.approve({ app: 'shop', actor: erin, reason: 'ok' });
      await h.run(5000);
      now = await h.release(r.id);
      assert.equal(now.stepIndex, 0, "bob's approvals expired: one of two again");
      assert.deepEqual(h.target.calls.slice(callsBefore), [], 'nothing applied while waiting');

      await h.ops.approve({ app: 'shop', actor: bob, reason: 'still fine' });
      await h.run(5000);
      now = await h.release(r.id);
      assert.ok(now.stepIndex > 0, 'two valid approvals: the release starts');
      assert.ok(h.target.calls.slice(callsBefore).includes('ensureVersionSet shop v2=1'));

      const granted = (await h.events(r.id)).filter((e) => e.action === 'approval.granted');
      assert.deepEqual(
        granted.map((e) => [e.actor.name, e.data.approvals, e.data.needed]),
        [
          ['bob', 1, 2],
          ['bob', 1, 2],
          ['erin', 1, 2],
          ['bob', 2, 2],
        ],
      );
      assert.equal(granted[0]?.reason, 'looks fine');
      await assert.rejects(
        h.ops.approve({ app: 'shop', actor: erin, reason: 'late' }),
        ConflictError,
        'no approval step now',
      );
    });

    it('promote --full before a promotion approval lands on the approval and does not pass it', async () => {
      await h.liveOn('v1', testSpec());
      const promotion: ApprovalPolicy = {
        ...startPolicy,
        stage: 'promotion',
        count: 1,
        expiresAfterMs: null,
      };
      await h.apply(withRunbookParts(testSpec(), { gates: { approvals: [promotion] } }));
      const r = await h.ops.deploy({ app: 'shop', version: 'v2', actor: deployer });
      await h.run(5000);
      assert.deepEqual(h.target.traffic('shop').weights, { v1: 75, v2: 25 });
      await h.ops.promote('shop', deployer, true);
      await h.run(10_000);
      let now = await h.release(r.id);
      assert.equal(stepName(now), 'approval to promote: 1 approver');
      assert.equal(now.runtime.promote, 'none', 'the jump consumed the promotion');
      await h.run(120_000, 10_000);
      now = await h.release(r.id);
      assert.equal(stepName(now), 'approval to promote: 1 approver', 'waits however long');
      assert.equal(now.phase, 'progressing');
      // The approval holds the last canary state (what the promotion sequence starts from), never more.
      assert.deepEqual(h.target.traffic('shop').weights, { v1: 50, v2: 50 });
      assert.ok(!h.target.calls.some((c) => c.includes('"v2":100')));
      await assert.rejects(h.ops.promote('shop', deployer, true), ConflictError);

      await h.ops.approve({ app: 'shop', actor: bob, reason: 'ship it' });
      await h.run(10_000);
      now = await h.release(r.id);
      assert.equal(now.phase, 'promoted');
      assert.deepEqual(h.target.traffic('shop').weights, { v2: 100 });
    });

    it('a canary pause untilApproved waits for one approver by default', async () => {
      await h.liveOn('v1', testSpec());
      const spec = testSpec({
        strategy: {
          kind: 'canary',
          canaryInstances: 1,
          steps: [{ setWeight: 25 }, { pause: { untilApproved: true } }, { setWeight: 50 }],
        },
      });
      await h.apply(spec);
      const r = await h.ops.deploy({ app: 'shop', version: 'v2', actor: deployer });
      await h.run(10_000);
      let now = await h.release(r.id);
      assert.equal(stepName(now), 'pause until approved: 1 approver');
      await h.run(120_000, 10_000);
      assert.equal((await h.release(r.id)).stepIndex, now.stepIndex, 'no deadline on an approval');
      const requested = (await h.events(r.id)).find((e) => e.action === 'approval.requested');
      assert.equal(requested?.data.stage, 'pause');
      assert.equal(requested?.data.count, 1);

      await h.ops.approve({ app: 'shop', actor: bob, reason: 'canary healthy' });
      await h.run(10_000);
      now = await h.release(r.id);
      assert.equal(now.phase, 'promoted');
      assert.ok(h.target.calls.some((c) => c.includes('"v2":50')));
    });
  });

  describe('windows and emergencies', () => {
    const officeHours: WindowPolicy = {
      timeZone: 'UTC',
      allow: [{ text: 'Mon-Fri 09:00-17:00', days: [1, 2, 3, 4, 5], startMinute: 540, endMinute: 1020 }],
      deny: [],
      freezes: [],
    };
    const startApproval: ApprovalPolicy = {
      stage: 'start',
      roles: ['approver'],
      count: 1,
      expiresAfterMs: null,
      allowSelfApproval: false,
    };
    const windowed = (bypassApprovals: boolean): CompiledSpec =>
      withRunbookParts(testSpec(), {
        gates: { windows: officeHours, approvals: [startApproval], emergency: { bypassApprovals } },
      });
    const justification = 'checkout is down for every customer (INC-42)';

    it('refuses a deploy outside the windows, naming them', async () => {
      await h.liveOn('v1', testSpec());
      await h.apply(windowed(false));
      // The fake clock starts on Thursday 2026-01-01 at midnight UTC.
      const refused = await h.ops.deploy({ app: 'shop', version: 'v2', actor: deployer }).then(
        () => assert.fail('deployed outside the window'),
        (error: unknown) => error,
      );
      assert.ok(refused instanceof ConflictError);
      assert.match(refused.message, /Mon-Fri 09:00-17:00/);
      assert.equal(refused.details.gate, 'window');
      assert.equal(refused.details.nextChangeAt, '2026-01-01T09:00:00.000Z');
      await assert.rejects(
        h.ops.deploy({
          app: 'shop',
          version: 'v2',
          actor: deployer,
          emergency: { justification: 'urgent' },
        }),
        InvalidInputError,
        'a justification of fewer than 10 characters',
      );
      assert.deepEqual(await h.store.listReleases({ app: 'shop', phases: ['progressing'] }), []);
    });

    it('an emergency runs outside the windows, recorded; approvals stay unless the policy bypasses them', async () => {
      await h.liveOn('v1', testSpec());
      await h.apply(windowed(false));
      const kept = await h.ops.deploy({
        app: 'shop',
        version: 'v2',
        actor: deployer,
        emergency: { justification: `  ${justification} ` },
      });
      assert.deepEqual(kept.meta?.emergency, { justification });
      assert.equal(kept.plan[0]?.wait.kind, 'approval', 'approvals are kept');
      const stored = await h.release(kept.id);
      assert.deepEqual(stored.meta?.emergency, { justification });
      const events = await h.events(kept.id);
      const emergency = events.find((e) => e.action === 'release.emergency');
      assert.equal(emergency?.reason, justification);
      assert.deepEqual(emergency?.data.bypassed, ['windows']);
      assert.equal(events.find((e) => e.action === 'release.created')?.data.emergency, true);
      await h.ops.abort('shop', deployer, 'try the bypass');
      await h.until('the abort', finished(kept.id));

      await h.apply(windowed(true));
      const bypass = await h.ops.deploy({
        app: 'shop',
        version: 'v2',
        actor: deployer,
        emergency: { justification },
      });
      assert.ok(!bypass.plan.some((s) => s.wait.kind === 'approval'), 'no approval step');
      const bypassed = (await h.events(bypass.id)).find((e) => e.action === 'release.emergency');
      assert.deepEqual(bypassed?.data.bypassed, ['windows', 'approvals']);
      await h.run(5000);
      assert.deepEqual(h.target.traffic('shop').weights, { v1: 75, v2: 25 });
    });
  });
});
