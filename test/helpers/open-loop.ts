// Open-loop client traffic for maintenance tests: a request starts every `intervalMs` whether or not the earlier
// ones were answered, so requests held by the router do not slow the arrivals (closed-loop clients would stop
// sending while held). Every request is recorded: when it was sent, in which order its answer came back, the
// status, the version that served it, Retry-After, the router's own error code, or the network failure.
// Bounded: at most `maxRequests` in all, each with a timeout; stop() waits for every pending one.
import { Pool } from 'undici';
import { sleep } from './wait.js';

export interface RecordedRequest {
  /** Order in which the request was sent (0-based). */
  sent: number;
  /** Wall-clock time it was sent (epoch ms): placed against an event's `at`, never measured. */
  sentAt: number;
  /** Order in which its answer (or failure) came back (0-based); null while pending. */
  answered: number | null;
  status: number | null;
  /** x-app-version of the answer: the version of the app that served it. */
  version: string | null;
  retryAfter: string | null;
  /** `code` of the router's own JSON answer (maintenance, no_version_available, ...). */
  code: string | null;
  /** The network-level failure (refused, reset, timed out): no HTTP answer. */
  error: string | null;
}

export interface OpenLoopOptions {
  /** Between two request starts. Default 50 ms (about 20 requests per second). */
  intervalMs?: number;
  /** Hard bound on the requests sent. Default 3000. */
  maxRequests?: number;
  /** Headers and body timeout of each request. Default 30 s. */
  timeoutMs?: number;
  path?: string;
}

export interface Tally {
  sent: number;
  answered: number;
  /** 200 answers, by x-app-version. */
  byVersion: Record<string, number>;
  /** 503 answers carrying Retry-After. */
  unavailableWithRetryAfter: number;
  network: number;
  /** Any other answer: `status code` strings, counted. */
  other: Record<string, number>;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const value = headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

export class OpenLoopTraffic {
  readonly requests: RecordedRequest[] = [];
  private readonly pool: Pool;
  private readonly pending = new Set<Promise<void>>();
  private readonly timer: NodeJS.Timeout;
  private answeredCount = 0;
  private stopped = false;
  private closed: Promise<void> | undefined;

  constructor(
    origin: string,
    private readonly opts: OpenLoopOptions = {},
  ) {
    // Enough connections that held requests never queue inside the client.
    this.pool = new Pool(origin, { connections: 512 });
    this.timer = setInterval(() => this.tick(), opts.intervalMs ?? 50);
  }

  private tick(): void {
    if (this.stopped || this.requests.length >= (this.opts.maxRequests ?? 3000)) {
      clearInterval(this.timer);
      return;
    }
    const record: RecordedRequest = {
      sent: this.requests.length,
      sentAt: Date.now(),
      answered: null,
      status: null,
      version: null,
      retryAfter: null,
      code: null,
      error: null,
    };
    this.requests.push(record);
    const done = this.send(record).finally(() => {
      record.answered = this.answeredCount++;
      this.pending.delete(done);
    });
    this.pending.add(done);
  }

  private async send(record: RecordedRequest): Promise<void> {
    const timeout = this.opts.timeoutMs ?? 30_000;
    try {
      const response = await this.pool.request({
        method: 'GET',
        path: this.opts.path ?? '/',
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      const text = await response.body.text();
      record.status = response.statusCode;
      record.version = header(response.headers, 'x-app-version');
      record.retryAfter = header(response.headers, 'retry-after');
      try {
        const body = JSON.parse(text) as { code?: unknown };
        if (record.version === null && typeof body.code === 'string') record.code = body.code;
      } catch {
        // not JSON: counted as another answer by tally()
      }
    } catch (error) {
      record.error = (error as Error).message || String(error);
    }
  }

  /** Waits until `n` more requests were sent (bounded by the deadline and by maxRequests). */
  async sendMore(n: number, timeoutMs = 15_000): Promise<void> {
    const target = this.requests.length + n;
    const deadline = Date.now() + timeoutMs;
    while (
      !this.stopped &&
      this.requests.length < Math.min(target, this.opts.maxRequests ?? 3000) &&
      Date.now() < deadline
    )
      await sleep(20);
  }

  /** Stops sending, waits for every pending request to be answered or to fail, closes the connections. */
  stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.closed ??= Promise.all([...this.pending]).then(() => this.pool.close());
    return this.closed;
  }
}

/** Counts the recorded requests by outcome. */
export function tally(requests: RecordedRequest[]): Tally {
  const t: Tally = {
    sent: requests.length,
    answered: 0,
    byVersion: {},
    unavailableWithRetryAfter: 0,
    network: 0,
    other: {},
  };
  for (const r of requests) {
    if (r.answered !== null) t.answered += 1;
    if (r.error !== null) t.network += 1;
    else if (r.status === 200 && r.version !== null)
      t.byVersion[r.version] = (t.byVersion[r.version] ?? 0) + 1;
    else if (r.status === 503 && r.retryAfter !== null) t.unavailableWithRetryAfter += 1;
    else {
      const key = `${r.status ?? 'none'} ${r.code ?? r.version ?? '-'}`;
      t.other[key] = (t.other[key] ?? 0) + 1;
    }
  }
  return t;
}
