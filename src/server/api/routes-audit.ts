// The audit of the event log: verify its hash chain (naming the first event altered or removed), and export it
// as JSON lines, oldest first, streamed page by page.
import { auditVerdict, exportEvents } from '../../report/audit.js';
import { parseSince } from '../../report/period.js';
import { requireApp } from './lookup.js';
import { route, type Route } from './route.js';

/** Events read per page while exporting. */
const EXPORT_PAGE = 500;

export const auditRoutes: Route[] = [
  route({
    id: 'verifyAudit',
    method: 'get',
    path: '/v1/audit/verify',
    access: 'read',
    tag: 'events',
    summary: 'Verify the hash chain of the event log',
    description:
      'Walks every event in id order. `ok` false names the first problem: `firstBad.id` and `firstBad.problem` ' +
      '(altered, missing or broken-link), and `message` says it in words.',
    success: { status: 200, description: '`{ok, checked, firstBad?: {id, problem}, message}`' },
    handle: async ({ deps }) => auditVerdict(await deps.ctx.store.verifyChain()),
  }),
  route({
    id: 'exportAudit',
    method: 'get',
    path: '/v1/audit/export',
    access: 'read',
    tag: 'events',
    summary: 'Export the event log as JSON lines, oldest first',
    description: 'One event per line, with its hashes, so the chain can be checked elsewhere.',
    parameters: [
      { name: 'app', in: 'query', type: 'string', description: 'Only the events of this app.' },
      {
        name: 'since',
        in: 'query',
        type: 'string',
        description:
          'Only events from then on: a duration back from now (30d, 12h) or a date (default: all).',
      },
    ],
    success: { status: 200, description: 'Events as JSON lines', contentType: 'application/x-ndjson' },
    errors: [400, 404],
    handle: async ({ c, deps }) => {
      const app = c.req.query('app') || undefined;
      const sinceText = c.req.query('since') || undefined;
      const now = deps.ctx.clock.now();
      const since = sinceText === undefined ? undefined : now - parseSince(sinceText, now);
      if (app !== undefined) await requireApp(deps.ctx, app);
      const events = exportEvents(
        deps.ctx.store,
        { ...(app === undefined ? {} : { app }), ...(since === undefined ? {} : { since }) },
        EXPORT_PAGE,
      );
      const encoder = new TextEncoder();
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          // One page's worth of lines per pull, so a slow reader holds back the reads from the store.
          const lines: string[] = [];
          for (let i = 0; i < EXPORT_PAGE; i++) {
            const next = await events.next();
            if (next.done) {
              if (lines.length > 0) controller.enqueue(encoder.encode(lines.join('')));
              controller.close();
              return;
            }
            lines.push(JSON.stringify(next.value) + '\n');
          }
          controller.enqueue(encoder.encode(lines.join('')));
        },
        async cancel() {
          await events.return(undefined);
        },
      });
      return new Response(stream, {
        headers: { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' },
      });
    },
  }),
];
