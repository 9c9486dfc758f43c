// The one place that touches a Node internal: llhttp, the HTTP/1.x parser node:http itself uses, reached
// through `_http_common` (public npm packages do the same; the module has been stable since Node 12). The fast
// engine parses client requests and upstream responses with it: it is native, battle-tested against request
// smuggling, and hands over headers as flat [name, value, ...] latin1 string lists. If a Node release changes
// this surface, `llhttpAvailable()` turns false and the router refuses the fast engine at construction.
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
}

interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | ParseError;
  finish(): number | ParseError | undefined;
  close(): void;
  [slot: number]: unknown;
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
  kLenientNone: number;
}

/** What `execute` returns on a parse error: `code` is llhttp's (HPE_HEADER_OVERFLOW, ...). */
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
  if (typeof common.HTTPParser === 'function' && Array.isArray(common.methods)) {
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
    this.parser = p;
  }

  /** Parses `data`; returns the bytes consumed (fewer when an upgrade stopped it), or the parse error. */
  execute(data: Buffer): number | ParseError {
    return this.parser.execute(data);
  }

  /** The peer closed: completes a close-delimited message; an error when a message was cut short. */
  finish(): ParseError | null {
    const r = this.parser.finish();
    return r instanceof Error ? r : null;
  }

  close(): void {
    this.parser.close();
  }
}
