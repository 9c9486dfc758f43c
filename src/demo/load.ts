// Synthetic clients for the demo and end-to-end tests: a bounded number of concurrent request loops against
// one URL for a fixed time, counting answers by the version that served them and every failure.
import { Pool } from 'undici';

export interface LoadResult {
  requests: number;
  byVersion: Record<string, number>;
  byStatus: Record<string, number>;
  /** Requests that got no HTTP answer (connection refused, reset, timeout). */
  networkErrors: number;
  /** Answers with status >= 500, or no answer at all. */
  failed: number;
}

export interface LoadOptions {
  origin: string;
  path?: string;
  concurrency: number;
  durationMs: number;
  /** Hard cap on requests, so a very fast target still ends the loop. Default 1,000,000. */
  maxRequests?: number;
  headers?: Record<string, string>;
  /** Pause between requests of one client, to hold a moderate rate. Default 0. */
  pauseMs?: number;
}

export function emptyLoadResult(): LoadResult {
  return { requests: 0, byVersion: {}, byStatus: {}, networkErrors: 0, failed: 0 };
}

export async function runLoad(opts: LoadOptions, into: LoadResult = emptyLoadResult()): Promise<LoadResult> {
  const pool = new Pool(opts.origin, { connections: opts.concurrency });
  const deadline = Date.now() + opts.durationMs;
  const maxRequests = opts.maxRequests ?? 1_000_000;
  let started = 0;
  const client = async (): Promise<void> => {
    while (Date.now() < deadline && started < maxRequests) {
      started += 1;
      into.requests += 1;
      try {
        const response = await pool.request({
          method: 'GET',
          path: opts.path ?? '/',
          headers: opts.headers ?? {},
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
        });
        await response.body.dump();
        const version = String(response.headers['x-app-version'] ?? 'router');
        into.byVersion[version] = (into.byVersion[version] ?? 0) + 1;
        into.byStatus[response.statusCode] = (into.byStatus[response.statusCode] ?? 0) + 1;
        if (response.statusCode >= 500) into.failed += 1;
      } catch {
        into.networkErrors += 1;
        into.failed += 1;
      }
      if (opts.pauseMs) await new Promise((resolve) => setTimeout(resolve, opts.pauseMs));
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.concurrency }, client));
  } finally {
    await pool.close();
  }
  return into;
}
