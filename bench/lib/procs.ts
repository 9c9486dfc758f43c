// Child processes of a benchmark: start one, wait until it listens, stop it; and stop every one of them when
// the benchmark ends, fails or is interrupted (Ctrl-C, SIGTERM), so no nginx, haproxy or node is left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface ProcExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Proc {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<ProcExit>;
  /** Everything the process wrote to stdout and stderr (the last 256 KB). */
  output(): string;
  /** SIGTERM to the process group, SIGKILL after graceMs; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called with each chunk of output, e.g. to wait for a "ready" line. */
  onOutput?: (text: string) => void;
}

const OUTPUT_LIMIT = 256 * 1024;
const live = new Set<Proc>();
const cleanups = new Map<() => Promise<void>, (() => void) | undefined>();
const finalizers = new Set<() => Promise<void>>();

/** Starts `command` in its own process group (so stopping it also stops its workers or children). */
export function startProc(name: string, command: string, args: string[], options: StartOptions = {}): Proc {
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-OUTPUT_LIMIT);
    options.onOutput?.(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<ProcExit>((resolve) => {
    child.once('error', (err) => {
      output += `\n${name}: ${err.message}`;
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let done = false;
  const proc: Proc = {
    name,
    pid: child.pid ?? -1,
    exited,
    output: () => output,
    stop: async (graceMs = 3000) => {
      if (!live.has(proc)) return;
      if (!done) {
        signalGroup(child, 'SIGTERM');
        const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // The leader has exited; its group may still hold workers (nginx's, or an agent's instances).
      signalGroup(child, 'SIGKILL');
      live.delete(proc);
    },
  };
  void exited.then(() => {
    done = true;
  });
  live.add(proc);
  return proc;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Registers an async clean-up (e.g. stopping an agent) run by stopAll, and optionally a synchronous one for
 * when the process exits without it (e.g. a signal to that agent). Returns a function that removes both.
 */
export function onCleanup(fn: () => Promise<void>, atExit?: () => void): () => void {
  cleanups.set(fn, atExit);
  return () => cleanups.delete(fn);
}

/** Registers a clean-up run by stopAll after every process has stopped (e.g. removing their directory). */
export function onFinalCleanup(fn: () => Promise<void>): () => void {
  finalizers.add(fn);
  return () => finalizers.delete(fn);
}

let stopping: Promise<void> | null = null;

/** Stops every process started here and runs every registered clean-up; concurrent calls share one pass. */
export function stopAll(): Promise<void> {
  stopping ??= (async () => {
    const hooks = [...cleanups.keys()];
    cleanups.clear();
    await Promise.allSettled([...hooks.map((fn) => fn()), ...[...live].map((p) => p.stop())]);
    const last = [...finalizers];
    finalizers.clear();
    await Promise.allSettled(last.map((fn) => fn()));
  })().finally(() => {
    stopping = null;
  });
  return stopping;
}

let trapsInstalled = false;
let signalled = false;

/** Whether the run was interrupted by a signal (its failures are then the interruption, not findings). */
export function interrupted(): boolean {
  return signalled;
}

/** On SIGINT, SIGTERM or SIGHUP: stop everything, then exit; on any exit: SIGKILL whatever is still up. */
export function installSignalTraps(): void {
  if (trapsInstalled) return;
  trapsInstalled = true;
  const onSignal = (signal: NodeJS.Signals, code: number): void => {
    signalled = true;
    process.stderr.write(`\n${signal}: stopping benchmark processes...\n`);
    void stopAll().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => onSignal('SIGINT', 130));
  process.once('SIGTERM', () => onSignal('SIGTERM', 143));
  process.once('SIGHUP', () => onSignal('SIGHUP', 129));
  process.once('exit', () => {
    for (const atExit of cleanups.values()) atExit?.();
    for (const proc of live) {
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not allocate a port');
  return address.port;
}

/** Resolves once 127.0.0.1:port accepts a TCP connection; fails if `proc` exits first or time runs out. */
export async function waitForPort(port: number, proc?: Proc, timeoutMs = 15_000): Promise<void> {
  let exit: ProcExit | undefined;
  void proc?.exited.then((e) => (exit = e));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exit !== undefined && proc !== undefined) {
      throw new Error(
        `${proc.name} exited (${exit.code ?? exit.signal}) before listening:\n${proc.output()}`,
      );
    }
    if (await canConnect(port)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms${proc ? ` (${proc.name})` : ''}`,
      );
    }
    await sleep(50);
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
