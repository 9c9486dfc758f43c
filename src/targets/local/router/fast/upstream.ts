// The fast engine's upstream client: a keep-alive pool of raw TCP connections per endpoint, one request at a
// time on each, responses parsed by llhttp reading the socket directly. A job (one forwarded request) gets a
// connection, writes its head and body (together, in one write, when the body is already there), and is called
// back with the response head, body chunks (with backpressure) and end, or a failure.
import { connect, type Socket } from 'node:net';
import { DeadlineSet, type HasDeadline } from './deadlines.js';
import { HttpParser, setReading, SKIP_BODY, type ParseError } from './llhttp.js';

/** Why an upstream request failed. TIMEOUT becomes 504, the others 502. */
export const CONNECT_FAILED = 1;
export const TIMEOUT = 2;
export const BROKEN = 3; // reset, closed early, or an unparseable answer

export interface UpstreamJob {
  /** The request head, ending with the blank line. */
  readonly head: string;
  /** A HEAD request: the answer has no body whatever its headers say. */
  readonly isHead: boolean;
  /** Can be sent again on a fresh connection when a reused one turns out dead (no body streamed). */
  readonly replayable: boolean;
  /** The request has a body (`onConnected` writes it): the head waits to go out with its first bytes. */
  readonly hasBody: boolean;
  /** performance.now() by which the response head must have come. */
  readonly headDeadline: number;
  /** The head is written; the job now writes its body (if any) with `conn.write` / `conn.endBody`. */
  onConnected(conn: UpstreamConn): void;
  onResponseHead(status: number, reason: string, headers: string[]): void;
  /** Returns false to pause the upstream until `conn.resume()`. */
  onResponseBody(chunk: Buffer): boolean;
  /** The end of one read from the upstream: what was written to the client may be flushed. */
  onReadEnd(): void;
  onResponseEnd(): void;
  onUpstreamError(kind: number): void;
  /** The upstream socket drained: body writing may go on. */
  onUpstreamDrain(): void;
}

/** Responses larger in head than this are refused (undici's default is 16 KiB). */
const MAX_RESPONSE_HEAD = 64 * 1024;
/** A connection idle for longer may have been closed by the upstream: it is not reused. */
const MAX_IDLE_MS = 4_000;

const deadlines = new DeadlineSet<UpstreamConn>(25);

export class UpstreamConn implements HasDeadline {
  deadline: number;
  job: UpstreamJob | null = null;
  private readonly socket: Socket;
  private readonly parser: HttpParser;
  private connected = false;
  private requests = 0;
  private gotBytes = false;
  private headDone = false;
  private informational = false;
  private keepAlive = false;
  private bodyDone = true;
  private closed = false;
  /** A response ended during the current read (the connection may be idle again by the read's end). */
  private endedInRead = false;
  idleSince = 0;

  constructor(
    private readonly pool: UpstreamPool,
    host: string,
    port: number,
    connectTimeoutMs: number,
  ) {
    this.deadline = performance.now() + connectTimeoutMs;
    this.parser = new HttpParser('response', MAX_RESPONSE_HEAD, {
      onHeadersComplete: (_M, _m, headers, _method, _url, status, reason, upgrade, keepAlive) =>
        this.onHeadersComplete(status, reason, headers, upgrade, keepAlive),
      onBody: (chunk) => {
        if (this.job !== null && !this.informational && !this.job.onResponseBody(chunk)) {
          setReading(this.socket, false);
        }
      },
      onMessageComplete: () => this.onMessageComplete(),
      onExecute: (r) => this.afterRead(r),
    });
    const socket = (this.socket = connect({ host, port, noDelay: true }));
    socket.on('connect', () => this.onConnect());
    socket.on('end', () => this.onEnd());
    socket.on('drain', () => this.job?.onUpstreamDrain());
    socket.on('error', () => undefined);
    socket.on('close', () => this.onClose());
    deadlines.add(this);
  }

  /** Starts `job` on this (connected, idle) connection. */
  assign(job: UpstreamJob): void {
    this.job = job;
    this.requests += 1;
    this.gotBytes = false;
    this.headDone = false;
    this.bodyDone = false;
    this.deadline = job.headDeadline;
    const socket = this.socket;
    if (!job.hasBody) {
      socket.write(job.head, 'latin1');
      return job.onConnected(this);
    }
    // The head and whatever body has arrived already leave in one writev.
    socket.cork();
    socket.write(job.head, 'latin1');
    job.onConnected(this);
    socket.uncork();
  }

  get isConnected(): boolean {
    return this.connected && !this.closed;
  }

  get everConnected(): boolean {
    return this.connected;
  }

  write(chunk: Buffer | string): boolean {
    return this.socket.write(chunk);
  }

  /** The request body is all written (or there was none). */
  endBody(): void {
    this.bodyDone = true;
  }

  resume(): void {
    setReading(this.socket, true);
  }

  /** Drops the connection; the job (if any) gets no more callbacks. */
  destroy(): void {
    this.job = null;
    this.socket.destroy();
  }

  expire(): void {
    const job = this.job;
    this.job = null;
    this.socket.destroy();
    job?.onUpstreamError(this.connected ? TIMEOUT : CONNECT_FAILED);
  }

  private onConnect(): void {
    if (!this.parser.consume(this.socket)) return void this.socket.destroy();
    this.connected = true;
    this.deadline = Infinity;
    this.pool.connected(this);
  }

  private onHeadersComplete(
    status: number,
    reason: string,
    headers: string[],
    upgrade: boolean,
    keepAlive: boolean,
  ): number {
    const job = this.job;
    if (status < 200 && status !== 101) {
      // 100 Continue, 103 Early Hints: not forwarded (the router answers Expect itself).
      this.informational = true;
      return 0;
    }
    if (job === null || upgrade || status === 101) {
      this.fail(BROKEN);
      return 0;
    }
    this.headDone = true;
    this.deadline = Infinity;
    this.keepAlive = keepAlive;
    job.onResponseHead(status, reason, headers);
    return job.isHead ? SKIP_BODY : 0;
  }

  private onMessageComplete(): void {
    if (this.informational) {
      this.informational = false;
      return;
    }
    const job = this.job;
    this.job = null;
    this.endedInRead = true;
    if (this.keepAlive && this.bodyDone && !this.closed) {
      this.idleSince = performance.now();
      this.pool.release(this);
    } else this.socket.destroy();
    job?.onResponseEnd();
  }

  /** After llhttp has parsed one read of the socket. */
  private afterRead(r: number | ParseError): void {
    this.gotBytes = true;
    const ended = this.endedInRead;
    this.endedInRead = false;
    if (typeof r !== 'number') return this.fail(BROKEN);
    const job = this.job;
    // Bytes while nothing was asked: an upstream talking out of turn is not reused (a complete unasked head
    // has failed in onHeadersComplete already).
    if (job === null) {
      if (!ended) this.socket.destroy();
    } else job.onReadEnd();
  }

  private onEnd(): void {
    // A close-delimited body ends here; a cut-short message is an error.
    if (this.job !== null && this.parser.finish() !== null) this.fail(BROKEN);
    this.socket.destroy();
  }

  private fail(kind: number): void {
    const job = this.job;
    this.job = null;
    this.socket.destroy();
    job?.onUpstreamError(kind);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    deadlines.delete(this);
    this.parser.close();
    this.pool.closed(this);
    const job = this.job;
    if (job === null) return;
    this.job = null;
    // A kept-alive connection the upstream closed while idle: send once more on a fresh connection.
    if (this.requests > 1 && !this.gotBytes && job.replayable) this.pool.acquire(job, true);
    else job.onUpstreamError(this.connected ? BROKEN : CONNECT_FAILED);
  }
}

export interface UpstreamPoolOptions {
  connections: number;
  connectTimeoutMs: number;
}

/** The keep-alive connections to one endpoint: at most `connections`, then jobs wait in order. */
export class UpstreamPool {
  private readonly idle: UpstreamConn[] = [];
  private readonly all = new Set<UpstreamConn>();
  private readonly waiting: UpstreamJob[] = [];
  private closing = false;
  private onClosed: (() => void) | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly options: UpstreamPoolOptions,
  ) {}

  /** Gets `job` a connection: an idle one, a new one, or the next one freed. `fresh` skips idle ones. */
  acquire(job: UpstreamJob, fresh = false): void {
    if (this.closing) {
      job.onUpstreamError(CONNECT_FAILED);
      return;
    }
    const now = performance.now();
    while (!fresh && this.idle.length > 0) {
      const conn = this.idle.pop() as UpstreamConn;
      if (conn.isConnected && now - conn.idleSince < MAX_IDLE_MS) {
        conn.assign(job);
        return;
      }
      conn.destroy();
    }
    this.waiting.push(job);
    if (this.all.size < this.options.connections || fresh) this.open();
  }

  /** Takes a job out of the queue (its client went away before it got a connection). */
  cancel(job: UpstreamJob): void {
    const i = this.waiting.indexOf(job);
    if (i !== -1) this.waiting.splice(i, 1);
  }

  private open(): void {
    const conn = new UpstreamConn(this, this.host, this.port, this.options.connectTimeoutMs);
    this.all.add(conn);
  }

  /** A new connection is up: it serves the oldest waiting job, or goes idle. */
  connected(conn: UpstreamConn): void {
    this.release(conn);
  }

  release(conn: UpstreamConn): void {
    const job = this.waiting.shift();
    if (job !== undefined) conn.assign(job);
    else if (this.closing) conn.destroy();
    else this.idle.push(conn);
  }

  closed(conn: UpstreamConn): void {
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i !== -1) this.idle.splice(i, 1);
    if (!conn.everConnected && this.waiting.length > 0 && !this.closing) {
      // A connection that never came up fails the oldest waiting job.
      const job = this.waiting.shift() as UpstreamJob;
      job.onUpstreamError(CONNECT_FAILED);
    }
    if (this.closing && this.all.size === 0) this.onClosed?.();
  }

  /** Closes idle connections at once and the others when their request ends; `force` cuts them now. */
  close(force: boolean): Promise<void> {
    this.closing = true;
    for (const job of this.waiting.splice(0)) job.onUpstreamError(CONNECT_FAILED);
    for (const conn of this.idle.splice(0)) conn.destroy();
    if (force) for (const conn of this.all) conn.expire();
    if (this.all.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.onClosed = resolve));
  }
}
