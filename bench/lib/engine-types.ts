// The engine benchmark's types: the scenario's options and its result, as engine.json records them.
import type { CommitStats } from './engine-group-commit.js';
import type { WriteStats } from './engine-fixture.js';
import type { Distribution } from './engine-measure.js';

/**
 * 'production': the SQLite store as it is (synchronous=FULL). Diagnostics, not production: 'sync-normal'
 * (no fsync per commit), 'group-commit' (release updates of one event-loop turn in one transaction).
 */
export type StoreMode = 'production' | 'sync-normal' | 'group-commit';

export interface ScenarioOptions {
  apps: number;
  readyAfterMs: number;
  pauseMs: number;
  pauseSpreadMs: number;
  resyncMs: number;
  storeMode: StoreMode;
  timeoutMs: number;
}

export interface ScenarioResult {
  setup: { putAppsMs: number; firstReleasesMs: number; firstReleasesPromoted: number };
  /** Figures of the concurrent canary phase only. */
  canary: {
    releases: number;
    outcomes: Record<string, number>;
    deployWindowMs: number;
    /** The most canary releases in progress at once. */
    peakActive: number;
    wallTimeMs: number;
    /** onStepLatency: a pause step falling due → the engine deciding to start the next step. */
    stepLatencyMs: Distribution;
    /** The same pauses, due → the next step persisted (SQLite commit done, onChange called). */
    durationDueToPersistedMs: Distribution;
    /** The fake reporting a step's sets ready → the next step starting (and persisted). */
    readyWaitMs: Distribution;
    readyDueToPersistedMs: Distribution;
    /** A step that waits for nothing (set weight, switch, remove) starting → the next step starting. */
    noWaitMs: Distribution;
    eventLoopDelayMs: Distribution;
    cpu: { userMs: number; systemMs: number; utilisation: number };
    /** count: write calls (transitions); commits: transactions (fewer only with group commit). */
    storeWrites: StoreWriteFigures;
  };
  memory: {
    sampledPeakRssMB: number;
    maxRssMB: number;
    peakHeapUsedMB: number;
    samples: number;
    rssBeforeMB: number;
    rssAtCanaryStartMB: number;
  };
  store: {
    /** Where the temp dir was made (os.tmpdir()). */
    dir: string;
    databaseMB: number;
    walMB: number;
    chainOk: boolean;
    synchronous: number;
    journalMode: string;
  };
  engineLog: Record<string, number>;
}

/** count: write calls (transitions); commits: transactions (fewer only with group commit). */
export interface StoreWriteFigures extends WriteStats {
  commits: number;
  perSecond: number;
  commitsPerSecond: number;
  /** Per commit. */
  meanMs: number;
  groupCommit?: CommitStats;
}
