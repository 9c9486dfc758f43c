// Choosing where a request goes: the version (preview header, header/cookie routes, sticky cookie, weighted
// draw among versions that have ready endpoints), then the endpoint within it (least in flight, ties broken
// round-robin). Maintenance is decided before this, by the caller.
import type { EndpointState } from './endpoints.js';
import { findCookie, findHeader, type RequestHead } from './headers.js';
import type { CompiledMatch, RouteTable, VersionRoute } from './table.js';

/** What selection decided besides the version: the Set-Cookie to add for a new sticky assignment. */
export interface SelectionOut {
  setCookie: string | null;
}

function matches(m: CompiledMatch, raw: string[], head: RequestHead): boolean {
  let value: string | null;
  if (m.kind === 'header') value = findHeader(raw, m.name);
  else value = head.cookie === null ? null : findCookie(head.cookie, m.cookiePrefix);
  if (value === null) return false;
  if (m.value !== null) return value === m.value;
  if (m.regex !== null) return m.regex.test(value);
  return true;
}

/** A weighted draw among versions with weight and ready endpoints; null when there is none. */
export function drawWeighted(table: RouteTable, random: number): VersionRoute | null {
  const n = table.weighted.length;
  if (n === 0) return null;
  if (n === 1) return table.weighted[0] as VersionRoute;
  const point = random * table.totalWeight;
  const cumulative = table.cumulative;
  for (let i = 0; i < n - 1; i++)
    if (point < (cumulative[i] as number)) return table.weighted[i] as VersionRoute;
  return table.weighted[n - 1] as VersionRoute;
}

/** The version for a request, or null when no version can take it. */
export function selectVersion(
  table: RouteTable,
  raw: string[],
  head: RequestHead,
  out: SelectionOut,
): VersionRoute | null {
  out.setCookie = null;
  if (head.preview !== null) {
    const r = table.routes.get(head.preview);
    if (r !== undefined) return r;
  }
  const t = table.traffic;
  for (let i = 0; i < t.matches.length; i++) {
    const m = t.matches[i] as CompiledMatch;
    if (!matches(m, raw, head)) continue;
    const r = table.routes.get(m.version);
    if (r !== undefined) return r;
  }
  if (t.sticky !== null) {
    const pinned = head.cookie === null ? null : findCookie(head.cookie, t.sticky.prefix);
    if (pinned !== null) {
      for (const r of table.weighted) if (r.cookieValue === pinned) return r;
    }
    const r = drawWeighted(table, Math.random());
    if (r !== null) out.setCookie = r.setCookie;
    return r;
  }
  return drawWeighted(table, Math.random());
}

/** The endpoint with the fewest requests in flight, scanning from a rotating start so ties go round-robin. */
export function pickEndpoint(route: VersionRoute): EndpointState {
  const list = route.endpoints;
  const n = list.length;
  const start = route.cursor;
  route.cursor = start + 1 >= n ? 0 : start + 1;
  let best = list[start] as EndpointState;
  if (best.inFlight === 0 || n === 1) return best;
  for (let k = 1; k < n; k++) {
    const i = start + k < n ? start + k : start + k - n;
    const e = list[i] as EndpointState;
    if (e.inFlight < best.inFlight) {
      best = e;
      if (e.inFlight === 0) break;
    }
  }
  return best;
}
