// The engine benchmark's fixture: the canary spec of each app, the in-memory fake target with a record of when
// each version set last grew (so the bench knows when the fake turned a set ready), and a store wrapper that
// counts and times the writes (better-sqlite3 is synchronous: a write's time is time the event loop is held).
import type { Clock } from '../../src/engine/clock.js';
import type { PlanStep, SetIntent } from '../../src/engine/model.js';
import type { CompiledSpec } from '../../src/spec/compiled.js';
import type { Store } from '../../src/store/store.js';
import { MemoryTarget } from '../../src/targets/memory/memory-target.js';
import { testSpec } from '../../test/helpers/spec.js';

/** The store methods that open a write transaction (one commit, one WAL fsync with synchronous=FULL). */
const WRITE_METHODS: ReadonlySet<string> = new Set([
  'putApp',
  'createRelease',
  'updateRelease',
  'recordRevision',
  'renewLocks',
  'claimExpiredLocks',
  'appendEvent',
]);

/**
 * App `i` of `apps`: 4 instances, a 1-instance canary, and the five canary steps
 * setWeight 20, pause, setWeight 50, pause, setWeight 80. Both pauses of app i last
 * pauseMs + spreadMs·i/apps, so the apps' timers do not all fall due together.
 */
export function benchSpec(i: number, apps: number, pauseMs: number, spreadMs: number): CompiledSpec {
  const durationMs = pauseMs + Math.floor((spreadMs * i) / apps);
  return testSpec({
    name: `app-${String(i).padStart(4, '0')}`,
    strategy: {
      kind: 'canary',
      canaryInstances: 1,
      steps: [
        { setWeight: 20 },
        { pause: { durationMs } },
        { setWeight: 50 },
        { pause: { durationMs } },
        { setWeight: 80 },
      ],
    },
  });
}

/** The MemoryTarget, unchanged, plus when each version set was last asked for more instances. */
export class ReadyTrackingTarget extends MemoryTarget {
  private readonly desired = new Map<string, number>();
  private readonly grewAt = new Map<string, number>();

  constructor(
    private readonly time: Clock,
    readonly readyAfterMs: number,
  ) {
    super(time, { readyAfterMs });
  }

  override async ensureVersionSet(spec: CompiledSpec, set: SetIntent): Promise<void> {
    const key = `${spec.name}/${set.version}`;
    // The fake starts new instances at this instant; existing ones keep their start time.
    if (set.instances > (this.desired.get(key) ?? 0)) this.grewAt.set(key, this.time.now());
    this.desired.set(key, set.instances);
    await super.ensureVersionSet(spec, set);
  }

  override async removeVersionSet(app: string, version: string): Promise<void> {
    this.desired.delete(`${app}/${version}`);
    this.grewAt.delete(`${app}/${version}`);
    await super.removeVersionSet(app, version);
  }

  /** When the fake reports every set of `step` ready (epoch ms), or null if a set was never started. */
  readyAt(app: string, step: PlanStep): number | null {
    let at = 0;
    for (const set of step.sets) {
      const grew = this.grewAt.get(`${app}/${set.version}`);
      if (grew === undefined) return null;
      at = Math.max(at, grew + this.readyAfterMs);
    }
    return at;
  }
}

export interface WriteStats {
  count: number;
  /** Time inside the write calls, which is time the event loop could not run anything else. */
  totalMs: number;
  maxMs: number;
  byMethod: Record<string, number>;
}

export function emptyWriteStats(): WriteStats {
  return { count: 0, totalMs: 0, maxMs: 0, byMethod: {} };
}

/** `store` with every write method counted and timed into `stats` (reset it by replacing its fields). */
export function countingStore(store: Store, stats: WriteStats): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !WRITE_METHODS.has(prop) || typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const start = performance.now();
        const result: unknown = Reflect.apply(value, target, args);
        // The SQLite work (and its fsync) is done by the time the call returns its promise.
        const ms = performance.now() - start;
        stats.count += 1;
        stats.totalMs += ms;
        stats.maxMs = Math.max(stats.maxMs, ms);
        stats.byMethod[prop] = (stats.byMethod[prop] ?? 0) + 1;
        return result;
      };
    },
  });
}
