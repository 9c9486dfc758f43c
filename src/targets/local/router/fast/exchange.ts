// The fast engine's request path, the counterpart of proxy.ts: maintenance, limits, version and endpoint
// selection, then one FastExchange per attempt that is at once the upstream job, the sink of the request body
// and the writer of the response; retry on stable, stats and the router's own JSON answers as on the node path.
import type { AppContext } from '../context.js';
import type { EndpointState } from '../endpoints.js';
import { findHeader, scanRequestHeaders, type RequestHead } from '../headers.js';
import type { Holdable } from '../maintenance.js';
import { errorResponseText, type RouterErrorCode } from '../responses.js';
import { pickEndpoint, selectVersion, type SelectionOut } from '../select.js';
import { CLIENT_GONE, UPSTREAM_ERROR } from '../stats.js';
import type { VersionRoute } from '../table.js';
import type { BodySink, FastRequest, GoneListener } from './connection.js';
import { BODY_CHUNKED, BODY_CLOSE, BODY_NONE, requestHead, requestHeadBase, responseHead } from './heads.js';
import { mirror } from './mirror.js';
import { TIMEOUT, type UpstreamConn, type UpstreamJob } from './upstream.js';

const WAITING = 0; // sent (or waiting for a connection), no response head yet
const STREAMING = 1; // response head written to the client
const DISCARDING = 2; // failed and retried on stable: the rest of this answer is dropped
const DONE = 3;
/** `finish` outcome meaning: already recorded (the failed attempt of a retry), only release the endpoint. */
const RECORDED = -2;

/** Methods re-sent to stable when bodyless (retryOnStable). POST and PATCH are never retried. */
function retryableMethod(method: string): boolean {
  return (
    method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || method === 'DELETE' || method === 'PUT'
  );
}

/** Answers with a router error; the connection stays open only if the request was read whole. */
export function reply(
  req: FastRequest,
  status: number,
  code: RouterErrorCode,
  version: string | null,
  id: string,
  retryAfter: number | null = null,
  close = false,
): void {
  const keepAlive = !close && req.keepAlive && req.complete && !req.conn.closing;
  req.conn.respond(
    errorResponseText(status, code, version, id, retryAfter, keepAlive, req.http10),
    keepAlive,
  );
}

class FastExchange implements RequestHead, SelectionOut, UpstreamJob, BodySink, GoneListener {
  headers: string[] = [];
  host = '';
  forwardedFor: string | null = null;
  requestId: string | null = null;
  cookie: string | null = null;
  preview: string | null = null;
  contentLength: string | null = null;
  chunked = false;
  setCookie: string | null = null;

  base = '';
  head = '';
  headDeadline = 0;
  readonly isHead: boolean;
  route: VersionRoute | null = null;
  endpoint: EndpointState | null = null;
  upstream: UpstreamConn | null = null;
  state = WAITING;
  status = 0;
  isRetry = false;
  private framing = BODY_NONE;
  private keepAlive = false;
  private sent = 0;

  constructor(
    readonly ctx: AppContext,
    readonly req: FastRequest,
    public start: number,
  ) {
    this.isHead = req.method === 'HEAD';
  }

  get bodyless(): boolean {
    return (this.contentLength === null || this.contentLength === '0') && !this.chunked;
  }

  get replayable(): boolean {
    return this.bodyless;
  }

  get hasBody(): boolean {
    return !this.bodyless;
  }

  dispatch(route: VersionRoute, endpoint: EndpointState): void {
    this.route = route;
    this.endpoint = endpoint;
    endpoint.inFlight += 1;
    this.req.gone = this;
    this.head = requestHead(this.base, this.host !== '', endpoint.host, endpoint.port);
    // `start` is a few microseconds old at most (a retry gets a fresh exchange).
    this.headDeadline = this.start + this.ctx.limits.upstreamTimeoutMs;
    endpoint.upstream.acquire(this);
  }

  onConnected(conn: UpstreamConn): void {
    this.upstream = conn;
    if (this.bodyless) return conn.endBody();
    if (findHeader(this.req.rawHeaders, 'expect')?.toLowerCase() === '100-continue') {
      this.req.conn.writeContinue();
    }
    this.req.attach(this);
  }

  onRequestBody(chunk: Buffer): void {
    const conn = this.upstream;
    if (conn === null || this.state === DONE) return;
    this.sent += chunk.length;
    if (this.sent > this.ctx.limits.maxBodyBytes) return this.tooLarge();
    let ok: boolean;
    if (this.chunked) {
      // All three pieces are written whatever the first answers: backpressure pauses the source, it never
      // drops bytes.
      conn.write(`${chunk.length.toString(16)}\r\n`);
      conn.write(chunk);
      ok = conn.write('\r\n');
    } else ok = conn.write(chunk);
    if (!ok) this.req.conn.pauseBody(true);
  }

  onRequestBodyEnd(): void {
    const conn = this.upstream;
    if (conn === null || this.state === DONE) return;
    if (this.chunked) conn.write('0\r\n\r\n');
    conn.endBody();
  }

  onUpstreamDrain(): void {
    this.req.conn.pauseBody(false);
  }

  onResponseHead(status: number, reason: string, headers: string[]): void {
    if (this.state !== WAITING) return;
    if (status >= 500 && this.canRetry()) {
      this.state = DISCARDING;
      return this.retry(status);
    }
    this.state = STREAMING;
    this.status = status;
    const req = this.req;
    const none = this.isHead || status === 204 || status === 304;
    const keep = req.keepAlive && req.complete && !req.conn.closing;
    const h = responseHead(status, reason, headers, this.setCookie, none, req.http10, keep);
    this.framing = h.framing;
    this.keepAlive = h.keepAlive;
    req.conn.startResponse(h.text);
  }

  onResponseBody(chunk: Buffer): boolean {
    if (this.state !== STREAMING || this.framing === BODY_NONE) return true;
    const conn = this.req.conn;
    let ok: boolean;
    if (this.framing === BODY_CHUNKED) {
      conn.writeBody(`${chunk.length.toString(16)}\r\n`);
      conn.writeBody(chunk);
      ok = conn.writeBody('\r\n');
    } else ok = conn.writeBody(chunk);
    if (ok) return true;
    conn.onDrain(() => this.upstream?.resume());
    return false;
  }

  onReadEnd(): void {
    if (this.state === STREAMING) this.req.conn.flush();
  }

  onResponseEnd(): void {
    this.upstream = null;
    if (this.state !== STREAMING) return this.finish(RECORDED);
    if (this.framing === BODY_CHUNKED) this.req.conn.writeBody('0\r\n\r\n');
    this.finish(this.status);
    this.req.conn.endResponse(this.keepAlive && this.framing !== BODY_CLOSE);
  }

  onUpstreamError(kind: number): void {
    this.upstream = null;
    const state = this.state;
    if (state === DONE) return;
    if (state === DISCARDING) return this.finish(RECORDED);
    const version = (this.route as VersionRoute).name;
    if (state === WAITING && this.canRetry()) {
      this.state = DISCARDING;
      this.retry(UPSTREAM_ERROR);
      return this.finish(RECORDED);
    }
    this.finish(UPSTREAM_ERROR);
    if (state === STREAMING) return this.req.conn.abort();
    const timeout = kind === TIMEOUT;
    const code = timeout ? 'upstream_timeout' : 'upstream_unavailable';
    reply(this.req, timeout ? 504 : 502, code, version, this.requestId as string);
  }

  /** The client's connection closed before the answer was complete: the upstream request is dropped. */
  clientGone(): void {
    if (this.state === DONE || this.state === DISCARDING) return;
    const conn = this.upstream;
    this.upstream = null;
    if (conn !== null) conn.destroy();
    else (this.endpoint as EndpointState).upstream.cancel(this);
    this.finish(CLIENT_GONE);
  }

  private tooLarge(): void {
    const conn = this.upstream;
    this.upstream = null;
    conn?.destroy();
    const started = this.state === STREAMING;
    this.finish(413);
    if (started) this.req.conn.abort();
    else
      reply(
        this.req,
        413,
        'body_too_large',
        (this.route as VersionRoute).name,
        this.requestId as string,
        null,
        true,
      );
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
      retryableMethod(this.req.method)
    );
  }

  /** Records this (non-stable) version's failure and sends the same request to stable. */
  private retry(outcome: number): void {
    const route = this.route as VersionRoute;
    const now = performance.now();
    route.recorder.record(outcome, now - this.start, now);
    route.recorder.retriedOnStable += 1;
    const stable = this.ctx.table.stable as VersionRoute;
    const again = new FastExchange(this.ctx, this.req, now);
    again.base = this.base;
    again.host = this.host;
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

/** A request waiting in maintenance `hold`. */
class HeldFast implements Holdable, GoneListener {
  private onGone: (() => void) | null = null;
  constructor(
    private readonly ctx: AppContext,
    private readonly req: FastRequest,
  ) {}
  reject(requestId: string, retryAfterSeconds: number): void {
    reply(this.req, 503, 'maintenance', null, requestId, retryAfterSeconds);
  }
  release(): void {
    this.req.gone = null;
    handleFastRequest(this.ctx, this.req);
  }
  watchGone(onGone: () => void): () => void {
    this.onGone = onGone;
    this.req.gone = this;
    return () => {
      this.onGone = null;
      if (this.req.gone === this) this.req.gone = null;
    };
  }
  clientGone(): void {
    this.onGone?.();
  }
}

/** Handles one client request of an app on the fast engine. */
export function handleFastRequest(ctx: AppContext, req: FastRequest): void {
  const start = performance.now();
  const table = ctx.table;
  const traffic = table.traffic;
  const m = traffic.maintenance;
  if (m !== null) {
    if (m.mode === 'hold') return ctx.hold(new HeldFast(ctx, req));
    ctx.countRejected();
    return reply(req, 503, 'maintenance', null, ctx.nextRequestId(), m.retryAfterSeconds);
  }
  const ex = new FastExchange(ctx, req, start);
  scanRequestHeaders(req.rawHeaders, traffic.preview, ex);
  const id = (ex.requestId ??= ctx.nextRequestId());
  if (ex.contentLength !== null && Number(ex.contentLength) > ctx.limits.maxBodyBytes) {
    return reply(req, 413, 'body_too_large', null, id, null, true);
  }
  const route = selectVersion(table, req.rawHeaders, ex, ex);
  if (route === null) return reply(req, 503, 'no_version_available', null, id);
  const remote = req.conn.remoteAddress;
  const xff = ex.forwardedFor === null ? remote : `${ex.forwardedFor}, ${remote}`;
  ex.base = requestHeadBase(req.method, req.url, ex.headers, xff, ex.host, id, ex.chunked);
  ex.dispatch(route, pickEndpoint(route));
  const mr = table.mirror;
  if (mr !== null && mr !== route && ex.bodyless && Math.random() * 100 < (traffic.mirror?.percent ?? 0)) {
    mirror(ctx, mr, ex.base, ex.host !== '', ex.isHead);
  }
}
