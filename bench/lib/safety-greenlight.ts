// A real Greenlight for the safety benchmark, as `greenlight demo` starts it: the controller process in a
// temporary data directory (it starts the local agent, which supervises the example app's instances and runs
// the router), the app applied through the API, v1 deployed. Also the benchmark's two watchers on the agent:
// its traffic table (polled) and the router's 100 ms statistics stream. Everything is stopped afterwards, also
// when the benchmark fails or is interrupted (procs.ts clean-ups).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Release } from '../../src/engine/model.js';
import type { GreenlightEvent } from '../../src/engine/model.js';
import { ApiClient } from '../../src/cli/client.js';
import { adminTokenPath, agentDataDir } from '../../src/server/info.js';
import { startControllerProcess } from '../../src/server/process.js';
import { AgentClient } from '../../src/targets/local/agent/client.js';
import { readAgentInfo } from '../../src/targets/local/agent/info.js';
import type { StatsBucket } from '../../src/targets/local/types.js';
import { readFileIfExists } from '../../src/util/atomic-file.js';
import { freePort, onCleanup, sleep } from './procs.js';
import { nowMs } from './safety-load.js';
import { APP, STABLE } from './safety-spec.js';

export interface Session {
  port: number;
  dataDir: string;
  api: ApiClient;
  agent: AgentClient;
  stop(): Promise<void>;
}

const signal = (pid: number | undefined, sig: NodeJS.Signals): void => {
  if (pid === undefined) return;
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
};

/** Starts a controller (and through it the agent) and applies the spec `specFor(port)` describes. */
export async function startSession(specFor: (port: number) => string): Promise<Session> {
  const dataDir = await mkdtemp(join(tmpdir(), 'greenlight-safety-'));
  const agentDir = agentDataDir(dataDir);
  const controller = await startControllerProcess({ dataDir }).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  let agent: AgentClient | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await controller.stop().catch(() => controller.kill());
      const agentPid = readAgentInfo(agentDir)?.pid;
      try {
        const client = agent ?? AgentClient.forDataDir(agentDir);
        await client.shutdown();
        await client.close();
      } catch {
        signal(agentPid, 'SIGTERM');
      }
      // The agent stops the app's instances, then removes agent.json.
      for (let i = 0; i < 100 && readFileIfExists(join(agentDir, 'agent.json')); i++) await sleep(100);
      await rm(dataDir, { recursive: true, force: true });
    })());
  // On an exit without stopAll: SIGTERM makes the agent stop its instances itself.
  const removeCleanup = onCleanup(stop, () => {
    signal(controller.pid, 'SIGKILL');
    signal(readAgentInfo(agentDir)?.pid, 'SIGTERM');
  });
  try {
    const port = await freePort();
    const api = new ApiClient({
      url: controller.info.url,
      token: readFileIfExists(adminTokenPath(dataDir))?.trim() ?? '',
    });
    const file = join(dataDir, 'greenlight.yaml');
    const text = specFor(port);
    await writeFile(file, text);
    await api.send({ method: 'post', path: '/v1/apps', body: { file, text } });
    agent = AgentClient.forDataDir(agentDir);
    return {
      port,
      dataDir,
      api,
      agent,
      stop: async () => {
        removeCleanup();
        await stop();
      },
    };
  } catch (error) {
    removeCleanup();
    await stop();
    throw error;
  }
}

export async function deploy(session: Session, version: string, reason: string): Promise<Release> {
  const body = { version, reason };
  const answer = await session.api.send<{ release: Release }>({
    method: 'post',
    path: `/v1/apps/${APP}/releases`,
    body,
  });
  return answer.release;
}

/** Polls the release until it has finished or `timeoutMs` passed; returns the last view. */
export async function waitFinished(session: Session, id: number, timeoutMs: number): Promise<Release> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { release } = await session.api.get<{ release: Release }>(`/v1/releases/${id}`);
    if (release.finishedAt || Date.now() > deadline) return release;
    await sleep(100);
  }
}

export async function releaseEvents(session: Session, id: number): Promise<GreenlightEvent[]> {
  const out: GreenlightEvent[] = [];
  for (let after = 0; ;) {
    const page = await session.api.get<{ events: GreenlightEvent[] }>(
      `/v1/apps/${APP}/events?release=${id}&after=${after}&limit=1000`,
    );
    out.push(...page.events);
    if (page.events.length < 1000) return out;
    after = page.events[page.events.length - 1]!.id;
  }
}

/** The router's traffic table as the agent reports it, polled; each change with the time it was first seen. */
export interface TrafficWatch {
  /** `at`: the answer that first showed the change; `before`: the previous answer, which did not yet. */
  changes: Array<{ at: number; before: number | null; weights: Record<string, number>; verified: boolean }>;
  stop(): Promise<void>;
}

export function watchTraffic(session: Session, periodMs: number): TrafficWatch {
  const changes: TrafficWatch['changes'] = [];
  let running = true;
  const loop = (async () => {
    let last = '';
    let before: number | null = null;
    while (running) {
      try {
        const status = await session.agent.status(APP);
        const at = nowMs();
        const verified = status.trafficVerified === 'verified';
        const key = JSON.stringify([status.traffic.weights, verified]);
        if (key !== last) changes.push({ at, before, weights: { ...status.traffic.weights }, verified });
        last = key;
        before = at;
      } catch {
        // the agent is busy or restarting: the next poll tells
      }
      await sleep(periodMs);
    }
  })();
  return {
    changes,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** What the router's stream showed: every bucket's counts (latencies only pooled, per version). */
export interface StreamWatch {
  buckets: Array<{
    start: number;
    end: number;
    versions: Record<string, { requests: number; errors: number }>;
  }>;
  latencies: Record<string, number[]>;
  stop(): Promise<void>;
}

export function watchStream(session: Session): StreamWatch {
  const abort = new AbortController();
  const watch: StreamWatch = { buckets: [], latencies: {}, stop: async () => undefined };
  const onBucket = (bucket: StatsBucket): void => {
    const versions: StreamWatch['buckets'][number]['versions'] = {};
    for (const [version, v] of Object.entries(bucket.versions)) {
      versions[version] = { requests: v.requests, errors: v.errors };
      const pooled = (watch.latencies[version] ??= []);
      for (const ms of v.latenciesMs) pooled.push(ms);
    }
    watch.buckets.push({ start: bucket.start, end: bucket.end, versions });
  };
  const follow = (async () => {
    while (!abort.signal.aborted) {
      await session.agent.streamStats(APP, onBucket, abort.signal).catch(() => undefined);
      if (!abort.signal.aborted) await sleep(200);
    }
  })();
  watch.stop = async () => {
    abort.abort();
    await follow;
  };
  return watch;
}

/** Milliseconds of each of `n` calls, median and max. */
export interface CallTimes {
  calls: number;
  medianMs: number;
  maxMs: number;
}

async function timeCalls(n: number, call: () => Promise<unknown>): Promise<CallTimes> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = nowMs();
    await call();
    times.push(nowMs() - start);
    await sleep(50);
  }
  times.sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 10) / 10;
  return { calls: n, medianMs: round(times[n >> 1] ?? 0), maxMs: round(times[n - 1] ?? 0) };
}

/**
 * What the agent calls a rollback step makes cost here (the engine's StepApplier: ensureVersionSet for each
 * set, then setTraffic, each persisted by the agent with an fsync), timed by repeating them unchanged: the
 * desired state is the same before and after, so nothing moves.
 */
export async function timeAgentCalls(session: Session, n: number): Promise<Record<string, CallTimes>> {
  const desired = await session.agent.desired(APP);
  const stable = desired.versions.find((v) => v.version === STABLE);
  if (!stable) throw new Error(`no ${STABLE} in the agent's desired state`);
  return {
    ensureVersionSet: await timeCalls(n, () => session.agent.ensureVersionSet(APP, stable)),
    setTraffic: await timeCalls(n, () => session.agent.setTraffic(APP, desired.traffic)),
    status: await timeCalls(n, () => session.agent.status(APP)),
  };
}
