// What running one hook action yields, and the two things every kind of action shares: a bounded, redacted
// tail of its output, and retries with backoff.
import { setTimeout as delay } from 'node:timers/promises';
import type { Redactor } from './redact.js';

export interface ActionResult {
  name: string;
  kind: 'command' | 'http';
  ok: boolean;
  /** One line: "exit 0 after 1.2 s", "timed out after 30 s (process group killed)", "could not start: …". */
  message: string;
  attempts: number;
  /** From the start of the first attempt to the end of the last, backoff included. */
  durationMs: number;
  /** ISO time of the first attempt. */
  startedAt: string;
  exitCode: number | null;
  status: number | null;
  /**
   * Redacted. Commands: stdout and stderr interleaved in arrival order; http: the body. Only the last
   * OUTPUT_LIMIT_BYTES are kept, prefixed by "[… N bytes cut]\n" when cut.
   */
  output: string;
}

export const OUTPUT_LIMIT_BYTES = 16 * 1024;

/**
 * Extra bytes kept before the shown tail so that a secret cut by the ring is still whole when redaction runs
 * on everything kept; its remains then fall in this margin, which is dropped after redaction.
 */
const REDACTION_MARGIN_BYTES = 16 * 1024;

/** A ring of the last bytes received: memory stays bounded however much a hook prints. */
export class OutputTail {
  private chunks: Buffer[] = [];
  private keptBytes = 0;
  private droppedBytes = 0;
  private readonly capacity = OUTPUT_LIMIT_BYTES + REDACTION_MARGIN_BYTES;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.keptBytes += chunk.length;
    while (this.keptBytes > this.capacity) {
      const first = this.chunks[0]!;
      const excess = this.keptBytes - this.capacity;
      if (first.length <= excess) {
        this.chunks.shift();
        this.keptBytes -= first.length;
        this.droppedBytes += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.keptBytes -= excess;
        this.droppedBytes += excess;
      }
    }
  }

  /** Redacts everything kept, then keeps the last OUTPUT_LIMIT_BYTES of that (on a UTF-8 boundary). */
  text(redactor: Redactor): string {
    const redacted = Buffer.from(redactor.redact(Buffer.concat(this.chunks).toString('utf8')));
    let start = Math.max(0, redacted.length - OUTPUT_LIMIT_BYTES);
    while (start < redacted.length && (redacted[start]! & 0xc0) === 0x80) start += 1;
    const cut = this.droppedBytes + start;
    const tail = redacted.subarray(start).toString('utf8');
    return cut > 0 ? `[… ${cut} bytes cut]\n${tail}` : tail;
  }
}

/** "1.2 s", "0.4 s", "30 s". */
export function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** What one attempt of an action yields; the retry loop adds the name, timing and attempt count. */
export interface AttemptOutcome {
  ok: boolean;
  message: string;
  exitCode: number | null;
  status: number | null;
  output: string;
}

export interface RetryOptions {
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Backoff before retry number n (0-based): 500 ms × 2^n, at most 5 s. */
export function retryDelayMs(n: number): number {
  return Math.min(500 * 2 ** n, 5_000);
}

/** Runs `attempt` once, then up to `action.retries` more times while it fails and nothing aborted. */
export async function withRetries(
  action: { name: string; kind: ActionResult['kind']; retries: number },
  opts: RetryOptions,
  attempt: () => Promise<AttemptOutcome>,
): Promise<ActionResult> {
  const now = opts.now ?? Date.now;
  const sleep =
    opts.sleep ?? ((ms: number) => delay(ms, undefined, { signal: opts.signal }).catch(() => undefined));
  const startedMs = now();
  let attempts = 0;
  let outcome: AttemptOutcome;
  for (;;) {
    attempts += 1;
    outcome = await attempt();
    if (outcome.ok || attempts > action.retries || opts.signal?.aborted) break;
    await sleep(retryDelayMs(attempts - 1));
    if (opts.signal?.aborted) break;
  }
  return {
    name: action.name,
    kind: action.kind,
    ...outcome,
    attempts,
    durationMs: now() - startedMs,
    startedAt: new Date(startedMs).toISOString(),
  };
}

/** A result for an action that could not be run at all. */
export function failedResult(
  action: { name: string; kind: ActionResult['kind'] },
  message: string,
  startedMs: number,
  now: () => number,
): ActionResult {
  return {
    name: action.name,
    kind: action.kind,
    ok: false,
    message,
    attempts: 0,
    durationMs: now() - startedMs,
    startedAt: new Date(startedMs).toISOString(),
    exitCode: null,
    status: null,
    output: '',
  };
}
