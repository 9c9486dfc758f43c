// Open routes, no token needed: liveness, Prometheus metrics and the OpenAPI document.
import { route, type Route } from './route.js';

export const systemRoutes: Route[] = [
  route({
    id: 'health',
    method: 'get',
    path: '/healthz',
    access: 'open',
    tag: 'system',
    summary: 'Liveness of the controller',
    success: { status: 200, description: '`{ok: true, version}`' },
    handle: async ({ deps }) => ({ ok: true, version: deps.ctx.version }),
  }),
  route({
    id: 'metrics',
    method: 'get',
    path: '/metrics',
    access: 'open',
    tag: 'system',
    summary: 'Prometheus metrics of the controller',
    success: { status: 200, description: 'Prometheus text exposition format', contentType: 'text/plain' },
    handle: async ({ c, deps }) =>
      c.body(await deps.ctx.metrics.text(), 200, { 'content-type': deps.ctx.metrics.contentType }),
  }),
  route({
    id: 'openapi',
    method: 'get',
    path: '/openapi.json',
    access: 'open',
    tag: 'system',
    summary: 'This API, as an OpenAPI 3.1 document',
    success: { status: 200, description: 'The OpenAPI document' },
    handle: async ({ deps }) => deps.openapi(),
  }),
];
