// The one place that touches Node internals: llhttp, the HTTP/1.x parser node:http itself uses, reached
// through `_http_common` (public npm packages do the same; the module has been stable since Node 12). The fast
// engine parses client requests and upstream responses with it: it is native, battle-tested against request
// smuggling, and hands over headers as flat [name, value, ...] latin1 string lists. Like node:http's server, a
// parser *consumes* its socket: the native side reads into one shared buffer and parses it in place, so a read
// costs no Buffer, no stream machinery and no 'data' event (the CPU profile's largest avoidable cost), and the
// JS side is called once per read (`onExecute`). Reading is then paused and resumed on the socket's handle, as
// node:http does. If a Node release changes this surface, `llhttpAvailable()` turns false and the router
// refuses the fast engine at construction.
import type { Socket } from 'node:net';
import { createRequire } from 'node:module';

/** Called when the headers of a message are complete. Return SKIP_BODY to parse no body (HEAD answers). */
export type OnHeadersComplete = (
  versionMajor: number,
  versionMinor: number,
  headers: string[],
  method: string,
  url: string,
  statusCode: number,
  statusMessage: string,
  upgrade: boolean,
  shouldKeepAlive: boolean,
) => number;

export interface ParserCallbacks {
  onMessageBegin?: () => void;
  onHeadersComplete: OnHeadersComplete;
  onBody: (chunk: Buffer) => void;
  onMessageComplete: () => void;
  /** After each read of a consumed socket: the bytes parsed, or the parse error. */
  onExecute: (result: number | ParseError) => void;
}

interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  finish(): number | ParseError | undefined;
  close(): void;
  consume(handle: object): void;
  unconsume(): void;
  getCurrentBuffer(): Buffer;
  [slot: number]: unknown;
}

/** The parts of a net.Socket's libuv handle the fast engine uses. */
interface StreamHandle {
  isStreamBase?: boolean;
  reading: boolean;
  readStart(): number;
  readStop(): number;
}

interface NativeParserClass {
  new (): NativeParser;
  REQUEST: number;
  RESPONSE: number;
  kOnMessageBegin: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kOnExecute: number;
  kLenientNone: number;
}

/** What a read's parse ends with on a parse error: `code` is llhttp's (HPE_HEADER_OVERFLOW, ...). */
export interface ParseError extends Error {
  code: string;
  reason?: string;
}

export const SKIP_BODY = 1;

let native: { HTTPParser: NativeParserClass; methods: string[] } | null = null;
try {
  const common = createRequire(import.meta.url)('_http_common') as {
    HTTPParser?: NativeParserClass;
    methods?: string[];
  };
  const proto = common.HTTPParser?.prototype as Partial<NativeParser> | undefined;
  if (
    typeof common.HTTPParser === 'function' &&
    Array.isArray(common.methods) &&
    typeof common.HTTPParser.kOnExecute === 'number' &&
    typeof proto?.consume === 'function' &&
    typeof proto.unconsume === 'function' &&
    typeof proto.getCurrentBuffer === 'function'
  ) {
    native = { HTTPParser: common.HTTPParser, methods: common.methods };
  }
} catch {
  native = null;
}

export function llhttpAvailable(): boolean {
  return native !== null;
}

/** An llhttp parser for requests or responses, reusable across the messages of one connection. */
export class HttpParser {
  private readonly parser: NativeParser;
  // Headers and URL flushed early (more than 32 headers, or a head split across reads).
  private partHeaders: string[] = [];
  private partUrl = '';
  private consumed = false;

  constructor(kind: 'request' | 'response', maxHeaderSize: number, callbacks: ParserCallbacks) {
    if (native === null) throw new Error('llhttp (node:_http_common) is not available');
    const { HTTPParser, methods } = native;
    const p = new HTTPParser();
    p.initialize(kind === 'request' ? HTTPParser.REQUEST : HTTPParser.RESPONSE, {}, maxHeaderSize, 0);
    p[HTTPParser.kOnHeaders] = (headers: string[], url: string): void => {
      for (const h of headers) this.partHeaders.push(h);
      this.partUrl += url;
    };
    p[HTTPParser.kOnHeadersComplete] = (
      major: number,
      minor: number,
      headers: string[] | undefined,
      method: number | undefined,
      url: string | undefined,
      status: number | undefined,
      message: string | undefined,
      upgrade: boolean,
      keepAlive: boolean,
    ): number => {
      let all = headers;
      if (all === undefined) {
        all = this.partHeaders;
        this.partHeaders = [];
      }
      const u = url === undefined || url === '' ? this.partUrl : this.partUrl + url;
      this.partUrl = '';
      return callbacks.onHeadersComplete(
        major,
        minor,
        all,
        method === undefined ? '' : (methods[method] ?? ''),
        u,
        status ?? 0,
        message ?? '',
        upgrade,
        keepAlive,
      );
    };
    if (callbacks.onMessageBegin !== undefined) p[HTTPParser.kOnMessageBegin] = callbacks.onMessageBegin;
    p[HTTPParser.kOnBody] = callbacks.onBody;
    p[HTTPParser.kOnMessageComplete] = callbacks.onMessageComplete;
    p[HTTPParser.kOnExecute] = callbacks.onExecute;
    this.parser = p;
  }

  /**
   * Makes the parser read `socket` directly; false when the socket has no stream handle (already destroyed).
   * The socket's 'data' events stop; 'end', 'error' and 'close' go on as before.
   */
  consume(socket: Socket): boolean {
    const handle = handleOf(socket);
    if (handle === null || handle.isStreamBase !== true) return false;
    this.parser.consume(handle);
    this.consumed = true;
    return true;
  }

  /** Gives the socket's reads back to its 'data' events (an upgrade hands the socket over). */
  unconsume(): void {
    if (!this.consumed) return;
    this.consumed = false;
    this.parser.unconsume();
  }

  /** During `onExecute`: a copy of the bytes of this read (an upgrade's first tunnel bytes are its tail). */
  currentBuffer(): Buffer {
    return this.parser.getCurrentBuffer();
  }

  /** The peer closed: completes a close-delimited message; an error when a message was cut short. */
  finish(): ParseError | null {
    const r = this.parser.finish();
    return r instanceof Error ? r : null;
  }

  /** Frees the parser. Safe from inside its own callbacks: the native object is deleted once they unwind. */
  close(): void {
    this.unconsume();
    const parser = this.parser;
    setImmediate(() => parser.close());
  }
}

function handleOf(socket: Socket): StreamHandle | null {
  return (socket as unknown as { _handle: StreamHandle | null })._handle ?? null;
}

/**
 * Starts or stops reading a consumed socket (socket.pause() only stops the stream's 'data' events, which a
 * consumed socket has none of); mirrors node:http's own pause of a consumed socket.
 */
export function setReading(socket: Socket, on: boolean): void {
  const handle = handleOf(socket);
  if (handle === null || handle.reading === on || socket.destroyed) return;
  handle.reading = on;
  if (on) handle.readStart();
  else handle.readStop();
}
