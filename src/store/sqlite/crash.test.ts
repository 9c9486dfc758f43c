// Crash consistency with real processes: a writer driving releases is killed with SIGKILL at random moments,
// restarted on the same file, and after every kill the database must be whole: integrity_check ok, the event
// chain intact, every release matching its last transition event, and locks held exactly by unfinished
// releases.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { FINAL_PHASES } from '../../engine/model.js';
import type { GreenlightEvent } from '../../engine/model.js';
import { openSqliteStore } from './sqlite-store.js';

const writer = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gl-sqlite-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const KILLS = 10;

/** Start the writer and resolve once it has written; reject if it exits first. */
async function startWriter(path: string): Promise<ReturnType<typeof spawn>> {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, path], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the writer exited (${String(code)}) before writing: ${stderr}`);
  });
  await Promise.race([once(lines, 'line'), exited]);
  exited.catch(() => undefined);
  return child;
}

async function assertConsistent(path: string): Promise<{ releases: number; events: number }> {
  const store = openSqliteStore(path);
  try {
    await store.migrate();
    assert.deepEqual(store.db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
    assert.deepEqual(store.db.pragma('foreign_key_check'), []);
    const chain = await store.verifyChain();
    assert.equal(chain.ok, true, JSON.stringify(chain));

    const transitions = new Map<number, GreenlightEvent[]>();
    for (const e of await store.listEvents({})) {
      if (e.releaseId === null || e.data['phase'] === undefined) continue;
      transitions.set(e.releaseId, [...(transitions.get(e.releaseId) ?? []), e]);
    }
    const releases = await store.listReleases({});
    for (const release of releases) {
      const own = transitions.get(release.id) ?? [];
      const last = own.at(-1);
      assert.equal(own.length, release.generation, `release ${release.id}: one transition event per write`);
      assert.deepEqual(
        { phase: last?.data['phase'], stepIndex: last?.data['stepIndex'] },
        { phase: release.phase, stepIndex: release.stepIndex },
        `release ${release.id} matches its last event`,
      );
      const lock = await store.getLock(release.app, release.environment);
      if (!FINAL_PHASES.has(release.phase))
        assert.equal(lock?.releaseId, release.id, `release ${release.id} holds its lock`);
      assert.equal(FINAL_PHASES.has(release.phase) === (release.finishedAt !== null), true);
    }
    const locks = store.db.prepare('SELECT release_id FROM locks').all() as { release_id: number }[];
    for (const { release_id: id } of locks) {
      const release = releases.find((r) => r.id === id);
      assert.ok(
        release && !FINAL_PHASES.has(release.phase),
        `lock of release ${id} belongs to an unfinished release`,
      );
    }
    return { releases: releases.length, events: chain.checked };
  } finally {
    await store.close();
  }
}

void describe('sqlite store under SIGKILL', () => {
  void it(`stays consistent across ${KILLS} kills at random moments`, async () => {
    const path = join(dir, 'crash.db');
    let previous = { releases: 0, events: 0 };
    for (let kill = 1; kill <= KILLS; kill++) {
      const child = await startWriter(path);
      await sleep(Math.floor(Math.random() * 150));
      child.kill('SIGKILL');
      const [, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
      assert.equal(signal, 'SIGKILL', `kill ${kill} landed while the writer was running`);
      const now = await assertConsistent(path);
      assert.ok(now.events > previous.events, `kill ${kill}: the writer made progress before it`);
      previous = now;
    }
    assert.ok(previous.releases > 1, 'releases were finished and new ones started');
  });
});
