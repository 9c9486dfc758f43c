// The router benchmark's results: bench/results/router.json (the figures the issue asks for, plus detail)
// and bench/results/router.md (the same, for people).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChurnResult } from './churn.js';
import type { PhaseResult } from './measure.js';
import { TARGET_NAMES, type TargetName } from './targets.js';
import type { MachineInfo } from './tools.js';

export interface RouterRun {
  quick: boolean;
  date: string;
  machine: MachineInfo & { loadAverageAtEnd: number[] };
  config: {
    connections: number;
    durationS: number;
    rounds: number;
    warmupS: number;
    latency: { connections: number; targetRps: number; durationS: number; rounds: number };
    churn: { connections: number; churnS: number; loadS: number; periodMs: number; replaceAtS: number[] };
    backendBodyBytes: number;
    /** Router processes asked for with --router-workers; null: the agent's default. */
    routerWorkers: number | null;
    /** Processes (Greenlight, nginx) or threads (HAProxy) each proxy ran with: the same for all three. */
    proxyWorkers: number;
    installedPackages: string[];
  };
  throughput: PhaseResult;
  latency: PhaseResult;
  churn: ChurnResult | { skipped: string };
}

/** Above this, the direct p99 at a moderate rate says the machine, not the proxy, made the tail. */
const DISTURBED_DIRECT_P99_MS = 1;

const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits;

function byTarget(
  phase: PhaseResult,
  pick: (r: NonNullable<PhaseResult[TargetName]>) => number,
  digits: number,
) {
  const out = {} as Record<TargetName, number | null>;
  for (const name of TARGET_NAMES) {
    const r = phase[name];
    out[name] = r ? round(pick(r), digits) : null;
  }
  return out;
}

export function summary(run: RouterRun) {
  const gl = run.throughput.greenlight;
  const ha = run.throughput.haproxy;
  const latGl = run.latency.greenlight;
  const latDirect = run.latency.direct;
  return {
    rps: byTarget(run.throughput, (r) => r.rps, 0),
    p99Ms: byTarget(run.throughput, (r) => r.p99Ms, 3),
    ratioVsHaproxy: gl && ha ? round(gl.rps / ha.rps, 3) : null,
    addedP99MsAt2k: latGl && latDirect ? round(latGl.p99Ms - latDirect.p99Ms, 3) : null,
    // The median moves far less than the tail when other work shares the CPUs.
    addedP50MsAt2k: latGl && latDirect ? round(latGl.p50Ms - latDirect.p50Ms, 3) : null,
    latencyAt2kDisturbed: latDirect ? latDirect.p99Ms > DISTURBED_DIRECT_P99_MS : null,
    churnFailedRequests: 'failedRequests' in run.churn ? run.churn.failedRequests : null,
  };
}

function cell(n: number | null | undefined, digits: number): string {
  return n === null || n === undefined ? 'n/a' : n.toFixed(digits);
}

function verdict(ok: boolean | null): string {
  return ok === null ? 'not measured' : ok ? 'met' : '**not met**';
}

function markdown(run: RouterRun): string {
  const s = summary(run);
  const c = run.config;
  const m = run.machine;
  const lines: string[] = ['# Router benchmark', ''];
  if (run.quick)
    lines.push('> **QUICK RUN** (short, single runs, for development): not a result to quote.', '');
  const busiest = Math.max(m.loadAverageAtStart[0] ?? 0, m.loadAverageAtEnd[0] ?? 0);
  if (busiest > m.nproc) {
    lines.push(
      `> The machine was busy with other work (1-minute load average up to ${busiest} on ${m.nproc} CPUs): ` +
        'the figures are disturbed, latency tails most of all. Interleaving spreads the disturbance over all targets.',
      '',
    );
  }
  lines.push(
    `${run.date} · ${m.nproc} CPUs (${m.cpuModel}) · node ${m.node} · load average ${m.loadAverageAtStart.join(' ')} at start, ${m.loadAverageAtEnd.join(' ')} at end`,
    '',
    `## Throughput: wrk -t1 -c${c.connections} -d${c.durationS}s --latency`,
    '',
    `Each target ${c.rounds === 1 ? 'once' : `${c.rounds} times, interleaved`}, after a ${c.warmupS} s warm-up; ` +
      'the best run (highest rps) is kept: on a shared machine interference only lowers a figure.',
    '',
    '| target | rps | p50 ms | p99 ms | vs HAProxy | failed | all runs (rps) |',
    '|---|---:|---:|---:|---:|---:|---|',
  );
  const haRps = run.throughput.haproxy?.rps;
  for (const name of TARGET_NAMES) {
    const r = run.throughput[name];
    const ratio = r && haRps ? r.rps / haRps : null;
    const all = r ? r.runs.map((x) => Math.round(x.rps)).join(', ') : '';
    lines.push(
      `| ${name} | ${cell(r?.rps, 0)} | ${cell(r?.p50Ms, 2)} | ${cell(r?.p99Ms, 2)} | ${cell(ratio, 2)} | ${r?.failed ?? 'n/a'} | ${all} |`,
    );
  }
  lines.push(
    '',
    `Greenlight / HAProxy = **${cell(s.ratioVsHaproxy, 2)}** (target ≥ 0.6: ${verdict(s.ratioVsHaproxy === null ? null : s.ratioVsHaproxy >= 0.6)}).`,
    '',
    `## Added latency at ~${c.latency.targetRps} rps`,
    '',
    `wrk -c${c.latency.connections} -d${c.latency.durationS}s, each connection paced by a Lua delay() of ` +
      `${(c.latency.connections * 1000) / c.latency.targetRps} ms on average (uniformly random ±50 %, so connections do not fire in step); ` +
      `${c.latency.rounds === 1 ? 'one run' : `${c.latency.rounds} interleaved runs`} per target, the lowest p99 kept.`,
    '',
    '| target | achieved rps | p50 ms | p99 ms | failed | all runs (p99 ms) |',
    '|---|---:|---:|---:|---:|---|',
  );
  for (const name of ['direct', 'greenlight'] as const) {
    const r = run.latency[name];
    lines.push(
      `| ${name} | ${cell(r?.rps, 0)} | ${cell(r?.p50Ms, 3)} | ${cell(r?.p99Ms, 3)} | ${r?.failed ?? 'n/a'} | ` +
        `${r ? r.runs.map((x) => x.latency.p99Ms.toFixed(2)).join(', ') : ''} |`,
    );
  }
  const added = s.addedP99MsAt2k;
  lines.push(
    '',
    `Added p99 = **${cell(added, 3)} ms** (target ≤ 2 ms: ${s.latencyAt2kDisturbed ? 'not judged, see below' : verdict(added === null ? null : added <= 2)}); ` +
      `added p50 = ${cell(s.addedP50MsAt2k, 3)} ms.`,
    '',
  );
  const directP99 = run.latency.direct?.p99Ms;
  if (directP99 !== undefined && s.latencyAt2kDisturbed) {
    lines.push(
      `> Direct p99 at this rate is ${directP99.toFixed(2)} ms; loopback nginx at ${c.latency.targetRps} rps on a quiet machine is expected to ` +
        `answer well under ${DISTURBED_DIRECT_P99_MS} ms, so these tails are mostly the machine's, not the proxies'. ` +
        'Rerun on a quiet machine before judging the p99 target.',
      '',
    );
  }
  lines.push('## Churn (whole agent: supervisor + router + admin API)', '');
  lines.push(...churnLines(run));
  lines.push(
    '',
    '## Setup',
    '',
    `- Backend: an nginx server block (1 worker) answering every request 200 with a fixed ${c.backendBodyBytes}-byte JSON body. ` +
      'A fast C backend, so that the proxies, not the backend, are the bottleneck. `direct` is wrk against it.',
    `- Each proxy gets the same share of the machine: ${c.proxyWorkers} Greenlight router processes ` +
      `(${c.routerWorkers === null ? "the agent's default, `defaultRouterWorkers()`" : `--router-workers ${c.routerWorkers}`}), ` +
      `HAProxy \`nbthread ${c.proxyWorkers}\`, nginx \`worker_processes ${c.proxyWorkers}\`. The backend nginx has 1 worker, wrk 1 thread.`,
    '- HAProxy: `mode http`, `http-reuse always`, keep-alive on both sides.',
    '- nginx proxy: upstream `keepalive 64`, `proxy_http_version 1.1`, `proxy_set_header Connection ""`.',
    '- nginx (backend and proxy) `keepalive_requests` is lifted so no target closes client connections mid-run.',
    '- Greenlight: the router from `src/targets/local/router/router.ts`, in its own node process (bench/lib/router-entry.ts) ' +
      'and the worker processes it forks, limits and traffic as the admin API defaults them, the fast engine (the default). ' +
      'It adds X-Forwarded-For, -Proto, -Host and x-request-id to every request; HAProxy and nginx, as configured here, add nothing.',
    `- Everything (wrk, proxy, backend) shares the same ${m.nproc} CPUs on loopback: the figures compare the proxies with each other here, ` +
      'they are not the capacity of a real server. The machine is shared with other work; see the load averages above.',
    '',
    '## Machine and tools',
    '',
    `- nproc ${m.nproc}, ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.kernel}`,
    `- node ${m.node}, wrk ${m.tools.wrk}, HAProxy ${m.tools.haproxy}, nginx ${m.tools.nginx} (Debian packages)`,
    c.installedPackages.length > 0
      ? `- installed for this run: ${c.installedPackages.join(', ')}`
      : '- no package was installed for this run',
    '',
    '## Reproduce',
    '',
    '```sh',
    'npm run bench -- router            # the full run (about 4 minutes); installs wrk, haproxy, nginx-light if missing',
    'npm run bench -- router --quick    # 3 s single runs, a short churn; for development',
    '```',
    '',
    'Options: `--duration S` (throughput and latency runs), `--connections N`, `--rate N` (the paced rate), ' +
      "`--router-workers N` (the Greenlight router's processes, and HAProxy's threads and nginx's workers with it; default: the agent's default).",
    'Raw figures of every run are in `router.json` (`runs`).',
    '',
  );
  return lines.join('\n');
}

function churnLines(run: RouterRun): string[] {
  const ch = run.churn;
  const c = run.config.churn;
  if (!('failedRequests' in ch)) return [`Not measured: ${ch.skipped}. \`churnFailedRequests\` is null.`];
  const w = ch.wrk;
  const lines = [
    `wrk -c${c.connections} -d${c.loadS}s through the app's listen port; app \`churn\` with versions blue and green, ` +
      `2 instances each of examples/app/server.js (readiness GET /ready). For ${c.churnS} s the weights change every ${c.periodMs} ms ` +
      `(blue a random 0..100 %, green the rest); at ${c.replaceAtS.join(' s and ')} s every instance is replaced ` +
      "(a changed env var in each version's run spec: the supervisor starts new instances and drains the old).",
    '',
    `- **Failed requests: ${ch.failedRequests}** of ${w.requests} (target 0): ` +
      `non-2xx/3xx ${w.errors.non2xx3xx}, connect ${w.errors.connect}, read ${w.errors.read}, write ${w.errors.write}, timeout ${w.errors.timeout}.`,
    `- Throughput under churn ${Math.round(w.rps)} rps, p50 ${w.latency.p50Ms.toFixed(2)} ms, p99 ${w.latency.p99Ms.toFixed(2)} ms.`,
    `- Weight changes applied: ${ch.weightChanges} of ${ch.weightChangesPlanned} planned.`,
  ];
  for (const r of ch.replacements) {
    const settled =
      r.settledAfterMs === null ? 'did **not** settle within 30 s' : `settled in ${r.settledAfterMs} ms`;
    lines.push(`- Replacement at ${r.atS} s: ${r.replaced} instances replaced, ${settled}.`);
  }
  const stats = Object.entries(ch.routerStats)
    .map(([v, st]) => `${v} ${st.requests} requests, ${st['5xx']} 5xx, ${st.upstreamErrors} upstream errors`)
    .join('; ');
  lines.push(`- The router's own count: ${stats}.`);
  return lines;
}

/** Writes router.json and router.md into `dir`; returns their paths. */
export async function writeRouterResults(dir: string, run: RouterRun): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'router.json');
  const md = join(dir, 'router.md');
  await writeFile(json, JSON.stringify({ ...summary(run), ...run }, null, 2) + '\n');
  await writeFile(md, markdown(run));
  return [json, md];
}
