// The router benchmark's servers: the nginx backend, and the three proxies in front of it (HAProxy, nginx,
// the Greenlight router in its own node process). Each is started, waited for, and stoppable.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { writeHaproxy, writeNginxBackend, writeNginxProxy } from './configs.js';
import { freePort, startProc, waitForPort, type Proc } from './procs.js';
import { which } from './tools.js';

export const TARGET_NAMES = ['direct', 'greenlight', 'haproxy', 'nginx'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export interface Target {
  name: TargetName;
  url: string;
  /** The process serving this target (for direct: the backend itself). */
  proc: Proc;
}

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ROUTER_SOURCE = fileURLToPath(new URL('../../src/targets/local/router/router.ts', import.meta.url));
const ROUTER_ENTRY = fileURLToPath(new URL('./router-entry.ts', import.meta.url));

/** Whether the Greenlight router exists in this checkout yet. */
export function routerAvailable(): boolean {
  return existsSync(ROUTER_SOURCE);
}

/**
 * How many processes (or threads) each proxy gets: `requested`, else the agent's default number of router
 * processes. HAProxy and nginx are given the same count, so that no proxy has more cores to work with.
 */
export async function proxyWorkers(requested: number | null): Promise<number> {
  if (requested !== null) return requested;
  if (!routerAvailable()) return availableParallelism();
  const { defaultRouterWorkers } = await import('../../src/targets/local/agent/agent.js');
  return defaultRouterWorkers();
}

function url(port: number): string {
  return `http://127.0.0.1:${port}/`;
}

async function listening(name: TargetName, port: number, proc: Proc): Promise<Target> {
  await waitForPort(port, proc);
  return { name, url: url(port), proc };
}

function nginx(conf: string, dir: string, name: string): Proc {
  return startProc(name, which('nginx') ?? 'nginx', ['-e', 'stderr', '-p', dir, '-c', conf]);
}

/** The backend every target ends at; `direct` is wrk talking to it with no proxy between. */
export async function startBackend(dir: string): Promise<Target> {
  const port = await freePort();
  const conf = await writeNginxBackend(dir, port);
  return listening('direct', port, nginx(conf, dir, 'nginx-backend'));
}

export async function startNginxProxy(dir: string, backendPort: number, workers: number): Promise<Target> {
  const port = await freePort();
  const conf = await writeNginxProxy(dir, port, backendPort, workers);
  return listening('nginx', port, nginx(conf, dir, 'nginx-proxy'));
}

export async function startHaproxy(dir: string, backendPort: number, threads: number): Promise<Target> {
  const port = await freePort();
  const conf = await writeHaproxy(dir, port, backendPort, threads);
  return listening('haproxy', port, startProc('haproxy', which('haproxy') ?? 'haproxy', ['-db', '-f', conf]));
}

/** The Greenlight router alone, in its own node process so it does not share the driver's event loop. */
export async function startGreenlight(backendPort: number, workers: number): Promise<Target> {
  const port = await freePort();
  const args = ['--import', 'tsx', ROUTER_ENTRY, '--port', String(port), '--backend', String(backendPort)];
  args.push('--workers', String(workers));
  const proc = startProc('greenlight-router', process.execPath, args, { cwd: REPO_ROOT });
  return listening('greenlight', port, proc);
}

export function portOf(target: Target): number {
  return Number(new URL(target.url).port);
}
