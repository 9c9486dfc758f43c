// `npm run bench -- router`: the Greenlight router against direct, HAProxy and nginx on loopback (throughput
// at fixed connections, added latency at a fixed rate), then a churn scenario through the whole agent.
// Writes bench/results/router.json and router.md, only after a complete run.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { agentMissing, runChurn } from './lib/churn.js';
import { BACKEND_BODY } from './lib/configs.js';
import { measureLatencyAtRate, measureThroughput } from './lib/measure.js';
import { interrupted, onFinalCleanup, stopAll } from './lib/procs.js';
import { summary, writeRouterResults, type RouterRun } from './lib/report.js';
import {
  portOf,
  proxyWorkers,
  routerAvailable,
  startBackend,
  startGreenlight,
  startHaproxy,
  startNginxProxy,
  type Target,
} from './lib/targets.js';
import { ensureTools, machineInfo } from './lib/tools.js';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const log = (line: string): void => void process.stdout.write(`[router] ${line}\n`);

function options(args: string[]) {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      duration: { type: 'string' },
      connections: { type: 'string', default: '50' },
      rate: { type: 'string', default: '2000' },
      'router-workers': { type: 'string' },
      quick: { type: 'boolean', default: false },
    },
  });
  const number = (name: string, text: string, min: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be an integer ≥ ${min}, got "${text}"`);
    return n;
  };
  const quick = values.quick;
  const durationS = number('duration', values.duration ?? (quick ? '3' : '10'), 1);
  const churnS = quick ? 10 : 30;
  return {
    quick,
    routerWorkers:
      values['router-workers'] === undefined ? null : number('router-workers', values['router-workers'], 1),
    connections: number('connections', values.connections, 1),
    durationS,
    rounds: quick ? 1 : 2,
    warmupS: quick ? 1 : 3,
    latency: {
      connections: 20,
      targetRps: number('rate', values.rate, 100),
      durationS,
      rounds: quick ? 1 : 2,
    },
    churn: {
      connections: 20,
      churnS,
      loadS: churnS + 5,
      periodMs: 100,
      replaceAtS: quick ? [3, 6] : [10, 20],
    },
  };
}

/** One request through each target, to catch a misconfigured proxy before measuring it. */
async function checkTargets(targets: Target[]): Promise<void> {
  for (const t of targets) {
    const res = await fetch(t.url);
    const body = await res.text();
    if (res.status !== 200 || body !== BACKEND_BODY) {
      throw new Error(
        `${t.name} at ${t.url} answered ${res.status} "${body.slice(0, 200)}", not the backend's body`,
      );
    }
  }
}

export async function main(args: string[]): Promise<void> {
  const opts = options(args);
  const installedPackages = await ensureTools(['wrk', 'haproxy', 'nginx'], log);
  const machine = await machineInfo();
  const workDir = await mkdtemp(join(os.tmpdir(), 'greenlight-bench-'));
  // nginx workers run as nobody and need to reach their temp paths under this directory.
  await chmod(workDir, 0o755);
  const keepWorkDir = onFinalCleanup(() => rm(workDir, { recursive: true, force: true }));
  try {
    const backend = await startBackend(workDir);
    const backendPort = portOf(backend);
    const targets: Target[] = [backend];
    const workers = await proxyWorkers(opts.routerWorkers);
    if (routerAvailable()) targets.push(await startGreenlight(backendPort, workers));
    else
      log('the Greenlight router is not in this checkout yet (src/targets/local/router/router.ts): skipped');
    targets.push(
      await startHaproxy(workDir, backendPort, workers),
      await startNginxProxy(workDir, backendPort, workers),
    );
    log(`${workers} router processes, HAProxy threads and nginx worker processes each`);
    await checkTargets(targets);
    log(`targets: ${targets.map((t) => `${t.name} ${t.url}`).join(', ')}`);

    log(`throughput: wrk -t1 -c${opts.connections} -d${opts.durationS}s --latency, ${opts.rounds} round(s)`);
    const throughput = await measureThroughput(targets, opts, log);

    const l = opts.latency;
    log(`latency at ~${l.targetRps} rps: wrk -c${l.connections} -d${l.durationS}s with paced connections`);
    const paced = targets.filter((t) => t.name === 'direct' || t.name === 'greenlight');
    const latency = await measureLatencyAtRate(paced, { ...l, rate: l.targetRps, scriptDir: workDir }, log);
    // The churn scenario brings its own processes; the proxies would only sit idle.
    await Promise.all(targets.map((t) => t.proc.stop()));

    const missing = agentMissing();
    let churn: RouterRun['churn'];
    if (missing === null) {
      log(`churn: ${opts.churn.churnS} s of weight changes every ${opts.churn.periodMs} ms under wrk load`);
      churn = await runChurn({ workDir, ...opts.churn }, log);
      log(`  failed requests: ${churn.failedRequests} of ${churn.wrk.requests}`);
    } else {
      churn = { skipped: `the agent is ${missing}` };
      log(`churn skipped: ${churn.skipped}`);
    }

    const run: RouterRun = {
      quick: opts.quick,
      date: new Date().toISOString(),
      machine: { ...machine, loadAverageAtEnd: os.loadavg().map((n) => Math.round(n * 100) / 100) },
      config: {
        connections: opts.connections,
        durationS: opts.durationS,
        rounds: opts.rounds,
        warmupS: opts.warmupS,
        latency: opts.latency,
        churn: opts.churn,
        backendBodyBytes: Buffer.byteLength(BACKEND_BODY),
        routerWorkers: opts.routerWorkers,
        proxyWorkers: workers,
        installedPackages,
      },
      throughput,
      latency,
      churn,
    };
    const files = await writeRouterResults(RESULTS_DIR, run);
    log(`summary: ${JSON.stringify(summary(run))}`);
    log(`wrote ${files.join(', ')}`);
  } catch (error) {
    if (!interrupted()) {
      // The agent's and its instances' logs are in there.
      keepWorkDir();
      log(`failed; logs kept in ${workDir}`);
    }
    throw error;
  } finally {
    await stopAll();
  }
}
