// The Greenlight router alone in its own process, for the router benchmark: one app, one version, whose only
// endpoint is the benchmark's backend. Limits, traffic and the number of router processes are the agent's defaults.
// Usage: node --import tsx bench/lib/router-entry.ts --port P --backend B [--workers N] [--engine fast|node]
// Serves until SIGTERM or SIGINT.
import { parseArgs } from 'node:util';
import { defaultRouterWorkers } from '../../src/targets/local/agent/agent.js';
import { limitsSchema, trafficSchema } from '../../src/targets/local/agent/desired-schema.js';
import type { RouterEngine } from '../../src/targets/local/router/engines.js';
import { Router } from '../../src/targets/local/router/router.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    backend: { type: 'string' },
    workers: { type: 'string' },
    engine: { type: 'string' },
  },
});
const port = Number(values.port);
const backend = Number(values.backend);
if (!Number.isInteger(port) || !Number.isInteger(backend)) {
  console.error('usage: router-entry.ts --port P --backend B');
  process.exit(2);
}

const APP = 'bench';
const VERSION = 'bench';
const router = new Router({
  workers: values.workers === undefined ? defaultRouterWorkers() : Number(values.workers),
  ...(values.engine === undefined ? {} : { engine: values.engine as RouterEngine }),
});
const limits = limitsSchema.parse({});
const traffic = trafficSchema.parse({ weights: { [VERSION]: 100 }, stable: VERSION });
await router.putApp(APP, { host: '127.0.0.1', port }, limits, traffic);
router.setEndpoints(APP, VERSION, [{ id: 'backend', host: '127.0.0.1', port: backend }]);
console.log(`greenlight router ready on 127.0.0.1:${port} -> 127.0.0.1:${backend}`);

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  await router.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
