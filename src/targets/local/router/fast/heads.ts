// The message heads the fast engine writes: the request head sent upstream (client headers minus hop-by-hop,
// X-Forwarded-*, x-request-id, normalised framing) and the response head sent to the client (upstream headers
// minus hop-by-hop, the sticky Set-Cookie, framing and Connection for this client). Each is one latin1 string,
// written in one call. Header strings come from llhttp as latin1, so bytes round-trip unchanged.
import { STATUS_CODES } from 'node:http';

/** The part of the upstream request head that does not depend on the endpoint. */
export function requestHeadBase(
  method: string,
  url: string,
  headers: string[],
  forwardedFor: string,
  host: string,
  requestId: string,
  chunked: boolean,
): string {
  let head = `${method} ${url} HTTP/1.1\r\n`;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  head += `x-forwarded-for: ${forwardedFor}\r\nx-forwarded-proto: http\r\nx-forwarded-host: ${host}\r\nx-request-id: ${requestId}\r\n`;
  // The body is re-framed as chunked whatever the client's chunk sizes were (llhttp hands it over decoded).
  if (chunked) head += 'transfer-encoding: chunked\r\n';
  return head;
}

/** The whole upstream request head for one endpoint: Host added when the client sent none (HTTP/1.0). */
export function requestHead(base: string, hasHost: boolean, endpointHost: string, port: number): string {
  if (hasHost) return `${base}\r\n`;
  const h = endpointHost.includes(':') ? `[${endpointHost}]` : endpointHost;
  return `${base}host: ${h}:${port}\r\n\r\n`;
}

// Response header kinds, decided by length first so most headers cost one switch.
const KEEP = 0;
const DROP = 1;
const CONTENT_LENGTH = 2;
const CONNECTION = 3;

function classifyResponse(name: string): number {
  switch (name.length) {
    case 2:
      return name.toLowerCase() === 'te' ? DROP : KEEP;
    case 7: {
      const l = name.toLowerCase();
      return l === 'trailer' || l === 'upgrade' ? DROP : KEEP;
    }
    case 10: {
      const l = name.toLowerCase();
      return l === 'connection' ? CONNECTION : l === 'keep-alive' ? DROP : KEEP;
    }
    case 14:
      return name.toLowerCase() === 'content-length' ? CONTENT_LENGTH : KEEP;
    case 16:
      return name.toLowerCase() === 'proxy-connection' ? DROP : KEEP;
    case 17:
      return name.toLowerCase() === 'transfer-encoding' ? DROP : KEEP;
    default:
      return KEEP;
  }
}

/** How the response body is sent to the client. */
export const BODY_NONE = 0; // HEAD, 204, 304: no body whatever the headers say
export const BODY_RAW = 1; // Content-Length: bytes as they come
export const BODY_CHUNKED = 2; // re-chunked (the upstream sent chunked, or closed to end the body)
export const BODY_CLOSE = 3; // an HTTP/1.0 client: the body ends when the connection closes

export interface ResponseHead {
  text: string;
  framing: number;
}

/**
 * The client's response head. `keepAlive` is whether the client connection stays open after it; a body without
 * a length for an HTTP/1.0 client forces it closed (the returned framing says so).
 */
export function responseHead(
  status: number,
  reason: string,
  headers: string[],
  setCookie: string | null,
  bodyless: boolean,
  http10: boolean,
  keepAlive: boolean,
): ResponseHead & { keepAlive: boolean } {
  let text = `HTTP/1.1 ${status} ${reason === '' ? (STATUS_CODES[status] ?? '') : reason}\r\n`;
  let hasLength = false;
  let listed: string[] | null = null;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    switch (classifyResponse(name)) {
      case KEEP:
        break;
      case CONTENT_LENGTH:
        hasLength = true;
        break;
      case CONNECTION:
        listed = connectionTokens(headers[i + 1] as string, listed);
        continue;
      default:
        continue;
    }
    if (listed !== null && listed.includes(name.toLowerCase())) continue;
    text += `${name}: ${headers[i + 1]}\r\n`;
  }
  if (listed !== null) text = dropListed(text, listed);
  if (setCookie !== null) text += `set-cookie: ${setCookie}\r\n`;
  const framing = bodyless ? BODY_NONE : hasLength ? BODY_RAW : http10 ? BODY_CLOSE : BODY_CHUNKED;
  if (framing === BODY_CLOSE) keepAlive = false;
  if (framing === BODY_CHUNKED) text += 'transfer-encoding: chunked\r\n';
  if (!keepAlive) text += 'connection: close\r\n';
  else if (http10) text += 'connection: keep-alive\r\n';
  return { text: `${text}\r\n`, framing, keepAlive };
}

/** Adds the header names a Connection value lists to `into`; the usual bare keep-alive or close adds none. */
function connectionTokens(value: string, into: string[] | null): string[] | null {
  const v = value.toLowerCase();
  if (v === 'keep-alive' || v === 'close') return into;
  let out = into;
  for (const t of v.split(',')) {
    const token = t.trim();
    if (token !== '' && token !== 'close' && token !== 'keep-alive') (out ??= []).push(token);
  }
  return out;
}

/** Removes header lines named by the upstream's Connection header that came before it. */
function dropListed(text: string, listed: string[]): string {
  if (listed.length === 0) return text;
  const lines = text.split('\r\n');
  return lines
    .filter(
      (line, i) => i === 0 || line === '' || !listed.includes(line.slice(0, line.indexOf(':')).toLowerCase()),
    )
    .join('\r\n');
}
