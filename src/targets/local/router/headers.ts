// Header handling on the hot path: one pass over the client's raw request headers that keeps what is forwarded
// and notes what routing needs, the response headers turned back into a flat list for writeHead, and small
// lookups (a header, a cookie) that do not build objects.

/** What the router learns from a request's headers in its single pass over them. */
export interface RequestHead {
  /** Forwarded headers as a flat [name, value, ...] list, hop-by-hop and X-Forwarded-* left out. */
  headers: string[];
  host: string;
  forwardedFor: string | null;
  requestId: string | null;
  cookie: string | null;
  preview: string | null;
  contentLength: string | null;
  chunked: boolean;
}

// Names are compared by length first, so most headers cost one switch and no string operation.
const HOST = 1;
const FORWARDED_FOR = 2;
const REQUEST_ID = 3;
const COOKIE = 4;
const CONTENT_LENGTH = 5;
const TRANSFER_ENCODING = 6;
const CONNECTION = 7;
const DROP = 8; // hop-by-hop, or an X-Forwarded-* header the router sets itself
const KEEP = 0;

function classify(name: string): number {
  switch (name.length) {
    case 2:
      return name.toLowerCase() === 'te' ? DROP : KEEP;
    case 4:
      return name.toLowerCase() === 'host' ? HOST : KEEP;
    case 6: {
      const l = name.toLowerCase();
      return l === 'cookie' ? COOKIE : l === 'expect' ? DROP : KEEP;
    }
    case 7: {
      const l = name.toLowerCase();
      return l === 'upgrade' || l === 'trailer' ? DROP : KEEP;
    }
    case 10: {
      const l = name.toLowerCase();
      return l === 'connection' ? CONNECTION : l === 'keep-alive' ? DROP : KEEP;
    }
    case 12:
      return name.toLowerCase() === 'x-request-id' ? REQUEST_ID : KEEP;
    case 14:
      return name.toLowerCase() === 'content-length' ? CONTENT_LENGTH : KEEP;
    case 15:
      return name.toLowerCase() === 'x-forwarded-for' ? FORWARDED_FOR : KEEP;
    case 16: {
      const l = name.toLowerCase();
      return l === 'x-forwarded-host' || l === 'proxy-connection' ? DROP : KEEP;
    }
    case 17: {
      const l = name.toLowerCase();
      return l === 'transfer-encoding' ? TRANSFER_ENCODING : l === 'x-forwarded-proto' ? DROP : KEEP;
    }
    default:
      return KEEP;
  }
}

/**
 * Reads the raw request headers once into `out`. `previewName` is the lower-case preview header ('' for none).
 * Content-Length is kept in the forwarded list (the upstream client needs it); Connection is dropped, and so
 * is every header it names (RFC 9110 §7.6.1).
 */
export function scanRequestHeaders(raw: string[], previewName: string, out: RequestHead): void {
  const headers: string[] = [];
  let connection: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    if (name.length === previewName.length && previewName !== '' && name.toLowerCase() === previewName) {
      out.preview = value;
    }
    switch (classify(name)) {
      case KEEP:
        headers.push(name, value);
        break;
      case HOST:
        out.host = value;
        headers.push(name, value);
        break;
      case FORWARDED_FOR:
        out.forwardedFor = out.forwardedFor === null ? value : `${out.forwardedFor}, ${value}`;
        break;
      case REQUEST_ID:
        out.requestId = value;
        break;
      case COOKIE:
        out.cookie = out.cookie === null ? value : `${out.cookie}; ${value}`;
        headers.push(name, value);
        break;
      case CONTENT_LENGTH:
        out.contentLength = value;
        headers.push(name, value);
        break;
      case TRANSFER_ENCODING:
        out.chunked = true;
        break;
      case CONNECTION:
        connection = value;
        break;
      default:
        break;
    }
  }
  out.headers = connection === null ? headers : dropListed(headers, connection);
}

/** Removes the headers a Connection header lists, unless it only says keep-alive or close. */
function dropListed(headers: string[], connection: string): string[] {
  const listed = connection
    .toLowerCase()
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '' && t !== 'keep-alive' && t !== 'close');
  if (listed.length === 0) return headers;
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (!listed.includes(name.toLowerCase())) out.push(name, headers[i + 1] as string);
  }
  return out;
}

/** The value of a request header (name in lower case) from raw headers, or null. Repeated ones are joined. */
export function findHeader(raw: string[], lowerName: string): string | null {
  let found: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) {
      const value = raw[i + 1] as string;
      found = found === null ? value : `${found}, ${value}`;
    }
  }
  return found;
}

/** The value of cookie `name` in a Cookie header, or null. `prefix` is `name=`, passed in to avoid building it. */
export function findCookie(cookie: string, prefix: string): string | null {
  let from = 0;
  while (from < cookie.length) {
    const at = cookie.indexOf(prefix, from);
    if (at === -1) return null;
    if (at === 0 || cookie.charCodeAt(at - 1) === 32 || cookie.charCodeAt(at - 1) === 59) {
      const start = at + prefix.length;
      const end = cookie.indexOf(';', start);
      return (end === -1 ? cookie.slice(start) : cookie.slice(start, end)).trim();
    }
    from = at + prefix.length;
  }
  return null;
}

/** Whether a response header (lower-case or not) is hop-by-hop and must not be forwarded. */
function isHopByHopResponse(name: string): boolean {
  switch (name.length) {
    case 2:
      return name.toLowerCase() === 'te';
    case 7: {
      const l = name.toLowerCase();
      return l === 'trailer' || l === 'upgrade';
    }
    case 10: {
      const l = name.toLowerCase();
      return l === 'connection' || l === 'keep-alive';
    }
    case 16:
      return name.toLowerCase() === 'proxy-connection';
    case 17:
      return name.toLowerCase() === 'transfer-encoding';
    default:
      return false;
  }
}

/**
 * The upstream's raw response headers as a flat string list for writeHead, hop-by-hop ones left out.
 * undici hands them over as views into the chunk read from the socket; decoding that region once and
 * splitting it here is several times cheaper than one native call (and three getters) per header. Anything
 * unusual (a header split across reads, odd spacing) falls back to decoding each buffer.
 */
export function responseHeaders(raw: Buffer[], setCookie: string | null): string[] {
  const n = raw.length;
  const out = n === 0 ? [] : (fromRegion(raw) ?? oneByOne(raw));
  if (setCookie !== null) out.push('set-cookie', setCookie);
  return out;
}

function fromRegion(raw: Buffer[]): string[] | null {
  const first = raw[0] as Buffer;
  const last = raw[raw.length - 1] as Buffer;
  if (first.buffer !== last.buffer) return null;
  const start = first.byteOffset;
  const length = last.byteOffset + last.length - start;
  if (length <= 0 || length > 65_536) return null;
  const text = Buffer.from(first.buffer, start, length).toString('latin1');
  const out: string[] = [];
  let pos = 0;
  let count = 0;
  while (pos < text.length) {
    const colon = text.indexOf(':', pos);
    if (colon === -1) return null;
    let eol = text.indexOf('\r\n', colon);
    if (eol === -1) eol = text.length;
    let v = colon + 1;
    while (v < eol && (text.charCodeAt(v) === 32 || text.charCodeAt(v) === 9)) v++;
    let e = eol;
    while (e > v && (text.charCodeAt(e - 1) === 32 || text.charCodeAt(e - 1) === 9)) e--;
    const name = text.slice(pos, colon);
    if (!isHopByHopResponse(name)) out.push(name, text.slice(v, e));
    count += 2;
    pos = eol + 2;
  }
  return count === raw.length ? out : null;
}

function oneByOne(raw: Buffer[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString('latin1');
    if (isHopByHopResponse(name)) continue;
    out.push(name, (raw[i + 1] as Buffer).toString('latin1'));
  }
  return out;
}
