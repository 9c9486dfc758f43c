// Runs the local agent in this process: the admin API on a unix socket (and optionally loopback TCP), the
// restored desired state, and a clean shutdown on SIGTERM/SIGINT or POST /v1/shutdown that stops every instance.
import { mkdirSync, rmSync, existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { pino } from 'pino';
import { ConflictError, InvalidInputError } from '../../../errors.js';
import { writeFileAtomic } from '../../../util/atomic-file.js';
import { isAlive } from '../../../util/node-process.js';
import { PRODUCT_VERSION } from '../../../version.js';
import { createAdminApi } from './admin-api.js';
import { agentInfoPath, agentSocketPath, readAgentInfo, type AgentInfo } from './info.js';
import { Agent } from './agent.js';
import { ensureAgentToken } from './token.js';

export interface RunAgentOptions {
  dataDir: string;
  /** Optional loopback TCP address for the admin API, e.g. 127.0.0.1:7071 (port 0 picks one). */
  adminListen?: string;
  /** Log to this stream (default stdout). */
  logDestination?: NodeJS.WritableStream;
}

function parseLoopback(address: string): { host: string; port: number } {
  const match = /^(127(?:\.\d{1,3}){3}|localhost|\[::1\]):(\d{1,5})$/.exec(address);
  if (!match)
    throw new InvalidInputError(
      `admin address ${address}: expected a loopback host:port, e.g. 127.0.0.1:7071`,
    );
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

function listen(server: http.Server, target: string | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => {
      server.off('error', reject);
      resolve();
    };
    if (typeof target === 'string') server.listen(target, done);
    else server.listen(target.port, target.host, done);
  });
}

/** Starts the agent and resolves once it serves; the returned stop() shuts it down. */
export async function runAgent(
  opts: RunAgentOptions,
): Promise<{ info: AgentInfo; stop: () => Promise<void>; stopped: Promise<void> }> {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const logger = pino({ base: { component: 'agent' } }, opts.logDestination ?? process.stdout);
  const log = (msg: string, fields?: Record<string, unknown>): void => logger.info(fields ?? {}, msg);

  const previous = readAgentInfo(opts.dataDir);
  if (previous && previous.pid !== process.pid && isAlive(previous.pid)) {
    throw new ConflictError(`an agent (pid ${previous.pid}) already runs on ${opts.dataDir}`, {
      pid: previous.pid,
    });
  }

  const token = ensureAgentToken(opts.dataDir);
  const agent = new Agent({ dataDir: opts.dataDir, log });
  const restored = await agent.restore();

  let stopping: Promise<void> | undefined;
  let markStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  const servers: http.Server[] = [];
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      log('agent stopping: draining and stopping every instance');
      for (const server of servers) server.close();
      await agent.shutdown();
      rmSync(agentInfoPath(opts.dataDir), { force: true });
      log('agent stopped');
      markStopped();
    })());

  const api = createAdminApi({ agent, token, version: PRODUCT_VERSION, onShutdown: () => void stop() });
  const listener = getRequestListener(api.fetch);
  const socket = agentSocketPath(opts.dataDir);
  if (existsSync(socket)) rmSync(socket);
  const unixServer = http.createServer(listener);
  await listen(unixServer, socket);
  servers.push(unixServer);

  let adminUrl: string | null = null;
  if (opts.adminListen) {
    const tcpServer = http.createServer(listener);
    await listen(tcpServer, parseLoopback(opts.adminListen));
    servers.push(tcpServer);
    const address = tcpServer.address() as AddressInfo;
    adminUrl = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  }

  const info: AgentInfo = {
    pid: process.pid,
    socket,
    adminUrl,
    version: PRODUCT_VERSION,
    startedAt: new Date().toISOString(),
  };
  writeFileAtomic(agentInfoPath(opts.dataDir), JSON.stringify(info, null, 2) + '\n');
  log('agent ready', { ...restored, socket, adminUrl });
  return { info, stop, stopped };
}

/** Runs the agent until SIGTERM/SIGINT or a shutdown request, then exits the process. */
export async function runAgentUntilStopped(opts: RunAgentOptions): Promise<void> {
  const { stop, stopped } = await runAgent(opts);
  let signals = 0;
  const onSignal = (): void => {
    signals += 1;
    if (signals > 1) process.exit(130);
    void stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await stopped;
  process.exit(0);
}
