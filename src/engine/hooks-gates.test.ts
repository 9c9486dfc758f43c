// Hooks and migrations in the engine (fake clock, in-memory fake target, real SQLite store, hooks as real
// processes): a failed pre-deploy hook changes nothing, failed smoke tests roll back and run the undo hooks,
// onSuccess runs after the promotion, a restart reruns only the actions without a result, and a breaking
// migration runs under maintenance, both forwards and back.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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
import type { CommandAction, MigrationSpec } from '../spec/compiled.js';
import type { GreenlightEvent, Release } from './model.js';

const lines = (file: string): string[] =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];

/** A script that records its start in `log`, then waits until `go` exists. */
const startThenWait = (log: string, go: string): string =>
  `${appendLine(log, 'start')}; setInterval(() => { if (require('fs').existsSync(${JSON.stringify(go)})) process.exit(0) }, 10)`;

const indexOf = (events: GreenlightEvent[], test: (e: GreenlightEvent) => boolean): number => {
  const at = events.findIndex(test);
  assert.ok(at >= 0, 'event not found');
  return at;
};

describe('hooks and migrations in the engine', () => {
  let h: EngineHarness;
  let file: (name: string) => string;
  let cmd: (name: string, script: string, extra?: Partial<CommandAction>) => CommandAction;
  const finished = (id: number) => async (): Promise<Release | false> => {
    const r = await h.release(id);
    return ['promoted', 'rolledBack', 'aborted', 'failed'].includes(r.phase) && r;
  };

  beforeEach(async () => {
    h = await engineHarness({ prefix: 'gl-engine-hooks-' });
    file = (name) => join(h.dir, name);
    cmd = (name, script, extra) => nodeCommand(name, script, h.dir, extra);
    await h.liveOn('v1', testSpec());
  });

  afterEach(async () => {
    await h.close();
  });

  describe('hooks', () => {
    it('a failed preDeploy hook ends the release failed with nothing changed', async () => {
      await h.apply(
        withRunbookParts(testSpec(), {
          hooks: {
            preDeploy: [cmd('backup', 'process.exit(1)')],
            onRollback: [cmd('undo', appendLine(file('rollback.log')))],
            onFailure: [cmd('page', appendLine(file('failure.log')))],
          },
        }),
      );
      const callsBefore = h.target.calls.length;
      const r = await h.ops.deploy({ app: 'shop', version: 'v2', actor: deployer });
      const done = await h.until('the release to end', finished(r.id));
      assert.equal(done.phase, 'failed');
      assert.equal(done.outcomeReason, 'preDeploy:backup');
      assert.deepEqual(h.target.calls.slice(callsBefore), []);
      assert.deepEqual(lines(file('failure.log')), ['ran']);
      assert.deepEqual(lines(file('rollback.log')), []);
      const failed = (await h.events(r.id)).find((e) => e.action === 'hook.failed');
      assert.equal(failed?.data.hook, 'preDeploy');
    });

    it('failed smoke tests roll back before users reach the new version, running onRollback and onFailure', async () => {
      await h.apply(
        withRunbookParts(testSpec(), {
          hooks: {
            postDeploy: [cmd('smoke', 'console.error("GET /checkout: 500"); process.exit(1)')],
            onRollback: [cmd('undo', appendLine(file('order.log'), 'onRollback'))],
            onFailure: [cmd('page', appendLine(file('order.log'), 'onFailure'))],
          },
        }),
      );
      const r = await h.ops.deploy({ app: 'shop', version: 'v2', actor: deployer });
      const smoke = r.plan.findIndex((s) => s.wait.kind === 'actions' && s.wait.hook === 'postDeploy');
      assert.equal(smoke, 1, 'right after the canary starts without users');
      const done = await h.until('the release to end', finished(r.id));
      assert.equal(done.phase, 'rolledBack');
      assert.equal(done.outcomeReason, 'postDeploy:smoke');
      assert.deepEqual(lines(file('order.log')), ['onRollback', 'onFailure']);
      assert.deepEqual(h.target.traffic('shop').weights, { v1: 100 });
      assert.ok(!h.target.calls.some((c) => /"v2":[1-9]/.test(c)), 'v2 never had traffic');
      assert.deepEqual(
        (await h.target.observe('shop')).versionSets.map((s) => s.version),
        ['v1'],
      );
      const events = await h.events(r.id);
      const failed = events.find((e) => e.action === 'hook.failed');
      assert.match(String(failed?.data.output), /GET \/checkout: 500/);
    });

    it('onSuccess hooks run once the release is promoted', async () => {
      await h.apply(
        withRunbookParts(testSpec(), {
          hooks: {
            onSuccess: [
              cmd(
                'announce',
                `${appendLine(file('success.log'))}; console.log(process.env.GREENLIGHT_VERSION)`,
              ),
            ],
          },
        }),
      );
      const r = await h.ops.deploy({ app: 'shop', version: 'v2', actor: deployer });
      await h.run(10_000);
      assert.deepEqual(lines(file('success.log')), [], 'not before the promotion');
      await h.ops.promote('shop', deployer, true);
      const done = await h.until('the release to end', finished(r.id));
      assert.equal(done.phase, 'promoted');
      assert.deepEqual(lines(file('success.log')), ['ran']);
      const events = await h.events(r.id);
      const passed = indexOf(events, (e) => e.action === 'hook.passed' && e.data.hook === 'onSuccess');
      const removed = indexOf(
        events,
        (e) => e.action === 'step.completed' && e.data.name === 'remove v1' && e.data.rollback === false,
      );
      assert.ok(removed < passed, 'after the old version is gone');
      assert.match(String(events[passed]?.data.output), /^v2$/m);
    });

    it('a hook a killed controller left running is waited for, never run again beside itself', async () => {
      await h.apply(
        withRunbookParts(testSpec(), {
          hooks: { preDeploy: [cmd('backup', startThenWait(file('backup.log'), file('go')))] },
        }),
      );
      const r = await h.ops.deploy({ app: 'shop', version: 'v2', actor: deployer });
      await h.until('the backup to start', async () => lines(file('backup.log')).length === 1, 0);
      await h.until(
        'its process to be recorded',
        async () => Boolean((await h.release(r.id)).runtime.hookProcess),
        0,
      );
      // A kill -9 leaves the hook running: here a stand-in process, recorded as the hook a dead controller left.
      const orphan = spawn(
        process.execPath,
        [
          '-e',
          `${startThenWait(file('orphan.log'), file('go'))}; process.on('exit', () => require('fs').appendFileSync(${JSON.stringify(file('backup.log'))}, 'orphan done\\n'))`,
        ],
        { detached: true, stdio: 'ignore' },
      );
      await h.until('the stand-in to start', async () => lines(file('orphan.log')).length === 1, 0);
      await h.restart(async () => {
        const stored = (await h.store.getRelease(r.id))!;
        const hookProcess = { ...stored.runtime.hookProcess!, pgid: orphan.pid!, startTime: null };
        await h.store.updateRelease(
          { ...stored, runtime: { ...stored.runtime, hookProcess } },
          stored.generation,
          [],
        );
      });
      // While the old one lives, the hook is not started again.
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(lines(file('backup.log')), ['start']);
      writeFileSync(file('go'), '');
      await h.until('the canary to start', async () => (await h.release(r.id)).stepIndex > 0, 0);
      assert.deepEqual(lines(file('backup.log')), ['start', 'orphan done', 'start']);
    });

    it('a restart in the middle of a hook step reruns only the actions without a result', async () => {
      await h.apply(
        withRunbookParts(testSpec(), {
          hooks: {
            preDeploy: [
              cmd('first', appendLine(file('first.log'))),
              cmd('second', startThenWait(file('second.log'), file('go'))),
            ],
          },
        }),
      );
      const r = await h.ops.deploy({ app: 'shop', version: 'v2', actor: deployer });
      await h.until('the second action to start', async () => lines(file('second.log')).length === 1, 0);
      assert.deepEqual(
        (await h.release(r.id)).runtime.checks.map((c) => c.name),
        ['first'],
      );
      await h.restart();
      await h.until('the second action to start again', async () => lines(file('second.log')).length >= 2, 0);
      writeFileSync(file('go'), '');
      const moved = await h.until('the canary to start', async () => {
        const now = await h.release(r.id);
        return now.stepIndex > 0 && now;
      });
      assert.equal(moved.phase, 'progressing');
      assert.deepEqual(lines(file('first.log')), ['ran'], 'the first action ran once');
      assert.deepEqual(lines(file('second.log')), ['start', 'start'], 'the interrupted one ran again, once');
      const passed = (await h.events(r.id)).filter((e) => e.action === 'hook.passed').map((e) => e.data.name);
      assert.deepEqual(passed, ['first', 'second']);
    });
  });

  describe('breaking migration', () => {
    const migration = (action: CommandAction): MigrationSpec => ({
      action,
      mode: 'breaking',
      maintenance: { mode: 'hold', holdMs: 30_000, retryAfterSeconds: 5 },
    });

    it('runs under maintenance: old version drained and stopped, migration, new version, maintenance off', async () => {
      await h.apply(
        withRunbookParts(testSpec(), {
          hooks: { migrate: migration(cmd('schema', startThenWait(file('migrate.log'), file('go')))) },
        }),
      );
      const plan = await h.ops.plan('shop', 'v2');
      assert.deepEqual(
        plan.steps.map((s) => [s.name, s.wait.kind, s.maintenance ?? null]),
        [
          ['maintenance on', 'none', 'start'],
          ['drain and stop v1', 'stopped', null],
          ['migration (schema)', 'actions', null],
          ['start v2 (4 instances)', 'ready', null],
          ['maintenance off: all traffic to v2', 'none', 'end'],
        ],
      );
      assert.deepEqual(plan.steps[1]?.wait, { kind: 'stopped', version: 'v1' });
      assert.equal(plan.steps[4]?.marksLive, true);

      const r = await h.ops.deploy({ app: 'shop', version: 'v2', actor: deployer });
      await h.until('the migration to start', async () => lines(file('migrate.log')).length === 1);
      const during = h.target.traffic('shop');
      assert.equal(during.maintenance?.mode, 'hold', 'requests are held meanwhile');
      assert.deepEqual((await h.target.observe('shop')).versionSets, [], 'no version runs during it');
      writeFileSync(file('go'), '');
      const done = await h.until('the release to end', finished(r.id));
      assert.equal(done.phase, 'promoted');
      assert.deepEqual(h.target.traffic('shop').weights, { v2: 100 });
      assert.equal(h.target.traffic('shop').maintenance, undefined);
      assert.equal(done.runtime.maintenanceSince, null);

      const events = await h.events(r.id);
      const started = events.filter((e) => e.action === 'maintenance.started');
      const ended = events.filter((e) => e.action === 'maintenance.ended');
      assert.equal(started.length, 1);
      assert.equal(ended.length, 1);
      assert.equal(started[0]?.data.mode, 'hold');
      assert.equal(ended[0]?.data.since, started[0]?.at);
      assert.equal(ended[0]?.data.durationMs, Date.parse(ended[0]!.at) - Date.parse(started[0]!.at));
      assert.ok(Number(ended[0]?.data.durationMs) > 0);
    });

    it('a failed migration goes back under maintenance, running onRollback before the old version serves', async () => {
      await h.apply(
        withRunbookParts(testSpec(), {
          hooks: {
            migrate: migration(cmd('schema', 'process.exit(2)')),
            onRollback: [cmd('restore', appendLine(file('order.log'), 'onRollback'))],
            onFailure: [cmd('page', appendLine(file('order.log'), 'onFailure'))],
          },
        }),
      );
      const r = await h.ops.deploy({ app: 'shop', version: 'v2', actor: deployer });
      const done = await h.until('the release to end', finished(r.id));
      assert.equal(done.phase, 'rolledBack');
      assert.equal(done.outcomeReason, 'migrate:schema');
      assert.deepEqual(
        done.rollbackPlan.map((s) => s.name),
        [
          'maintenance on',
          'on-rollback hooks (restore)',
          'start v1 (4 instances)',
          'maintenance off: all traffic to v1',
          'on-failure hooks (page)',
        ],
      );
      assert.deepEqual(lines(file('order.log')), ['onRollback', 'onFailure']);
      assert.deepEqual(h.target.traffic('shop').weights, { v1: 100 });
      assert.equal(h.target.traffic('shop').maintenance, undefined);
      assert.equal(done.runtime.maintenanceSince, null);

      const events = await h.events(r.id);
      const restored = indexOf(events, (e) => e.action === 'hook.passed' && e.data.name === 'restore');
      const v1Back = indexOf(
        events,
        (e) => e.action === 'step.started' && e.data.name === 'maintenance off: all traffic to v1',
      );
      assert.ok(restored < v1Back, 'onRollback ran before v1 got traffic again');
      const started = events.filter((e) => e.action === 'maintenance.started');
      const ended = events.filter((e) => e.action === 'maintenance.ended');
      assert.equal(started.length, 1, 'maintenance started once (it never ended in between)');
      assert.equal(ended.length, 1);
      assert.equal(ended[0]?.data.since, started[0]?.at, 'the duration covers the whole maintenance');
    });
  });
});
