// The data model of the local agent: what the controller (or a person) puts, and what the agent reports.
// The admin API speaks these shapes as JSON; the supervisor and the router each own one part of them.
// All durations are milliseconds, all weights are percentages (0..100).

/** How to run one instance of a version: argv only, never a shell string. */
export interface RunSpec {
  command: string[];
  cwd?: string;
  /** Extra environment; `${PORT}` in a value is replaced by the instance's assigned port. */
  env?: Record<string, string>;
}

export interface ProbeSpec {
  /** Exactly one of http, tcp, exec. */
  http?: { path: string; /** default: any 2xx or 3xx */ expectStatus?: number };
  tcp?: Record<string, never>;
  exec?: { command: string[] };
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

/** One version of an app, run as N instances. */
export interface VersionSetSpec {
  version: string;
  instances: number;
  run: RunSpec;
  /** Without a readiness probe an instance is ready once its port accepts TCP connections. */
  readiness?: ProbeSpec;
  liveness?: ProbeSpec;
  /** How long a stopping instance may keep serving in-flight requests before SIGTERM. */
  drainTimeoutMs: number;
  /** How long after SIGTERM before SIGKILL of the process group. */
  stopGraceMs: number;
}

export interface HeaderRoute {
  /** Match a request header (names are case-insensitive) ... */
  header?: { name: string; value?: string; regex?: string };
  /** ... or a cookie. With neither value nor regex, presence matches. */
  cookie?: { name: string; value?: string; regex?: string };
  version: string;
}

export interface MaintenanceSpec {
  /** reject: answer 503 with Retry-After at once; hold: keep requests up to holdMs, then 503. */
  mode: 'reject' | 'hold';
  retryAfterSeconds: number;
  holdMs: number;
}

/** The routing table of one app. Applied atomically: the next request sees all of it. */
export interface TrafficSpec {
  /** Weighted split between versions; weights are normalised by their sum. */
  weights: Record<string, number>;
  /** The stable version: the target of retry-on-stable. */
  stable?: string;
  /** Checked in order before weights; the first match wins. */
  headerRoutes: HeaderRoute[];
  /** A request with this header naming a running version goes there, weight or not (preview). */
  previewHeader: string;
  sticky?: { cookie: string; ttlSeconds: number };
  mirror?: { version: string; percent: number };
  maintenance?: MaintenanceSpec;
  /** Retry an idempotent request on the stable version when another version fails it (connect error or 5xx). */
  retryOnStable: boolean;
}

export interface RouterLimits {
  maxHeaderBytes: number;
  maxBodyBytes: number;
  /** Time for a client to send the request headers (slowloris guard). */
  headersTimeoutMs: number;
  /** Time for an upstream to answer the headers of a response. */
  upstreamTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/** Everything the agent needs for one app. PUT whole, or edited in parts through the admin API. */
export interface AppDesired {
  name: string;
  listen: { host: string; port: number };
  versions: VersionSetSpec[];
  traffic: TrafficSpec;
  limits: RouterLimits;
}

/** An address the router may send requests to: one ready instance. */
export interface Endpoint {
  id: string;
  host: string;
  port: number;
}

export type InstancePhase =
  | 'starting' // spawned, readiness not yet reached
  | 'ready' // receiving traffic
  | 'unready' // running but readiness failing: no traffic
  | 'backoff' // exited or killed for liveness; waiting to restart
  | 'crashLoop' // restarted too often in a short time; still retried, with the longest backoff
  | 'stopping' // draining, then SIGTERM, then SIGKILL
  | 'stopped';

export interface InstanceStatus {
  id: string;
  version: string;
  pid: number | null;
  port: number;
  phase: InstancePhase;
  ready: boolean;
  restarts: number;
  lastExit?: { code: number | null; signal: string | null; at: string };
  lastProbe?: { kind: 'readiness' | 'liveness'; ok: boolean; message: string; at: string };
  startedAt: string | null;
  /** True when this agent found the process running at start and took it over. */
  adopted: boolean;
  logFile: string;
}

export interface VersionSetStatus {
  version: string;
  desired: number;
  ready: number;
  available: number;
  restarts: number;
  crashLooping: boolean;
  instances: InstanceStatus[];
}

export interface LatencySummary {
  p50Ms: number | null;
  p90Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  meanMs: number | null;
}

/** Counts for one version over a window (or since start). */
export interface VersionWindowStats {
  requests: number;
  responses: { '1xx': number; '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  /** Requests the router answered itself because the upstream failed (502/504): connect errors, resets, timeouts. */
  upstreamErrors: number;
  /** (5xx + upstream errors) / requests; null with no requests. */
  errorRate: number | null;
  latency: LatencySummary;
  /** Histogram: upper bounds in ms and counts per bucket (same bounds for every version). */
  histogram: { boundsMs: number[]; counts: number[] };
}

export interface VersionStats {
  version: string;
  cumulative: VersionWindowStats;
  windows: { '10s': VersionWindowStats; '1m': VersionWindowStats; '5m': VersionWindowStats };
  mirrored: number;
  retriedOnStable: number;
}

export interface AppStats {
  app: string;
  at: string;
  versions: VersionStats[];
  /** Requests answered 503 by maintenance mode, and held requests that were then served. */
  maintenance: { rejected: number; heldThenServed: number };
}

/** One entry of the low-latency stream: what happened to each version in at most 100 ms. */
export interface StatsBucket {
  app: string;
  /** Start and end of the bucket, epoch ms. */
  start: number;
  end: number;
  versions: Record<
    string,
    { requests: number; errors: number; upstreamErrors: number; latenciesMs: number[] }
  >;
}

export interface AppStatus {
  name: string;
  listen: { host: string; port: number };
  versions: VersionSetStatus[];
  traffic: TrafficSpec;
  /** The table the router actually serves, compared with the desired one. */
  trafficVerified: 'verified' | 'notVerified';
  maintenance: boolean;
}
