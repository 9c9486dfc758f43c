// The routing table: a TrafficSpec checked and compiled once (regexes built, names lower-cased, weights of
// versions that cannot take requests dropped), joined with the ready endpoints into an immutable RouteTable.
// The app swaps its table reference in one assignment, so a request sees one whole table or the next one.
import { InvalidInputError } from '../../../errors.js';
import type { MaintenanceSpec, TrafficSpec } from '../types.js';
import type { EndpointState } from './endpoints.js';
import type { VersionRecorder } from './stats.js';

export interface CompiledMatch {
  kind: 'header' | 'cookie';
  /** Lower case for a header; as written for a cookie. */
  name: string;
  /** `name=`, for cookie lookups. */
  cookiePrefix: string;
  value: string | null;
  regex: RegExp | null;
  version: string;
}

export interface CompiledTraffic {
  /** A deep copy of what was set, reported back by `table()`. */
  spec: TrafficSpec;
  weights: ReadonlyMap<string, number>;
  matches: CompiledMatch[];
  /** Lower case; '' disables preview. */
  preview: string;
  sticky: { cookie: string; prefix: string; ttlSeconds: number } | null;
  mirror: { version: string; percent: number } | null;
  maintenance: MaintenanceSpec | null;
  stable: string | null;
  retryOnStable: boolean;
}

/** One version as routing sees it: its ready endpoints and its recorder. */
export interface VersionRoute {
  readonly name: string;
  readonly recorder: VersionRecorder;
  readonly endpoints: readonly EndpointState[];
  readonly weight: number;
  /** The sticky cookie's value for this version, and the Set-Cookie header that pins a client to it. */
  readonly cookieValue: string;
  readonly setCookie: string | null;
  /** Round-robin start for endpoint choice; the only mutable field. */
  cursor: number;
}

export interface RouteTable {
  readonly traffic: CompiledTraffic;
  /** Versions with at least one ready endpoint. */
  readonly routes: ReadonlyMap<string, VersionRoute>;
  /** Versions with weight > 0 and ready endpoints, with cumulative weights for the draw. */
  readonly weighted: readonly VersionRoute[];
  readonly cumulative: Float64Array;
  readonly totalWeight: number;
  readonly stable: VersionRoute | null;
  readonly mirror: VersionRoute | null;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function fail(message: string, field: string, value?: unknown): never {
  throw new InvalidInputError(`traffic: ${message}`, { field, value });
}

function nonNegative(n: unknown, field: string): number {
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) fail(`${field} must be a number >= 0`, field, n);
  return n;
}

function compileMatch(route: TrafficSpec['headerRoutes'][number], i: number): CompiledMatch {
  const field = `headerRoutes[${i}]`;
  const spec = route.header ?? route.cookie;
  if ((route.header === undefined) === (route.cookie === undefined) || spec === undefined) {
    fail('a header route needs exactly one of header or cookie', field);
  }
  if (typeof route.version !== 'string' || route.version === '')
    fail('version is required', `${field}.version`);
  if (typeof spec.name !== 'string' || !TOKEN.test(spec.name))
    fail('name is not a valid token', `${field}.name`, spec.name);
  if (spec.value !== undefined && spec.regex !== undefined) fail('give value or regex, not both', field);
  let regex: RegExp | null = null;
  if (spec.regex !== undefined) {
    try {
      regex = new RegExp(spec.regex);
    } catch (e) {
      fail(`invalid regex: ${(e as Error).message}`, `${field}.regex`, spec.regex);
    }
  }
  const kind = route.header !== undefined ? 'header' : 'cookie';
  const name = kind === 'header' ? spec.name.toLowerCase() : spec.name;
  return { kind, name, cookiePrefix: `${name}=`, value: spec.value ?? null, regex, version: route.version };
}

/** Checks and compiles a TrafficSpec. Throws InvalidInputError naming the field. */
export function compileTraffic(spec: TrafficSpec): CompiledTraffic {
  if (spec === null || typeof spec !== 'object') fail('must be an object', '');
  const weights = new Map<string, number>();
  for (const [version, w] of Object.entries(spec.weights ?? {})) {
    if (version === '') fail('a version name is empty', 'weights');
    weights.set(version, nonNegative(w, `weights.${version}`));
  }
  const matches = (spec.headerRoutes ?? []).map(compileMatch);
  const preview = spec.previewHeader ?? '';
  if (preview !== '' && !TOKEN.test(preview))
    fail('previewHeader is not a valid header name', 'previewHeader', preview);
  let sticky: CompiledTraffic['sticky'] = null;
  if (spec.sticky !== undefined) {
    if (!TOKEN.test(spec.sticky.cookie)) fail('sticky.cookie is not a valid cookie name', 'sticky.cookie');
    const ttl = nonNegative(spec.sticky.ttlSeconds, 'sticky.ttlSeconds');
    sticky = { cookie: spec.sticky.cookie, prefix: `${spec.sticky.cookie}=`, ttlSeconds: Math.floor(ttl) };
  }
  let mirror: CompiledTraffic['mirror'] = null;
  if (spec.mirror !== undefined) {
    const percent = nonNegative(spec.mirror.percent, 'mirror.percent');
    if (percent > 100) fail('mirror.percent must be <= 100', 'mirror.percent', percent);
    if (typeof spec.mirror.version !== 'string' || spec.mirror.version === '')
      fail('mirror.version is required', 'mirror.version');
    mirror = { version: spec.mirror.version, percent };
  }
  const m = spec.maintenance;
  if (m !== undefined) {
    if (m.mode !== 'reject' && m.mode !== 'hold')
      fail('maintenance.mode must be reject or hold', 'maintenance.mode', m.mode);
    nonNegative(m.retryAfterSeconds, 'maintenance.retryAfterSeconds');
    nonNegative(m.holdMs, 'maintenance.holdMs');
  }
  return {
    spec: structuredClone(spec),
    weights,
    matches,
    preview: preview.toLowerCase(),
    sticky,
    mirror,
    maintenance: m === undefined ? null : { ...m },
    stable: spec.stable ?? null,
    retryOnStable: spec.retryOnStable === true,
  };
}

/** Joins compiled traffic with the ready endpoints. `recorderOf` creates a version's recorder on first use. */
export function buildTable(
  traffic: CompiledTraffic,
  readyOf: (version: string) => readonly EndpointState[],
  versions: Iterable<string>,
  recorderOf: (version: string) => VersionRecorder,
): RouteTable {
  const routes = new Map<string, VersionRoute>();
  for (const name of versions) {
    const endpoints = readyOf(name);
    if (endpoints.length === 0) continue;
    const cookieValue = encodeURIComponent(name);
    const setCookie =
      traffic.sticky === null
        ? null
        : `${traffic.sticky.prefix}${cookieValue}; Max-Age=${traffic.sticky.ttlSeconds}; Path=/; HttpOnly; SameSite=Lax`;
    routes.set(name, {
      name,
      recorder: recorderOf(name),
      endpoints: [...endpoints],
      weight: traffic.weights.get(name) ?? 0,
      cookieValue,
      setCookie,
      cursor: 0,
    });
  }
  const weighted = [...routes.values()].filter((r) => r.weight > 0);
  const cumulative = new Float64Array(weighted.length);
  let total = 0;
  weighted.forEach((r, i) => {
    total += r.weight;
    cumulative[i] = total;
  });
  return {
    traffic,
    routes,
    weighted,
    cumulative,
    totalWeight: total,
    stable: traffic.stable === null ? null : (routes.get(traffic.stable) ?? null),
    mirror: traffic.mirror === null ? null : (routes.get(traffic.mirror.version) ?? null),
  };
}
