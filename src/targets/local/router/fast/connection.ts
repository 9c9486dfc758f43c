// One client connection of the fast engine: request heads and bodies parsed with llhttp reading the socket
// directly, one request served at a time (pipelined ones wait in order, reading paused meanwhile), the
// response gathered and written to the socket in as few writes as possible (one for a small answer),
// keep-alive, and the client-side limits: 431 for an oversized head, 400 for a malformed or ambiguous one
// (llhttp refuses Content-Length with Transfer-Encoding, duplicate Content-Length and a Transfer-Encoding that
// does not end in chunked), 408 when a head or body does not arrive in time. Upgrade requests leave the
// connection to the tunnel code with the bytes read past their head.
import type { Socket } from 'node:net';
import type { RouterLimits } from '../../types.js';
import type { HasDeadline } from './deadlines.js';
import { HttpParser, setReading, type ParseError } from './llhttp.js';

/** Where a request's body goes once its exchange has started. */
export interface BodySink {
  onRequestBody(chunk: Buffer): void;
  onRequestBodyEnd(): void;
}

/** Told when the client goes away while its request is active. */
export interface GoneListener {
  clientGone(): void;
}

export class FastRequest {
  complete = false;
  bodyBytes = 0;
  sink: BodySink | null = null;
  gone: GoneListener | null = null;
  private chunks: Buffer[] | null = null;

  constructor(
    readonly conn: ClientConn,
    readonly method: string,
    readonly url: string,
    readonly rawHeaders: string[],
    readonly http10: boolean,
    readonly keepAlive: boolean,
  ) {}

  /** Sends the body (what came so far, then the rest as it comes) to `sink`. */
  attach(sink: BodySink): void {
    this.sink = sink;
    const chunks = this.chunks;
    this.chunks = null;
    if (chunks !== null) for (const c of chunks) sink.onRequestBody(c);
    if (this.complete) sink.onRequestBodyEnd();
  }

  body(chunk: Buffer): void {
    this.bodyBytes += chunk.length;
    if (this.sink !== null) this.sink.onRequestBody(chunk);
    else (this.chunks ??= []).push(chunk);
  }

  end(): void {
    this.complete = true;
    this.sink?.onRequestBodyEnd();
  }
}

/** What a connection needs from its listener. */
export interface ConnectionHost {
  readonly limits: RouterLimits;
  /** The listener is being replaced or closed: responses ask clients to reconnect. */
  readonly closing: boolean;
  onRequest(req: FastRequest): void;
  onUpgrade(req: FastRequest, socket: Socket, head: Buffer): void;
  forget(conn: ClientConn): void;
}

const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n';
const TOO_LARGE = 'HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\n\r\n';
const TIMED_OUT = 'HTTP/1.1 408 Request Timeout\r\nconnection: close\r\n\r\n';

/** The whole request body must arrive within this (node:http's requestTimeout default). */
const BODY_TIMEOUT_MS = 300_000;
/**
 * Response pieces (head, body chunks, chunk framing) are gathered up to this many bytes and written as one
 * buffer: one write syscall and no stream bookkeeping per piece. Larger answers go out corked, chunk by chunk.
 */
const GATHER_MAX_BYTES = 16 * 1024;

export class ClientConn implements HasDeadline {
  deadline: number;
  private readonly parser: HttpParser;
  private readonly queue: FastRequest[] = [];
  private active: FastRequest | null = null;
  /** The request whose head or body llhttp is reading now. */
  private parsing: FastRequest | null = null;
  private inHead = false;
  private upgrade: FastRequest | null = null;
  /** A parse error seen while an earlier request was still being served: answered after it. */
  private pendingError: string | null = null;
  /** Response pieces not written yet, and their total length in bytes (all latin1 or raw bytes). */
  private gathered: (Buffer | string)[] = [];
  private gatheredBytes = 0;
  private bodyPaused = false;
  private readingPaused = false;
  private done = false;
  private disposed = false;
  private drainListener: (() => void) | null = null;
  private remote: string | null = null;

  constructor(
    readonly socket: Socket,
    private readonly host: ConnectionHost,
  ) {
    this.deadline = performance.now() + host.limits.headersTimeoutMs;
    this.parser = new HttpParser('request', host.limits.maxHeaderBytes, {
      onMessageBegin: () => {
        this.inHead = true;
      },
      onHeadersComplete: (_M, minor, headers, method, url, _s, _r, upgrade, keepAlive) => {
        this.inHead = false;
        const req = new FastRequest(this, method, url, headers, minor === 0, keepAlive);
        if (upgrade) this.upgrade = req;
        else {
          this.parsing = req;
          this.queue.push(req);
        }
        return 0;
      },
      onBody: (chunk) => this.parsing?.body(chunk),
      onMessageComplete: () => {
        const req = this.parsing;
        this.parsing = null;
        req?.end();
      },
      onExecute: (r) => this.afterRead(r),
    });
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('close', () => this.onClose());
    if (!this.parser.consume(socket)) socket.destroy();
  }

  get remoteAddress(): string {
    return (this.remote ??= this.socket.remoteAddress ?? '');
  }

  get closing(): boolean {
    return this.host.closing;
  }

  get idle(): boolean {
    return this.active === null && !this.inHead;
  }

  /** After llhttp has parsed one read of the socket. */
  private afterRead(r: number | ParseError): void {
    if (typeof r !== 'number') return this.parseError(r);
    if (this.upgrade !== null) return this.handOff(this.parser.currentBuffer().subarray(r));
    if (this.active === null) this.next();
    else this.updateReading();
  }

  private parseError(err: ParseError): void {
    const text = err.code === 'HPE_HEADER_OVERFLOW' ? TOO_LARGE : BAD_REQUEST;
    const last = this.queue[this.queue.length - 1];
    if (last !== undefined && !last.complete) {
      // The broken message is this one: never started, it is dropped; if started, its body is cut.
      if (last === this.active) return void this.socket.destroy();
      this.queue.pop();
    }
    this.parsing = null;
    this.pendingError = text;
    if (this.active === null) this.next();
    else this.updateReading();
  }

  private handOff(head: Buffer): void {
    const req = this.upgrade as FastRequest;
    if (this.active !== null || this.queue.length > 0) return void this.socket.destroy();
    this.detach();
    this.host.onUpgrade(req, this.socket, head);
  }

  /** Serves the next queued request, or waits for one. */
  private next(): void {
    const req = this.queue.shift();
    if (req === undefined) {
      this.active = null;
      if (this.pendingError !== null) return this.fail(this.pendingError);
      this.deadline =
        performance.now() +
        (this.inHead ? this.host.limits.headersTimeoutMs : this.host.limits.keepAliveTimeoutMs);
      this.updateReading();
      return;
    }
    this.active = req;
    this.deadline = req.complete
      ? Infinity
      : performance.now() + Math.max(BODY_TIMEOUT_MS, this.host.limits.headersTimeoutMs);
    this.updateReading();
    this.host.onRequest(req);
  }

  /** Reading stops while requests wait their turn, and while the upstream cannot take more body. */
  private updateReading(): void {
    const pause = this.bodyPaused || this.queue.length > 0 || this.pendingError !== null;
    if (pause === this.readingPaused || this.done) return;
    this.readingPaused = pause;
    setReading(this.socket, !pause);
  }

  /** Body backpressure: the upstream is not taking more for now. */
  pauseBody(paused: boolean): void {
    this.bodyPaused = paused;
    this.updateReading();
  }

  writeContinue(): void {
    this.socket.write('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
  }

  /** Writes a response head; what follows until `flush` goes out with it in one write when small. */
  startResponse(head: string): void {
    this.gather(head);
  }

  /** Writes part of the response body; false when the client is not taking more for now (see onDrain). */
  writeBody(chunk: Buffer | string): boolean {
    // Once the socket holds unsent data, pieces go straight to it so that its answer reports backpressure.
    if (this.socket.writableLength === 0) return this.gather(chunk);
    this.flush();
    return this.socket.write(chunk, 'latin1');
  }

  /** Writes what was gathered. */
  flush(): void {
    const pieces = this.gathered;
    const n = pieces.length;
    if (n === 0) return;
    const bytes = this.gatheredBytes;
    this.gathered = [];
    this.gatheredBytes = 0;
    if (n === 1) {
      this.socket.write(pieces[0] as Buffer | string, 'latin1');
      return;
    }
    const out = Buffer.allocUnsafe(bytes);
    let at = 0;
    for (const p of pieces) at += typeof p === 'string' ? out.write(p, at, 'latin1') : p.copy(out, at);
    this.socket.write(out);
  }

  /** Adds a piece to the gathered ones; past GATHER_MAX_BYTES, everything goes out at once (one writev). */
  private gather(piece: Buffer | string): boolean {
    const length = piece.length;
    if (this.gatheredBytes + length <= GATHER_MAX_BYTES) {
      this.gathered.push(piece);
      this.gatheredBytes += length;
      return true;
    }
    const socket = this.socket;
    socket.cork();
    for (const p of this.gathered) socket.write(p, 'latin1');
    this.gathered = [];
    this.gatheredBytes = 0;
    const ok = socket.write(piece, 'latin1');
    socket.uncork();
    return ok;
  }

  /** Calls `listener` once when the socket drains (response backpressure). */
  onDrain(listener: () => void): void {
    if (this.drainListener !== null) this.socket.off('drain', this.drainListener);
    this.drainListener = () => {
      this.drainListener = null;
      listener();
    };
    this.socket.once('drain', this.drainListener);
  }

  /** The response is complete: the next request, or the end of the connection. */
  endResponse(keepAlive: boolean): void {
    this.flush();
    if (this.drainListener !== null) {
      this.socket.off('drain', this.drainListener);
      this.drainListener = null;
    }
    const req = this.active;
    if (req !== null) req.gone = null;
    if (!keepAlive || req === null || !req.complete || this.host.closing) return this.close();
    this.next();
  }

  /** A whole answer written by the router itself (an error, or maintenance). */
  respond(text: string, keepAlive: boolean): void {
    this.startResponse(text);
    this.endResponse(keepAlive);
  }

  /** Cuts the connection (a failure after the response started). */
  abort(): void {
    this.socket.destroy();
  }

  expire(): void {
    if (this.done) return;
    if (this.inHead || (this.active !== null && !this.active.complete)) this.fail(TIMED_OUT);
    else if (this.active === null) this.socket.destroy();
  }

  /** Called while the listener closes: an idle connection is closed now. */
  closeIfIdle(): void {
    if (this.idle && this.queue.length === 0) this.socket.destroy();
  }

  private fail(text: string): void {
    this.flush();
    this.close(text);
  }

  private close(last?: string): void {
    if (this.done) return;
    this.done = true;
    this.deadline = Infinity;
    const socket = this.socket;
    if (last !== undefined) socket.end(last, 'latin1');
    else socket.end();
    socket.once('finish', () => socket.destroy());
  }

  private detach(): void {
    this.done = true;
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('close');
    this.dispose();
  }

  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.parser.close();
    this.host.forget(this);
  }

  private onClose(): void {
    this.done = true;
    this.dispose();
    const req = this.active;
    this.active = null;
    this.queue.length = 0;
    req?.gone?.clientGone();
  }
}
