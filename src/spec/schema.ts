// The spec schema: the raw shape of greenlight.yaml, before defaults. One source for validation and for
// the published JSON Schema, so editors and `greenlight validate` agree on what a field may hold.
import { z } from 'zod';
import { API_VERSION } from './compiled.js';
import { duration, fields, bool, size, stringMap, text } from './schema-kit.js';
import { healthSchema, targetSchema } from './schema-target.js';
import { analysisSchema } from './schema-analysis.js';
import {
  environmentsSchema,
  gatesSchema,
  hooksSchema,
  notificationsSchema,
  secretsSchema,
} from './schema-runbook.js';
import { strategySchema, triggersSchema } from './schema-strategy.js';
import type { stepSchema } from './schema-strategy.js';
import {
  COOKIE_EXPECTED,
  DNS_LABEL,
  DNS_LABEL_EXPECTED,
  HEADER_EXPECTED,
  LABEL_KEY,
  LABEL_KEY_EXPECTED,
  LABEL_VALUE_EXPECTED,
  TOKEN,
} from './names.js';

export const KIND = 'App';

const limitsSchema = fields({
  maxHeaderSize: size(1024)
    .optional()
    .meta({ description: 'Largest request head accepted.', default: '16KiB' }),
  maxBodySize: size().optional().meta({ description: 'Largest request body accepted.', default: '10MiB' }),
  headersTimeout: duration('100ms')
    .optional()
    .meta({ description: 'Time a client has to send the request headers.', default: '10s' }),
  upstreamTimeout: duration('100ms')
    .optional()
    .meta({ description: 'Time an instance has to answer with response headers.', default: '30s' }),
  keepAliveTimeout: duration('100ms')
    .optional()
    .meta({ description: 'Idle time before a client connection is closed.', default: '5s' }),
}).meta({ description: 'Limits of the router in front of the app.' });

const trafficSchema = fields({
  previewHeader: text(HEADER_EXPECTED, TOKEN).optional().meta({
    description: 'A request with this header naming a running version goes to it.',
    default: 'x-greenlight-version',
  }),
  sticky: fields({
    cookie: text(COOKIE_EXPECTED, TOKEN).meta({ description: 'Cookie that pins a user to a version.' }),
    ttl: duration('1s').optional().meta({ description: 'Lifetime of the cookie.', default: '1h' }),
  })
    .optional()
    .meta({ description: 'Keep each user on the version they first got (default: off).' }),
  retryOnStable: bool().optional().meta({
    description: 'Retry an idempotent request on the stable version when the new one fails it.',
    default: false,
  }),
  limits: limitsSchema.optional(),
}).meta({ description: 'How the router treats requests.' });

export const specBodySchema = fields({
  target: targetSchema,
  health: healthSchema.optional(),
  traffic: trafficSchema.optional(),
  strategy: strategySchema.optional(),
  progressDeadline: duration('1s').optional().meta({
    description: 'A release that has not finished a step within this time rolls back.',
    default: '10m',
  }),
  rollbackTriggers: triggersSchema.optional(),
  analysis: analysisSchema.optional(),
  gates: gatesSchema.optional(),
  hooks: hooksSchema.optional(),
  notifications: notificationsSchema.optional(),
  secrets: secretsSchema.optional(),
  environments: environmentsSchema.optional(),
}).meta({ description: 'What the app is and how it is released.' });

export const appSchema = fields({
  apiVersion: z
    .literal(API_VERSION, { error: JSON.stringify(API_VERSION) })
    .meta({ description: 'Version of this file format.' }),
  kind: z.literal(KIND, { error: JSON.stringify(KIND) }).meta({ description: 'Always App.' }),
  metadata: fields({
    name: text(DNS_LABEL_EXPECTED, DNS_LABEL).meta({ description: 'Name of the app.', examples: ['shop'] }),
    labels: stringMap(LABEL_KEY_EXPECTED, LABEL_KEY, LABEL_VALUE_EXPECTED)
      .optional()
      .meta({ description: 'Free-form labels.', examples: [{ team: 'payments' }] }),
  }).meta({ description: 'Name and labels of the app.' }),
  spec: specBodySchema,
}).meta({ title: 'Greenlight App', description: 'A Greenlight app spec (greenlight.yaml).' });

export type RawApp = z.output<typeof appSchema>;
export type RawSpec = RawApp['spec'];
export type RawStep = z.output<typeof stepSchema>;
