// Runs wrk (always with --latency) and parses its summary: throughput, latency percentiles, errors.
// Optionally paces each connection with a Lua delay() hook to hold a fixed, moderate request rate.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startProc } from './procs.js';

export interface WrkOptions {
  url: string;
  connections: number;
  durationS: number;
  threads?: number;
  /** With pacing, each connection waits a random 0.5..1.5 × meanDelayMs after every response. */
  pacing?: { meanDelayMs: number; scriptDir: string };
  /** Extra headers, e.g. Host. */
  headers?: Record<string, string>;
}

export interface WrkLatency {
  avgMs: number;
  maxMs: number;
  p50Ms: number;
  p75Ms: number;
  p90Ms: number;
  p99Ms: number;
}

export interface WrkErrors {
  connect: number;
  read: number;
  write: number;
  timeout: number;
  /** Responses with a status outside 2xx and 3xx. */
  non2xx3xx: number;
}

export interface WrkResult {
  requests: number;
  durationS: number;
  rps: number;
  latency: WrkLatency;
  errors: WrkErrors;
  /** Socket errors plus non-2xx/3xx responses. */
  failed: number;
}

/** Runs wrk to completion (it stops itself after durationS; killed if it overruns by 30 s). */
export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const args = [
    `-t${options.threads ?? 1}`,
    `-c${options.connections}`,
    `-d${options.durationS}s`,
    '--timeout',
    '2s',
    '--latency',
  ];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}: ${value}`);
  if (options.pacing)
    args.push('-s', await writePacingScript(options.pacing.scriptDir, options.pacing.meanDelayMs));
  args.push(options.url);

  const proc = startProc('wrk', 'wrk', args);
  const overrun = setTimeout(() => void proc.stop(500), (options.durationS + 30) * 1000);
  const exit = await proc.exited;
  clearTimeout(overrun);
  await proc.stop();
  if (exit.code !== 0)
    throw new Error(`wrk ${args.join(' ')} failed (${exit.code ?? exit.signal}):\n${proc.output()}`);
  return parseWrk(proc.output());
}

async function writePacingScript(dir: string, meanDelayMs: number): Promise<string> {
  // A random delay rather than a fixed one keeps the connections from firing in lock-step bursts.
  const path = join(dir, `pace-${meanDelayMs}.lua`);
  const lo = meanDelayMs * 0.5;
  const span = meanDelayMs;
  await writeFile(path, `function delay()\n  return ${lo} + math.random() * ${span}\nend\n`);
  return path;
}

const TIME_UNITS_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function timeMs(text: string | undefined, what: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text ?? '');
  if (!m?.[1] || !m[2]) throw new Error(`wrk output: cannot read ${what} from "${text}"`);
  return Number(m[1]) * (TIME_UNITS_MS[m[2]] ?? NaN);
}

function match(text: string, re: RegExp, what: string): RegExpExecArray {
  const m = re.exec(text);
  if (!m) throw new Error(`wrk output has no ${what}:\n${text}`);
  return m;
}

/** Parses the text wrk prints with --latency. */
export function parseWrk(text: string): WrkResult {
  const summary = match(text, /(\d+) requests in ([\d.]+\w+), /, 'request count');
  const rps = match(text, /Requests\/sec:\s+([\d.]+)/, 'Requests/sec');
  const lat = match(text, /Latency\s+([\d.]+\w+)\s+([\d.]+\w+)\s+([\d.]+\w+)/, 'latency line');
  const pct = (p: number): number =>
    timeMs(match(text, new RegExp(`^\\s+${p}%\\s+([\\d.]+\\w+)`, 'm'), `${p}% latency`)[1], `${p}%`);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  const errors: WrkErrors = {
    connect: Number(sock?.[1] ?? 0),
    read: Number(sock?.[2] ?? 0),
    write: Number(sock?.[3] ?? 0),
    timeout: Number(sock?.[4] ?? 0),
    non2xx3xx: Number(non?.[1] ?? 0),
  };
  return {
    requests: Number(summary[1]),
    durationS: timeMs(summary[2], 'duration') / 1000,
    rps: Number(rps[1]),
    latency: {
      avgMs: timeMs(lat[1], 'average latency'),
      maxMs: timeMs(lat[3], 'max latency'),
      p50Ms: pct(50),
      p75Ms: pct(75),
      p90Ms: pct(90),
      p99Ms: pct(99),
    },
    errors,
    failed: errors.connect + errors.read + errors.write + errors.timeout + errors.non2xx3xx,
  };
}
