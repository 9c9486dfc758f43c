// Where a controller publishes itself in its data directory, so the CLI finds it. Kept apart from the
// controller's composition root so that quick CLI commands load none of the server's dependencies.
import { join } from 'node:path';
import { readFileIfExists } from '../util/atomic-file.js';

export interface ControllerInfo {
  pid: number;
  url: string;
  version: string;
  startedAt: string;
}

export const controllerInfoPath = (dataDir: string): string => join(dataDir, 'controller.json');
export const adminTokenPath = (dataDir: string): string => join(dataDir, 'admin.token');
export const agentDataDir = (dataDir: string): string => join(dataDir, 'agent');

export function readControllerInfo(dataDir: string): ControllerInfo | undefined {
  const text = readFileIfExists(controllerInfoPath(dataDir));
  return text ? (JSON.parse(text) as ControllerInfo) : undefined;
}
