// One HTTP exchange for providers that ask a server (prometheus, web): undici, bounded by a deadline and a body
// size, returning either the answer or a sentence saying what went wrong — never throwing. Messages name the
// URL without its query string and never the request headers, so credentials stay out of measurements.
import { request } from 'undici';
import type { Deadline } from './deadline.js';

export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface HttpCall {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

export type HttpOutcome =
  { ok: true; status: number; contentType: string; text: string } | { ok: false; message: string };

/** `http://host:port/path` without user info, query or fragment: safe to show. */
export function shownUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function failure(error: unknown): string {
  const e = error as Error & { code?: string; cause?: Error & { code?: string } };
  const cause = e.cause?.message ? ` (${e.cause.message})` : '';
  return `${e.message || e.code || String(error)}${cause}`;
}

export async function httpText(call: HttpCall, deadline: Deadline): Promise<HttpOutcome> {
  const where = `${call.method} ${shownUrl(call.url)}`;
  const stopped = (): HttpOutcome => ({ ok: false, message: `${where}: ${deadline.reason() ?? 'aborted'}` });
  try {
    const response = await request(call.url, {
      method: call.method,
      headers: call.headers,
      ...(call.body === undefined ? {} : { body: call.body }),
      signal: deadline.signal,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > MAX_BODY_BYTES) {
        response.body.destroy();
        return { ok: false, message: `${where}: the answer is larger than ${MAX_BODY_BYTES} bytes` };
      }
      chunks.push(buffer);
    }
    const type = response.headers['content-type'];
    return {
      ok: true,
      status: response.statusCode,
      contentType: (Array.isArray(type) ? type[0] : type) ?? '',
      text: Buffer.concat(chunks).toString('utf8'),
    };
  } catch (error) {
    if (deadline.signal.aborted) return stopped();
    return { ok: false, message: `${where}: ${failure(error)}` };
  }
}

/** The start of a body for a message: one line, at most `max` characters. */
export function excerpt(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}...` : line;
}
