// Where a running agent publishes itself in its data directory, so clients find its socket. Kept apart from the
// agent's process code so that clients (the CLI) load none of its dependencies.
import { join } from 'node:path';
import { readFileIfExists } from '../../../util/atomic-file.js';

/** What a running agent publishes in its data directory so clients can find it. */
export interface AgentInfo {
  pid: number;
  socket: string;
  adminUrl: string | null;
  version: string;
  startedAt: string;
}

export const agentInfoPath = (dataDir: string): string => join(dataDir, 'agent.json');
export const agentSocketPath = (dataDir: string): string => join(dataDir, 'agent.sock');

export function readAgentInfo(dataDir: string): AgentInfo | undefined {
  const text = readFileIfExists(agentInfoPath(dataDir));
  return text ? (JSON.parse(text) as AgentInfo) : undefined;
}
