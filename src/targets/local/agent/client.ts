// A typed client of the agent's admin API, over its unix socket (or loopback TCP). The controller's local
// Target and the CLI use it; errors come back as the same typed GreenlightError the agent threw.
import { Client, Pool } from 'undici';
import { ExternalError, GreenlightError, type ErrorCode } from '../../../errors.js';
import type { AppDesired, AppStats, AppStatus, StatsBucket, TrafficSpec, VersionSetSpec } from '../types.js';
import type { AppDesiredInput, TrafficInput, VersionSetInput } from './desired-schema.js';
import { readAgentInfo } from './info.js';
import { readAgentToken } from './token.js';

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface ProbeResult {
  instance: string;
  version: string;
  readiness: { ok: boolean; message: string } | null;
  liveness: { ok: boolean; message: string } | null;
}

export class AgentClient {
  /** Several connections: a call that waits (a version set draining) must not hold up status reads. */
  private readonly http: Pool;

  constructor(
    private readonly target: { socket: string } | { url: string },
    private readonly token: string,
  ) {
    this.http =
      'socket' in target
        ? new Pool('http://agent', { socketPath: target.socket, pipelining: 0, connections: 8 })
        : new Pool(target.url, { pipelining: 0, connections: 8 });
  }

  private connect(): Client {
    const target = this.target;
    return 'socket' in target
      ? new Client('http://agent', { socketPath: target.socket, pipelining: 0 })
      : new Client(target.url, { pipelining: 0 });
  }

  /** A client for the agent running on a data directory (reads its socket and token from there). */
  static forDataDir(dataDir: string): AgentClient {
    const info = readAgentInfo(dataDir);
    const token = readAgentToken(dataDir);
    if (!info || !token) {
      throw new ExternalError(`no agent is running on ${dataDir} (start one with: greenlight agent start)`, {
        dataDir,
      });
    }
    return new AgentClient({ socket: info.socket }, token);
  }

  async call<T>(method: Method, path: string, body?: unknown): Promise<T> {
    let response;
    try {
      response = await this.http.request({
        method,
        path,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ExternalError(`the agent did not answer: ${(error as Error).message}`);
    }
    const text = await response.body.text();
    const data = text ? (JSON.parse(text) as unknown) : undefined;
    if (response.statusCode >= 400) {
      const e = (data ?? {}) as { code?: ErrorCode; message?: string; details?: Record<string, unknown> };
      throw new GreenlightError(e.code ?? 'GL9000', e.message ?? `agent answered ${response.statusCode}`, {
        ...e.details,
        status: response.statusCode,
      });
    }
    return data as T;
  }

  health(): Promise<{ ok: boolean; version: string }> {
    return this.call('GET', '/healthz');
  }
  listApps(): Promise<{ apps: AppStatus[] }> {
    return this.call('GET', '/v1/apps');
  }
  putApp(desired: AppDesiredInput): Promise<{ desired: AppDesired; status: AppStatus }> {
    return this.call('PUT', `/v1/apps/${encodeURIComponent(String(desired.name))}`, desired);
  }
  deleteApp(app: string): Promise<unknown> {
    return this.call('DELETE', `/v1/apps/${encodeURIComponent(app)}`);
  }
  status(app: string): Promise<AppStatus> {
    return this.call('GET', `/v1/apps/${encodeURIComponent(app)}`);
  }
  desired(app: string): Promise<AppDesired> {
    return this.call('GET', `/v1/apps/${encodeURIComponent(app)}/desired`);
  }
  ensureVersionSet(app: string, spec: VersionSetInput): Promise<{ spec: VersionSetSpec; status: AppStatus }> {
    const path = `/v1/apps/${encodeURIComponent(app)}/versions/${encodeURIComponent(String(spec.version))}`;
    return this.call('PUT', path, spec);
  }
  removeVersionSet(app: string, version: string): Promise<unknown> {
    return this.call('DELETE', `/v1/apps/${encodeURIComponent(app)}/versions/${encodeURIComponent(version)}`);
  }
  setTraffic(app: string, traffic: TrafficInput): Promise<TrafficSpec> {
    return this.call('PUT', `/v1/apps/${encodeURIComponent(app)}/traffic`, traffic);
  }
  maintenanceOn(app: string, spec: Record<string, unknown> = {}): Promise<TrafficSpec> {
    return this.call('PUT', `/v1/apps/${encodeURIComponent(app)}/maintenance`, spec);
  }
  maintenanceOff(app: string): Promise<TrafficSpec> {
    return this.call('DELETE', `/v1/apps/${encodeURIComponent(app)}/maintenance`);
  }
  probe(app: string): Promise<{ results: ProbeResult[] }> {
    return this.call('POST', `/v1/apps/${encodeURIComponent(app)}/probe`);
  }
  logs(app: string, instance: string, lines = 100): Promise<{ lines: string[] }> {
    return this.call(
      'GET',
      `/v1/apps/${encodeURIComponent(app)}/instances/${encodeURIComponent(instance)}/logs?lines=${lines}`,
    );
  }
  stats(app: string): Promise<AppStats> {
    return this.call('GET', `/v1/apps/${encodeURIComponent(app)}/stats`);
  }
  shutdown(): Promise<unknown> {
    return this.call('POST', '/v1/shutdown');
  }

  /** Follows the low-latency stats stream until the signal aborts; calls onBucket for each bucket. */
  async streamStats(
    app: string,
    onBucket: (bucket: StatsBucket) => void,
    signal: AbortSignal,
  ): Promise<void> {
    // A connection of its own: the stream never ends, and one connection serves one request at a time.
    const http = this.connect();
    try {
      await this.followStream(http, app, onBucket, signal);
    } finally {
      await http.destroy().catch(() => {});
    }
  }

  private async followStream(
    http: Client,
    app: string,
    onBucket: (bucket: StatsBucket) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const response = await http.request({
      method: 'GET',
      path: `/v1/apps/${encodeURIComponent(app)}/stats/stream`,
      headers: { authorization: `Bearer ${this.token}`, accept: 'text/event-stream' },
      signal,
    });
    if (response.statusCode !== 200) throw new ExternalError(`stats stream answered ${response.statusCode}`);
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += (chunk as Buffer).toString('utf8');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n');
          if (data) onBucket(JSON.parse(data) as StatsBucket);
        }
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
