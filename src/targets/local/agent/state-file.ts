// The agent's persisted desired state: every app it was asked to run, written atomically on each change so a
// restarted agent (after a crash or kill -9) restores the same instances and routing table.
import { join } from 'node:path';
import { readFileIfExists, writeFileAtomic } from '../../../util/atomic-file.js';
import type { AppDesired } from '../types.js';
import { parseAppDesired } from './desired-schema.js';

interface StateFileV1 {
  version: 1;
  apps: AppDesired[];
}

export class DesiredStateFile {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'agent-state.json');
  }

  load(): AppDesired[] {
    const text = readFileIfExists(this.path);
    if (text === undefined) return [];
    const raw = JSON.parse(text) as StateFileV1;
    if (raw.version !== 1 || !Array.isArray(raw.apps)) {
      throw new Error(`${this.path}: unknown state file format (expected version 1)`);
    }
    return raw.apps.map((app) => parseAppDesired(app));
  }

  save(apps: Iterable<AppDesired>): void {
    const state: StateFileV1 = { version: 1, apps: [...apps] };
    writeFileAtomic(this.path, JSON.stringify(state, null, 2) + '\n');
  }
}
