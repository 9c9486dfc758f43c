// Events: pages of the append-only log (per app or all), and the live stream (Server-Sent Events).
import type { Context } from 'hono';
import { InvalidInputError } from '../../errors.js';
import type { EventQuery } from '../../store/store.js';
import { eventStream } from './event-stream.js';
import { queryInt } from './input.js';
import { requireApp } from './lookup.js';
import { route, type Parameter, type Route } from './route.js';

const MAX_ID = Number.MAX_SAFE_INTEGER;

const pageParameters: Parameter[] = [
  { name: 'after', in: 'query', type: 'integer', description: 'Only events with a greater id (default 0).' },
  { name: 'limit', in: 'query', type: 'integer', description: 'At most this many (1-1000, default 100).' },
  { name: 'release', in: 'query', type: 'integer', description: 'Only the events of this release.' },
];

function page(c: Context): EventQuery {
  const release = queryInt(c, 'release', 1, MAX_ID);
  return {
    afterId: queryInt(c, 'after', 0, MAX_ID) ?? 0,
    limit: queryInt(c, 'limit', 1, 1000) ?? 100,
    ...(release === undefined ? {} : { releaseId: release }),
  };
}

function lastEventId(c: Context): number | undefined {
  const header = c.req.header('last-event-id');
  if (header === undefined || header === '') return undefined;
  const id = Number(header);
  if (!Number.isSafeInteger(id) || id < 0)
    throw new InvalidInputError(`Last-Event-ID ${header}: expected an event id`);
  return id;
}

export const eventRoutes: Route[] = [
  route({
    id: 'listAppEvents',
    method: 'get',
    path: '/v1/apps/{app}/events',
    access: 'read',
    tag: 'events',
    summary: 'Events of an app, oldest first; page forward with after',
    parameters: pageParameters,
    success: { status: 200, description: '`{events: Event[]}`' },
    errors: [404],
    handle: async ({ c, deps, param }) => {
      const app = await requireApp(deps.ctx, param('app'));
      return { events: await deps.ctx.store.listEvents({ ...page(c), app: app.name }) };
    },
  }),
  route({
    id: 'listEvents',
    method: 'get',
    path: '/v1/events',
    access: 'read',
    tag: 'events',
    summary: 'Every event, oldest first; page forward with after',
    parameters: pageParameters,
    success: { status: 200, description: '`{events: Event[]}`' },
    handle: async ({ c, deps }) => ({ events: await deps.ctx.store.listEvents(page(c)) }),
  }),
  route({
    id: 'streamEvents',
    method: 'get',
    path: '/v1/events/stream',
    access: 'read',
    tag: 'events',
    summary: 'Live events as Server-Sent Events',
    description:
      'Sends the stored events after Last-Event-ID (or `after`), then new ones as they are stored. Each message has ' +
      '`id:` (the event id) and `data:` (the event as JSON); a comment line every 15 s keeps the connection alive.',
    parameters: [
      { name: 'app', in: 'query', type: 'string', description: 'Only the events of this app.' },
      { name: 'release', in: 'query', type: 'integer', description: 'Only the events of this release.' },
      { name: 'after', in: 'query', type: 'integer', description: 'Start after this event id (default 0).' },
      {
        name: 'Last-Event-ID',
        in: 'header',
        type: 'integer',
        description: 'Resume after this event id (wins over after).',
      },
    ],
    success: { status: 200, description: 'An event stream', contentType: 'text/event-stream' },
    errors: [404],
    handle: async ({ c, deps }) => {
      const app = c.req.query('app');
      if (app) await requireApp(deps.ctx, app);
      const release = queryInt(c, 'release', 1, MAX_ID);
      const stream = eventStream({
        store: deps.ctx.store,
        filter: { ...(app ? { app } : {}), ...(release === undefined ? {} : { releaseId: release }) },
        afterId: lastEventId(c) ?? queryInt(c, 'after', 0, MAX_ID) ?? 0,
        onEvents: deps.ctx.onEvents,
      });
      return new Response(stream, {
        headers: {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          'x-accel-buffering': 'no',
        },
      });
    },
  }),
];
