// A harness for end-to-end tests of the control plane with real processes: a temporary data directory, the
// controller process (which starts its agent, detached), an API client with the admin token, the spec file,
// release helpers (deploy, wait for the end), kill -9 and restart, and a teardown that leaves no process behind.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../../src/cli/client.js';
import type { GreenlightEvent, Release } from '../../src/engine/model.js';
import type { ReleaseSummary } from '../../src/engine/status.js';
import { adminTokenPath, agentDataDir } from '../../src/server/info.js';
import { startControllerProcess, type ControllerProcess } from '../../src/server/process.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { AgentClient } from '../../src/targets/local/agent/client.js';
import { readAgentInfo } from '../../src/targets/local/agent/info.js';
import { pidAlive, sleep, waitFor } from './wait.js';

export interface ReleaseView {
  release: Release;
  summary: ReleaseSummary;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Pids of the app instances the agent recorded in its data directory (alive or not). */
function recordedInstancePids(agentDir: string): number[] {
  try {
    const records = JSON.parse(readFileSync(join(agentDir, 'instances.json'), 'utf8')) as {
      instances?: Array<{ pid: number | null }>;
    };
    return (records.instances ?? []).map((i) => i.pid).filter((p): p is number => typeof p === 'number');
  } catch {
    return [];
  }
}

export class ControllerHarness {
  readonly specFile: string;
  readonly origin: string;
  controller: ControllerProcess | undefined;
  api!: ApiClient;
  private agentClient: AgentClient | undefined;
  private store: SqliteStore | undefined;

  private constructor(
    readonly dataDir: string,
    readonly port: number,
    readonly app: string,
  ) {
    this.specFile = join(dataDir, 'greenlight.yaml');
    this.origin = `http://127.0.0.1:${port}`;
  }

  /** A data directory named greenlight-e2e-*, a free port for the app, and the controller started on it. */
  static async start(app = 'shop'): Promise<ControllerHarness> {
    const dataDir = mkdtempSync(join(tmpdir(), 'greenlight-e2e-'));
    const harness = new ControllerHarness(dataDir, await freePort(), app);
    try {
      await harness.startController();
    } catch (error) {
      // The controller may have started its agent before failing: stop whatever runs, then report.
      await harness.teardown().catch(() => {});
      throw error;
    }
    return harness;
  }

  get agentDir(): string {
    return agentDataDir(this.dataDir);
  }

  /** The last lines of the controller's log (it is appended to by every controller on this directory). */
  controllerLog(lines = 30): string {
    try {
      return readFileSync(join(this.dataDir, 'controller.log'), 'utf8')
        .trimEnd()
        .split('\n')
        .slice(-lines)
        .join('\n');
    } catch {
      return '(no controller.log)';
    }
  }

  async startController(): Promise<void> {
    let controller: ControllerProcess;
    try {
      controller = await startControllerProcess({ dataDir: this.dataDir });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- controller.log ---\n${this.controllerLog()}`);
    }
    this.controller = controller;
    const token = readFileSync(adminTokenPath(this.dataDir), 'utf8').trim();
    this.api = new ApiClient({ url: controller.info.url, token });
  }

  /** kill -9 of the controller; its agent (and so the app's traffic) goes on. */
  async killController(): Promise<void> {
    await this.controller?.kill();
    this.controller = undefined;
  }

  async restartController(): Promise<void> {
    if (this.controller) await this.killController();
    await this.startController();
  }

  /** Writes the spec file and sends it to the controller. */
  async apply(text: string): Promise<{ name: string; specRevision: number; changed: boolean }> {
    writeFileSync(this.specFile, text);
    return this.api.send({ method: 'post', path: '/v1/apps', body: { file: this.specFile, text } });
  }

  async deploy(version: string, reason = `e2e: ${version}`): Promise<Release> {
    const view = await this.api.send<ReleaseView>({
      method: 'post',
      path: `/v1/apps/${this.app}/releases`,
      body: { version, reason },
    });
    return view.release;
  }

  /** POST /v1/apps/{app}/{action} (abort, rollback, promote, ...). */
  async act(action: string, body: Record<string, unknown> = {}): Promise<Release> {
    const view = await this.api.send<ReleaseView>({
      method: 'post',
      path: `/v1/apps/${this.app}/${action}`,
      body,
    });
    return view.release;
  }

  getRelease(id: number): Promise<ReleaseView> {
    return this.api.get<ReleaseView>(`/v1/releases/${id}`);
  }

  /** Polls the release until it has finished (any final phase); throws after the deadline. */
  async waitFinished(id: number, timeoutMs = 60_000): Promise<ReleaseView> {
    return waitFor(
      `release ${id} to finish`,
      async () => {
        const view = await this.getRelease(id);
        return view.release.finishedAt ? view : undefined;
      },
      timeoutMs,
      100,
    );
  }

  /** Polls the release until its summary satisfies `ok` (e.g. a given step); throws after the deadline. */
  async waitRelease(
    id: number,
    what: string,
    ok: (summary: ReleaseSummary) => boolean,
    timeoutMs = 30_000,
  ): Promise<ReleaseView> {
    return waitFor(
      what,
      async () => {
        const view = await this.getRelease(id);
        if (view.release.finishedAt && !ok(view.summary))
          throw new Error(`release ${id} ended ${view.summary.phase} first`);
        return ok(view.summary) ? view : undefined;
      },
      timeoutMs,
      50,
    );
  }

  async events(releaseId: number): Promise<GreenlightEvent[]> {
    const page = await this.api.get<{ events: GreenlightEvent[] }>(
      `/v1/apps/${this.app}/events?release=${releaseId}&limit=1000`,
    );
    return page.events;
  }

  /** The agent, through its admin socket (it outlives controllers). */
  agent(): AgentClient {
    this.agentClient ??= AgentClient.forDataDir(this.agentDir);
    return this.agentClient;
  }

  /** The controller's database, opened read-side (WAL lets it read while the controller writes). */
  openStore(): SqliteStore {
    this.store ??= openSqliteStore(join(this.dataDir, 'greenlight.db'));
    return this.store;
  }

  /** Waits until the agent runs only `version`, all its instances ready, all the traffic on it, verified. */
  async waitOnlyVersion(version: string, instances: number, timeoutMs = 20_000): Promise<void> {
    await waitFor(
      `only ${version} running with all the traffic`,
      async () => {
        const status = await this.agent().status(this.app);
        const [only, ...others] = status.versions;
        return (
          others.length === 0 &&
          only?.version === version &&
          only.ready === instances &&
          JSON.stringify(status.traffic.weights) === JSON.stringify({ [version]: 100 }) &&
          status.trafficVerified === 'verified'
        );
      },
      timeoutMs,
      100,
    );
  }

  /**
   * Stops the controller, shuts the agent down (it drains and stops every instance), waits until neither the
   * agent nor any instance it ran is alive, and removes the data directory. A process still alive after the
   * deadline is killed and reported as an error, so a leak fails the suite instead of piling up.
   */
  async teardown(): Promise<void> {
    const leaks: string[] = [];
    try {
      await this.controller?.stop();
    } catch {
      await this.controller?.kill().catch(() => {});
    }
    this.controller = undefined;
    // The processes left to stop, taken while they are alive (a pid seen earlier could be reused by now).
    const seen = recordedInstancePids(this.agentDir);
    const agentInfo = readAgentInfo(this.agentDir);
    if (agentInfo) seen.push(agentInfo.pid);
    let agent: AgentClient | undefined;
    try {
      agent = this.agent();
      const status = await agent.listApps();
      for (const app of status.apps)
        for (const v of app.versions) for (const i of v.instances) if (i.pid !== null) seen.push(i.pid);
    } catch {
      // no agent runs (it never started, or is already gone): its instances, if any, are still in `seen`
    }
    const pids = new Set(seen.filter(pidAlive));
    await agent?.shutdown().catch(() => {});
    await this.agentClient?.close().catch(() => {});
    this.agentClient = undefined;
    await this.store?.close();
    this.store = undefined;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && [...pids].some(pidAlive)) await sleep(100);
    for (const pid of pids) {
      if (!pidAlive(pid)) continue;
      leaks.push(String(pid));
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
    rmSync(this.dataDir, { recursive: true, force: true });
    if (leaks.length > 0)
      throw new Error(`processes still alive after teardown (killed): ${leaks.join(', ')}`);
  }
}
