// greenlight demo --data-plane: a tour of the local data plane. In a temporary data directory it starts the agent, runs the
// example app's v1 and v2 behind the router, drives steady synthetic traffic and moves it: all on v1, a
// preview of v2 by header, a 10% canary, 50/50, all on v2, and maintenance mode. It stops everything it
// started, on success, failure or Ctrl-C.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad, type LoadResult } from '../../demo/load.js';
import { startAgentProcess, type AgentProcess } from '../../targets/local/agent/process.js';
import type { AgentClient } from '../../targets/local/agent/client.js';
import type { VersionSetInput } from '../../targets/local/agent/desired-schema.js';
import { color, outputFormat, printJson, table } from '../output.js';

const exampleApp = fileURLToPath(new URL('../../../examples/app/server.js', import.meta.url));

interface Phase {
  name: string;
  weights: Record<string, number>;
  headers?: Record<string, string>;
  maintenance?: boolean;
}

const phases: Phase[] = [
  { name: 'all traffic on v1', weights: { v1: 100, v2: 0 } },
  {
    name: 'preview v2 by header (weight 0)',
    weights: { v1: 100, v2: 0 },
    headers: { 'x-greenlight-version': 'v2' },
  },
  { name: 'canary: v2 at 10%', weights: { v1: 90, v2: 10 } },
  { name: 'v2 at 50%', weights: { v1: 50, v2: 50 } },
  { name: 'all traffic on v2', weights: { v1: 0, v2: 100 } },
  { name: 'maintenance mode', weights: { v1: 0, v2: 100 }, maintenance: true },
];

function versionSet(version: string, instances: number): VersionSetInput {
  return {
    version,
    instances,
    run: { command: [process.execPath, exampleApp], env: { APP_VERSION: version, LATENCY_MS: '2' } },
    readiness: { http: { path: '/ready' }, periodMs: 200 },
    liveness: { http: { path: '/health' }, periodMs: 1000 },
    drainTimeoutMs: 2000,
  };
}

async function waitReady(client: AgentClient, app: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await client.status(app);
    if (status.versions.length > 0 && status.versions.every((v) => v.ready >= v.desired)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the example app did not become ready within ${timeoutMs} ms`);
}

export async function dataPlaneTour(flags: { seconds: string; output: string }): Promise<void> {
  const format = outputFormat(flags.output);
  const seconds = Number(flags.seconds);
  const dataDir = mkdtempSync(join(tmpdir(), 'greenlight-demo-'));
  let agent: AgentProcess | undefined;
  const cleanup = async (): Promise<void> => {
    await agent?.stop().catch(() => agent?.kill());
    rmSync(dataDir, { recursive: true, force: true });
  };
  const onSignal = (): void => void cleanup().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const say = (text: string): void => {
    if (format === 'table') console.log(text);
  };

  const results: Array<{ phase: string; result: LoadResult }> = [];
  try {
    say(color('bold', 'Greenlight data-plane tour') + color('dim', ` (state in ${dataDir})`));
    agent = await startAgentProcess({ dataDir });
    say(`agent started (pid ${agent.pid})`);
    const { desired } = await agent.client.putApp({
      name: 'shop',
      listen: { host: '127.0.0.1', port: 0 },
      versions: [versionSet('v1', 2), versionSet('v2', 1)],
      traffic: { weights: { v1: 100, v2: 0 }, stable: 'v1' },
    });
    const origin = `http://127.0.0.1:${desired.listen.port}`;
    await waitReady(agent.client, 'shop', 20_000);
    say(`app "shop" serving on ${origin}: v1 ×2 and v2 ×1 instances ready\n`);

    for (const phase of phases) {
      await agent.client.setTraffic('shop', {
        weights: phase.weights,
        stable: 'v1',
        ...(phase.maintenance ? { maintenance: { mode: 'reject', retryAfterSeconds: 5 } } : {}),
      });
      const result = await runLoad({
        origin,
        concurrency: 8,
        durationMs: seconds * 1000,
        pauseMs: 2,
        ...(phase.headers ? { headers: phase.headers } : {}),
      });
      results.push({ phase: phase.name, result });
      const share = (v: string): string =>
        `${((100 * (result.byVersion[v] ?? 0)) / result.requests).toFixed(1)}%`;
      say(
        `${phase.name.padEnd(34)} ${String(result.requests).padStart(6)} requests  v1 ${share('v1').padStart(6)}  v2 ${share('v2').padStart(6)}  503 ${result.byStatus['503'] ?? 0}`,
      );
    }
    const stats = await agent.client.stats('shop');
    if (format === 'json') {
      printJson({ origin, phases: results, routerStats: stats });
    } else {
      console.log('\nrouter statistics since start:');
      console.log(
        table(
          ['VERSION', 'REQUESTS', '2XX', '5XX', 'UPSTREAM ERR', 'P50 MS', 'P99 MS'],
          stats.versions.map((v) => [
            v.version,
            v.cumulative.requests,
            v.cumulative.responses['2xx'],
            v.cumulative.responses['5xx'],
            v.cumulative.upstreamErrors,
            v.cumulative.latency.p50Ms?.toFixed(2) ?? '-',
            v.cumulative.latency.p99Ms?.toFixed(2) ?? '-',
          ]),
        ),
      );
      const lost = results.reduce((n, r) => n + r.result.networkErrors, 0);
      console.log(
        `\nclient network errors over the whole tour: ${lost === 0 ? color('green', '0') : color('red', String(lost))}`,
      );
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
    say('agent and instances stopped; temporary state removed');
  }
}
