// The controller process's composition root: the store, the local agent (started as its own process when none
// runs), the local target, the engine, the operations and the HTTP API. On an existing data directory it
// resumes every release in progress.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { pino } from 'pino';
import { InvalidInputError } from '../errors.js';
import { systemClock, type Clock } from '../engine/clock.js';
import { Engine } from '../engine/engine.js';
import { Operations } from '../engine/operations.js';
import { Notifier } from '../hooks/webhooks.js';
import { followStoredEvents } from './event-feed.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { AgentClient } from '../targets/local/agent/client.js';
import { readAgentInfo } from '../targets/local/agent/info.js';
import { isAlive } from '../util/node-process.js';
import { startAgentProcess } from '../targets/local/agent/process.js';
import { LocalTarget } from '../targets/local/local-target.js';
import { readFileIfExists, writeFileAtomic } from '../util/atomic-file.js';
import { PRODUCT_VERSION } from '../version.js';
import { createControllerApi } from './api/index.js';
import { hashToken } from './auth.js';
import { adminTokenPath, agentDataDir, controllerInfoPath, type ControllerInfo } from './info.js';
import type { ControllerContext } from './context.js';
import { ControllerMetrics } from './metrics.js';

export interface ControllerOptions {
  dataDir: string;
  /** Loopback address of the HTTP API; port 0 picks one. Default 127.0.0.1:7070. */
  listen?: string;
  /**
   * When this controller starts the agent: the loopback TCP address it also serves its API on, so Prometheus
   * can scrape the router's /metrics (without it the agent answers on its unix socket only).
   */
  agentListen?: string;
  clock?: Clock;
  logDestination?: NodeJS.WritableStream;
}

function parseListen(address: string): { host: string; port: number } {
  const match = /^(127(?:\.\d{1,3}){3}|localhost|\[::1\]|0\.0\.0\.0):(\d{1,5})$/.exec(address);
  if (!match)
    throw new InvalidInputError(`listen address ${address}: expected host:port, e.g. 127.0.0.1:7070`);
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

/** The first start creates an admin token, kept in the data directory (0600) and stored hashed. */
async function ensureAdminToken(store: Store, dataDir: string): Promise<string> {
  const existing = readFileIfExists(adminTokenPath(dataDir))?.trim();
  if (existing && (await store.findToken(hashToken(existing)))) return existing;
  const token = `glt_${randomBytes(24).toString('base64url')}`;
  await store.createToken(`admin-${Date.now()}`, 'admin', null, hashToken(token), {
    name: 'controller',
    role: 'system',
  });
  writeFileAtomic(adminTokenPath(dataDir), `${token}\n`, 0o600);
  return token;
}

async function connectAgent(dataDir: string, agentListen: string | undefined): Promise<AgentClient> {
  const dir = agentDataDir(dataDir);
  const info = readAgentInfo(dir);
  if (info && isAlive(info.pid)) {
    const client = AgentClient.forDataDir(dir);
    await client.health();
    return client;
  }
  // The agent runs as its own process, detached, so it keeps serving while the controller restarts.
  const agent = await startAgentProcess({
    dataDir: dir,
    detached: true,
    ...(agentListen ? { adminListen: agentListen } : {}),
  });
  return agent.client;
}

export interface RunningController {
  info: ControllerInfo;
  context: ControllerContext;
  stop(): Promise<void>;
}

export async function startController(opts: ControllerOptions): Promise<RunningController> {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const logger = pino({ base: { component: 'controller' } }, opts.logDestination ?? process.stdout);
  const log = (msg: string, fields?: Record<string, unknown>): void => logger.info(fields ?? {}, msg);
  const clock = opts.clock ?? systemClock;

  const store = openSqliteStore(join(opts.dataDir, 'greenlight.db'));
  await store.migrate();
  await ensureAdminToken(store, opts.dataDir);
  const agent = await connectAgent(opts.dataDir, opts.agentListen);
  const target = new LocalTarget(agent);
  const metrics = new ControllerMetrics();
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of listeners) listener();
  };
  const engine = new Engine({
    store,
    target,
    clock,
    holder: `${hostname()}:${opts.dataDir}`,
    log,
    onChange: (release) => {
      metrics.observe(release, engine.activeReleases().length);
      notify();
    },
    onStepLatency: (ms) => metrics.stepScheduled(ms),
    onStepCompleted: (app, _step, ms) => metrics.stepCompleted(app, ms),
  });
  const ops = new Operations({ store, engine, target, clock, holder: `${hostname()}:${opts.dataDir}` });
  const context: ControllerContext = {
    store,
    engine,
    ops,
    target,
    clock,
    agent,
    metrics,
    version: PRODUCT_VERSION,
    onEvents: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const notifier = new Notifier({
    // A spec stored before notifications existed has none.
    webhooksFor: async (app) =>
      app === null ? [] : ((await store.getApp(app))?.spec.notifications?.webhooks ?? []),
    log,
  });
  const stopFeed = await followStoredEvents({
    store,
    onEvents: context.onEvents,
    deliver: (event) => notifier.notify(event),
    cursor: { load: () => store.getCursor('webhooks'), save: (id) => store.setCursor('webhooks', id) },
    log,
  });

  const api = createControllerApi(context, { notify });
  const server = http.createServer(getRequestListener(api.fetch));
  const { host, port } = parseListen(opts.listen ?? '127.0.0.1:7070');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const info: ControllerInfo = {
    pid: process.pid,
    url: `http://${address.address}:${address.port}`,
    version: PRODUCT_VERSION,
    startedAt: new Date().toISOString(),
  };
  writeFileAtomic(controllerInfoPath(opts.dataDir), JSON.stringify(info, null, 2) + '\n');
  const resumed = await engine.start();
  log('controller ready', { url: info.url, resumed });

  return {
    info,
    context,
    async stop() {
      stopFeed();
      notifier.stop();
      server.close();
      server.closeAllConnections();
      await engine.stop();
      await target.close();
      await agent.close();
      await store.close();
      log('controller stopped');
    },
  };
}
