// Process entry of a spawned controller:
// `node entry.js --data-dir DIR [--listen 127.0.0.1:7070] [--agent-listen 127.0.0.1:9464]`.
import { runControllerUntilStopped } from './run.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

const dataDir = flag('--data-dir');
if (!dataDir) {
  console.error('usage: entry --data-dir DIR [--listen 127.0.0.1:7070] [--agent-listen 127.0.0.1:9464]');
  process.exit(2);
}
const listen = flag('--listen');
const agentListen = flag('--agent-listen');
runControllerUntilStopped({
  dataDir,
  ...(listen ? { listen } : {}),
  ...(agentListen ? { agentListen } : {}),
}).catch((error: unknown) => {
  console.error(`greenlight controller: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
