// Signing of webhook deliveries: HMAC-SHA256 over "<unix seconds>.<body>", sent as `t=<seconds>,v1=<hex>`.
// The timestamp is signed with the body so a captured delivery cannot be replayed after the tolerance.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-greenlight-signature';

export const DEFAULT_TOLERANCE_SECONDS = 300;

function hmacHex(body: string, key: string, timestampSeconds: number): string {
  return createHmac('sha256', key).update(`${timestampSeconds}.${body}`).digest('hex');
}

/** The signature header's value for this body, key and time. */
export function signPayload(body: string, key: string, timestampSeconds: number): string {
  const t = Math.floor(timestampSeconds);
  return `t=${t},v1=${hmacHex(body, key, t)}`;
}

/** `t` and the `v1` signatures of a header, or null when the header is not exactly of that form. */
function parseHeader(header: string): { t: number; v1: string[] } | null {
  let t: number | null = null;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const match = /^\s*(t|v1)=([^\s,]+)\s*$/.exec(part);
    if (!match) return null;
    const value = match[2]!;
    if (match[1] === 't') {
      if (t !== null || !/^\d{1,12}$/.test(value)) return null;
      t = Number(value);
    } else {
      if (!/^[0-9a-f]{64}$/.test(value)) return null;
      v1.push(value);
    }
  }
  return t === null || v1.length === 0 ? null : { t, v1 };
}

/**
 * True when the header carries a v1 signature of this body made with this key, at a time within
 * `toleranceSeconds` (default 300) of `nowSeconds` either way. Malformed headers are refused.
 */
export function verifySignature(
  header: string,
  body: string,
  key: string,
  opts: { nowSeconds: number; toleranceSeconds?: number },
): boolean {
  const parsed = parseHeader(header);
  if (!parsed) return false;
  const tolerance = opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(opts.nowSeconds - parsed.t) > tolerance) return false;
  const expected = Buffer.from(hmacHex(body, key, parsed.t), 'hex');
  // Every candidate is compared (no early exit), each in constant time.
  let ok = false;
  for (const candidate of parsed.v1) {
    if (timingSafeEqual(Buffer.from(candidate, 'hex'), expected)) ok = true;
  }
  return ok;
}
