// Starting an instance's process: argv (never a shell), its own process group (pgid = pid, so it survives the
// agent and can be signalled as a whole), stdout and stderr appended straight to its log file.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync } from 'node:fs';
import type { VersionSetSpec } from '../types.js';
import type { LogCapture } from './log-capture.js';
import { instanceEnv, substitutePort } from './spec.js';
import type { InstanceIdentity } from './spec.js';

export type SpawnOutcome = { child: ChildProcess; pid: number } | { error: string };

export async function spawnInstance(
  spec: VersionSetSpec,
  who: InstanceIdentity,
  logs: LogCapture,
): Promise<SpawnOutcome> {
  const [command = '', ...args] = spec.run.command.map((part) => substitutePort(part, who.port));
  // Node reports a missing cwd as the command being missing (ENOENT on the command): say what it is.
  if (spec.run.cwd !== undefined && !existsSync(spec.run.cwd)) {
    return { error: `cannot start ${command}: working directory ${spec.run.cwd} does not exist` };
  }
  let fd: number | null = null;
  let child: ChildProcess;
  try {
    fd = logs.openForChild();
    child = spawn(command, args, {
      detached: true,
      cwd: spec.run.cwd,
      env: instanceEnv(spec, who),
      stdio: ['ignore', fd, fd],
    });
  } catch (error) {
    return { error: `cannot start ${command}: ${String(error)}` };
  } finally {
    // The child has its own copy; the file stays open in the child only.
    if (fd !== null) closeSync(fd);
  }
  if (child.pid === undefined) {
    // A failed spawn (missing command or cwd) reports its reason in an 'error' event on the next tick.
    const error = await new Promise<Error>((resolve) => child.once('error', resolve));
    return { error: `cannot start ${command}: ${error.message}` };
  }
  // Later errors (a failed kill) show up as an exit or a stuck stop; they must not crash the agent.
  child.on('error', () => undefined);
  return { child, pid: child.pid };
}
