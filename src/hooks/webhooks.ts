// Release notifications by webhook: each stored event an app's webhooks ask for is POSTed to them, signed when
// the webhook names a secret, retried with exponential backoff. Deliveries live in memory only: those pending
// when the controller stops are dropped, never resent after a restart.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { GreenlightEvent } from '../engine/model.js';
import type { WebhookSpec } from '../spec/compiled-gates.js';
import { PRODUCT_VERSION } from '../version.js';
import { jsonPayload, slackPayload } from './webhook-format.js';
import { SIGNATURE_HEADER, signPayload } from './webhook-signature.js';

/** What a webhook with no `events` is sent. */
export const DEFAULT_EVENTS: readonly string[] = [
  'release.created',
  'release.promoted',
  'release.rolledBack',
  'release.aborted',
  'release.failed',
  'trigger.fired',
  'approval.requested',
  'approval.granted',
  'release.emergency',
];

const MAX_BACKOFF_MS = 60_000;

/** Whether an action is among the patterns (exact names, or prefixes ending in `.*`); none: the defaults. */
export function matchesEvent(patterns: readonly string[], action: string): boolean {
  const list = patterns.length === 0 ? DEFAULT_EVENTS : patterns;
  return list.some((p) => (p.endsWith('.*') ? action.startsWith(p.slice(0, -1)) : p === action));
}

/** The wait after the n-th failed attempt: 1 s, 2 s, 4 s … ±20% jitter, never above 60 s. */
export function backoffMs(failures: number, random: () => number = Math.random): number {
  const base = Math.min(1000 * 2 ** Math.max(0, failures - 1), MAX_BACKOFF_MS);
  return Math.min(Math.round(base * (0.8 + 0.4 * random())), MAX_BACKOFF_MS);
}

export interface NotifierOptions {
  /** The webhooks of an app's current spec (none for events that belong to no app). */
  webhooksFor(app: string | null): Promise<WebhookSpec[]>;
  /** The value of a controller environment variable holding an HMAC key. Default: process.env. */
  secret?(envName: string): string | undefined;
  fetch?: typeof fetch;
  sleep?(ms: number): Promise<void>;
  /** Milliseconds since the epoch, for the signature's timestamp. */
  now?(): number;
  log?(msg: string, fields?: Record<string, unknown>): void;
  userAgent?: string;
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'timed out';
    // fetch reports "fetch failed"; the cause says why (connection refused, DNS…).
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? cause.message : error.message;
  }
  return String(error);
}

export class Notifier {
  private readonly stopped = new AbortController();
  private pending = 0;
  private waiters: (() => void)[] = [];
  /** Events are looked up one after another, so first attempts go out in event order. */
  private order: Promise<void> = Promise.resolve();

  constructor(private readonly opts: NotifierOptions) {}

  /** Queue the deliveries this event is due; never throws, never waits. */
  /**
   * Queues the event's deliveries; never throws. Resolves once every one of them has settled (delivered, or
   * given up after its attempts, or dropped by stop()).
   */
  notify(event: GreenlightEvent): Promise<void> {
    if (this.stopped.signal.aborted) return Promise.resolve();
    const started = this.order.then(() => this.dispatch(event));
    const looked = started.then(() => undefined);
    this.order = looked;
    this.track(looked);
    return started.then((deliveries) => Promise.allSettled(deliveries)).then(() => undefined);
  }

  /** Resolves once no lookup or delivery is pending. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Drop every pending delivery and retry; later events are ignored. */
  stop(): void {
    this.stopped.abort();
  }

  private track(work: Promise<void>): void {
    this.pending += 1;
    const done = (): void => {
      this.pending -= 1;
      if (this.pending > 0) return;
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve();
    };
    work.then(done, done);
  }

  private log(msg: string, fields: Record<string, unknown>): void {
    this.opts.log?.(msg, fields);
  }

  /** Looks up the app's webhooks and starts the deliveries the event matches; returns them. */
  private async dispatch(event: GreenlightEvent): Promise<Promise<void>[]> {
    let hooks: WebhookSpec[];
    try {
      hooks = await this.opts.webhooksFor(event.app);
    } catch (error) {
      this.log('webhooks: could not read the app spec', {
        app: event.app,
        event: event.id,
        error: errorText(error),
      });
      return [];
    }
    const deliveries: Promise<void>[] = [];
    for (const hook of hooks) {
      if (this.stopped.signal.aborted) break;
      if (!matchesEvent(hook.events, event.action)) continue;
      const delivery = this.deliver(hook, event);
      this.track(delivery);
      deliveries.push(delivery);
    }
    return deliveries;
  }

  private async deliver(hook: WebhookSpec, event: GreenlightEvent): Promise<void> {
    const delivery = randomUUID();
    const fields = { webhook: hook.name, app: event.app, event: event.id, action: event.action, delivery };
    let key: string | undefined;
    if (hook.secretEnv !== null) {
      key = (this.opts.secret ?? ((name) => process.env[name]))(hook.secretEnv) || undefined;
      if (key === undefined) {
        this.log(`webhook ${hook.name}: secret ${hook.secretEnv} is not set; not sending`, fields);
        return;
      }
    }
    const body = JSON.stringify(hook.format === 'slack' ? slackPayload(event) : jsonPayload(event, delivery));
    const attempts = Math.max(1, hook.attempts);
    let last = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (this.stopped.signal.aborted) return;
      const failure = await this.attempt(hook, event, delivery, body, key);
      if (failure === null) return;
      last = failure;
      if (attempt < attempts) await this.sleep(backoffMs(attempt));
    }
    if (this.stopped.signal.aborted) return;
    this.log(`webhook ${hook.name} failed after ${attempts} attempts`, { ...fields, last });
  }

  /** One POST; null on a 2xx answer, else what went wrong. */
  private async attempt(
    hook: WebhookSpec,
    event: GreenlightEvent,
    delivery: string,
    body: string,
    key: string | undefined,
  ): Promise<string | null> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': this.opts.userAgent ?? `greenlight/${PRODUCT_VERSION}`,
      'x-greenlight-event': event.action,
      'x-greenlight-delivery': delivery,
    };
    // Signed per attempt: a retry a minute later carries a fresh timestamp.
    if (key !== undefined) headers[SIGNATURE_HEADER] = signPayload(body, key, Math.floor(this.now() / 1000));
    try {
      const response = await (this.opts.fetch ?? fetch)(hook.url, {
        method: 'POST',
        headers,
        body,
        // A redirect is a failure: a signed payload is not forwarded to wherever the receiver points.
        redirect: 'manual',
        signal: AbortSignal.any([this.stopped.signal, AbortSignal.timeout(hook.timeoutMs)]),
      });
      await response.body?.cancel().catch(() => undefined);
      return response.status >= 200 && response.status < 300 ? null : `status ${response.status}`;
    } catch (error) {
      return errorText(error);
    }
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private async sleep(ms: number): Promise<void> {
    if (this.opts.sleep) return this.opts.sleep(ms);
    await sleepFor(ms, undefined, { signal: this.stopped.signal }).catch(() => undefined);
  }
}
