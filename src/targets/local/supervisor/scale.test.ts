// Desired-state changes with real processes: scale up and down (unready instances go first), ids never
// reused, and a changed spec replaced one instance at a time without losing ready capacity.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { VersionSetSpec } from '../types.js';
import { Harness, alive, appSpec, probe, waitFor } from './fixtures/harness.js';
import type { Supervisor } from './supervisor.js';

const ids = (supervisor: Supervisor, app: string): string[] =>
  supervisor.status(app)[0]?.instances.map((i) => i.id) ?? [];

void describe('supervisor scaling and replacement', () => {
  const harness = new Harness();
  after(() => harness.close());

  void it('scales up and down, stopping unready instances first, never reusing an id', async () => {
    const flags = harness.newDir();
    mkdirSync(flags, { recursive: true });
    const supervisor = harness.create();
    // Ready unless a file named after the instance exists: lets the test make one instance unready.
    const spec = (instances: number): VersionSetSpec => ({
      ...appSpec('v1', instances),
      readiness: probe({
        exec: { command: ['/bin/sh', '-c', `test ! -e "${flags}/$GREENLIGHT_INSTANCE"`] },
      }),
    });
    await supervisor.ensureVersionSet('scale', spec(1));
    assert.equal(await supervisor.waitReady('scale', 'v1', 1, 15_000), true);
    await supervisor.ensureVersionSet('scale', spec(3));
    assert.equal(await supervisor.waitReady('scale', 'v1', 3, 15_000), true);
    assert.deepEqual(harness.endpointIds('scale', 'v1'), ['v1-1', 'v1-2', 'v1-3']);
    const ports = new Set(supervisor.status('scale')[0]?.instances.map((i) => i.port));
    assert.equal(ports.size, 3);
    const pids = new Map(supervisor.status('scale')[0]?.instances.map((i) => [i.id, i.pid ?? 0]));

    writeFileSync(join(flags, 'v1-1'), '');
    await waitFor('v1-1 unready', () => harness.endpointIds('scale', 'v1').join() === 'v1-2,v1-3');
    assert.equal(supervisor.status('scale')[0]?.instances[0]?.phase, 'unready');

    await supervisor.ensureVersionSet('scale', spec(2));
    await waitFor('two instances', () => ids(supervisor, 'scale').join() === 'v1-2,v1-3');
    assert.equal(alive(pids.get('v1-1') ?? 0), false);

    await supervisor.ensureVersionSet('scale', spec(1));
    await waitFor('one instance', () => ids(supervisor, 'scale').join() === 'v1-2');
    assert.equal(alive(pids.get('v1-3') ?? 0), false, 'among ready ones the newest goes');
    assert.deepEqual(harness.endpointIds('scale', 'v1'), ['v1-2']);

    await supervisor.ensureVersionSet('scale', spec(2));
    assert.equal(await supervisor.waitReady('scale', 'v1', 2, 15_000), true);
    assert.deepEqual(ids(supervisor, 'scale'), ['v1-2', 'v1-4']);
  });

  void it('replaces instances of a changed spec one at a time, never dropping below the ready count', async () => {
    const supervisor = harness.create();
    await supervisor.ensureVersionSet('surge', appSpec('v1', 2));
    assert.equal(await supervisor.waitReady('surge', 'v1', 2, 15_000), true);
    const oldPids = supervisor.status('surge')[0]?.instances.map((i) => i.pid ?? 0) ?? [];

    // The new spec starts slowly, so a replacement that did not wait for readiness would show a dip.
    await supervisor.ensureVersionSet('surge', appSpec('v1', 2, { STARTUP_DELAY_MS: '400' }));
    let minReady = Infinity;
    let minEndpoints = Infinity;
    let maxInstances = 0;
    let samples = 0;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const status = supervisor.status('surge')[0];
      assert.ok(status);
      minReady = Math.min(minReady, status.ready);
      minEndpoints = Math.min(minEndpoints, harness.endpointIds('surge', 'v1').length);
      // Instances still stopping do not count (as terminating pods do not count against maxSurge).
      const live = status.instances.filter((i) => i.phase !== 'stopping' && i.phase !== 'stopped');
      maxInstances = Math.max(maxInstances, live.length);
      samples += 1;
      if (status.available === 2 && status.instances.length === 2) break;
      await sleep(20);
    }
    assert.deepEqual(ids(supervisor, 'surge'), ['v1-3', 'v1-4']);
    assert.ok(samples > 10, `sampled ${samples} times`);
    assert.equal(minReady, 2, 'ready instances never dropped below 2');
    assert.equal(minEndpoints, 2, 'published endpoints never dropped below 2');
    assert.equal(maxInstances, 3, 'a surge of exactly one');
    for (const pid of oldPids) await waitFor(`old pid ${pid} stopped`, () => !alive(pid));
  });
});
