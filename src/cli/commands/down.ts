// greenlight down: stop the controller (SIGTERM, then wait for its exit) and the local agent with every
// instance it runs.
import { agentDataDir, readControllerInfo } from '../../server/info.js';
import { AgentClient } from '../../targets/local/agent/client.js';
import { readAgentInfo } from '../../targets/local/agent/info.js';
import { isAlive as alive } from '../../util/node-process.js';
import { resolveDataDir } from '../data-dir.js';

async function waitExit(pid: number, timeoutMs: number): Promise<boolean> {
  for (let waited = 0; waited < timeoutMs && alive(pid); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !alive(pid);
}

export async function downCommand(flags: { dataDir?: string }): Promise<void> {
  const dataDir = resolveDataDir(flags.dataDir);
  const controller = readControllerInfo(dataDir);
  if (controller && alive(controller.pid)) {
    process.kill(controller.pid, 'SIGTERM');
    const stopped = await waitExit(controller.pid, 30_000);
    console.log(
      stopped
        ? `controller stopped (pid ${controller.pid})`
        : `controller ${controller.pid} is still stopping`,
    );
  } else {
    console.log(`no controller runs on ${dataDir}`);
  }
  const agentDir = agentDataDir(dataDir);
  const agent = readAgentInfo(agentDir);
  if (agent && alive(agent.pid)) {
    const client = AgentClient.forDataDir(agentDir);
    try {
      await client.shutdown();
    } finally {
      await client.close();
    }
    const stopped = await waitExit(agent.pid, 60_000);
    console.log(
      stopped ? `agent and its instances stopped (pid ${agent.pid})` : `agent ${agent.pid} is still stopping`,
    );
  } else {
    console.log(`no agent runs on ${agentDir}`);
  }
}
