// The safety benchmark's clients: an open-loop load at a steady rate (request i is sent at start + i/rate,
// whatever the answers before it, as real users arrive), bounded by a duration and a request count, that keeps
// each request's send time, answer time, status and the version that answered (x-app-version). Open loop, so a
// broken canary cannot slow the load down and hide failures: the rate is the rate.
import { Pool } from 'undici';

/** Epoch milliseconds with sub-millisecond precision, comparable with Date.now() in other processes. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

export interface RequestRecord {
  sentAt: number;
  doneAt: number;
  /** 0: no HTTP answer (connection refused, reset, timeout). */
  status: number;
  /** The x-app-version of the answer; null for the router's own answers and network errors. */
  version: string | null;
}

export interface PacedLoadOptions {
  origin: string;
  rps: number;
  /** The load stops by itself after this long, or this many requests, whichever comes first. */
  maxDurationMs: number;
  maxRequests: number;
  connections?: number;
}

export interface PacedLoad {
  readonly records: RequestRecord[];
  /** Requests not sent because too many were in flight (the target stalled); 0 in a sound run. */
  readonly skipped: () => number;
  /** Stops sending and waits for the answers in flight. */
  stop(): Promise<void>;
}

const TICK_MS = 2;
/** A stalled target should not make the client open thousands of requests. */
const MAX_IN_FLIGHT = 1000;

export function startPacedLoad(opts: PacedLoadOptions): PacedLoad {
  const pool = new Pool(opts.origin, { connections: opts.connections ?? 64 });
  const records: RequestRecord[] = [];
  const inFlight = new Set<Promise<void>>();
  const start = nowMs();
  let sent = 0;
  let skipped = 0;

  const fire = (): void => {
    const sentAt = nowMs();
    const request = pool
      .request({ method: 'GET', path: '/', headersTimeout: 10_000, bodyTimeout: 10_000 })
      .then(async (response) => {
        await response.body.dump();
        const header = response.headers['x-app-version'];
        records.push({
          sentAt,
          doneAt: nowMs(),
          status: response.statusCode,
          version: typeof header === 'string' ? header : null,
        });
      })
      .catch(() => {
        records.push({ sentAt, doneAt: nowMs(), status: 0, version: null });
      });
    const tracked = request.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  const tick = (): void => {
    const elapsed = nowMs() - start;
    if (elapsed >= opts.maxDurationMs || sent >= opts.maxRequests) return void clearInterval(timer);
    const due = Math.min(opts.maxRequests, Math.floor((elapsed * opts.rps) / 1000) + 1);
    // Behind schedule (the event loop was held), the due requests go out at once: the rate is kept on average.
    while (sent < due) {
      sent += 1;
      if (inFlight.size >= MAX_IN_FLIGHT) skipped += 1;
      else fire();
    }
  };
  const timer = setInterval(tick, TICK_MS);
  tick();

  return {
    records,
    skipped: () => skipped,
    async stop() {
      clearInterval(timer);
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      await pool.close();
    },
  };
}

export interface ClientCounts {
  requests: number;
  /** Answers >= 500 and requests with no answer. */
  failed: number;
  networkErrors: number;
  byVersion: Record<string, number>;
}

/** Counts of the requests sent in [from, to). */
export function clientCounts(records: RequestRecord[], from = -Infinity, to = Infinity): ClientCounts {
  const out: ClientCounts = { requests: 0, failed: 0, networkErrors: 0, byVersion: {} };
  for (const r of records) {
    if (r.sentAt < from || r.sentAt >= to) continue;
    out.requests += 1;
    if (r.status === 0) out.networkErrors += 1;
    if (r.status === 0 || r.status >= 500) out.failed += 1;
    const v = r.version ?? 'router';
    out.byVersion[v] = (out.byVersion[v] ?? 0) + 1;
  }
  return out;
}
