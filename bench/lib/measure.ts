// The two wrk phases of the router benchmark: throughput at fixed connections, and latency at a fixed
// moderate rate. Targets are measured in interleaved rounds (a, b, c, a, b, c) so that a slow spell on the
// shared machine lands on every target rather than on one.
import { runWrk, type WrkResult } from './wrk.js';
import type { Target, TargetName } from './targets.js';

export interface TargetResult {
  /** From the best of the runs (see pick). */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
  runs: WrkResult[];
}

export type PhaseResult = Partial<Record<TargetName, TargetResult>>;

export interface ThroughputOptions {
  connections: number;
  durationS: number;
  rounds: number;
  warmupS: number;
}

export interface LatencyOptions {
  connections: number;
  /** The aggregate request rate to aim at; each connection waits connections/rate between requests. */
  rate: number;
  durationS: number;
  rounds: number;
  scriptDir: string;
}

type Log = (line: string) => void;

function fmt(r: WrkResult): string {
  const errors = r.failed > 0 ? `, ${r.failed} failed` : '';
  return `${Math.round(r.rps)} rps, p50 ${r.latency.p50Ms.toFixed(2)} ms, p99 ${r.latency.p99Ms.toFixed(2)} ms${errors}`;
}

function summarise(runs: WrkResult[], best: WrkResult): TargetResult {
  return {
    rps: best.rps,
    p50Ms: best.latency.p50Ms,
    p99Ms: best.latency.p99Ms,
    failed: runs.reduce((sum, r) => sum + r.failed, 0),
    runs,
  };
}

async function rounds(
  targets: Target[],
  count: number,
  measure: (t: Target) => Promise<WrkResult>,
  pick: (runs: WrkResult[]) => WrkResult,
  log: Log,
): Promise<PhaseResult> {
  const runs = new Map<TargetName, WrkResult[]>(targets.map((t) => [t.name, []]));
  for (let round = 1; round <= count; round++) {
    for (const target of targets) {
      const result = await measure(target);
      runs.get(target.name)?.push(result);
      log(`  round ${round}/${count} ${target.name.padEnd(10)} ${fmt(result)}`);
    }
  }
  const out: PhaseResult = {};
  for (const [name, list] of runs) out[name] = summarise(list, pick(list));
  return out;
}

/**
 * Throughput: wrk at fixed connections, after one unrecorded warm-up per target. The best run (highest rps)
 * is kept: on a shared machine interference only ever lowers a figure, so the best is the least disturbed.
 */
export async function measureThroughput(
  targets: Target[],
  opts: ThroughputOptions,
  log: Log,
): Promise<PhaseResult> {
  for (const target of targets) {
    await runWrk({ url: target.url, connections: opts.connections, durationS: opts.warmupS });
  }
  const measure = (t: Target): Promise<WrkResult> =>
    runWrk({ url: t.url, connections: opts.connections, durationS: opts.durationS });
  const best = (runs: WrkResult[]): WrkResult => runs.reduce((a, b) => (b.rps > a.rps ? b : a));
  return rounds(targets, opts.rounds, measure, best, log);
}

/** Latency at a paced rate; the run with the lowest p99 is kept, for the same reason as above. */
export async function measureLatencyAtRate(
  targets: Target[],
  opts: LatencyOptions,
  log: Log,
): Promise<PhaseResult> {
  const meanDelayMs = (opts.connections * 1000) / opts.rate;
  const measure = (t: Target): Promise<WrkResult> =>
    runWrk({
      url: t.url,
      connections: opts.connections,
      durationS: opts.durationS,
      pacing: { meanDelayMs, scriptDir: opts.scriptDir },
    });
  const best = (runs: WrkResult[]): WrkResult =>
    runs.reduce((a, b) => (b.latency.p99Ms < a.latency.p99Ms ? b : a));
  return rounds(targets, opts.rounds, measure, best, log);
}
