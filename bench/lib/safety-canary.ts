// One canary release of the safety benchmark under steady load, and its timeline: when the canary served its
// first request, when the analysis decided, when the release turned back, when the router's table sent all
// traffic to stable again; what the clients saw meanwhile. Times are epoch ms on this machine's clock, shared
// by the benchmark, the controller (event times) and the agent (stream buckets).
import type { GreenlightEvent, Release } from '../../src/engine/model.js';
import { sleep } from './procs.js';
import { clientCounts, startPacedLoad, type ClientCounts, type RequestRecord } from './safety-load.js';
import {
  deploy,
  releaseEvents,
  waitFinished,
  watchStream,
  watchTraffic,
  type Session,
  type StreamWatch,
  type TrafficWatch,
} from './safety-greenlight.js';
import { APP, STABLE } from './safety-spec.js';

export interface CanaryRunOptions {
  version: string;
  rps: number;
  /** Load before the deploy, so the canary meets steady traffic from its first request. */
  warmupMs: number;
  /** A release still going after this long is aborted and counts as not detected. */
  timeoutMs: number;
  log: (line: string) => void;
}

export interface Timeline {
  deployAt: number;
  /** The agent's table first showed the canary with weight > 0 (polled every 20 ms: up to ~25 ms late). */
  exposedAt: number | null;
  /** The first request the canary served: the earliest of the client's view and the router stream's. */
  firstCanaryAt: number | null;
  firstCanarySeenBy: 'client' | 'router stream' | null;
  /** When the analysis' deciding observation was made (the sequential judge: the bucket's end). */
  decidedAt: number | null;
  /** The analysis.verdict event (failed), as persisted by the controller. */
  verdictAt: number | null;
  rollingBackAt: number | null;
  /** The agent's table first showed the canary with weight 0 (all traffic on stable)… */
  stableAt: number | null;
  /** …and the poll before, which still showed it with traffic: the switch happened in between. */
  stableNotYetAt: number | null;
  /** The last request the canary served: as the client saw it (send time) and the router stream (bucket end). */
  lastCanaryClientAt: number | null;
  lastCanaryStreamAt: number | null;
  finishedAt: number | null;
}

export interface CanaryRun {
  version: string;
  releaseId: number;
  outcome: string;
  outcomeReason: string | null;
  aborted: boolean;
  verdict: { decidedBy: string | null; rule: string | null; canaryRequests: number | null } | null;
  timeline: Timeline;
  client: ClientCounts & { skipped: number };
  /**
   * Requests the client saw answered by the canary that were sent before the deciding observation: beside the
   * judge's own count (verdict.canaryRequests), it tells how many canary requests the judge never saw.
   */
  canaryAnswersBeforeDecision: number | null;
  /** Send times of the first (at most 100) requests the client saw answered by the canary, ms after firstCanaryAt. */
  canaryAnswersAtMs: number[];
  /** The agent's traffic table as polled: each change, ms after firstCanaryAt, and the canary's weight. */
  trafficChanges: Array<{ atMs: number; beforeMs: number | null; canaryWeight: number }>;
  /** The router's own counts for the canary version (cumulative). */
  router: { canaryRequests: number; canary5xx: number; retriedOnStable: number };
  /** Latencies the router's stream saw while the canary had traffic: median and p95 per version, ms. */
  streamLatency: Record<string, { samples: number; p50: number | null; p95: number | null }>;
}

/** Canary answers kept per run in the results (a slow detection sees thousands). */
const KEPT_ANSWERS = 100;

const at = (
  events: GreenlightEvent[],
  action: string,
  where: (e: GreenlightEvent) => boolean = () => true,
) => {
  const e = events.find((x) => x.action === action && where(x));
  return e ? Date.parse(e.at) : null;
};

function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! * 10) / 10;
}

function firstCanary(records: RequestRecord[], stream: StreamWatch, version: string) {
  const client = records.filter((r) => r.version === version).map((r) => r.sentAt);
  const clientAt = client.length > 0 ? Math.min(...client) : null;
  const bucket = stream.buckets.find((b) => (b.versions[version]?.requests ?? 0) > 0);
  // The request lies somewhere in the bucket: its start is the earliest it can have been.
  const streamAt = bucket ? bucket.start : null;
  if (clientAt === null && streamAt === null) return { at: null, by: null };
  if (streamAt === null || (clientAt !== null && clientAt <= streamAt))
    return { at: clientAt, by: 'client' as const };
  return { at: streamAt, by: 'router stream' as const };
}

function timeline(
  events: GreenlightEvent[],
  traffic: TrafficWatch,
  stream: StreamWatch,
  records: RequestRecord[],
  version: string,
  deployAt: number,
): Timeline {
  const exposed = traffic.changes.find((c) => (c.weights[version] ?? 0) > 0);
  const stable = traffic.changes.find(
    (c) => c.at > (exposed?.at ?? Infinity) && (c.weights[version] ?? 0) === 0,
  );
  const failedVerdict = events.find((e) => e.action === 'analysis.verdict' && e.data.phase === 'failed');
  const detail = (failedVerdict?.data.detail ?? {}) as Record<string, unknown>;
  const first = firstCanary(records, stream, version);
  const served = records.filter((r) => r.version === version).map((r) => r.sentAt);
  const lastBucket = [...stream.buckets].reverse().find((b) => (b.versions[version]?.requests ?? 0) > 0);
  return {
    deployAt,
    exposedAt: exposed?.at ?? null,
    firstCanaryAt: first.at,
    firstCanarySeenBy: first.by,
    decidedAt:
      typeof detail.decidedAt === 'number'
        ? detail.decidedAt
        : failedVerdict
          ? Date.parse(failedVerdict.at)
          : null,
    verdictAt: failedVerdict ? Date.parse(failedVerdict.at) : null,
    rollingBackAt: at(events, 'release.rollingBack'),
    stableAt: stable?.at ?? null,
    stableNotYetAt: stable?.before ?? null,
    lastCanaryClientAt: served.length > 0 ? Math.max(...served) : null,
    lastCanaryStreamAt: lastBucket?.end ?? null,
    finishedAt:
      at(events, 'release.rolledBack') ?? at(events, 'release.aborted') ?? at(events, 'release.promoted'),
  };
}

function streamLatency(stream: StreamWatch, versions: string[]): CanaryRun['streamLatency'] {
  const out: CanaryRun['streamLatency'] = {};
  for (const v of versions) {
    const samples = stream.latencies[v] ?? [];
    out[v] = { samples: samples.length, p50: quantile(samples, 0.5), p95: quantile(samples, 0.95) };
  }
  return out;
}

/** Deploys `opts.version` as a canary under steady load and follows it to its end. */
export async function runCanary(session: Session, opts: CanaryRunOptions): Promise<CanaryRun> {
  const { version, log } = opts;
  const traffic = watchTraffic(session, 20);
  const stream = watchStream(session);
  const load = startPacedLoad({
    origin: `http://127.0.0.1:${session.port}`,
    rps: opts.rps,
    maxDurationMs: opts.warmupMs + opts.timeoutMs + 60_000,
    maxRequests: Math.ceil((opts.rps * (opts.warmupMs + opts.timeoutMs + 60_000)) / 1000),
  });
  let release: Release;
  let aborted = false;
  let deployAt: number;
  try {
    await sleep(opts.warmupMs);
    // Only the canary period's latencies: from here on.
    stream.latencies = {};
    deployAt = Date.now();
    const started = await deploy(session, version, `safety benchmark: ${version}`);
    release = await waitFinished(session, started.id, opts.timeoutMs);
    if (!release.finishedAt) {
      log(`  ${version}: no verdict after ${opts.timeoutMs / 1000} s, aborting`);
      aborted = true;
      await session.api.send({
        method: 'post',
        path: `/v1/apps/${APP}/abort`,
        body: { reason: 'safety benchmark: not detected in time' },
      });
      release = await waitFinished(session, started.id, 60_000);
    }
    // A second of stable-only traffic after the end: a late canary answer would show.
    await sleep(1000);
  } finally {
    await load.stop();
    await traffic.stop();
    await stream.stop();
  }
  const events = await releaseEvents(session, release.id);
  const stats = await session.agent.stats(APP);
  const canary = stats.versions.find((v) => v.version === version);
  const verdict = events.find((e) => e.action === 'analysis.verdict' && e.data.phase === 'failed');
  const detail = (verdict?.data.detail ?? {}) as Record<string, unknown>;
  const line = timeline(events, traffic, stream, load.records, version, deployAt);
  const origin = line.firstCanaryAt ?? deployAt;
  return {
    version,
    releaseId: release.id,
    outcome: release.phase,
    outcomeReason: release.outcomeReason,
    aborted,
    verdict: verdict
      ? {
          decidedBy: typeof verdict.data.decidedBy === 'string' ? verdict.data.decidedBy : null,
          rule: typeof verdict.data.rule === 'string' ? verdict.data.rule : null,
          canaryRequests: typeof detail.canaryRequests === 'number' ? detail.canaryRequests : null,
        }
      : null,
    timeline: line,
    canaryAnswersBeforeDecision:
      line.decidedAt === null
        ? null
        : load.records.filter((r) => r.version === version && r.sentAt < (line.decidedAt ?? 0)).length,
    canaryAnswersAtMs: load.records
      .filter((r) => r.version === version)
      .map((r) => Math.round(r.sentAt - origin))
      .sort((a, b) => a - b)
      .slice(0, KEPT_ANSWERS),
    trafficChanges: traffic.changes
      .filter((c) => c.at >= deployAt)
      .map((c) => ({
        atMs: Math.round(c.at - origin),
        beforeMs: c.before === null ? null : Math.round(c.before - origin),
        canaryWeight: c.weights[version] ?? 0,
      })),
    client: { ...clientCounts(load.records), skipped: load.skipped() },
    router: {
      canaryRequests: canary?.cumulative.requests ?? 0,
      canary5xx: canary?.cumulative.responses['5xx'] ?? 0,
      retriedOnStable: canary?.retriedOnStable ?? 0,
    },
    streamLatency: streamLatency(stream, [STABLE, version]),
  };
}

/** Deploys the stable version (the app's first release) and waits for it to be live. */
export async function deployStable(session: Session): Promise<void> {
  const first = await deploy(session, STABLE, 'safety benchmark: the stable version');
  const done = await waitFinished(session, first.id, 60_000);
  if (done.phase !== 'promoted')
    throw new Error(`${STABLE} did not go live: ${done.phase} ${done.outcomeReason}`);
}
