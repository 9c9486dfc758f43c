// The deployment report: DORA and runbook figures over the stored releases of a period (src/report/dora.ts).
import { computeReport } from '../../report/dora.js';
import { DEFAULT_SINCE, parseSince } from '../../report/period.js';
import { requireApp } from './lookup.js';
import { route, type Route } from './route.js';

export const reportRoutes: Route[] = [
  route({
    id: 'getReport',
    method: 'get',
    path: '/v1/report',
    access: 'read',
    tag: 'releases',
    summary: 'Deployment report: DORA and runbook figures of a period',
    description:
      'Counts the releases created in the period (matching `env` and `app`). Every figure is defined in ' +
      'docs/audit-and-report.md; a figure without data is null.',
    parameters: [
      {
        name: 'since',
        in: 'query',
        type: 'string',
        description:
          'The start of the period: a duration back from now (30d, 12h, 90m) or a date (default 30d).',
      },
      { name: 'env', in: 'query', type: 'string', description: 'Only releases in this environment.' },
      { name: 'app', in: 'query', type: 'string', description: 'Only releases of this app.' },
    ],
    success: { status: 200, description: 'The report (see docs/audit-and-report.md)' },
    errors: [400, 404],
    handle: async ({ c, deps }) => {
      const now = deps.ctx.clock.now();
      const sinceMs = parseSince(c.req.query('since') || DEFAULT_SINCE, now);
      const app = c.req.query('app') || undefined;
      const environment = c.req.query('env') || undefined;
      if (app !== undefined) await requireApp(deps.ctx, app);
      const releases = await deps.ctx.store.listReleases(app === undefined ? {} : { app });
      return computeReport({
        releases,
        now,
        sinceMs,
        ...(app === undefined ? {} : { app }),
        ...(environment === undefined ? {} : { environment }),
      });
    },
  }),
];
