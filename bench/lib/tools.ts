// The external tools a benchmark needs (installed from Debian when missing) and a description of the
// machine and tool versions, recorded with every result.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import os from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Tool on PATH → the Debian package that provides it. */
const PACKAGES: Record<string, string> = { wrk: 'wrk', haproxy: 'haproxy', nginx: 'nginx-light' };

/** The full path of `tool` on PATH (plus the sbin directories, where nginx and haproxy live), or null. */
export function which(tool: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const path = join(dir, tool);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

/** Installs the Debian packages of any missing tool (apt-get update first only if the install fails). */
export async function ensureTools(tools: string[], log: (line: string) => void): Promise<string[]> {
  const missing = tools.filter((t) => which(t) === null);
  if (missing.length === 0) return [];
  const packages = missing.map((t) => PACKAGES[t] ?? t);
  log(`missing ${missing.join(', ')}: running apt-get install -y ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = (): Promise<unknown> =>
    run('apt-get', ['install', '-y', ...packages], { env, maxBuffer: 64 * 1024 * 1024 });
  try {
    await install();
  } catch {
    log('apt-get install failed: running apt-get update, then installing again');
    await run('apt-get', ['update'], { env, maxBuffer: 64 * 1024 * 1024 });
    await install();
  }
  const still = missing.filter((t) => which(t) === null);
  if (still.length > 0) throw new Error(`still missing after apt-get install: ${still.join(', ')}`);
  return packages;
}

async function firstLine(command: string, args: string[]): Promise<string> {
  // wrk -v exits 1 after printing its version; nginx -v prints to stderr.
  const out = await run(command, args).catch((err: { stdout?: string; stderr?: string }) => err);
  const text = `${out.stdout ?? ''}\n${out.stderr ?? ''}`.trim();
  return text.split('\n')[0]?.trim() ?? 'unknown';
}

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  loadAverageAtStart: number[];
  tools: Record<string, string>;
}

export async function machineInfo(): Promise<MachineInfo> {
  const [wrk, haproxy, nginx] = await Promise.all([
    firstLine('wrk', ['-v']),
    firstLine(which('haproxy') ?? 'haproxy', ['-v']),
    firstLine(which('nginx') ?? 'nginx', ['-v']),
  ]);
  const version = (line: string, re: RegExp): string => re.exec(line)?.[1] ?? line;
  return {
    nproc: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAverageAtStart: os.loadavg().map((n) => Math.round(n * 100) / 100),
    tools: {
      wrk: version(wrk, /^wrk (\S+)/),
      haproxy: version(haproxy, /HAProxy version (\S+)/),
      nginx: version(nginx, /nginx\/(\S+)/),
    },
  };
}
