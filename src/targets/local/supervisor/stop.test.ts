// Stopping instances with real processes: drain before SIGTERM, SIGKILL after the grace, the whole process
// group (no orphaned grandchild), and stopAll.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Harness, alive, appSpec, fixture, nodeSpec, waitFor } from './fixtures/harness.js';
import type { Supervisor } from './supervisor.js';

function pidOf(supervisor: Supervisor, app: string): number {
  const pid = supervisor.status(app)[0]?.instances[0]?.pid;
  assert.ok(typeof pid === 'number', `a pid for ${app}`);
  return pid;
}

function grandchildPid(supervisor: Supervisor, app: string): number | null {
  const line = supervisor.logs(app, 'v1-1').find((l) => l.startsWith('grandchild '));
  return line !== undefined ? Number(line.slice('grandchild '.length)) : null;
}

void describe('supervisor stop', () => {
  const harness = new Harness();
  after(() => harness.close());

  void it('takes the instance out of the endpoints and awaits the drain before SIGTERM', async () => {
    const marker = join(harness.baseDir, 'sigterm-received');
    const order: string[] = [];
    const supervisor = harness.create({
      drain: async (app, id, timeoutMs) => {
        order.push(`drain ${app} ${id} ${timeoutMs}`);
        assert.deepEqual(harness.endpointIds('drain', 'v1'), [], 'no longer an endpoint while draining');
        await sleep(300);
        order.push(existsSync(marker) ? 'SIGTERM came during the drain' : 'drain done before SIGTERM');
      },
    });
    await supervisor.ensureVersionSet('drain', {
      ...nodeSpec('v1', [fixture('term-marker.js')]),
      run: { command: [process.execPath, fixture('term-marker.js')], env: { MARKER_FILE: marker } },
      drainTimeoutMs: 1_500,
    });
    assert.equal(await supervisor.waitReady('drain', 'v1', 1, 15_000), true);
    const pid = pidOf(supervisor, 'drain');

    await supervisor.removeVersionSet('drain', 'v1');
    assert.deepEqual(order, ['drain drain v1-1 1500', 'drain done before SIGTERM']);
    assert.ok(existsSync(marker), 'the process got SIGTERM');
    assert.equal(alive(pid), false);
    assert.deepEqual(supervisor.status('drain'), []);
    assert.deepEqual(supervisor.apps().includes('drain'), false);
  });

  void it('SIGKILLs a process that ignores SIGTERM once the grace has passed', async () => {
    const supervisor = harness.create();
    await supervisor.ensureVersionSet('stubborn', {
      ...nodeSpec('v1', [fixture('ignore-term.js')]),
      stopGraceMs: 500,
    });
    assert.equal(await supervisor.waitReady('stubborn', 'v1', 1, 15_000), true);
    const pid = pidOf(supervisor, 'stubborn');

    await supervisor.removeVersionSet('stubborn', 'v1');
    assert.equal(alive(pid), false);
    assert.ok(
      harness.logged.some((l) => l.msg === 'process group killed with SIGKILL' && l.fields?.pgid === pid),
      'the supervisor had to SIGKILL it',
    );
    assert.ok(supervisor.logs('stubborn', 'v1-1').includes('got SIGTERM, ignoring it'), 'SIGTERM came first');
  });

  void it('kills a grandchild in the group when stopping: no orphan', async () => {
    const supervisor = harness.create();
    await supervisor.ensureVersionSet('family', {
      ...nodeSpec('v1', [fixture('with-grandchild.js')]),
      stopGraceMs: 500,
    });
    assert.equal(await supervisor.waitReady('family', 'v1', 1, 15_000), true);
    await waitFor('the grandchild pid in the log', () => grandchildPid(supervisor, 'family') !== null);
    const grandchild = grandchildPid(supervisor, 'family') ?? 0;
    harness.track(grandchild);
    assert.equal(alive(grandchild), true);

    const leader = pidOf(supervisor, 'family');
    await supervisor.removeVersionSet('family', 'v1');
    assert.equal(alive(grandchild), false, 'the grandchild went with its group');
    assert.ok(
      harness.logged.some((l) => l.msg === 'process group killed with SIGKILL' && l.fields?.pgid === leader),
      'the leader left on SIGTERM; the grandchild, ignoring it, needed the SIGKILL of the group',
    );
  });

  void it('kills the leftovers of a crashed instance before restarting it', async () => {
    const supervisor = harness.create();
    await supervisor.ensureVersionSet('crashfamily', nodeSpec('v1', [fixture('with-grandchild.js')]));
    assert.equal(await supervisor.waitReady('crashfamily', 'v1', 1, 15_000), true);
    await waitFor('the grandchild pid in the log', () => grandchildPid(supervisor, 'crashfamily') !== null);
    const grandchild = grandchildPid(supervisor, 'crashfamily') ?? 0;
    harness.track(grandchild);
    const leader = pidOf(supervisor, 'crashfamily');

    process.kill(leader, 'SIGKILL');
    await waitFor('the grandchild is gone', () => !alive(grandchild));
    await waitFor('a restart', () => supervisor.status('crashfamily')[0]?.ready === 1);
    assert.notEqual(pidOf(supervisor, 'crashfamily'), leader);
  });

  void it('stopAll stops every instance of every app in parallel and forgets them', async () => {
    const dataDir = harness.newDir();
    const supervisor = harness.create({ dataDir });
    await supervisor.ensureVersionSet('all-a', appSpec('v1', 2));
    await supervisor.ensureVersionSet('all-b', appSpec('v2', 1));
    assert.equal(await supervisor.waitReady('all-a', 'v1', 2, 15_000), true);
    assert.equal(await supervisor.waitReady('all-b', 'v2', 1, 15_000), true);
    const pids = ['all-a', 'all-b'].flatMap((app) =>
      supervisor.status(app).flatMap((v) => v.instances.map((i) => i.pid ?? 0)),
    );
    assert.equal(pids.length, 3);

    await supervisor.stopAll();
    for (const pid of pids) assert.equal(alive(pid), false, `pid ${pid} stopped`);
    assert.deepEqual(harness.endpointIds('all-a', 'v1'), []);
    const records = JSON.parse(readFileSync(join(dataDir, 'instances.json'), 'utf8')) as {
      instances: unknown[];
    };
    assert.deepEqual(records.instances, []);
    await assert.rejects(supervisor.ensureVersionSet('all-a', appSpec('v1', 1)), /shutting down/);
  });
});
