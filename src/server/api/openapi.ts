// The OpenAPI 3.1 document, generated from the route table: paths, parameters, request bodies (from the zod
// schemas), roles and error answers. docs/openapi.json is this document, committed; a test keeps them equal.
import { z } from 'zod';
import { rolesFor } from '../auth.js';
import { pathParams, type Route } from './route.js';

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid input (GL1001); a spec that does not compile has `details.problems`',
  401: 'Missing, unknown or revoked token (GL1004)',
  403: 'The token’s role may not do this (GL1004)',
  404: 'Not found (GL1002)',
  409: 'The state does not allow it (GL1003)',
  422: 'Not supported by this target (GL1005)',
  502: 'The target or agent failed (GL2001)',
};

function bodySchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input' });
  return rest;
}

/** A body with no required field may be left out. */
function requestBody(schema: z.ZodType): Record<string, unknown> {
  const json = bodySchema(schema);
  const required = Array.isArray(json.required) && json.required.length > 0;
  return { required, content: { 'application/json': { schema: json } } };
}

function errorStatuses(r: Route): number[] {
  const statuses = new Set(r.errors ?? []);
  if (r.body || r.parameters?.some((p) => p.type === 'integer' || p.required)) statuses.add(400);
  if (r.access !== 'open') {
    statuses.add(401);
    statuses.add(403);
  }
  return [...statuses].sort((a, b) => a - b);
}

function operation(r: Route): Record<string, unknown> {
  const roles = r.access === 'open' ? null : rolesFor(r.access);
  const description = [r.description, roles ? `Roles: ${roles.join(', ')}.` : 'No token needed.']
    .filter(Boolean)
    .join('\n\n');
  const parameters = [
    ...pathParams(r.path).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...(r.parameters ?? []).map((p) => ({
      name: p.name,
      in: p.in,
      required: p.required ?? false,
      description: p.description,
      schema: { type: p.type },
    })),
  ];
  const responses: Record<string, unknown> = {
    [r.success.status]: {
      description: r.success.description,
      content: {
        [r.success.contentType ?? 'application/json']: {
          schema: r.success.contentType ? { type: 'string' } : { type: 'object' },
        },
      },
    },
  };
  for (const status of errorStatuses(r)) {
    responses[status] = {
      description: STATUS_TEXT[status] ?? 'Error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return {
    operationId: r.id,
    tags: [r.tag],
    summary: r.summary,
    description,
    ...(roles ? { security: [{ bearer: [] }], 'x-roles': roles } : { security: [] }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(r.body ? { requestBody: requestBody(r.body) } : {}),
    responses,
  };
}

export function openApiDocument(routes: readonly Route[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) (paths[r.path] ??= {})[r.method] = operation(r);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Greenlight controller API',
      version,
      description: 'Releases, apps, events and traffic of a Greenlight controller. See docs/api.md.',
    },
    servers: [{ url: 'http://127.0.0.1:7070' }],
    tags: [
      { name: 'system', description: 'Liveness, metrics, this document' },
      { name: 'apps', description: 'Specs, status, plans, revisions' },
      { name: 'releases', description: 'Start releases and act on them' },
      { name: 'events', description: 'The event log, paged or live' },
      { name: 'traffic', description: 'Health checks and manual traffic control' },
      { name: 'tokens', description: 'API tokens: create, list, revoke (admin)' },
    ],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A Greenlight API token' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['code', 'message', 'details'],
          properties: {
            code: { type: 'string', examples: ['GL1003'] },
            message: { type: 'string' },
            details: { type: 'object' },
          },
        },
      },
    },
  };
}
