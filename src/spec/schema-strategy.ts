// The spec schema, part two: how a release proceeds (rolling, blue-green or canary) and the standing
// rollback triggers. Rules across fields (exactly one strategy, how weights end) are in checks.ts.
import { z } from 'zod';
import { DNS_LABEL, DNS_LABEL_EXPECTED, HEADER_EXPECTED, TOKEN, COOKIE_EXPECTED } from './names.js';
import { analysisRefSchema } from './schema-analysis.js';
import { bool, decimal, duration, fields, integer, pattern, text } from './schema-kit.js';

const DEFAULTS_NOTE = '{} for the defaults';

export const PERCENT = /^(100|[1-9]?[0-9])%$/;
const surgeExpected = 'a number of instances, or a percentage of them such as "25%"';
const surge = () =>
  z.union([
    z.number({ error: surgeExpected }).int({ error: surgeExpected }).min(0, { error: surgeExpected }),
    z.string({ error: surgeExpected }).regex(PERCENT, { error: surgeExpected }),
  ]);

export const rollingSchema = fields(
  {
    maxSurge: surge().optional().meta({
      description: 'Extra instances above the desired count during the update ("%" rounds up).',
      default: 1,
    }),
    maxUnavailable: surge()
      .optional()
      .meta({ description: 'Instances allowed below the desired count ("%" rounds down).', default: 0 }),
  },
  DEFAULTS_NOTE,
).meta({ description: 'Replace instances in batches. maxSurge and maxUnavailable may not both be 0.' });

const httpCheckSchema = fields({
  name: text(DNS_LABEL_EXPECTED, DNS_LABEL).meta({ description: 'Name shown in status and history.' }),
  path: text('a path starting with /', /^\//).meta({
    description: 'Path requested through the preview route.',
  }),
  method: z
    .enum(['GET', 'HEAD', 'POST'], { error: 'one of: GET, HEAD, POST' })
    .optional()
    .meta({ description: 'HTTP method.', default: 'GET' }),
  expectStatus: integer(100, 599).optional().meta({ description: 'Status that passes.', default: 200 }),
  expectBody: z
    .string({ error: 'a string' })
    .optional()
    .meta({ description: 'A substring the body must contain.', examples: ['ok'] }),
  timeout: duration('1ms').optional().meta({ description: 'Time one attempt may take.', default: '2s' }),
  retries: integer(0, 100)
    .optional()
    .meta({ description: 'Attempts after the first failed one.', default: 2 }),
}).meta({ id: 'HttpCheck', description: 'An HTTP check against the new version before it gets users.' });

export const blueGreenSchema = fields(
  {
    prePromotionChecks: z
      .array(httpCheckSchema, { error: 'a list of checks' })
      .optional()
      .meta({ description: 'Checks through the preview route before the switch.', default: [] }),
    autoPromote: bool().optional().meta({
      description: 'Switch as soon as the checks pass; false waits for greenlight promote.',
      default: true,
    }),
    postPromotionWatch: duration()
      .optional()
      .meta({ description: 'Watch the rollback triggers this long after the switch.', default: '30s' }),
    scaleDownDelay: duration()
      .optional()
      .meta({ description: 'Keep the old version running this long after the switch.', default: '30s' }),
    prePromotionAnalysis: analysisRefSchema.optional().meta({
      description: 'Analysis of the preview before the switch (it has no user traffic yet).',
    }),
    postPromotionAnalysis: analysisRefSchema.optional().meta({
      description: 'Analysis after the switch, while the old version is still warm.',
    }),
  },
  DEFAULTS_NOTE,
).meta({ description: 'Start the new version beside the old one, check it, switch all traffic at once.' });

const matchSchema = (nameExpected: string, nameField: string) =>
  fields({
    name: text(nameExpected, TOKEN).meta({ description: `${nameField} name.` }),
    value: text('a non-empty string').optional().meta({ description: 'Exact value that matches.' }),
    regex: pattern('a valid regular expression')
      .optional()
      .meta({ description: 'Regular expression that matches.' }),
  }).meta({ description: `Match a ${nameField.toLowerCase()}: value or regex (neither: presence matches).` });

export const stepSchema = fields({
  setWeight: decimal(0, 100)
    .optional()
    .meta({ description: 'Send this percentage of users to the new version.', examples: [10] }),
  pause: fields(
    {
      duration: duration('1s').optional().meta({ description: 'How long to wait; absent: until promoted.' }),
      untilApproved: bool().optional().meta({
        description: 'Wait for the approvals of gates.approvals (before: pause), or one approver.',
      }),
    },
    '{} waits until promoted',
  )
    .optional()
    .meta({
      description:
        'Wait: {} until promoted, { duration: 30s } for that long, { untilApproved: true } for approvals.',
    }),
  setHeaderRoute: fields({
    header: matchSchema(HEADER_EXPECTED, 'Header').optional(),
    cookie: matchSchema(COOKIE_EXPECTED, 'Cookie').optional(),
  })
    .optional()
    .meta({ description: 'Send requests matching a header or a cookie to the new version (A/B).' }),
  setMirror: fields({
    percent: decimal(0, 100).meta({ description: 'Share of requests copied; 0 removes the mirror.' }),
  })
    .optional()
    .meta({ description: 'Copy a share of requests to the new version; its answers are discarded.' }),
  analysis: analysisRefSchema
    .optional()
    .meta({ description: 'Run analysis templates; the step ends when they conclude.' }),
}).meta({
  id: 'CanaryStep',
  description: 'One step: exactly one of setWeight, pause, setHeaderRoute, setMirror, analysis.',
});

export const canarySchema = fields(
  {
    instances: integer(1, 256).optional().meta({
      description: 'Instances of the new version during the steps (default: the target instances).',
    }),
    steps: z
      .array(stepSchema, { error: 'a list of steps' })
      .optional()
      .meta({
        description: 'The plan. The engine adds the final step to 100% itself.',
        default: [
          { setWeight: 10 },
          { pause: { duration: '30s' } },
          { setWeight: 50 },
          { pause: { duration: '30s' } },
        ],
      }),
  },
  DEFAULTS_NOTE,
).meta({ description: 'Shift traffic to the new version step by step.' });

export const strategySchema = fields({
  canary: canarySchema.optional(),
  blueGreen: blueGreenSchema.optional(),
  rolling: rollingSchema.optional(),
}).meta({ description: 'Exactly one of canary, blueGreen, rolling.', default: { rolling: {} } });

export const STRATEGY_KINDS = ['canary', 'blueGreen', 'rolling'] as const;

export const triggerSchema = fields({
  name: text(DNS_LABEL_EXPECTED, DNS_LABEL).meta({ description: 'Name shown when it fires.' }),
  metric: z
    .enum(['errorRate', 'latencyP95Ms', 'latencyP99Ms'], {
      error: 'one of: errorRate, latencyP95Ms, latencyP99Ms',
    })
    .meta({ description: 'Router statistic of the new version: errorRate is a fraction (0.05 = 5%).' }),
  max: decimal(0).meta({
    description: 'The trigger fires when the metric stays above this.',
    examples: [0.05],
  }),
  for: duration('1s')
    .optional()
    .meta({ description: 'How long the metric must stay above max.', default: '1m' }),
  minRequests: integer(1).optional().meta({
    description: 'Fewer requests in the window: no data (never a pass, never a fire).',
    default: 20,
  }),
}).meta({
  id: 'RollbackTrigger',
  description: 'Roll back when a statistic of the new version stays above a limit.',
});

export const triggersSchema = z.array(triggerSchema, { error: 'a list of triggers' }).meta({
  description: 'Standing rollback triggers on the router statistics of the new version.',
  default: [],
});
