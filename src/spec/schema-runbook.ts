// The spec schema, part four: the runbook around a rollout. Gates (pre-deployment checks, approvals, windows),
// hooks (backup, migration, smoke tests, rollback), notifications, secrets and environments. Rules across
// fields (one of run or http, rule syntax, time zones, environment names) are in check-runbook.ts.
import { z } from 'zod';
import {
  DNS_LABEL,
  DNS_LABEL_EXPECTED,
  ENV_NAME,
  ENV_NAME_EXPECTED,
  ENV_VALUE_EXPECTED,
  HEADER_EXPECTED,
  TOKEN,
} from './names.js';
import { LISTEN_EXPECTED, LISTEN_SHAPE, parseListen } from './listen.js';
import { argv, bool, duration, fields, integer, pattern, stringMap, text } from './schema-kit.js';
import { strategySchema } from './schema-strategy.js';

const name = () => text(DNS_LABEL_EXPECTED, DNS_LABEL);

const httpCallSchema = fields({
  path: text('a path starting with /', /^\//)
    .optional()
    .meta({ description: 'Sent to the new version through the preview route, before users reach it.' }),
  url: text('an http:// or https:// URL', /^https?:\/\/\S+$/)
    .optional()
    .meta({ description: 'Sent as is (a CI status, a capacity API).' }),
  method: z
    .enum(['GET', 'HEAD', 'POST'], { error: 'one of: GET, HEAD, POST' })
    .optional()
    .meta({ description: 'HTTP method.', default: 'GET' }),
  headers: stringMap(HEADER_EXPECTED, TOKEN, 'a string header value')
    .optional()
    .meta({ description: 'Request headers.' }),
  expectStatus: integer(100, 599).optional().meta({ description: 'Status that passes.', default: 200 }),
  expectBody: z
    .string({ error: 'a string' })
    .optional()
    .meta({ description: 'A substring the body must contain.' }),
}).meta({ description: 'An HTTP call: exactly one of path or url.' });

const envSchema = () =>
  stringMap(ENV_NAME_EXPECTED, ENV_NAME, ENV_VALUE_EXPECTED).meta({
    description: 'Environment of the command (besides PATH, HOME, LANG, TZ and the GREENLIGHT_* variables).',
  });

const actionFields = {
  name: name().meta({ description: 'Name shown in status, history and notifications.' }),
  run: argv()
    .optional()
    .meta({
      description:
        'A command as an argv array, never a shell string. ${version}, ${fromVersion}, ${app}, ${environment} and ${release} are filled per item.',
      examples: [['./scripts/backup.sh', '${version}']],
    }),
  cwd: text('a directory path')
    .optional()
    .meta({ description: 'Working directory, relative to the spec file.', default: '.' }),
  env: envSchema().optional(),
  http: httpCallSchema.optional(),
  timeout: duration('1ms').optional().meta({ description: 'Time one attempt may take.', default: '60s' }),
  retries: integer(0, 100)
    .optional()
    .meta({ description: 'Attempts after a failed one (backoff from 0.5 s, doubling).', default: 0 }),
};

export const actionSchema = fields(actionFields).meta({
  id: 'HookAction',
  description: 'A command (run) or an HTTP call (http), with a timeout and retries.',
});

const actionsSchema = (description: string) =>
  z.array(actionSchema, { error: 'a list of actions' }).optional().meta({ description, default: [] });

const migrationSchema = fields({
  name: actionFields.name,
  run: argv().meta({ description: 'The migration command, as an argv array.' }),
  cwd: actionFields.cwd,
  env: envSchema().optional(),
  timeout: duration('1ms').optional().meta({ description: 'Time the migration may take.', default: '10m' }),
  mode: z.enum(['safe', 'breaking'], { error: 'one of: safe, breaking' }).optional().meta({
    description:
      'safe: run before the new version starts, while the old one serves. breaking: requests held (or answered 503) while the old version drains, the migration runs and the new version starts.',
    default: 'safe',
  }),
  maintenance: fields({
    mode: z.enum(['hold', 'reject'], { error: 'one of: hold, reject' }).optional().meta({
      description: 'hold: keep requests until the app is back; reject: answer 503.',
      default: 'hold',
    }),
    hold: duration()
      .optional()
      .meta({ description: 'Longest a held request waits before a 503 with Retry-After.', default: '30s' }),
    retryAfter: duration('1s')
      .optional()
      .meta({ description: 'Retry-After sent with a 503.', default: '5s' }),
  })
    .optional()
    .meta({ description: 'Breaking migrations: what the router does meanwhile.' }),
}).meta({ description: 'A database (or other state) migration run by every release.' });

export const hooksSchema = fields({
  preDeploy: actionsSchema(
    'Before anything changes, after the gates (e.g. a backup). A failure stops the release.',
  ),
  migrate: migrationSchema.optional(),
  postDeploy: actionsSchema(
    'Smoke tests: against the new version through the preview route before users reach it (rolling: after the rollout). A failure rolls back.',
  ),
  onRollback: actionsSchema('After a rollback is back on the old version (undo what the release did).'),
  onSuccess: actionsSchema('After the release is promoted.'),
  onFailure: actionsSchema('After a release failed, rolled back or was aborted.'),
}).meta({ description: 'Actions at points of every release.' });

const approvalSchema = fields({
  before: z.enum(['start', 'pause', 'promotion'], { error: 'one of: start, pause, promotion' }).meta({
    description:
      'start: before anything changes; pause: at each canary pause { untilApproved: true }; promotion: before the final switch.',
  }),
  roles: z
    .array(z.enum(['deployer', 'approver', 'admin'], { error: 'one of: deployer, approver, admin' }), {
      error: 'a list of roles',
    })
    .min(1, { error: 'at least one role' })
    .optional()
    .meta({ description: 'Roles whose approvals count (admin always counts).', default: ['approver'] }),
  count: integer(1, 10).optional().meta({ description: 'Distinct approvers needed.', default: 1 }),
  expiresAfter: duration('1s')
    .optional()
    .meta({ description: 'An approval older than this no longer counts (default: never).' }),
  allowSelfApproval: bool()
    .optional()
    .meta({ description: 'Whether whoever started the release may approve it.', default: false }),
}).meta({ description: 'Who must approve, and when.' });

const windowsSchema = fields({
  timeZone: text('an IANA time zone such as Europe/Oslo').meta({ description: 'Time zone of the rules.' }),
  allow: z
    .array(text('days and times like "Mon-Fri 09:00-17:00"'), { error: 'a list of rules' })
    .optional()
    .meta({ description: 'Releases start only inside one of these (none: any time not denied).' }),
  deny: z
    .array(text('days and times like "Fri 15:00-24:00"'), { error: 'a list of rules' })
    .optional()
    .meta({ description: 'Never inside these.' }),
  freezes: z
    .array(
      fields({
        from: text('a date and time like 2026-12-20T00:00').meta({ description: 'Start (local time).' }),
        until: text('a date and time like 2027-01-04T00:00').meta({ description: 'End (local time).' }),
        reason: text('a non-empty reason').meta({ description: 'Shown to whoever is refused.' }),
      }),
      { error: 'a list of freezes' },
    )
    .optional()
    .meta({ description: 'Periods with no releases but emergencies.' }),
}).meta({ description: 'When releases may start. `deploy --emergency --justification` bypasses them.' });

const gatesFields = {
  checks: actionsSchema(
    'Pre-deployment checks (tests green, scan clean, capacity): all must pass before anything changes.',
  ),
  approvals: z
    .array(approvalSchema, { error: 'a list of approval rules' })
    .optional()
    .meta({ description: 'Approvals required, by stage.', default: [] }),
  windows: windowsSchema.optional(),
  emergency: fields({
    bypassApprovals: bool()
      .optional()
      .meta({ description: 'Emergency releases also skip approvals.', default: false }),
  })
    .optional()
    .meta({ description: 'What an emergency release (deploy --emergency) may skip besides windows.' }),
  requirePromotedIn: name()
    .optional()
    .meta({ description: 'Accept only versions promoted in this environment first.', examples: ['staging'] }),
};

export const gatesSchema = fields(gatesFields).meta({ description: 'What must hold before a release runs.' });

export const notificationsSchema = fields({
  webhooks: z
    .array(
      fields({
        name: name().meta({ description: 'Name shown in logs.' }),
        url: text('an http:// or https:// URL', /^https?:\/\/\S+$/).meta({
          description: 'Where events are POSTed (a Slack incoming-webhook URL for format: slack).',
        }),
        format: z.enum(['json', 'slack'], { error: 'one of: json, slack' }).optional().meta({
          description: 'json (signed payload) or slack (incoming-webhook message).',
          default: 'json',
        }),
        secretEnv: text(ENV_NAME_EXPECTED, ENV_NAME).optional().meta({
          description: 'Controller environment variable holding the HMAC key (never the key itself).',
        }),
        events: z
          .array(
            text(
              'an event action such as release.promoted, release.rolledBack or release.* (a word, a dot, a camelCase word or *)',
              /^[a-z]+\.([a-z][A-Za-z]*|\*)$/,
            ),
            { error: 'a list of events' },
          )
          .optional()
          .meta({
            description:
              'Actions sent (a trailing .* matches a prefix); default: release outcomes, triggers, approvals, emergencies.',
          }),
        timeout: duration('100ms')
          .optional()
          .meta({ description: 'Time one attempt may take.', default: '5s' }),
        attempts: integer(1, 20)
          .optional()
          .meta({ description: 'Attempts in all, with backoff.', default: 5 }),
      }),
      { error: 'a list of webhooks' },
    )
    .optional()
    .meta({
      description: 'Webhooks: JSON signed with HMAC-SHA256, or Slack messages; retried with backoff.',
    }),
}).meta({ description: 'Where release events are sent.' });

export const secretsSchema = fields({
  env: z.array(text(ENV_NAME_EXPECTED, ENV_NAME), { error: 'a list of variable names' }).optional().meta({
    description:
      'Controller environment variables passed to hooks; their values are redacted wherever output is kept.',
  }),
  redactPatterns: z
    .array(pattern('a valid regular expression'), { error: 'a list of patterns' })
    .optional()
    .meta({
      description:
        'Also redact values of hook variables whose names match (added to: password, secret, token, api key, private key).',
    }),
}).meta({ description: 'Secrets hooks get, and what is never shown.' });

export const environmentSchema = fields({
  // Checked like target.local.listen: an address that does not parse must be refused here, not at compile time.
  listen: text(LISTEN_EXPECTED, LISTEN_SHAPE)
    .refine((value) => parseListen(value) !== undefined, { error: LISTEN_EXPECTED })
    .optional()
    .meta({ description: 'Where this environment listens (local target).', examples: ['127.0.0.1:8081'] }),
  instances: integer(1, 256).optional().meta({ description: 'Instances in this environment.' }),
  strategy: strategySchema.optional(),
  gates: gatesSchema
    .optional()
    .meta({ description: "Gates of this environment, field by field over the app's." }),
  hooks: hooksSchema
    .optional()
    .meta({ description: "Hooks of this environment, field by field over the app's." }),
}).meta({ description: 'What this environment changes of the app spec ({} for nothing).' });

export const environmentsSchema = z
  .record(z.string().regex(DNS_LABEL, { error: DNS_LABEL_EXPECTED }), environmentSchema, {
    error: 'a map of environment names to their overrides',
  })
  .meta({
    description:
      'Environments a release can target, e.g. development, staging, production (default: one, "default").',
  });
