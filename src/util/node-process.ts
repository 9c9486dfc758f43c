// Shared by the agent's and the controller's process starters: spawning a Node entry point (compiled, or from
// source under tsx), checking a pid, and waiting for a process to exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function waitExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && isAlive(pid)) await sleep(50);
  return !isAlive(pid);
}

/**
 * Spawns `node <entry> ...args` for the entry module beside `callerUrl` (entry.js when compiled, entry.ts under
 * tsx — loaded by its resolved path, so it works from any working directory), with stdout and stderr appended
 * to `logFile`.
 */
export function spawnNodeEntry(
  callerUrl: string,
  args: string[],
  logFile: string,
  detached: boolean,
): ChildProcess {
  const here = fileURLToPath(callerUrl);
  const entry = here.endsWith('.ts')
    ? ['--import', import.meta.resolve('tsx'), join(dirname(here), 'entry.ts')]
    : [join(dirname(here), 'entry.js')];
  const logFd = openSync(logFile, 'a', 0o600);
  try {
    const child = spawn(process.execPath, [...entry, ...args], { detached, stdio: ['ignore', logFd, logFd] });
    if (detached) child.unref();
    return child;
  } finally {
    closeSync(logFd);
  }
}
