// The CLI's client of the controller API. Where: --url, $GREENLIGHT_URL, else the controller running on the
// data directory (controller.json). Who: --token, $GREENLIGHT_TOKEN, else the admin token in the data directory.
// Errors come back as the typed GreenlightError the controller answered, so exit codes match its codes.
import { readFileSync } from 'node:fs';
import type { GreenlightEvent } from '../engine/model.js';
import { ExternalError, GreenlightError, type ErrorCode } from '../errors.js';
import { adminTokenPath, readControllerInfo } from '../server/info.js';
import { isAlive } from '../util/node-process.js';
import { resolveDataDir } from './data-dir.js';
import { NoControllerError } from './errors.js';

export interface ConnectionFlags {
  url?: string;
  token?: string;
  dataDir?: string;
}

export interface ApiRequest {
  method: 'get' | 'post';
  path: string;
  body?: unknown;
}

export interface Connection {
  url: string;
  token: string;
  /** The data directory it came from, for messages (undefined when given by flag or environment). */
  dataDir?: string;
}

function readToken(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Connection {
  let url = flags.url ?? env.GREENLIGHT_URL;
  let token = flags.token ?? env.GREENLIGHT_TOKEN;
  if (url && token) return { url: url.replace(/\/+$/, ''), token };
  const dataDir = resolveDataDir(flags.dataDir);
  if (!url) {
    const info = readControllerInfo(dataDir);
    if (!info || !isAlive(info.pid)) throw new NoControllerError(dataDir);
    url = info.url;
  }
  token ??= readToken(adminTokenPath(dataDir));
  if (!token) {
    throw new GreenlightError(
      'GL1004',
      `no API token: pass --token or set GREENLIGHT_TOKEN (none in ${dataDir})`,
    );
  }
  return { url: url.replace(/\/+$/, ''), token, dataDir };
}

/** `/v1/apps/shop/promote` from ('shop', 'promote'), with the app name escaped. */
export const appPath = (app: string, ...rest: string[]): string =>
  ['/v1/apps', encodeURIComponent(app), ...rest].join('/');

export class ApiClient {
  constructor(readonly connection: Connection) {}

  private unreachable(error: unknown): GreenlightError {
    const { url, dataDir } = this.connection;
    if (dataDir) return new NoControllerError(dataDir);
    return new ExternalError(`cannot reach the controller at ${url}: ${(error as Error).message}`, { url });
  }

  async send<T>(request: ApiRequest): Promise<T> {
    const { url, token } = this.connection;
    let response: Response;
    try {
      response = await fetch(url + request.path, {
        method: request.method.toUpperCase(),
        headers: {
          authorization: `Bearer ${token}`,
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      });
    } catch (error) {
      throw this.unreachable(error);
    }
    const text = await response.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ExternalError(`the controller answered ${response.status} with something else than JSON`);
    }
    if (!response.ok) {
      const e = (data ?? {}) as { code?: ErrorCode; message?: string; details?: Record<string, unknown> };
      throw new GreenlightError(
        e.code ?? 'GL9000',
        e.message ?? `the controller answered ${response.status}`,
        {
          ...e.details,
          status: response.status,
        },
      );
    }
    return data as T;
  }

  get<T>(path: string): Promise<T> {
    return this.send({ method: 'get', path });
  }

  /**
   * Follows the event stream at `path` (an /v1/events/stream URL) until `onEvent` returns true or the signal
   * aborts; reconnects after a dropped connection from the last event seen.
   */
  async follow(
    path: string,
    onEvent: (event: GreenlightEvent) => boolean | void,
    signal: AbortSignal,
  ): Promise<void> {
    let lastId: number | undefined;
    let connected = false;
    while (!signal.aborted) {
      try {
        const response = await fetch(this.connection.url + path, {
          headers: {
            authorization: `Bearer ${this.connection.token}`,
            accept: 'text/event-stream',
            ...(lastId === undefined ? {} : { 'last-event-id': String(lastId) }),
          },
          signal,
        });
        if (!response.ok || !response.body) {
          const body = (await response.json().catch(() => ({}))) as { code?: ErrorCode; message?: string };
          throw new GreenlightError(
            body.code ?? 'GL9000',
            body.message ?? `the event stream answered ${response.status}`,
          );
        }
        connected = true;
        for await (const message of sseMessages(response.body)) {
          const event = JSON.parse(message.data) as GreenlightEvent;
          lastId = event.id;
          if (onEvent(event) === true) return;
        }
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof GreenlightError) throw error;
        if (!connected) throw this.unreachable(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** The `data:` messages of an SSE body (comments and heartbeats skipped). */
export async function* sseMessages(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<{ id?: string; data: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('id:')) id = line.slice(3).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0) yield { ...(id === undefined ? {} : { id }), data: data.join('\n') };
    }
  }
}

export const connect = (flags: ConnectionFlags): ApiClient => new ApiClient(resolveConnection(flags));
