// The shape of one API route: method, path, the access it needs, what it takes and answers, and its handler.
// One table of these drives both the Hono router (with authentication) and the OpenAPI document.
import type { Context } from 'hono';
import type { z } from 'zod';
import type { Actor } from '../../engine/model.js';
import type { Access } from '../auth.js';
import type { ControllerContext } from '../context.js';

export interface ApiDeps {
  ctx: ControllerContext;
  /** Wake the event streams after a write that appended events outside the engine. */
  notify: () => void;
  /** The OpenAPI document of the whole API. */
  openapi: () => unknown;
}

export interface Parameter {
  name: string;
  in: 'query' | 'header';
  type: 'string' | 'integer';
  description: string;
  required?: boolean;
}

export interface RouteRequest<B> {
  c: Context;
  deps: ApiDeps;
  /** Who calls; the system actor on open routes. */
  actor: Actor;
  body: B;
  /** A path parameter (always present: the router matched it). */
  param(name: string): string;
}

export interface RouteSpec<S extends z.ZodType | undefined> {
  /** Stable operation id, used by the OpenAPI document. */
  id: string;
  method: 'get' | 'post';
  /** OpenAPI style: `/v1/apps/{app}`. */
  path: string;
  access: Access;
  tag: 'system' | 'apps' | 'releases' | 'events' | 'traffic' | 'tokens';
  summary: string;
  description?: string;
  body?: S;
  parameters?: Parameter[];
  success: { status: 200 | 201; description: string; contentType?: string };
  /** Error statuses this route answers besides 400/401/403 (documented from body, parameters and access). */
  errors?: number[];
  /** Returns JSON-able data (sent with the success status), or a Response for other content. */
  handle(request: RouteRequest<S extends z.ZodType ? z.output<S> : undefined>): Promise<unknown>;
}

export type Route = RouteSpec<z.ZodType | undefined>;

/** Declares a route; the generic keeps the handler's body typed by the route's own schema. */
export function route<S extends z.ZodType | undefined = undefined>(spec: RouteSpec<S>): Route {
  return spec as unknown as Route;
}

/** `/v1/apps/{app}` → `/v1/apps/:app` */
export const honoPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

export const pathParams = (path: string): string[] => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
