// Adoption with real processes: a second supervisor on the same data directory takes over the processes
// of a detached one (same pids, no restart), forgets dead ones, and never adopts a reused pid.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Harness, alive, appSpec, waitFor } from './fixtures/harness.js';
import type { RecordsFile } from './records.js';
import { specHash } from './spec.js';
import type { Supervisor } from './supervisor.js';

const pidsOf = (supervisor: Supervisor, app: string): number[] =>
  supervisor.status(app).flatMap((v) => v.instances.map((i) => i.pid ?? 0));

void describe('supervisor adoption', () => {
  const harness = new Harness();
  after(() => harness.close());

  void it('adopts the running instances of a detached supervisor and keeps them for the same spec', async () => {
    const dataDir = harness.newDir();
    const first = harness.create({ dataDir });
    await first.ensureVersionSet('adopt', appSpec('v1', 2));
    assert.equal(await first.waitReady('adopt', 'v1', 2, 15_000), true);
    const before = first.status('adopt')[0]?.instances ?? [];
    const pids = before.map((i) => i.pid);
    first.detach();
    for (const pid of pids) assert.ok(pid !== null && alive(pid), 'detach leaves processes running');
    harness.endpoints.clear();

    const second = harness.create({ dataDir });
    assert.deepEqual(await second.adopt(), { adopted: 2, lost: 0 });
    await second.ensureVersionSet('adopt', appSpec('v1', 2));
    assert.equal(await second.waitReady('adopt', 'v1', 2, 15_000), true);
    const adopted = second.status('adopt')[0]?.instances ?? [];
    assert.deepEqual(
      adopted.map((i) => [i.id, i.pid, i.port, i.adopted, i.restarts]),
      before.map((i) => [i.id, i.pid, i.port, true, 0]),
    );
    assert.deepEqual(
      harness.endpoints.get('adopt/v1'),
      before.map((i) => ({ id: i.id, host: '127.0.0.1', port: i.port })),
    );

    // An adopted process is not our child: its death is seen by polling, and it is restarted.
    const victim = pids[0] ?? 0;
    process.kill(victim, 'SIGKILL');
    await waitFor('the adopted instance restarted', () => {
      const instance = second.status('adopt')[0]?.instances[0];
      return instance !== undefined && instance.ready && instance.pid !== victim;
    });
    const restarted = second.status('adopt')[0]?.instances[0];
    assert.equal(restarted?.adopted, false);
    assert.equal(restarted?.restarts, 1);

    // And the adopted one left is stopped as a whole group like any other.
    await second.stopAll();
    for (const pid of [...pids, restarted?.pid ?? 0]) assert.equal(alive(pid ?? 0), false);
  });

  void it('resumes a replacement cut short by a restart without stopping old instances early', async () => {
    const dataDir = harness.newDir();
    const first = harness.create({ dataDir });
    await first.ensureVersionSet('midway', appSpec('v1', 2));
    assert.equal(await first.waitReady('midway', 'v1', 2, 15_000), true);
    const oldPids = pidsOf(first, 'midway');
    const slow = appSpec('v1', 2, { STARTUP_DELAY_MS: '1500' });
    await first.ensureVersionSet('midway', slow);
    await waitFor(
      'the surge instance running',
      () => pidsOf(first, 'midway').filter((p) => p > 0).length === 3,
    );
    first.detach();

    const second = harness.create({ dataDir });
    assert.deepEqual(await second.adopt(), { adopted: 3, lost: 0 });
    await second.ensureVersionSet('midway', slow);
    // Until a new instance is ready, both old ones keep running (adopted ones start with readiness unknown).
    let samples = 0;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const status = second.status('midway')[0];
      if (status === undefined) break;
      if (status.available === 0) {
        for (const pid of oldPids)
          assert.equal(alive(pid), true, `old pid ${pid} alive while nothing replaces it`);
      }
      samples += 1;
      if (status.available === 2 && status.instances.length === 2) break;
      await sleep(20);
    }
    assert.ok(samples > 10, `sampled ${samples} times`);
    assert.deepEqual(
      second.status('midway')[0]?.instances.map((i) => i.id),
      ['v1-3', 'v1-4'],
    );
    for (const pid of oldPids) await waitFor(`old pid ${pid} stopped`, () => !alive(pid));
  });

  void it('forgets a recorded instance whose process died and starts a new one with a fresh id', async () => {
    const dataDir = harness.newDir();
    const first = harness.create({ dataDir });
    await first.ensureVersionSet('lost', appSpec('v1', 1));
    assert.equal(await first.waitReady('lost', 'v1', 1, 15_000), true);
    const pid = pidsOf(first, 'lost')[0] ?? 0;
    first.detach();
    process.kill(-pid, 'SIGKILL');
    await waitFor('the process gone', () => !alive(pid));

    const second = harness.create({ dataDir });
    assert.deepEqual(await second.adopt(), { adopted: 0, lost: 1 });
    assert.equal(
      await second.waitReady('lost', 'v1', 1, 15_000),
      true,
      'the recorded version set is resumed',
    );
    assert.deepEqual(
      second.status('lost')[0]?.instances.map((i) => i.id),
      ['v1-2'],
    );
  });

  void it('never adopts a pid that now belongs to another process', async () => {
    const dataDir = harness.newDir();
    mkdirSync(dataDir, { recursive: true });
    const spec = appSpec('v1', 0);
    const records: RecordsFile = {
      format: 1,
      counters: { 'reused/v1': 1 },
      versionSets: [{ app: 'reused', spec, removing: false }],
      specs: { [specHash(spec)]: spec },
      instances: [
        {
          app: 'reused',
          version: 'v1',
          id: 'v1-1',
          // This very test process: alive, but not the process that was recorded (another start time).
          pid: process.pid,
          port: 1,
          procStartTime: '1',
          startedAt: new Date().toISOString(),
          specHash: specHash(spec),
          logFile: join(dataDir, 'logs', 'reused', 'v1-1.log'),
          restarts: 0,
        },
      ],
    };
    writeFileSync(join(dataDir, 'instances.json'), JSON.stringify(records));
    const supervisor = harness.create({ dataDir });
    assert.deepEqual(await supervisor.adopt(), { adopted: 0, lost: 1 });
    assert.deepEqual(supervisor.status('reused')[0]?.instances, []);
    const saved = JSON.parse(readFileSync(join(dataDir, 'instances.json'), 'utf8')) as RecordsFile;
    assert.deepEqual(saved.instances, []);
    assert.equal(saved.counters['reused/v1'], 1);
  });
});
