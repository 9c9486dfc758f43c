// Validation of what the admin API accepts, with defaults filled once: raw JSON in, AppDesired out.
// A person can PUT a small document; the controller sends complete ones. Unknown fields are refused.
import { z } from 'zod';
import { InvalidInputError } from '../../../errors.js';
import type { AppDesired, TrafficSpec, VersionSetSpec } from '../types.js';

const name = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and dashes');
const versionName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, dot, dash, underscore');
const ms = z.number().int().min(0);
const argv = z.array(z.string()).min(1, 'an argv array with at least the program');

const probe = z
  .strictObject({
    http: z
      .strictObject({ path: z.string().startsWith('/'), expectStatus: z.number().int().optional() })
      .optional(),
    tcp: z.strictObject({}).optional(),
    exec: z.strictObject({ command: argv }).optional(),
    initialDelayMs: ms.default(0),
    periodMs: z.number().int().min(50).default(1000),
    timeoutMs: z.number().int().min(10).default(1000),
    successThreshold: z.number().int().min(1).default(1),
    failureThreshold: z.number().int().min(1).default(3),
  })
  .refine((p) => [p.http, p.tcp, p.exec].filter(Boolean).length === 1, 'exactly one of http, tcp, exec');

export const versionSetSchema = z.strictObject({
  version: versionName,
  instances: z.number().int().min(0).max(256),
  run: z.strictObject({
    command: argv,
    cwd: z.string().optional(),
    env: z.record(z.string(), z.string()).optional(),
  }),
  readiness: probe.optional(),
  liveness: probe.optional(),
  drainTimeoutMs: ms.default(10_000),
  stopGraceMs: ms.default(5_000),
});

const match = z.strictObject({
  name: z.string().min(1),
  value: z.string().optional(),
  regex: z.string().optional(),
});

export const trafficSchema = z
  .strictObject({
    weights: z.record(versionName, z.number().min(0).max(100)).default({}),
    stable: versionName.optional(),
    headerRoutes: z
      .array(
        z
          .strictObject({ header: match.optional(), cookie: match.optional(), version: versionName })
          .refine((r) => Boolean(r.header) !== Boolean(r.cookie), 'exactly one of header, cookie'),
      )
      .default([]),
    previewHeader: z.string().min(1).default('x-greenlight-version'),
    sticky: z.strictObject({ cookie: z.string().min(1), ttlSeconds: z.number().int().min(1) }).optional(),
    mirror: z.strictObject({ version: versionName, percent: z.number().min(0).max(100) }).optional(),
    maintenance: z
      .strictObject({
        mode: z.enum(['reject', 'hold']),
        retryAfterSeconds: z.number().int().min(0).default(30),
        holdMs: ms.default(10_000),
      })
      .optional(),
    retryOnStable: z.boolean().default(false),
  })
  .refine((t) => !t.retryOnStable || t.stable !== undefined, {
    message: 'retryOnStable needs a stable version',
    path: ['stable'],
  });

export const limitsSchema = z.strictObject({
  maxHeaderBytes: z
    .number()
    .int()
    .min(1024)
    .default(16 * 1024),
  maxBodyBytes: z
    .number()
    .int()
    .min(0)
    .default(10 * 1024 * 1024),
  headersTimeoutMs: z.number().int().min(100).default(10_000),
  upstreamTimeoutMs: z.number().int().min(100).default(30_000),
  keepAliveTimeoutMs: z.number().int().min(100).default(5_000),
});

export const appDesiredSchema = z
  .strictObject({
    name,
    listen: z.strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535),
    }),
    versions: z.array(versionSetSchema).default([]),
    traffic: trafficSchema.default(() => trafficSchema.parse({})),
    limits: limitsSchema.default(() => limitsSchema.parse({})),
  })
  .refine((a) => new Set(a.versions.map((v) => v.version)).size === a.versions.length, {
    message: 'each version appears once',
    path: ['versions'],
  });

function parse<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => ({
    path: i.path.join('.') || '(root)',
    message: i.message,
  }));
  const first = problems[0];
  throw new InvalidInputError(`invalid ${what}: ${first ? `${first.path}: ${first.message}` : 'malformed'}`, {
    problems,
  });
}

export const parseAppDesired = (input: unknown): AppDesired => parse(appDesiredSchema, input, 'app');
export const parseTraffic = (input: unknown): TrafficSpec => parse(trafficSchema, input, 'traffic');
export const parseVersionSet = (input: unknown): VersionSetSpec =>
  parse(versionSetSchema, input, 'version set');

/** What a client may send: the same shapes with every defaulted field optional. */
export type AppDesiredInput = z.input<typeof appDesiredSchema>;
export type TrafficInput = z.input<typeof trafficSchema>;
export type VersionSetInput = z.input<typeof versionSetSchema>;
