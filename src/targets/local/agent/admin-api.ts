// The agent's admin API: what the controller's local Target calls. JSON over loopback HTTP or a unix socket;
// every /v1 route requires the bearer token from the data directory. /metrics (Prometheus) and /healthz are open:
// they expose counts only, never configuration or secrets.
import { Hono } from 'hono';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { AuthError, GreenlightError, InvalidInputError, httpStatusOf } from '../../../errors.js';
import type { Agent } from './agent.js';
import { tokenMatches } from './token.js';

export interface AdminApiOptions {
  agent: Agent;
  token: string;
  version: string;
  /** Called by POST /v1/shutdown, after the response is sent. */
  onShutdown: () => void;
}

async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new InvalidInputError('the request body must be JSON');
  }
}

export function createAdminApi(opts: AdminApiOptions): Hono {
  const { agent } = opts;
  const api = new Hono();

  api.onError((error, c) => {
    const status = httpStatusOf(error);
    const body =
      error instanceof GreenlightError
        ? error.toJSON()
        : { code: 'GL9000', message: 'internal error', details: { reason: error.message } };
    return c.json(body, status as 400);
  });
  api.notFound((c) =>
    c.json({ code: 'GL1002', message: `no route ${c.req.method} ${c.req.path}`, details: {} }, 404),
  );

  api.get('/healthz', (c) => c.json({ ok: true, version: opts.version }));
  api.get('/metrics', async (c) => {
    c.header('content-type', agent.router.metricsContentType);
    return c.body(await agent.router.metrics());
  });

  api.use('/v1/*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!tokenMatches(opts.token, presented)) throw new AuthError();
    await next();
  });

  api.get('/v1/apps', (c) => c.json({ apps: agent.list().map((a) => agent.status(a.name)) }));
  api.put('/v1/apps/:app', async (c) => {
    const body = (await jsonBody(c)) as Record<string, unknown>;
    if (body && typeof body === 'object' && body.name !== undefined && body.name !== c.req.param('app')) {
      throw new InvalidInputError(
        `body name ${String(body.name)} differs from the path's ${c.req.param('app')}`,
      );
    }
    const desired = await agent.putApp({ ...body, name: c.req.param('app') });
    return c.json({ desired, status: agent.status(desired.name) });
  });
  api.get('/v1/apps/:app', (c) => c.json(agent.status(c.req.param('app'))));
  api.get('/v1/apps/:app/desired', (c) => c.json(agent.get(c.req.param('app'))));
  api.delete('/v1/apps/:app', async (c) => {
    await agent.deleteApp(c.req.param('app'));
    return c.json({ deleted: c.req.param('app') });
  });

  api.put('/v1/apps/:app/versions/:version', async (c) => {
    const body = (await jsonBody(c)) as Record<string, unknown>;
    const spec = await agent.ensureVersionSet(c.req.param('app'), {
      ...body,
      version: c.req.param('version'),
    });
    return c.json({ spec, status: agent.status(c.req.param('app')) });
  });
  api.delete('/v1/apps/:app/versions/:version', async (c) => {
    await agent.removeVersionSet(c.req.param('app'), c.req.param('version'));
    return c.json({ removed: c.req.param('version') });
  });

  api.put('/v1/apps/:app/traffic', async (c) =>
    c.json(agent.setTraffic(c.req.param('app'), await jsonBody(c))),
  );
  api.put('/v1/apps/:app/maintenance', async (c) => {
    const body = (await jsonBody(c)) as Record<string, unknown>;
    return c.json(agent.setMaintenance(c.req.param('app'), body));
  });
  api.delete('/v1/apps/:app/maintenance', (c) => c.json(agent.setMaintenance(c.req.param('app'), null)));

  api.post('/v1/apps/:app/probe', async (c) => c.json({ results: await agent.probeNow(c.req.param('app')) }));
  api.get('/v1/apps/:app/instances/:id/logs', (c) => {
    const lines = Number(c.req.query('lines') ?? '100');
    return c.json({ lines: agent.logs(c.req.param('app'), c.req.param('id'), lines) });
  });

  api.get('/v1/apps/:app/stats', (c) => c.json(agent.stats(c.req.param('app'))));
  api.get('/v1/apps/:app/stats/stream', (c) => {
    const app = c.req.param('app');
    agent.get(app);
    return streamSSE(c, async (stream) => {
      let closed = false;
      const pending: string[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = agent.subscribe(app, (bucket) => {
        // A slow reader must not make the agent buffer without bound: keep the newest few seconds.
        if (pending.length >= 100) pending.shift();
        pending.push(JSON.stringify(bucket));
        wake?.();
      });
      stream.onAbort(() => {
        closed = true;
        wake?.();
      });
      try {
        while (!closed) {
          const data = pending.shift();
          if (data !== undefined) await stream.writeSSE({ event: 'bucket', data });
          else await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        unsubscribe();
      }
    });
  });

  api.post('/v1/shutdown', (c) => {
    setImmediate(opts.onShutdown);
    return c.json({ stopping: true });
  });

  return api;
}
