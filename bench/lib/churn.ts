// The churn scenario, through the whole local agent (supervisor + router + admin API): steady wrk load on an
// app with two versions while its weights change every 100 ms and every instance is replaced twice.
// A failed request is one wrk saw fail: a non-2xx/3xx response or a socket error.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentClient } from '../../src/targets/local/agent/client.js';
import type { AppStatus, VersionSetSpec } from '../../src/targets/local/types.js';
import { freePort, onCleanup, sleep } from './procs.js';
import { REPO_ROOT } from './targets.js';
import { runWrk, type WrkResult } from './wrk.js';

export interface ChurnOptions {
  workDir: string;
  connections: number;
  /** How long the weights keep changing; wrk runs loadS = churnS + 5 s around it. */
  churnS: number;
  periodMs: number;
  /** Seconds into the churn at which every instance is replaced. */
  replaceAtS: number[];
}

export interface Replacement {
  atS: number;
  /** Time from the request until every version had its desired count of new instances ready and no old one. */
  settledAfterMs: number | null;
  replaced: number;
}

export interface ChurnResult {
  failedRequests: number;
  wrk: WrkResult;
  weightChanges: number;
  weightChangesPlanned: number;
  replacements: Replacement[];
  /** The router's own count per version: requests, 5xx, and upstream errors it answered 502/504 itself. */
  routerStats: Record<string, { requests: number; '5xx': number; upstreamErrors: number }>;
}

const APP = 'churn';
const VERSIONS = ['blue', 'green'] as const;
const INSTANCES = 2;
const AGENT_SOURCES = ['agent/process.ts', 'agent/client.ts', 'router/router.ts', 'supervisor/supervisor.ts'];

/** Null when the agent is complete in this checkout, else the reason it is not. */
export function agentMissing(): string | null {
  const base = fileURLToPath(new URL('../../src/targets/local/', import.meta.url));
  const missing = AGENT_SOURCES.filter((f) => !existsSync(join(base, f)));
  return missing.length === 0 ? null : `not in this checkout yet: src/targets/local/${missing.join(', ')}`;
}

function versionSpec(version: string, generation: number): VersionSetSpec {
  return {
    version,
    instances: INSTANCES,
    run: {
      command: [process.execPath, 'examples/app/server.js'],
      cwd: REPO_ROOT,
      // GENERATION only exists to change the run spec, which makes the supervisor replace the instances.
      env: { PORT: '${PORT}', APP_VERSION: version, GENERATION: String(generation) },
    },
    readiness: {
      http: { path: '/ready' },
      initialDelayMs: 0,
      periodMs: 200,
      timeoutMs: 1000,
      successThreshold: 1,
      failureThreshold: 3,
    },
    drainTimeoutMs: 5000,
    stopGraceMs: 2000,
  };
}

function readyIds(status: AppStatus, version: string): string[] {
  const set = status.versions.find((v) => v.version === version);
  return (set?.instances ?? []).filter((i) => i.ready).map((i) => i.id);
}

function liveIds(status: AppStatus): Set<string> {
  return new Set(
    status.versions.flatMap((v) => v.instances.filter((i) => i.phase !== 'stopped').map((i) => i.id)),
  );
}

/** Waits until each version has INSTANCES ready instances, none of them in `old`, and no `old` one is left. */
async function settled(client: AgentClient, old: Set<string>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await client.status(APP);
    const fresh = VERSIONS.every((v) => readyIds(status, v).filter((id) => !old.has(id)).length >= INSTANCES);
    const leftover = [...liveIds(status)].some((id) => old.has(id));
    if (fresh && !leftover) return true;
    await sleep(200);
  }
  return false;
}

async function replaceAll(client: AgentClient, generation: number, atS: number): Promise<Replacement> {
  const old = liveIds(await client.status(APP));
  const start = Date.now();
  await Promise.all(VERSIONS.map((v) => client.ensureVersionSet(APP, { ...versionSpec(v, generation) })));
  const ok = await settled(client, old, 30_000);
  return { atS, settledAfterMs: ok ? Date.now() - start : null, replaced: old.size };
}

export async function runChurn(opts: ChurnOptions, log: (line: string) => void): Promise<ChurnResult> {
  // Loaded here, not at the top, so the rest of the benchmark runs while the agent is still being written.
  const { startAgentProcess } = await import('../../src/targets/local/agent/process.js');
  const clients = await import('../../src/targets/local/agent/client.js');
  const dataDir = join(opts.workDir, 'agent');
  const agent = await startAgentProcess({ dataDir });
  // If the driver dies before stopAll, SIGTERM still makes the agent stop its instances itself.
  const removeCleanup = onCleanup(
    () => agent.stop(),
    () => agent.child.kill('SIGTERM'),
  );
  // A second connection for the replacements, so their calls never queue in front of a weight change.
  const replacer = clients.AgentClient.forDataDir(dataDir);
  try {
    const { client } = agent;
    const port = await freePort();
    await client.putApp({
      name: APP,
      listen: { host: '127.0.0.1', port },
      versions: VERSIONS.map((v) => versionSpec(v, 0)),
      traffic: {
        weights: { blue: 50, green: 50 },
        stable: 'blue',
        headerRoutes: [],
        previewHeader: 'x-greenlight-version',
        // No retries: a request that fails must show up as failed.
        retryOnStable: false,
      },
    });
    if (!(await settled(client, new Set(), 30_000))) throw new Error('churn: the app never became ready');
    log(`  agent pid ${agent.pid}, app on 127.0.0.1:${port}, ${INSTANCES} instances of blue and green ready`);

    const loadS = opts.churnS + 5;
    const load = runWrk({
      url: `http://127.0.0.1:${port}/`,
      connections: opts.connections,
      durationS: loadS,
    });
    // Awaited below; the no-op handler only keeps an early failure from counting as unhandled meanwhile.
    load.catch(() => undefined);
    await sleep(1000);

    const replacements: Promise<Replacement>[] = [];
    const pending = [...opts.replaceAtS];
    const planned = Math.floor((opts.churnS * 1000) / opts.periodMs);
    let changes = 0;
    const start = Date.now();
    for (let tick = 0; tick < planned; tick++) {
      // Ticks are on an absolute schedule; a tick whose time has passed is skipped, not crowded in.
      const due = start + tick * opts.periodMs;
      if (Date.now() > due + opts.periodMs) continue;
      await sleep(Math.max(0, due - Date.now()));
      const blue = Math.floor(Math.random() * 101);
      await client.setTraffic(APP, { weights: { blue, green: 100 - blue }, stable: 'blue' });
      changes++;
      const next = pending[0];
      if (next !== undefined && Date.now() - start >= next * 1000) {
        pending.shift();
        log(`  replacing every instance at ${next} s`);
        const replacement = replaceAll(replacer, replacements.length + 1, next);
        replacement.catch(() => undefined);
        replacements.push(replacement);
      }
    }
    const done = await Promise.all(replacements);
    const wrk = await load;
    const stats = await client.stats(APP);
    const routerStats: ChurnResult['routerStats'] = {};
    for (const v of stats.versions) {
      const c = v.cumulative;
      routerStats[v.version] = {
        requests: c.requests,
        '5xx': c.responses['5xx'],
        upstreamErrors: c.upstreamErrors,
      };
    }
    return {
      failedRequests: wrk.failed,
      wrk,
      weightChanges: changes,
      weightChangesPlanned: planned,
      replacements: done,
      routerStats,
    };
  } finally {
    removeCleanup();
    await replacer.close();
    await agent.stop();
  }
}
