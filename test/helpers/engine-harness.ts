// The engine under test: a fake clock, the in-memory fake target and a real SQLite store in a temp dir, with
// Operations over them. `run` moves the fake clock; `until` also gives real time to hook commands, which run as
// real processes beside the fake clock.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../src/engine/clock.js';
import { Engine } from '../../src/engine/engine.js';
import type { Actor, GreenlightEvent, Release } from '../../src/engine/model.js';
import { Operations } from '../../src/engine/operations.js';
import type {
  CommandAction,
  CompiledSpec,
  GatesSpec,
  HooksSpec,
  SecretsSpec,
} from '../../src/spec/compiled.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { MemoryTarget } from '../../src/targets/memory/memory-target.js';
import { waitFor } from './wait.js';

export interface EngineHarness {
  /** A temp dir removed by close(); hooks may write into it. */
  readonly dir: string;
  readonly store: Store;
  readonly clock: FakeClock;
  readonly target: MemoryTarget;
  /** The current engine and operations (replaced by restart()). */
  engine: Engine;
  ops: Operations;
  /** Stops the engine and starts a new one on the same store, target and clock (a controller restart). */
  restart(whileStopped?: () => Promise<void>): Promise<void>;
  /** Moves the clock in steps of stepMs, reconciling every release at each. */
  run(ms: number, stepMs?: number): Promise<void>;
  /**
   * Reconciles (moving the clock by stepMs each round, 0 to keep it still) until the probe holds, polling in
   * real time so that hook processes can finish. A generous deadline, never a timing assertion.
   */
  until<T>(what: string, probe: () => Promise<T | undefined | false>, stepMs?: number): Promise<T>;
  release(id: number): Promise<Release>;
  events(id: number): Promise<GreenlightEvent[]>;
  actions(id: number): Promise<string[]>;
  apply(spec: CompiledSpec): Promise<void>;
  /** Makes `version` live (one promoted release) in the environment. */
  liveOn(version: string, spec: CompiledSpec, environment?: string): Promise<void>;
  close(): Promise<void>;
}

export const deployer: Actor = { name: 'alice', role: 'deployer' };

export async function engineHarness(
  options: { readyAfterMs?: number; prefix?: string } = {},
): Promise<EngineHarness> {
  const dir = mkdtempSync(join(tmpdir(), options.prefix ?? 'gl-engine-'));
  const clock = new FakeClock();
  const store = openSqliteStore(join(dir, 'state.db'), { clock: () => new Date(clock.now()) });
  await store.migrate();
  const target = new MemoryTarget(clock, { readyAfterMs: options.readyAfterMs ?? 1000 });

  const start = async (): Promise<{ engine: Engine; ops: Operations }> => {
    const engine = new Engine({ store, target, clock, holder: 'test', resyncMs: 0 });
    const ops = new Operations({ store, engine, target, clock, holder: 'test' });
    await engine.start();
    await engine.idle();
    return { engine, ops };
  };

  const h: EngineHarness = {
    dir,
    store,
    clock,
    target,
    ...(await start()),
    async restart(whileStopped) {
      await h.engine.stop();
      await whileStopped?.();
      Object.assign(h, await start());
    },
    async run(ms, stepMs = 1000) {
      for (let t = 0; t < ms; t += stepMs) {
        clock.advance(stepMs);
        h.engine.resync();
        await h.engine.idle();
      }
    },
    until(what, probe, stepMs = 1000) {
      return waitFor(
        what,
        async () => {
          clock.advance(stepMs);
          h.engine.resync();
          await h.engine.idle();
          return probe();
        },
        20_000,
        10,
      );
    },
    async release(id) {
      const r = await store.getRelease(id);
      assert.ok(r, `release ${id}`);
      return r;
    },
    events: (id) => store.listEvents({ releaseId: id }),
    async actions(id) {
      return (await store.listEvents({ releaseId: id })).map((e) => e.action);
    },
    async apply(spec) {
      await store.putApp(spec, 'yaml', {
        app: spec.name,
        releaseId: null,
        actor: deployer,
        action: 'app.applied',
        reason: null,
        data: {},
      });
    },
    async liveOn(version, spec, environment) {
      await h.apply(spec);
      const first = await h.ops.deploy({ app: spec.name, version, actor: deployer, environment });
      await h.until(`${version} live`, async () => (await h.release(first.id)).phase === 'promoted');
    },
    async close() {
      await h.engine.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** A command action running a Node script (no shell), in `cwd`. */
export function nodeCommand(
  name: string,
  script: string,
  cwd: string,
  extra: Partial<CommandAction> = {},
): CommandAction {
  return {
    kind: 'command',
    name,
    argv: [process.execPath, '-e', script],
    cwd,
    env: {},
    timeoutMs: 30_000,
    retries: 0,
    ...extra,
  };
}

/** A Node script that appends a line to a file (how tests see that a hook ran, and how often). */
export const appendLine = (file: string, line = 'ran'): string =>
  `require('fs').appendFileSync(${JSON.stringify(file)}, ${JSON.stringify(`${line}\n`)})`;

/** The spec with some gates and hooks set (the rest as an app without a runbook has them). */
export function withRunbookParts(
  spec: CompiledSpec,
  parts: { gates?: Partial<GatesSpec>; hooks?: Partial<HooksSpec>; secrets?: Partial<SecretsSpec> },
): CompiledSpec {
  return {
    ...spec,
    gates: { ...spec.gates, ...parts.gates },
    hooks: { ...spec.hooks, ...parts.hooks },
    secrets: { ...spec.secrets, ...parts.secrets },
  };
}
