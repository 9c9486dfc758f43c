// Starts the agent as its own process (so the controller, or a test, can die without taking traffic down)
// and waits until it serves. Works from the compiled build and from source under tsx.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ExternalError } from '../../../errors.js';
import { AgentClient } from './client.js';
import { isAlive, sleep, spawnNodeEntry, waitExit } from '../../../util/node-process.js';
import { readAgentInfo } from './info.js';

export interface StartAgentOptions {
  dataDir: string;
  adminListen?: string;
  /** Detach from this process (survives it, as `greenlight agent start` wants). Default false. */
  detached?: boolean;
  /** How long to wait for the agent to serve. Default 15 s. */
  timeoutMs?: number;
}

export interface AgentProcess {
  pid: number;
  client: AgentClient;
  child: ChildProcess;
  /** Asks the agent to stop (it stops every instance), then waits for its exit. */
  stop(): Promise<void>;
  /** kill -9: the agent dies at once, its instances keep running. */
  kill(): Promise<void>;
}

export async function startAgentProcess(opts: StartAgentOptions): Promise<AgentProcess> {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const args = ['--data-dir', opts.dataDir];
  if (opts.adminListen) args.push('--admin-listen', opts.adminListen);
  const child = spawnNodeEntry(
    import.meta.url,
    args,
    join(opts.dataDir, 'agent.log'),
    opts.detached ?? false,
  );
  const pid = child.pid;
  if (pid === undefined) throw new ExternalError('could not start the agent process');

  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  let client: AgentClient | undefined;
  while (Date.now() < deadline && isAlive(pid)) {
    const info = readAgentInfo(opts.dataDir);
    if (info?.pid === pid) {
      client = AgentClient.forDataDir(opts.dataDir);
      try {
        await client.health();
        break;
      } catch {
        await client.close();
        client = undefined;
      }
    }
    await sleep(50);
  }
  if (!client) {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    throw new ExternalError(`the agent did not start; see ${join(opts.dataDir, 'agent.log')}`, { pid });
  }
  const ready = client;
  let closed = false;
  const closeClient = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await ready.close();
  };
  return {
    pid,
    client: ready,
    child,
    async stop() {
      if (isAlive(pid)) {
        await ready.shutdown().catch(() => process.kill(pid, 'SIGTERM'));
        if (!(await waitExit(pid, 60_000))) process.kill(pid, 'SIGKILL');
      }
      await closeClient();
    },
    async kill() {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      await waitExit(pid, 5_000);
      await closeClient();
    },
  };
}
