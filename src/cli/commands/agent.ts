// greenlight agent run|start|stop|status: the local data plane on this machine.
import { InvalidInputError } from '../../errors.js';
import { AgentClient } from '../../targets/local/agent/client.js';
import { runAgentUntilStopped } from '../../targets/local/agent/main.js';
import { readAgentInfo } from '../../targets/local/agent/info.js';
import { isAlive } from '../../util/node-process.js';
import { startAgentProcess } from '../../targets/local/agent/process.js';
import type { AppStatus } from '../../targets/local/types.js';
import { resolveDataDir } from '../data-dir.js';
import { color, outputFormat, printJson, table } from '../output.js';

interface AgentFlags {
  dataDir?: string;
  adminListen?: string;
  output: string;
}

export async function agentCommand(
  action: string,
  app: string | undefined,
  flags: AgentFlags,
): Promise<void> {
  const dataDir = resolveDataDir(flags.dataDir);
  const format = outputFormat(flags.output);
  switch (action) {
    case 'run':
      return runAgentUntilStopped({
        dataDir,
        ...(flags.adminListen ? { adminListen: flags.adminListen } : {}),
      });
    case 'start': {
      const running = readAgentInfo(dataDir);
      if (running && isAlive(running.pid)) {
        console.log(`the agent already runs on ${dataDir} (pid ${running.pid})`);
        return;
      }
      const agent = await startAgentProcess({
        dataDir,
        detached: true,
        ...(flags.adminListen ? { adminListen: flags.adminListen } : {}),
      });
      await agent.client.close();
      console.log(`agent started on ${dataDir} (pid ${agent.pid}); logs in ${dataDir}/agent.log`);
      return;
    }
    case 'stop': {
      const running = readAgentInfo(dataDir);
      if (!running || !isAlive(running.pid)) {
        console.log(`no agent runs on ${dataDir}`);
        return;
      }
      const client = AgentClient.forDataDir(dataDir);
      await client.shutdown();
      await client.close();
      for (let i = 0; i < 600 && isAlive(running.pid); i++) await new Promise((r) => setTimeout(r, 100));
      console.log(isAlive(running.pid) ? `agent ${running.pid} is still stopping` : 'agent stopped');
      return;
    }
    case 'status': {
      const client = AgentClient.forDataDir(dataDir);
      try {
        const apps = app ? [await client.status(app)] : (await client.listApps()).apps;
        if (format === 'json') printJson(app ? apps[0] : { apps });
        else printStatus(apps);
      } finally {
        await client.close();
      }
      return;
    }
    default:
      throw new InvalidInputError(`unknown agent action ${action}: expected run, start, stop or status`);
  }
}

function printStatus(apps: AppStatus[]): void {
  if (apps.length === 0) {
    console.log('no apps');
    return;
  }
  for (const app of apps) {
    const weights = Object.entries(app.traffic.weights)
      .map(([v, w]) => `${v}=${w}%`)
      .join(' ');
    const flags = [app.maintenance ? color('yellow', 'MAINTENANCE') : '', app.trafficVerified].filter(
      Boolean,
    );
    console.log(
      `${color('bold', app.name)}  ${app.listen.host}:${app.listen.port}  ${weights}  ${flags.join(' ')}`,
    );
    const rows = app.versions.flatMap((v) =>
      v.instances.map((i) => [
        v.version,
        i.id,
        i.pid ?? '-',
        i.port,
        i.phase === 'ready'
          ? color('green', i.phase)
          : i.phase === 'crashLoop'
            ? color('red', i.phase)
            : i.phase,
        i.restarts,
      ]),
    );
    console.log(table(['VERSION', 'INSTANCE', 'PID', 'PORT', 'PHASE', 'RESTARTS'], rows));
  }
}
