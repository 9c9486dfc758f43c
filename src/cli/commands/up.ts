// greenlight up [--listen 127.0.0.1:7070] [--detach]: run the controller (it starts the local agent when none
// runs). In the foreground until Ctrl-C; with --detach as a background process.
import { join } from 'node:path';
import { adminTokenPath, readControllerInfo } from '../../server/info.js';
import { startControllerProcess } from '../../server/process.js';
import { runControllerUntilStopped } from '../../server/run.js';
import { isAlive } from '../../util/node-process.js';
import { resolveDataDir } from '../data-dir.js';
import { outputFormat, printJson } from '../output.js';

export interface UpFlags {
  dataDir?: string;
  listen: string;
  agentListen?: string;
  detach?: boolean;
  output?: string;
}

function running(dataDir: string): { pid: number; url: string } | undefined {
  const info = readControllerInfo(dataDir);
  return info && isAlive(info.pid) ? info : undefined;
}

export async function upCommand(flags: UpFlags): Promise<void> {
  const format = outputFormat(flags.output ?? 'table');
  const dataDir = resolveDataDir(flags.dataDir);
  const already = running(dataDir);
  if (already) {
    if (format === 'json') printJson({ ...already, dataDir, started: false });
    else console.log(`the controller already runs on ${dataDir}: ${already.url} (pid ${already.pid})`);
    return;
  }
  if (!flags.detach) {
    const agentListen = flags.agentListen ? { agentListen: flags.agentListen } : {};
    await runControllerUntilStopped({ dataDir, listen: flags.listen, ...agentListen });
    return;
  }
  const controller = await startControllerProcess({
    dataDir,
    listen: flags.listen,
    detached: true,
    ...(flags.agentListen ? { agentListen: flags.agentListen } : {}),
  });
  const answer = { url: controller.info.url, pid: controller.pid, dataDir, started: true };
  if (format === 'json') printJson(answer);
  else {
    console.log(`controller running at ${answer.url} (pid ${answer.pid})`);
    console.log(`  logs: ${join(dataDir, 'controller.log')}`);
    console.log(`  admin token: ${adminTokenPath(dataDir)}`);
    console.log('  stop it with: greenlight down');
  }
}
