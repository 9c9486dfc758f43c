// Process entry of a spawned agent: `node entry.js --data-dir DIR [--admin-listen 127.0.0.1:PORT]`.
import { runAgentUntilStopped } from './main.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

const dataDir = flag('--data-dir');
if (!dataDir) {
  console.error('usage: entry --data-dir DIR [--admin-listen 127.0.0.1:PORT]');
  process.exit(2);
}
const adminListen = flag('--admin-listen');
runAgentUntilStopped({ dataDir, ...(adminListen ? { adminListen } : {}) }).catch((error: unknown) => {
  console.error(`greenlight agent: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
