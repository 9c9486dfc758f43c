// The release tour (`greenlight demo`): in a temporary data directory it starts the controller and the agent,
// applies an example app, drives steady synthetic traffic and shows v1 deployed; v2 rolled out by canary and
// promoted; v3 (deliberately broken: 30% of its answers are 500) rolled back by itself, saying which trigger
// fired; and a manual rollback. It ends with a summary and stops every process it started.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Release } from '../engine/model.js';
import type { ReleaseSummary } from '../engine/status.js';
import type { GreenlightEvent } from '../engine/model.js';
import { adminTokenPath } from '../server/info.js';
import { startControllerProcess, type ControllerProcess } from '../server/process.js';
import { AgentClient } from '../targets/local/agent/client.js';
import { readFileIfExists } from '../util/atomic-file.js';
import { ApiClient } from '../cli/client.js';
import { emptyLoadResult, runLoad, type LoadResult } from './load.js';

const exampleApp = fileURLToPath(new URL('../../examples/app/server.js', import.meta.url));

export interface DemoReleaseResult {
  release: number;
  version: string;
  kind: string;
  outcome: string;
  /** Why it ended as it did (`analysis:background/builtin/error-rate`), or null. */
  trigger: string | null;
  /** The analysis that decided a rollback: metric, judge, rule, and the canary requests it took. */
  decidedBy: { metric: string; judge: string; rule: string; canaryRequests: number | null } | null;
  /** Every analysis run's verdict, e.g. "background: successful". */
  analysis: string[];
  durationSeconds: number;
  clientRequests: number;
  clientFailures: number;
}

export interface DemoResult {
  dataDir: string;
  releases: DemoReleaseResult[];
  traffic: LoadResult;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function demoSpec(port: number): string {
  return `apiVersion: greenlight.dev/v1alpha1
kind: App
metadata:
  name: shop
spec:
  target:
    local:
      listen: 127.0.0.1:${port}
      instances: 2
      run:
        command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(exampleApp)}]
        env: { APP_VERSION: "\${version}", LATENCY_MS: "2" }
      versions:
        v3: { env: { FAIL_RATE: "0.3" } }
      drainTimeout: 2s
      stopGrace: 2s
  health:
    readiness: { http: { path: /ready }, period: 250ms }
    liveness: { http: { path: /health }, period: 1s }
  traffic:
    retryOnStable: false
  strategy:
    canary:
      instances: 1
      steps:
        - setWeight: 20
        - pause: { duration: 4s }
        - setWeight: 50
        - pause: { duration: 4s }
  progressDeadline: 1m
  # No templates: the builtin analysis runs (a sequential test of the error rate and a latency comparison,
  # both against the live version); its promotion gate waits for 12s of evidence instead of the default 30s.
  analysis:
    backgroundMinDuration: 12s
`;
}

/** What the analysis of a release concluded, from its persisted runs. */
function analysisSummary(release: Release | undefined): Pick<DemoReleaseResult, 'decidedBy' | 'analysis'> {
  const runs = Object.values(release?.runtime.analysis ?? {});
  const analysis = runs.map((run) => `${run.key}: ${run.verdict.phase}`);
  const decided = runs.find((run) => run.verdict.phase === 'failed' && run.decidedBy !== null);
  const metric = decided?.decidedBy ? decided.metrics[decided.decidedBy] : undefined;
  if (!decided || !metric) return { decidedBy: null, analysis };
  const requests = metric.verdict.detail.canaryRequests;
  return {
    analysis,
    decidedBy: {
      metric: decided.decidedBy ?? '',
      judge: metric.judge,
      rule: metric.verdict.rule,
      canaryRequests: typeof requests === 'number' ? requests : null,
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface DemoOptions {
  say: (line: string) => void;
  /** Called for every release event while it runs (progress lines). */
  onEvent?: (event: GreenlightEvent) => void;
}

export async function runReleaseDemo(opts: DemoOptions): Promise<DemoResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'greenlight-demo-'));
  let controller: ControllerProcess | undefined;
  const stopAll = async (): Promise<void> => {
    await controller?.stop().catch(() => controller?.kill());
    const agentDir = join(dataDir, 'agent');
    try {
      const agent = AgentClient.forDataDir(agentDir);
      await agent.shutdown();
      await agent.close();
      for (let i = 0; i < 100 && readFileIfExists(join(agentDir, 'agent.json')); i++) await sleep(100);
    } catch {
      // no agent was started
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const onSignal = (): void => void stopAll().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const traffic = emptyLoadResult();
  let trafficOn = true;
  let lastEventId = 0;
  let load: Promise<void> = Promise.resolve();
  const results: DemoReleaseResult[] = [];
  try {
    const port = await freePort();
    const specFile = join(dataDir, 'greenlight.yaml');
    writeFileSync(specFile, demoSpec(port));
    controller = await startControllerProcess({ dataDir });
    const api = new ApiClient({
      url: controller.info.url,
      token: readFileIfExists(adminTokenPath(dataDir))?.trim() ?? '',
    });
    opts.say(
      `controller ${controller.info.url} (pid ${controller.pid}), app "shop" on 127.0.0.1:${port}, state in ${dataDir}`,
    );
    await api.send({ method: 'post', path: '/v1/apps', body: { file: specFile, text: demoSpec(port) } });

    const follow = async (release: Release, label: string): Promise<DemoReleaseResult> => {
      opts.say(`\n${label}`);
      const before = { requests: traffic.requests, failed: traffic.failed };
      let summary: ReleaseSummary | undefined;
      let last: Release | undefined;
      const showEvents = async (): Promise<void> => {
        const page = await api.get<{ events: GreenlightEvent[] }>(
          `/v1/apps/shop/events?after=${lastEventId}`,
        );
        for (const event of page.events) {
          lastEventId = Math.max(lastEventId, event.id);
          if (event.releaseId === release.id) opts.onEvent?.(event);
        }
      };
      for (let i = 0; i < 1200; i++) {
        const view = await api.get<{ release: Release; summary: ReleaseSummary }>(
          `/v1/releases/${release.id}`,
        );
        summary = view.summary;
        last = view.release;
        // Events after the release state, so the final ones are shown before the loop ends.
        await showEvents();
        if (view.release.finishedAt) break;
        await sleep(250);
      }
      if (!summary?.finishedAt) throw new Error(`release ${release.id} did not finish within 5 minutes`);
      return {
        release: release.id,
        version: release.version,
        kind: release.kind,
        outcome: summary.phase,
        trigger: summary.outcomeReason,
        ...analysisSummary(last),
        durationSeconds: (summary.durationMs ?? 0) / 1000,
        clientRequests: traffic.requests - before.requests,
        clientFailures: traffic.failed - before.failed,
      };
    };

    type View = { release: Release };
    const deploy = async (version: string, reason: string): Promise<Release> =>
      (await api.send<View>({ method: 'post', path: '/v1/apps/shop/releases', body: { version, reason } }))
        .release;

    results.push(await follow(await deploy('v1', 'first release'), 'v1: the first release'));
    // Steady synthetic clients from the moment v1 serves: about 100 requests per second.
    load = (async () => {
      while (trafficOn) {
        await runLoad(
          { origin: `http://127.0.0.1:${port}`, concurrency: 4, durationMs: 1000, pauseMs: 30 },
          traffic,
        );
        if (traffic.requests === 0) await sleep(200);
      }
    })();

    results.push(await follow(await deploy('v2', 'new checkout flow'), 'v2: canary 20% → 50% → promoted'));
    results.push(
      await follow(
        await deploy('v3', 'faster invoices (broken: 30% errors)'),
        'v3: broken canary, caught by the analysis',
      ),
    );
    const { release: back } = await api.send<View>({
      method: 'post',
      path: '/v1/apps/shop/rollback',
      body: { reason: 'demo: manual rollback to the previous revision' },
    });
    results.push(await follow(back, 'manual rollback: back to the previous revision (v1)'));
    trafficOn = false;
    await load;
    return { dataDir, releases: results, traffic };
  } finally {
    trafficOn = false;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopAll();
  }
}
