// The hot path: one request from the client to an upstream endpoint and back. A request is one Exchange
// object, which is also the undici dispatch handler (undici's original callback API: raw header buffers, no
// per-request controller or header object), streaming the upstream answer straight into the ServerResponse.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { BodyLimiter } from './body.js';
import type { AppContext } from './context.js';
import type { EndpointState } from './endpoints.js';
import { responseHeaders, scanRequestHeaders, type RequestHead } from './headers.js';
import type { Holdable } from './maintenance.js';
import { sendError } from './responses.js';
import { pickEndpoint, selectVersion, type SelectionOut } from './select.js';
import { CLIENT_GONE, UPSTREAM_ERROR } from './stats.js';
import type { VersionRoute } from './table.js';

/** At most this many mirrored requests in flight per mirror endpoint; beyond it copies are skipped. */
const MIRROR_MAX_IN_FLIGHT = 64;

const WAITING = 0; // dispatched, no response headers yet
const STREAMING = 1; // response headers written to the client
const DISCARDING = 2; // failed and retried on stable: the rest of this answer is dropped
const DONE = 3;
/** `finish` outcome meaning: already recorded (the failed attempt of a retry), only release the endpoint. */
const RECORDED = -2;

const EXCHANGE = Symbol('greenlight.exchange');
type TaggedResponse = ServerResponse & { [EXCHANGE]?: Exchange };

class ClientGoneError extends Error {
  constructor() {
    super('client closed the connection');
  }
}
const CLIENT_GONE_ERROR = new ClientGoneError();

/** Methods re-sent to stable when bodyless (retryOnStable). POST and PATCH are never retried. */
function retryableMethod(method: string): boolean {
  return (
    method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || method === 'DELETE' || method === 'PUT'
  );
}

/** A node:http request waiting in maintenance `hold`. */
class HeldNode implements Holdable {
  constructor(
    private readonly ctx: AppContext,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {}
  reject(requestId: string, retryAfterSeconds: number): void {
    sendError(this.res, 503, 'maintenance', null, requestId, retryAfterSeconds);
  }
  release(): void {
    handleRequest(this.ctx, this.req, this.res);
  }
  watchGone(onGone: () => void): () => void {
    this.res.once('close', onGone);
    return () => this.res.off('close', onGone);
  }
}

function onResponseClose(this: TaggedResponse): void {
  this[EXCHANGE]?.clientClosed();
}

class Exchange implements RequestHead, SelectionOut, Dispatcher.DispatchHandler {
  headers: string[] = [];
  host = '';
  forwardedFor: string | null = null;
  requestId: string | null = null;
  cookie: string | null = null;
  preview: string | null = null;
  contentLength: string | null = null;
  chunked = false;
  setCookie: string | null = null;

  route: VersionRoute | null = null;
  endpoint: EndpointState | null = null;
  state = WAITING;
  status = 0;
  isRetry = false;
  limiter: BodyLimiter | null = null;
  private abort: ((err?: Error) => void) | null = null;
  private resume: (() => void) | null = null;
  private gone = false;
  private drainListener: (() => void) | null = null;

  constructor(
    readonly ctx: AppContext,
    readonly req: IncomingMessage,
    readonly res: TaggedResponse,
    public start: number,
  ) {}

  get bodyless(): boolean {
    return (this.contentLength === null || this.contentLength === '0') && !this.chunked;
  }

  /** Sends the request to `endpoint` of `route`. */
  dispatch(route: VersionRoute, endpoint: EndpointState): void {
    this.route = route;
    this.endpoint = endpoint;
    endpoint.inFlight += 1;
    this.res[EXCHANGE] = this;
    let body: BodyLimiter | null = null;
    if (!this.bodyless) {
      body = this.limiter = new BodyLimiter(this.ctx.limits.maxBodyBytes);
      this.req.pipe(body);
    }
    endpoint.pool.dispatch(
      {
        path: this.req.url as string,
        method: this.req.method as Dispatcher.HttpMethod,
        headers: this.headers,
        body,
        headersTimeout: this.ctx.limits.upstreamTimeoutMs,
      },
      this,
    );
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort;
    if (this.gone) abort(CLIENT_GONE_ERROR);
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void): boolean {
    if (status < 200) return true;
    if (this.state !== WAITING) return true;
    if (status >= 500 && this.canRetry()) {
      this.state = DISCARDING;
      this.retry(status);
      return true;
    }
    this.state = STREAMING;
    this.status = status;
    this.resume = resume;
    this.res.writeHead(status, responseHeaders(raw, this.setCookie));
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.state !== STREAMING) return true;
    if (this.res.write(chunk)) return true;
    if (this.res.destroyed) return true;
    this.drainListener ??= () => this.resume?.();
    this.res.once('drain', this.drainListener);
    return false;
  }

  onComplete(): void {
    if (this.state === STREAMING) {
      this.res.end();
      this.finish(this.status);
    } else this.finish(RECORDED);
  }

  onError(err: Error): void {
    const state = this.state;
    if (state === DONE) return;
    if (state === DISCARDING) return this.finish(RECORDED);
    if (this.gone) return this.finish(CLIENT_GONE);
    const id = this.requestId as string;
    const version = (this.route as VersionRoute).name;
    if (this.limiter?.exceeded === true) {
      this.finish(413);
      sendError(this.res, 413, 'body_too_large', version, id, null, true);
      return;
    }
    if (state === WAITING && this.canRetry()) {
      this.state = DISCARDING;
      this.retry(UPSTREAM_ERROR);
      return this.finish(RECORDED);
    }
    this.finish(UPSTREAM_ERROR);
    if (state === STREAMING) {
      this.res.destroy();
      return;
    }
    const timeout = (err as { code?: string }).code === 'UND_ERR_HEADERS_TIMEOUT';
    const close = this.limiter !== null && !this.req.complete;
    sendError(
      this.res,
      timeout ? 504 : 502,
      timeout ? 'upstream_timeout' : 'upstream_unavailable',
      version,
      id,
      null,
      close,
    );
  }

  /** The client's response closed: if it did before the answer was complete, stop the upstream request. */
  clientClosed(): void {
    if (this.state === DONE || this.state === DISCARDING || this.res.writableFinished) return;
    this.gone = true;
    this.abort?.(CLIENT_GONE_ERROR);
  }

  private canRetry(): boolean {
    const t = this.ctx.table;
    return (
      !this.isRetry &&
      t.traffic.retryOnStable &&
      t.stable !== null &&
      t.stable !== this.route &&
      t.stable.name !== (this.route as VersionRoute).name &&
      this.bodyless &&
      retryableMethod(this.req.method as string)
    );
  }

  /** Records this (non-stable) version's failure and sends the same request to stable. */
  private retry(outcome: number): void {
    const route = this.route as VersionRoute;
    const now = performance.now();
    route.recorder.record(outcome, now - this.start, now);
    route.recorder.retriedOnStable += 1;
    const stable = this.ctx.table.stable as VersionRoute;
    const again = new Exchange(this.ctx, this.req, this.res, now);
    again.headers = this.headers;
    again.requestId = this.requestId;
    again.isRetry = true;
    again.dispatch(stable, pickEndpoint(stable));
  }

  /** Ends the exchange: records the outcome (unless RECORDED) and releases the endpoint. */
  private finish(outcome: number): void {
    if (this.state === DONE) return;
    this.state = DONE;
    if (outcome !== RECORDED) {
      const now = performance.now();
      (this.route as VersionRoute).recorder.record(outcome, now - this.start, now);
    }
    (this.endpoint as EndpointState).release();
  }
}

/** Discards the answer to a mirrored copy; only releases the mirror endpoint when done. */
class MirrorHandler implements Dispatcher.DispatchHandler {
  constructor(private readonly endpoint: EndpointState) {}
  onConnect(): void {}
  onHeaders(): boolean {
    return true;
  }
  onData(): boolean {
    return true;
  }
  onComplete(): void {
    this.endpoint.release();
  }
  onError(): void {
    this.endpoint.release();
  }
}

function mirror(ex: Exchange, route: VersionRoute): void {
  const endpoint = pickEndpoint(route);
  if (endpoint.inFlight >= MIRROR_MAX_IN_FLIGHT) return;
  endpoint.inFlight += 1;
  route.recorder.mirrored += 1;
  endpoint.pool.dispatch(
    {
      path: ex.req.url as string,
      method: ex.req.method as Dispatcher.HttpMethod,
      headers: ex.headers,
      body: null,
      headersTimeout: ex.ctx.limits.upstreamTimeoutMs,
    },
    new MirrorHandler(endpoint),
  );
}

/** Handles one client request for an app: maintenance, limits, selection, forwarding, mirroring. */
export function handleRequest(ctx: AppContext, req: IncomingMessage, res: ServerResponse): void {
  const start = performance.now();
  const table = ctx.table;
  const traffic = table.traffic;
  if (traffic.maintenance !== null) {
    if (traffic.maintenance.mode === 'hold') return ctx.hold(new HeldNode(ctx, req, res));
    ctx.countRejected();
    sendError(res, 503, 'maintenance', null, ctx.nextRequestId(), traffic.maintenance.retryAfterSeconds);
    return;
  }
  const ex = new Exchange(ctx, req, res, start);
  scanRequestHeaders(req.rawHeaders, traffic.preview, ex);
  const id = (ex.requestId ??= ctx.nextRequestId());
  if (ex.contentLength !== null && Number(ex.contentLength) > ctx.limits.maxBodyBytes) {
    sendError(res, 413, 'body_too_large', null, id, null, true);
    return;
  }
  const route = selectVersion(table, req.rawHeaders, ex, ex);
  if (route === null) {
    sendError(res, 503, 'no_version_available', null, id);
    return;
  }
  const remote = req.socket.remoteAddress ?? '';
  ex.headers.push(
    'x-forwarded-for',
    ex.forwardedFor === null ? remote : `${ex.forwardedFor}, ${remote}`,
    'x-forwarded-proto',
    'http',
    'x-forwarded-host',
    ex.host,
    'x-request-id',
    id,
  );
  // One listener per response, shared by all (not a closure); it finds the exchange through the response.
  res.on('close', onResponseClose);
  ex.dispatch(route, pickEndpoint(route));
  const m = table.mirror;
  if (
    m !== null &&
    m !== route &&
    ex.bodyless &&
    Math.random() * 100 < (traffic.mirror as { percent: number }).percent
  ) {
    mirror(ex, m);
  }
}
