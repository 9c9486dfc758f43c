// Releases: start one, read them, and act on the one in progress (promote, pause, resume, abort, retry,
// rollback). Each write is one call to the core's Operations, as the caller.
import type { Release } from '../../engine/model.js';
import { queryInt } from './input.js';
import { releaseView, requireApp, requireRelease } from './lookup.js';
import { route, type Route, type RouteRequest } from './route.js';
import { summarizeRelease } from '../../engine/status.js';
import {
  approveBody,
  deployBody,
  optionalReasonBody,
  promoteBody,
  requiredReasonBody,
  rollbackBody,
} from './schemas.js';

const envOf = (body: { environment?: string | undefined }): { environment: string | null } => ({
  environment: body.environment ?? null,
});

const RELEASE_ANSWER = '`{release, summary}`: the release record and its summary (step, weights, triggers)';

/**
 * Runs an operation on an app that must exist (404 otherwise, rather than "no release in progress") and answers
 * the release it returns. Wakes the event streams: a new release's events are stored outside the engine.
 */
async function act(request: RouteRequest<unknown>, operation: () => Promise<Release>): Promise<unknown> {
  await requireApp(request.deps.ctx, request.param('app'));
  const release = await operation();
  request.deps.notify();
  return releaseView(request.deps.ctx, release);
}

export const releaseRoutes: Route[] = [
  route({
    id: 'deploy',
    method: 'post',
    path: '/v1/apps/{app}/releases',
    access: 'deploy',
    tag: 'releases',
    summary: 'Start a release of a version',
    body: deployBody,
    success: { status: 201, description: RELEASE_ANSWER },
    errors: [404, 409, 422],
    handle: (r) =>
      act(r, () =>
        r.deps.ctx.ops.deploy({
          app: r.param('app'),
          version: r.body.version,
          actor: r.actor,
          reason: r.body.reason ?? null,
          environment: r.body.environment ?? null,
          emergency: r.body.emergency ?? null,
          commitTime: r.body.commitTime ?? null,
          commit: r.body.commit ?? null,
        }),
      ),
  }),
  route({
    id: 'listReleases',
    method: 'get',
    path: '/v1/apps/{app}/releases',
    access: 'read',
    tag: 'releases',
    summary: 'Releases of an app, newest first',
    parameters: [
      { name: 'limit', in: 'query', type: 'integer', description: 'At most this many (1-1000, default 50).' },
    ],
    success: { status: 200, description: '`{releases: ReleaseSummary[]}`' },
    errors: [404],
    handle: async ({ c, deps, param }) => {
      const app = await requireApp(deps.ctx, param('app'));
      const releases = await deps.ctx.store.listReleases({
        app: app.name,
        limit: queryInt(c, 'limit', 1, 1000) ?? 50,
      });
      const now = deps.ctx.clock.now();
      return { releases: releases.map((r) => summarizeRelease(deps.ctx.engine.get(r.id) ?? r, now)) };
    },
  }),
  route({
    id: 'getRelease',
    method: 'get',
    path: '/v1/releases/{id}',
    access: 'read',
    tag: 'releases',
    summary: 'One release with its plan and summary',
    success: { status: 200, description: RELEASE_ANSWER },
    errors: [404],
    handle: async ({ deps, param }) => {
      const id = Number(param('id'));
      return releaseView(deps.ctx, await requireRelease(deps.ctx, Number.isSafeInteger(id) ? id : -1));
    },
  }),
  route({
    id: 'promote',
    method: 'post',
    path: '/v1/apps/{app}/promote',
    access: 'deploy',
    tag: 'releases',
    summary: 'Finish the current step now (or, with full, skip to promotion)',
    body: promoteBody,
    success: { status: 200, description: RELEASE_ANSWER },
    errors: [404, 409],
    handle: (r) =>
      act(r, () => r.deps.ctx.ops.promote(r.param('app'), r.actor, r.body.full ?? false, envOf(r.body))),
  }),
  route({
    id: 'pause',
    method: 'post',
    path: '/v1/apps/{app}/pause',
    access: 'deploy',
    tag: 'releases',
    summary: 'Pause the release in progress: steps stop advancing, timers stop',
    body: optionalReasonBody,
    success: { status: 200, description: RELEASE_ANSWER },
    errors: [404, 409],
    handle: (r) =>
      act(r, () => r.deps.ctx.ops.pause(r.param('app'), r.actor, r.body.reason ?? null, envOf(r.body))),
  }),
  route({
    id: 'resume',
    method: 'post',
    path: '/v1/apps/{app}/resume',
    access: 'deploy',
    tag: 'releases',
    summary: 'Resume a paused release',
    body: optionalReasonBody,
    success: { status: 200, description: RELEASE_ANSWER },
    errors: [404, 409],
    handle: (r) =>
      act(r, () => r.deps.ctx.ops.resume(r.param('app'), r.actor, r.body.reason ?? null, envOf(r.body))),
  }),
  route({
    id: 'abort',
    method: 'post',
    path: '/v1/apps/{app}/abort',
    access: 'deploy',
    tag: 'releases',
    summary: 'Abort the release in progress: back to the previous version, recorded as aborted',
    body: requiredReasonBody,
    success: { status: 200, description: RELEASE_ANSWER },
    errors: [404, 409],
    handle: (r) => act(r, () => r.deps.ctx.ops.abort(r.param('app'), r.actor, r.body.reason, envOf(r.body))),
  }),
  route({
    id: 'retry',
    method: 'post',
    path: '/v1/apps/{app}/retry',
    access: 'deploy',
    tag: 'releases',
    summary: 'A new release of the version the last release failed or aborted',
    body: optionalReasonBody,
    success: { status: 201, description: RELEASE_ANSWER },
    errors: [404, 409, 422],
    handle: (r) =>
      act(r, () => r.deps.ctx.ops.retry(r.param('app'), r.actor, r.body.reason ?? null, envOf(r.body))),
  }),
  route({
    id: 'rollback',
    method: 'post',
    path: '/v1/apps/{app}/rollback',
    access: 'deploy',
    tag: 'releases',
    summary: 'Abort the release in progress, or release the previous revision (or toRevision)',
    body: rollbackBody,
    success: { status: 200, description: RELEASE_ANSWER },
    errors: [404, 409, 422],
    handle: (r) =>
      act(r, () =>
        r.deps.ctx.ops.rollback(r.param('app'), r.actor, r.body.reason, r.body.toRevision, envOf(r.body)),
      ),
  }),
  route({
    id: 'approve',
    method: 'post',
    path: '/v1/apps/{app}/approve',
    access: 'approve',
    tag: 'releases',
    summary: 'Approve the step the release in progress waits at (an approval gate)',
    description:
      'Counts toward the approvals the step needs: distinct people with one of its roles, unexpired; the person who started the release does not count unless the policy allows it.',
    body: approveBody,
    success: { status: 200, description: RELEASE_ANSWER },
    errors: [404, 409],
    handle: (r) =>
      act(r, () =>
        r.deps.ctx.ops.approve({
          app: r.param('app'),
          actor: r.actor,
          reason: r.body.reason,
          environment: r.body.environment ?? null,
          releaseId: r.body.release ?? null,
        }),
      ),
  }),
];
