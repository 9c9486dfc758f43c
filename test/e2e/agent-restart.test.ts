// Given an agent serving an app, when it is killed -9 and started again, then it re-adopts the same
// instances and restores the routing table; and when it is stopped, no instance outlives it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runLoad } from '../../src/demo/load.js';
import { startAgentProcess, type AgentProcess } from '../../src/targets/local/agent/process.js';
import type { VersionSetInput } from '../../src/targets/local/agent/desired-schema.js';
import type { AppStatus } from '../../src/targets/local/types.js';
import { pidAlive, waitFor } from '../helpers/wait.js';

const exampleApp = new URL('../../examples/app/server.js', import.meta.url).pathname;

function versionSet(version: string, instances: number): VersionSetInput {
  return {
    version,
    instances,
    run: { command: [process.execPath, exampleApp], env: { APP_VERSION: version } },
    readiness: { http: { path: '/ready' }, periodMs: 100 },
    drainTimeoutMs: 1000,
    stopGraceMs: 2000,
  };
}

const pidsOf = (status: AppStatus): number[] =>
  status.versions
    .flatMap((v) => v.instances.map((i) => i.pid))
    .filter((p): p is number => p !== null)
    .sort();

const allReady = (status: AppStatus): boolean =>
  status.versions.length > 0 && status.versions.every((v) => v.ready === v.desired);

describe('agent restart (real processes)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gl-agent-e2e-'));
  const agents: AgentProcess[] = [];
  after(async () => {
    for (const agent of agents) await agent.stop().catch(() => agent.kill());
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('kill -9 then restart re-adopts instances and restores routing; stop leaves no orphan', async () => {
    // Given an agent running v1 ×2 and v2 ×1 at 70/30 with a header route to v2
    const first = await startAgentProcess({ dataDir });
    agents.push(first);
    const { desired } = await first.client.putApp({
      name: 'shop',
      listen: { host: '127.0.0.1', port: 0 },
      versions: [versionSet('v1', 2), versionSet('v2', 1)],
      traffic: {
        weights: { v1: 70, v2: 30 },
        stable: 'v1',
        headerRoutes: [{ header: { name: 'x-beta', value: 'yes' }, version: 'v2' }],
      },
    });
    const origin = `http://127.0.0.1:${desired.listen.port}`;
    const before = await waitFor('instances ready', async () => {
      const s = await first.client.status('shop');
      return allReady(s) ? s : undefined;
    });
    assert.equal(pidsOf(before).length, 3);

    // When the agent is killed with SIGKILL
    await first.kill();
    assert.equal(pidAlive(first.pid), false);
    // Then its instances keep running
    for (const pid of pidsOf(before)) assert.ok(pidAlive(pid), `instance ${pid} survived the agent`);

    // When it is started again on the same data directory
    const second = await startAgentProcess({ dataDir });
    agents.push(second);
    const restored = await waitFor('instances adopted and ready', async () => {
      const s = await second.client.status('shop');
      return allReady(s) ? s : undefined;
    });
    // Then the same processes serve, adopted, and the routing table is the one it had
    assert.deepEqual(pidsOf(restored), pidsOf(before));
    assert.ok(restored.versions.every((v) => v.instances.every((i) => i.adopted)));
    assert.deepEqual(restored.traffic.weights, { v1: 70, v2: 30 });
    assert.equal(restored.trafficVerified, 'verified');
    assert.equal(restored.listen.port, desired.listen.port);

    const split = await runLoad({ origin, concurrency: 4, durationMs: 60_000, maxRequests: 1000 });
    assert.equal(split.failed, 0);
    const v2Share = (split.byVersion.v2 ?? 0) / split.requests;
    assert.ok(Math.abs(v2Share - 0.3) < 0.06, `v2 share ${v2Share} ≈ 0.30`);
    const beta = await runLoad({
      origin,
      concurrency: 2,
      durationMs: 60_000,
      maxRequests: 50,
      headers: { 'x-beta': 'yes' },
    });
    assert.equal(beta.byVersion.v2, 50);

    // When the agent is stopped
    await second.stop();
    // Then no instance outlives it
    for (const pid of pidsOf(restored)) {
      await waitFor(`instance ${pid} to exit`, () => !pidAlive(pid), 10_000);
    }
  });
});
