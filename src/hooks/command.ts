// Running a command action: argv without a shell, in its own process group, with a clean environment, a
// bounded output tail, a timeout that takes down the whole group, and retries.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { CommandAction } from '../spec/compiled-gates.js';
import { fillPlaceholders } from './placeholders.js';
import { formatSeconds, OutputTail, withRetries, type ActionResult, type AttemptOutcome } from './result.js';
import type { ActionContext } from './run-action.js';

/** The only variables a command inherits from the controller; everything else comes from the spec. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'TZ'] as const;
/** Between SIGTERM and SIGKILL to the group; also how long to wait for pipes to close once the group is gone. */
const KILL_GRACE_MS = 2_000;

interface Prepared {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

/** Runs the command, retrying after failures; never throws for anything the command itself does. */
export async function runCommand(action: CommandAction, ctx: ActionContext): Promise<ActionResult> {
  const prepared = prepare(action, ctx);
  return withRetries(action, ctx, async () => {
    const outcome = await attempt(prepared, action.timeoutMs, ctx);
    return { ...outcome, message: ctx.redactor.redact(outcome.message) };
  });
}

function prepare(action: CommandAction, ctx: ActionContext): Prepared {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, ctx.env);
  for (const [name, value] of Object.entries(action.env)) env[name] = fillPlaceholders(value, ctx.vars);
  return { argv: action.argv.map((item) => fillPlaceholders(item, ctx.vars)), cwd: action.cwd, env };
}

function startProblem({ argv, cwd }: Prepared): string | null {
  if (argv.length === 0 || argv[0] === '') return 'could not start: empty argv';
  // Node reports a missing cwd as ENOENT of the program, which would send people looking for the wrong file.
  try {
    if (!statSync(cwd).isDirectory()) return `could not start: cwd ${cwd} is not a directory`;
  } catch {
    return `could not start: cwd ${cwd} does not exist`;
  }
  return null;
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

function attempt(prepared: Prepared, timeoutMs: number, ctx: ActionContext): Promise<AttemptOutcome> {
  const problem = startProblem(prepared);
  if (problem !== null) return Promise.resolve(failure(problem));
  if (ctx.signal?.aborted) return Promise.resolve(failure('aborted before start'));
  const [program, ...args] = prepared.argv as [string, ...string[]];
  const now = ctx.now ?? Date.now;
  const startedMs = now();
  const tail = new OutputTail();
  let child: ChildProcessByStdio<null, Readable, Readable>;
  try {
    child = spawn(program, args, {
      cwd: prepared.cwd,
      env: prepared.env,
      shell: false,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // Invalid arguments (a NUL byte in an argv item) throw here instead of emitting 'error'.
    return Promise.resolve(failure(`could not start: ${(error as Error).message}`));
  }
  if (child.pid !== undefined) ctx.onSpawn?.(child.pid);
  child.stdout.on('data', (chunk: Buffer) => tail.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => tail.push(chunk));

  return new Promise((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    let stopped: 'timed out' | 'aborted' | null = null;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let settled = false;

    const finish = (outcome: AttemptOutcome): void => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      ctx.signal?.removeEventListener('abort', onAbort);
      // Whatever the command left running in its group does not outlive the hook.
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
      child.stdout.destroy();
      child.stderr.destroy();
      resolve(outcome);
    };
    const finishWithExit = (): void => {
      const elapsed = formatSeconds(now() - startedMs);
      const output = tail.text(ctx.redactor);
      const code = exit?.code ?? null;
      if (stopped !== null) {
        const after = stopped === 'timed out' ? formatSeconds(timeoutMs) : elapsed;
        finish({ ...failure(`${stopped} after ${after} (process group killed)`), exitCode: code, output });
      } else if (code !== null) {
        finish({
          ok: code === 0,
          message: `exit ${code} after ${elapsed}`,
          exitCode: code,
          status: null,
          output,
        });
      } else {
        finish({ ...failure(`killed by ${exit?.signal ?? 'a signal'} after ${elapsed}`), output });
      }
    };
    const stop = (reason: 'timed out' | 'aborted'): void => {
      if (stopped !== null || settled || child.pid === undefined) return;
      stopped = reason;
      const pgid = child.pid;
      signalGroup(pgid, 'SIGTERM');
      timers.push(
        setTimeout(() => {
          signalGroup(pgid, 'SIGKILL');
          // Pipes held by a process that left the group would keep 'close' from ever coming.
          timers.push(setTimeout(finishWithExit, KILL_GRACE_MS));
        }, KILL_GRACE_MS),
      );
    };
    function onAbort(): void {
      stop('aborted');
    }

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined)
        finish(failure(`could not start: ${error.code ?? error.message} ${program}`));
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // A background process still holding stdout must not hold the hook: bounded wait for the pipes.
      if (stopped === null) timers.push(setTimeout(finishWithExit, KILL_GRACE_MS));
    });
    child.on('close', finishWithExit);
    if (child.pid === undefined) return;
    timers.push(setTimeout(() => stop('timed out'), timeoutMs));
    if (ctx.signal?.aborted) stop('aborted');
    else ctx.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function failure(message: string): AttemptOutcome {
  return { ok: false, message, exitCode: null, status: null, output: '' };
}
