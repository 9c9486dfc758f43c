// Starts the controller as its own process and waits until its API answers (the demo, `up --detach` and the
// crash tests use it). Works from the compiled build and from source under tsx.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ExternalError } from '../errors.js';
import { isAlive, sleep, spawnNodeEntry, waitExit } from '../util/node-process.js';
import { controllerInfoPath, readControllerInfo, type ControllerInfo } from './info.js';

export interface StartControllerOptions {
  dataDir: string;
  listen?: string;
  /** See ControllerOptions.agentListen. */
  agentListen?: string;
  detached?: boolean;
  timeoutMs?: number;
}

export interface ControllerProcess {
  pid: number;
  info: ControllerInfo;
  child: ChildProcess;
  /** SIGTERM, then wait for the exit (SIGKILL after 30 s). */
  stop(): Promise<void>;
  /** kill -9. */
  kill(): Promise<void>;
}

export async function startControllerProcess(opts: StartControllerOptions): Promise<ControllerProcess> {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  rmSync(controllerInfoPath(opts.dataDir), { force: true });
  const args = ['--data-dir', opts.dataDir, '--listen', opts.listen ?? '127.0.0.1:0'];
  if (opts.agentListen) args.push('--agent-listen', opts.agentListen);
  const child = spawnNodeEntry(
    import.meta.url,
    args,
    join(opts.dataDir, 'controller.log'),
    opts.detached ?? false,
  );
  const pid = child.pid;
  if (pid === undefined) throw new ExternalError('could not start the controller process');
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let info: ControllerInfo | undefined;
  while (Date.now() < deadline && isAlive(pid)) {
    const seen = readControllerInfo(opts.dataDir);
    if (seen?.pid === pid) {
      try {
        const response = await fetch(`${seen.url}/healthz`);
        if (response.ok) {
          info = seen;
          break;
        }
      } catch {
        // not listening yet
      }
    }
    await sleep(50);
  }
  if (!info) {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    throw new ExternalError(`the controller did not start; see ${join(opts.dataDir, 'controller.log')}`, {
      pid,
    });
  }
  return {
    pid,
    info,
    child,
    async stop() {
      if (isAlive(pid)) process.kill(pid, 'SIGTERM');
      if (!(await waitExit(pid, 30_000))) process.kill(pid, 'SIGKILL');
    },
    async kill() {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      await waitExit(pid, 5000);
    },
  };
}
