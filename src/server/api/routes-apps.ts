// Apps: apply and validate specs, list apps with their status, plan a release, list live revisions.
import { environmentNames, resolveEnvironment, specForEnvironment } from '../../spec/environment.js';
import { compileSpecText } from '../../spec/load.js';
import { SpecError } from '../../spec/spec-error.js';
import { requiredQuery } from './input.js';
import { requireApp, statusView } from './lookup.js';
import { route, type Parameter, type Route } from './route.js';
import { specSourceBody } from './schemas.js';

const ENV_PARAMETER: Parameter = {
  name: 'env',
  in: 'query',
  type: 'string',
  description: 'The environment (default: the only one, or the first with a release in progress).',
};

export const appRoutes: Route[] = [
  route({
    id: 'applyApp',
    method: 'post',
    path: '/v1/apps',
    // A spec holds the gates (approvals, windows, promotion rules): changing it is an admin's act.
    access: 'admin',
    tag: 'apps',
    summary: 'Apply a spec',
    description:
      'Compiles the spec, stores it (a new spec revision only when it changed, recorded as `app.applied`) and ' +
      'makes the app exist on the target. A spec that does not compile answers 400 with `details.problems`.',
    body: specSourceBody,
    success: { status: 200, description: '`{name, specRevision, changed}`' },
    errors: [422],
    handle: async ({ deps, actor, body }) => {
      const spec = compileSpecText(body.text, body.file);
      const { record, changed } = await deps.ctx.store.putApp(spec, body.text, {
        app: spec.name,
        releaseId: null,
        actor,
        action: 'app.applied',
        reason: null,
        data: { file: body.file },
      });
      // Each environment runs as its own app on the target (its own listen address and routing options).
      for (const environment of environmentNames(spec))
        await deps.ctx.target.ensureApp(specForEnvironment(spec, environment));
      if (changed) deps.notify();
      return { name: record.name, specRevision: record.specRevision, changed };
    },
  }),
  route({
    id: 'validateSpec',
    method: 'post',
    path: '/v1/validate',
    access: 'read',
    tag: 'apps',
    summary: 'Check a spec without storing it',
    body: specSourceBody,
    success: {
      status: 200,
      description: '`{ok, problems}`; each problem has file, line, column, path, message',
    },
    handle: async ({ body }) => {
      try {
        compileSpecText(body.text, body.file);
        return { ok: true, problems: [] };
      } catch (error) {
        if (error instanceof SpecError) return { ok: false, problems: error.problems };
        throw error;
      }
    },
  }),
  route({
    id: 'listApps',
    method: 'get',
    path: '/v1/apps',
    access: 'read',
    tag: 'apps',
    summary: 'Every app with its status',
    success: { status: 200, description: '`{apps: AppStatus[]}`' },
    handle: async ({ deps }) => {
      const records = await deps.ctx.store.listApps();
      return { apps: await Promise.all(records.map((r) => statusView(deps.ctx, r.name))) };
    },
  }),
  route({
    id: 'getApp',
    method: 'get',
    path: '/v1/apps/{app}',
    access: 'read',
    tag: 'apps',
    summary: 'Status of an app: live revision, release in progress (step, weights, triggers), instances',
    parameters: [ENV_PARAMETER],
    success: { status: 200, description: 'AppStatus' },
    errors: [404],
    handle: async ({ c, deps, param }) => statusView(deps.ctx, param('app'), c.req.query('env') ?? null),
  }),
  route({
    id: 'planRelease',
    method: 'get',
    path: '/v1/apps/{app}/plan',
    access: 'read',
    tag: 'apps',
    summary: 'The steps a release of a version would run now; changes nothing',
    parameters: [
      { name: 'version', in: 'query', type: 'string', required: true, description: 'Version to plan.' },
      ENV_PARAMETER,
      {
        name: 'emergency',
        in: 'query',
        type: 'string',
        description: 'true: plan an emergency release (approvals dropped when the policy bypasses them).',
      },
    ],
    success: {
      status: 200,
      description:
        '`{environment, fromVersion, steps, analysis, window}`: analysis describes every metric and judge; window is the deployment window verdict now',
    },
    errors: [404, 422],
    handle: async ({ c, deps, param }) =>
      deps.ctx.ops.plan(param('app'), requiredQuery(c, 'version'), {
        environment: c.req.query('env') ?? null,
        emergency: c.req.query('emergency') === 'true',
      }),
  }),
  route({
    id: 'listRevisions',
    method: 'get',
    path: '/v1/apps/{app}/revisions',
    access: 'read',
    tag: 'apps',
    summary: 'Live revisions of an app in an environment, oldest first',
    parameters: [ENV_PARAMETER],
    success: { status: 200, description: '`{environment, revisions: Revision[]}`' },
    errors: [404],
    handle: async ({ c, deps, param }) => {
      const app = await requireApp(deps.ctx, param('app'));
      const environment = resolveEnvironment(app.spec, c.req.query('env') ?? null);
      return { environment, revisions: await deps.ctx.store.listRevisions(app.name, environment) };
    },
  }),
];
