// Hands-on control outside a release: probe an app's instances now, and move traffic by hand. Both are
// recorded as events with the caller and wake the event streams.
import { assertEnvironment } from '../../engine/authority.js';
import { resolveEnvironment, specForEnvironment } from '../../spec/environment.js';
import { ConflictError, InvalidInputError, UnsupportedError } from '../../errors.js';
import { requireApp } from './lookup.js';
import { route, type Route } from './route.js';
import { trafficBody } from './schemas.js';

export const trafficRoutes: Route[] = [
  route({
    id: 'healthCheck',
    method: 'post',
    path: '/v1/apps/{app}/health-check',
    access: 'read',
    tag: 'traffic',
    summary: "Run every instance's readiness and liveness probes now (local target)",
    description: 'Changes nothing; records a `health.checked` event with the summary and who asked.',
    parameters: [
      {
        name: 'env',
        in: 'query',
        type: 'string',
        description: 'The environment (when the app has several).',
      },
    ],
    success: { status: 200, description: '`{app, healthy, summary, results}`' },
    errors: [404, 422, 502],
    handle: async ({ c, deps, actor, param }) => {
      const { ctx } = deps;
      const app = await requireApp(ctx, param('app'));
      if (!ctx.agent) throw new UnsupportedError('health checks on demand', ctx.target.name);
      const spec = specForEnvironment(app.spec, resolveEnvironment(app.spec, c.req.query('env') ?? null));
      const { results } = await ctx.agent.probe(spec.name);
      const failing = (probe: { ok: boolean } | null): boolean => probe !== null && !probe.ok;
      const summary = {
        instances: results.length,
        ready: results.filter((r) => r.readiness?.ok !== false).length,
        live: results.filter((r) => r.liveness?.ok !== false).length,
        failing: results.filter((r) => failing(r.readiness) || failing(r.liveness)).map((r) => r.instance),
      };
      const healthy = summary.failing.length === 0;
      await ctx.store.appendEvent({
        app: app.name,
        releaseId: null,
        actor,
        action: 'health.checked',
        reason: null,
        data: { healthy, ...summary },
      });
      deps.notify();
      return { app: app.name, healthy, summary, results };
    },
  }),
  route({
    id: 'switchTraffic',
    method: 'post',
    path: '/v1/apps/{app}/traffic',
    access: 'deploy',
    tag: 'traffic',
    summary: 'Move a share of traffic to a running version by hand (not during a release)',
    description:
      'Weights become `{to: percentage, live: 100 - percentage}`. Refused (409) while a release is in progress, ' +
      'when the app has no live version, or when `to` has no ready instances. Recorded as `traffic.switched`.',
    body: trafficBody,
    success: { status: 200, description: '`{app, live, weights}`' },
    errors: [404, 409],
    handle: async ({ deps, actor, param, body }) => {
      const { ctx } = deps;
      const app = await requireApp(ctx, param('app'));
      const environment = resolveEnvironment(app.spec, body.environment ?? null);
      assertEnvironment(actor, environment);
      const spec = specForEnvironment(app.spec, environment);
      const active = await ctx.ops.activeRelease(app.name, { environment });
      if (active) {
        throw new ConflictError(
          `release ${active.id} of ${app.name} is in progress; use promote, pause or abort`,
          {
            releaseId: active.id,
          },
        );
      }
      const live = await ctx.store.currentRevision(app.name, environment);
      if (!live) throw new ConflictError(`${app.name} has no live version yet; deploy one first`);
      if (body.to === live.version)
        throw new InvalidInputError(`${body.to} is the live version; name another one`);
      const observed = await ctx.target.observe(spec.name);
      const set = observed.versionSets.find((s) => s.version === body.to);
      if (body.percentage > 0 && (!set || set.ready === 0)) {
        throw new ConflictError(`${body.to} has no ready instances of ${app.name}`, { version: body.to });
      }
      const weights = { [body.to]: body.percentage, [live.version]: 100 - body.percentage };
      await ctx.target.setTraffic(spec, { weights, stable: live.version, headerRoutes: [] });
      await ctx.store.appendEvent({
        app: app.name,
        releaseId: null,
        actor,
        action: 'traffic.switched',
        reason: body.reason,
        data: { to: body.to, percentage: body.percentage, live: live.version, weights, environment },
      });
      deps.notify();
      return { app: app.name, live: live.version, weights };
    },
  }),
];
