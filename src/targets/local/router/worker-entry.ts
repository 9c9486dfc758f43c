// A router worker process: serves the apps the primary tells it about, accepting on the primary's listening
// handles, and reports its statistics and in-flight requests every REPORT_MS. Started by workers.ts.
import type { Server as NetServer } from 'node:net';
import { AppRuntime } from './app.js';
import type { RouterEngine } from './engines.js';
import { compileTraffic } from './table.js';
import { REPORT_MS, type FromWorker, type ToWorker } from './worker-protocol.js';

export interface WorkerArgs {
  index: number;
  bootId: string;
  engine: RouterEngine;
  upstreamConnections: number;
  maxHeld: number;
  closeGraceMs: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as WorkerArgs;
const apps = new Map<string, AppRuntime>();
let applied = 0;
let counter = 0;
const prefix = `${args.bootId}-w${args.index}-`;

function send(m: FromWorker): void {
  if (process.connected) process.send?.(m);
}
const log = (msg: string, fields?: Record<string, unknown>): void => send({ t: 'log', msg, fields });

async function apply(m: ToWorker, handle: unknown): Promise<void> {
  switch (m.t) {
    case 'config': {
      const traffic = compileTraffic(m.traffic);
      const app = apps.get(m.app);
      if (app === undefined) {
        apps.set(
          m.app,
          new AppRuntime(m.app, m.limits, traffic, {
            log,
            engine: args.engine,
            nextRequestId: () => prefix + String(++counter),
            maxHeld: args.maxHeld,
            upstreamConnections: args.upstreamConnections,
          }),
        );
      } else {
        app.setLimits(m.limits);
        app.setTraffic(traffic);
      }
      break;
    }
    case 'listen':
      await apps.get(m.app)?.adopt(handle as NetServer);
      break;
    case 'endpoints':
      apps.get(m.app)?.setEndpoints(m.version, m.endpoints);
      break;
    case 'stream':
      apps.get(m.app)?.setExportBuckets(m.on);
      break;
    case 'remove': {
      const app = apps.get(m.app);
      apps.delete(m.app);
      await app?.close(args.closeGraceMs);
      send({ t: 'done', seq: m.seq });
      break;
    }
    case 'close':
      await Promise.all([...apps.values()].map((a) => a.close(args.closeGraceMs)));
      apps.clear();
      send({ t: 'done', seq: m.seq });
      process.exit(0);
  }
}

// Messages are applied one at a time, in order, so `applied` means "everything up to here".
let chain = Promise.resolve();
process.on('message', (m: ToWorker, handle: unknown) => {
  chain = chain
    .then(() => apply(m, handle))
    .catch((err: unknown) => log('router worker could not apply a change', { kind: m.t, error: String(err) }))
    .then(() => {
      applied = m.seq;
    });
});

setInterval(() => {
  const now = performance.now();
  send({ t: 'report', seq: applied, apps: [...apps.values()].map((a) => a.exportReport(now)) });
}, REPORT_MS);

// Without its primary a worker takes no new connection (the port is freed at once for a restarted primary),
// lets in-flight requests finish, then exits.
process.on('disconnect', () => {
  void Promise.all([...apps.values()].map((a) => a.close(args.closeGraceMs))).finally(() => process.exit(0));
});
send({ t: 'ready' });
