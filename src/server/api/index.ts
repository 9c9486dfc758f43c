// The controller's HTTP API: one route table (routes-*.ts), each route authenticated by the access it names,
// every failure answered by one error handler. Open routes: /healthz, /metrics, /openapi.json; /v1 needs a token.
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { CONTROLLER } from '../../engine/model.js';
import { NotFoundError } from '../../errors.js';
import { actorOf, authenticate, authorize } from '../auth.js';
import type { ControllerContext } from '../context.js';
import { onApiError } from './errors.js';
import { readBody } from './input.js';
import { openApiDocument } from './openapi.js';
import { honoPath, type ApiDeps, type Route } from './route.js';
import { analysisRoutes } from './routes-analysis.js';
import { appRoutes } from './routes-apps.js';
import { auditRoutes } from './routes-audit.js';
import { eventRoutes } from './routes-events.js';
import { releaseRoutes } from './routes-releases.js';
import { reportRoutes } from './routes-report.js';
import { systemRoutes } from './routes-system.js';
import { tokenRoutes } from './routes-tokens.js';
import { trafficRoutes } from './routes-traffic.js';

/** Every route of the API, in the order the OpenAPI document lists them. */
export const API_ROUTES: readonly Route[] = [
  ...systemRoutes,
  ...appRoutes,
  ...releaseRoutes,
  ...analysisRoutes,
  ...eventRoutes,
  ...trafficRoutes,
  ...reportRoutes,
  ...auditRoutes,
  ...tokenRoutes,
];

export interface ApiHooks {
  /** Wakes the event streams; called after writes that append events outside the engine. */
  notify: () => void;
  /** Where unexpected errors (bugs) are reported; default stderr. */
  logError?: (error: unknown) => void;
}

export function createControllerApi(ctx: ControllerContext, hooks: ApiHooks): Hono {
  let document: unknown;
  const deps: ApiDeps = {
    ctx,
    notify: hooks.notify,
    openapi: () => (document ??= openApiDocument(API_ROUTES, ctx.version)),
  };
  const app = new Hono();
  app.onError(
    onApiError(hooks.logError ?? ((error) => console.error('greenlight api: unexpected error', error))),
  );
  app.notFound((c) => {
    throw new NotFoundError(`route ${c.req.method} ${c.req.path}`);
  });

  for (const r of API_ROUTES) {
    app.on(r.method.toUpperCase(), honoPath(r.path), async (c) => {
      let actor = CONTROLLER;
      if (r.access !== 'open') {
        const token = await authenticate(ctx.store, c.req.header('authorization'));
        authorize(token, r.access);
        actor = actorOf(token);
      }
      const body = r.body ? await readBody(c, r.body) : undefined;
      const result = await r.handle({ c, deps, actor, body, param: (name) => c.req.param(name) ?? '' });
      if (result instanceof Response) return result;
      return c.json(result as object, r.success.status as ContentfulStatusCode);
    });
  }
  return app;
}
