// The real Prometheus (Debian's package) for tests: a temporary config scraping the given loopback targets every
// second, listening on a free loopback port with its TSDB in a temporary directory; started and stopped by the
// test, which waits (bounded) for the first scraped sample — about 5 s after start. CI installs it with
// `apt-get install -y prometheus`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/targets/local/supervisor/ports.js';
import { sleep, waitFor } from './wait.js';

export interface PrometheusServer {
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:41234. */
  url: string;
  /** The last lines of Prometheus's own log, for failure messages. */
  log(lines?: number): string;
  /** Polls an instant query until it returns at least one series (bounded by timeoutMs). */
  waitForSample(query: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** host:port of each exporter to scrape. */
  targets: string[];
  metricsPath?: string;
}

function requireBinary(): void {
  const probe = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined) {
    throw new Error('prometheus is not on PATH; install it first: apt-get install -y prometheus');
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killed = await Promise.race([gone.then(() => true), sleep(10_000).then(() => false)]);
  if (!killed) {
    child.kill('SIGKILL');
    await gone;
  }
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  requireBinary();
  const dir = mkdtempSync(join(tmpdir(), 'greenlight-prometheus-'));
  const port = await freePort();
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: greenlight-test',
    `    metrics_path: ${options.metricsPath ?? '/metrics'}`,
    '    static_configs:',
    `      - targets: [${options.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const logFile = join(dir, 'prometheus.log');
  const logFd = openSync(logFile, 'a');
  const child = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
    ],
    { stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  const url = `http://127.0.0.1:${port}`;
  const log = (lines = 20): string => {
    try {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  const server: PrometheusServer = {
    url,
    log,
    async waitForSample(query, timeoutMs = 30_000) {
      await waitFor(
        `a sample for ${query} in Prometheus`,
        async () => {
          if (exited(child)) throw new Error(`prometheus exited: ${log()}`);
          const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
          const body = (await response.json()) as { data?: { result?: unknown[] } };
          return (body.data?.result?.length ?? 0) > 0;
        },
        timeoutMs,
        200,
      );
    },
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(
      'prometheus to be ready',
      async () => {
        if (exited(child)) throw new Error(`prometheus exited: ${log()}`);
        return (await fetch(`${url}/-/ready`)).ok;
      },
      30_000,
      100,
    );
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}
