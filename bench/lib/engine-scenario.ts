// The engine benchmark's scenario: the real Engine on the system clock, the in-memory fake target and the
// production SQLite store in a temp dir. N apps are applied, each gets a live v1 (its first release, run to
// promotion), then N canary releases of v2 start back to back and run concurrently to promotion.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/engine/clock.js';
import { Engine } from '../../src/engine/engine.js';
import type { Actor } from '../../src/engine/model.js';
import { Operations } from '../../src/engine/operations.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import {
  benchSpec,
  countingStore,
  emptyWriteStats,
  ReadyTrackingTarget,
  type WriteStats,
} from './engine-fixture.js';
import { emptyCommitStats, groupCommitStore, type CommitStats } from './engine-group-commit.js';
import { distribution, MemorySampler, ReleaseWatcher, startLoopDelay } from './engine-measure.js';
import type { ScenarioOptions, ScenarioResult, StoreWriteFigures } from './engine-types.js';

const BENCH: Actor = { name: 'bench', role: 'deployer' };
const DEPLOY_TURN_MS = 10;
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 100) / 100;

async function fileMB(path: string): Promise<number> {
  return stat(path).then(
    (s) => mb(s.size),
    () => 0,
  );
}

function writeFigures(
  writes: WriteStats,
  grouped: CommitStats | null,
  wallTimeMs: number,
): StoreWriteFigures {
  // Grouped updates return at once; their time and their transactions are the batches'.
  const commits = writes.count - (grouped ? grouped.updates - grouped.commits : 0);
  const writeMs = writes.totalMs + (grouped?.totalMs ?? 0);
  return {
    ...writes,
    commits,
    totalMs: Math.round(writeMs),
    maxMs: Math.round(Math.max(writes.maxMs, grouped?.maxMs ?? 0) * 100) / 100,
    perSecond: Math.round(writes.count / (wallTimeMs / 1000)),
    commitsPerSecond: Math.round(commits / (wallTimeMs / 1000)),
    meanMs: Math.round((writeMs / Math.max(1, commits)) * 1000) / 1000,
    ...(grouped ? { groupCommit: { ...grouped, totalMs: Math.round(grouped.totalMs) } } : {}),
  };
}

/** Runs the scenario once: setup, first releases, then the measured concurrent canaries. */
export async function runScenario(
  opts: ScenarioOptions,
  log: (line: string) => void,
): Promise<ScenarioResult> {
  const rssBeforeMB = mb(process.memoryUsage().rss);
  const memory = new MemorySampler();
  memory.start(100);
  const dir = await mkdtemp(join(os.tmpdir(), 'greenlight-bench-engine-'));
  const dbPath = join(dir, 'state.db');
  const raw = openSqliteStore(dbPath);
  const engineLog: Record<string, number> = {};
  let engine: Engine | undefined;
  try {
    await raw.migrate();
    if (opts.storeMode === 'sync-normal') raw.db.pragma('synchronous = NORMAL');
    const writes = emptyWriteStats();
    const grouped = emptyCommitStats();
    const store = countingStore(
      opts.storeMode === 'group-commit' ? groupCommitStore(raw, grouped) : raw,
      writes,
    );
    const target = new ReadyTrackingTarget(systemClock, opts.readyAfterMs);
    const watcher = new ReleaseWatcher(target);
    let stepLatency: number[] = [];
    engine = new Engine({
      store,
      target,
      clock: systemClock,
      holder: 'bench',
      resyncMs: opts.resyncMs,
      log: (msg) => void (engineLog[msg] = (engineLog[msg] ?? 0) + 1),
      onChange: watcher.onChange,
      onStepLatency: (ms) => void stepLatency.push(ms),
    });
    const ops = new Operations({ store, engine, target, clock: systemClock, holder: 'bench' });
    await engine.start();

    const n = opts.apps;
    let t = performance.now();
    for (let i = 0; i < n; i++) {
      const spec = benchSpec(i, n, opts.pauseMs, opts.pauseSpreadMs);
      await store.putApp(spec, `# ${spec.name}`, {
        app: spec.name,
        releaseId: null,
        actor: BENCH,
        action: 'app.applied',
        reason: null,
        data: {},
      });
    }
    const putAppsMs = Math.round(performance.now() - t);
    log(`${n} apps applied in ${putAppsMs} ms; first releases (v1) …`);

    // Deploys as fast as they go, as a flood of API requests would arrive, giving the event loop back every
    // DEPLOY_TURN_MS so the engine's timers and queue run meanwhile, as they would between requests.
    const deployAll = async (version: string): Promise<void> => {
      let turnStart = performance.now();
      for (let i = 0; i < n; i++) {
        const app = benchSpec(i, n, opts.pauseMs, opts.pauseSpreadMs).name;
        watcher.created(await ops.deploy({ app, version, actor: BENCH, reason: 'engine benchmark' }));
        if (performance.now() - turnStart >= DEPLOY_TURN_MS) {
          await yieldToLoop();
          turnStart = performance.now();
        }
      }
    };
    t = performance.now();
    await deployAll('v1');
    await watcher.finishedCount(n, opts.timeoutMs);
    const firstReleasesMs = Math.round(performance.now() - t);
    const firstReleasesPromoted = watcher.count('promoted');
    log(
      `${firstReleasesPromoted} of ${n} first releases promoted in ${firstReleasesMs} ms; ${n} canaries (v2) …`,
    );
    if (firstReleasesPromoted !== n) throw new Error(`first releases: ${JSON.stringify(watcher.outcomes())}`);

    // From here on only the concurrent canary phase is measured.
    const outcomesBefore = watcher.outcomes();
    stepLatency = [];
    watcher.resetSamples();
    Object.assign(writes, emptyWriteStats());
    Object.assign(grouped, emptyCommitStats());
    const loop = startLoopDelay();
    memory.sample();
    const rssAtCanaryStartMB = mb(process.memoryUsage().rss);
    const cpuBefore = process.cpuUsage();
    const startedAt = Date.now();
    await deployAll('v2');
    const deployWindowMs = Date.now() - startedAt;
    log(`${n} canaries started in ${deployWindowMs} ms; waiting for them to finish …`);
    await watcher.finishedCount(2 * n, opts.timeoutMs);
    const wallTimeMs = watcher.lastFinishAt - startedAt;
    const cpu = process.cpuUsage(cpuBefore);
    loop.histogram.disable();
    const outcomes = Object.fromEntries(
      Object.entries(watcher.outcomes()).map(([phase, k]) => [phase, k - (outcomesBefore[phase] ?? 0)]),
    );

    const storeWrites = writeFigures(writes, opts.storeMode === 'group-commit' ? grouped : null, wallTimeMs);
    await engine.stop();
    const chainOk = (await raw.verifyChain()).ok;
    const synchronous = Number(raw.db.pragma('synchronous', { simple: true }));
    const journalMode = String(raw.db.pragma('journal_mode', { simple: true }));
    const [databaseMB, walMB] = [await fileMB(dbPath), await fileMB(`${dbPath}-wal`)];
    return {
      setup: { putAppsMs, firstReleasesMs, firstReleasesPromoted },
      canary: {
        releases: n,
        outcomes,
        deployWindowMs,
        peakActive: watcher.peakActive,
        wallTimeMs,
        stepLatencyMs: distribution(stepLatency),
        durationDueToPersistedMs: distribution(watcher.durationDueToPersistedMs),
        readyWaitMs: distribution(watcher.readyWaitMs),
        readyDueToPersistedMs: distribution(watcher.readyDueToPersistedMs),
        noWaitMs: distribution(watcher.noWaitMs),
        eventLoopDelayMs: loop.read(),
        cpu: {
          userMs: Math.round(cpu.user / 1000),
          systemMs: Math.round(cpu.system / 1000),
          utilisation: Math.round(((cpu.user + cpu.system) / 1000 / wallTimeMs) * 100) / 100,
        },
        storeWrites,
      },
      memory: { ...memory.stop(), rssBeforeMB, rssAtCanaryStartMB },
      store: { dir: os.tmpdir(), databaseMB, walMB, chainOk, synchronous, journalMode },
      engineLog,
    };
  } finally {
    await engine?.stop();
    memory.stop();
    await raw.close();
    await rm(dir, { recursive: true, force: true });
  }
}
