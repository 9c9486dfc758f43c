// Steady synthetic traffic in the background of an end-to-end test, through the app's listen port.
// BackgroundLoad repeats the demo's runLoad; ClassifiedTraffic also reads each answer's body, to tell a 500 the
// app injected on purpose ({"error":"injected failure"}) from an answer the router gave itself
// ({"code":"no_version_available"}, "upstream_unavailable", ...) and from a request that got no answer at all.
import { Pool } from 'undici';
import { emptyLoadResult, runLoad, type LoadResult } from '../../src/demo/load.js';
import { sleep } from './wait.js';

/** The counts in `a` that grew since `b` (keys that did not grow are left out). */
function diff(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(a)
      .map(([k, v]) => [k, v - (b[k] ?? 0)] as const)
      .filter(([, v]) => v > 0),
  );
}

/** runLoad in one-second slices, all counted in one LoadResult, until stop(). */
export class BackgroundLoad {
  readonly result: LoadResult = emptyLoadResult();
  private running = true;
  private readonly loop: Promise<void>;

  constructor(origin: string, concurrency = 3) {
    this.loop = (async () => {
      while (this.running) {
        await runLoad({ origin, concurrency, durationMs: 1000, pauseMs: 20 }, this.result);
      }
    })();
  }

  /** A copy of the counts so far; `since(snapshot)` gives what happened after it. */
  snapshot(): LoadResult {
    return structuredClone(this.result);
  }

  since(before: LoadResult): LoadResult {
    const now = this.result;
    return {
      requests: now.requests - before.requests,
      byVersion: diff(now.byVersion, before.byVersion),
      byStatus: diff(now.byStatus, before.byStatus),
      networkErrors: now.networkErrors - before.networkErrors,
      failed: now.failed - before.failed,
    };
  }

  /** Waits until at least `n` more requests were answered (bounded), so a window is never empty. */
  async atLeast(before: LoadResult, n: number, timeoutMs = 15_000): Promise<LoadResult> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && this.result.requests - before.requests < n) await sleep(50);
    return this.since(before);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

export interface TrafficCounts {
  requests: number;
  /** 2xx-4xx answers from the app, by the version that served them (x-app-version). */
  byVersion: Record<string, number>;
  /** 500s the broken version gives on purpose: {"error":"injected failure"}. */
  injected: number;
  /** Answers the router gave itself, by its code (no_version_available, upstream_unavailable, ...). */
  router: Record<string, number>;
  /** Requests that got no HTTP answer: refused, reset, timed out. */
  network: number;
  /** Any other failed answer (no version header, not the router's JSON). */
  other: number;
}

export const emptyCounts = (): TrafficCounts => ({
  requests: 0,
  byVersion: {},
  injected: 0,
  router: {},
  network: 0,
  other: 0,
});

/** Requests that failed for another reason than the broken version's own injected 500s. */
export const unexpectedFailures = (c: TrafficCounts): number =>
  c.network + c.other + Object.values(c.router).reduce((a, b) => a + b, 0);

function bump(into: Record<string, number>, key: string): void {
  into[key] = (into[key] ?? 0) + 1;
}

/** Steady clients (each: request, short pause, again) that classify every answer, until stop(). */
export class ClassifiedTraffic {
  readonly counts: TrafficCounts = emptyCounts();
  private running = true;
  private readonly pool: Pool;
  private readonly loops: Promise<void>[];

  constructor(origin: string, concurrency = 3, pauseMs = 20) {
    this.pool = new Pool(origin, { connections: concurrency });
    this.loops = Array.from({ length: concurrency }, () => this.client(pauseMs));
  }

  private async client(pauseMs: number): Promise<void> {
    while (this.running) {
      this.counts.requests += 1;
      try {
        const response = await this.pool.request({
          method: 'GET',
          path: '/',
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
        });
        const text = await response.body.text();
        const version = response.headers['x-app-version'];
        if (response.statusCode < 500 && typeof version === 'string') bump(this.counts.byVersion, version);
        else this.classifyFailure(response.statusCode, text);
      } catch {
        this.counts.network += 1;
      }
      await sleep(pauseMs);
    }
  }

  private classifyFailure(status: number, text: string): void {
    let body: { error?: unknown; code?: unknown } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // not JSON: neither the app nor the router
    }
    if (status >= 500 && body.error === 'injected failure') this.counts.injected += 1;
    else if (typeof body.code === 'string') bump(this.counts.router, `${status} ${body.code}`);
    else this.counts.other += 1;
  }

  snapshot(): TrafficCounts {
    return structuredClone(this.counts);
  }

  since(before: TrafficCounts): TrafficCounts {
    const now = this.counts;
    return {
      requests: now.requests - before.requests,
      byVersion: diff(now.byVersion, before.byVersion),
      injected: now.injected - before.injected,
      router: diff(now.router, before.router),
      network: now.network - before.network,
      other: now.other - before.other,
    };
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    await this.pool.close();
  }
}
