// The spec schema, part one: where the app runs (the local target) and how its health is probed.
import { z } from 'zod';
import { LISTEN_EXPECTED, LISTEN_SHAPE, parseListen } from './listen.js';
import { argv, duration, fields, integer, refused, stringMap, text } from './schema-kit.js';
import { ENV_NAME, ENV_NAME_EXPECTED, ENV_VALUE_EXPECTED, VERSION_EXPECTED, VERSION_NAME } from './names.js';

const env = () =>
  stringMap(ENV_NAME_EXPECTED, ENV_NAME, ENV_VALUE_EXPECTED).meta({
    description:
      'Environment of each instance. Values may use ${version}, ${app} and ${PORT} (the port the agent assigns). ' +
      'The agent also sets PORT, GREENLIGHT_APP, GREENLIGHT_VERSION and GREENLIGHT_INSTANCE.',
    examples: [{ APP_VERSION: '${version}' }],
  });

const cwd = () =>
  text('a folder path').meta({
    description: "Working directory, relative to the spec file's folder (default: that folder).",
    examples: ['./app'],
  });

const command = () =>
  argv().meta({
    description:
      'The program and its arguments as an array (never a shell string). May use ${version} and ${app}.',
    examples: [['node', 'server.js']],
  });

export const runSchema = fields({ command: command(), cwd: cwd().optional(), env: env().optional() }).meta({
  description: 'How to start one instance of a version.',
});

const versionOverride = fields({
  command: command().optional(),
  cwd: cwd().optional(),
  env: env().optional(),
}).meta({ description: 'Overrides of run for one version; env is merged key by key.' });

export const localTargetSchema = fields({
  listen: text(LISTEN_EXPECTED, LISTEN_SHAPE)
    .refine((value) => parseListen(value) !== undefined, { error: LISTEN_EXPECTED })
    .meta({
      description: 'Address the router listens on for users, host:port. Port 0 picks a free port.',
      examples: ['127.0.0.1:8080'],
    }),
  instances: integer(1, 256)
    .optional()
    .meta({ description: 'Instances of the live version.', default: 1, examples: [2] }),
  run: runSchema,
  versions: z
    .record(z.string().regex(VERSION_NAME, { error: VERSION_EXPECTED }), versionOverride, {
      error: 'a map of version names to overrides of run',
    })
    .optional()
    .meta({
      description: 'Per-version overrides of run.',
      examples: [{ v3: { env: { FAIL_RATE: '0.3' } } }],
    }),
  drainTimeout: duration().optional().meta({
    description: 'How long a stopping instance may finish in-flight requests before SIGTERM.',
    default: '10s',
  }),
  stopGrace: duration()
    .optional()
    .meta({ description: 'How long after SIGTERM before SIGKILL.', default: '5s' }),
}).meta({ description: 'Run the app as child processes of the local agent, behind its router.' });

export const targetSchema = fields({
  local: localTargetSchema,
  kubernetes: refused('the kubernetes target is not built yet; use local'),
}).meta({ description: 'Where versions run.' });

const probeSchema = fields({
  http: fields({
    path: text('a path starting with /', /^\//).meta({
      description: 'Path of a GET on the instance.',
      examples: ['/ready'],
    }),
    expectStatus: integer(100, 599)
      .optional()
      .meta({ description: 'Status that passes (default: any 2xx or 3xx).', examples: [200] }),
  })
    .optional()
    .meta({ description: 'Probe with an HTTP GET.' }),
  tcp: fields({})
    .optional()
    .meta({ description: 'Probe by opening a TCP connection to the instance port: write tcp: {}.' }),
  exec: fields({
    command: argv().meta({
      description: 'Command that passes when it exits 0; it gets PORT in its environment.',
    }),
  })
    .optional()
    .meta({ description: 'Probe by running a command.' }),
  initialDelay: duration().optional().meta({ description: 'Wait before the first probe.', default: '0s' }),
  period: duration('50ms').optional().meta({ description: 'Time between probes.', default: '1s' }),
  timeout: duration('10ms').optional().meta({ description: 'Time a probe may take.', default: '1s' }),
  successThreshold: integer(1, 100)
    .optional()
    .meta({ description: 'Consecutive passes to count as passing.', default: 1 }),
  failureThreshold: integer(1, 100)
    .optional()
    .meta({ description: 'Consecutive failures to count as failing.', default: 3 }),
}).meta({ id: 'Probe', description: 'A probe: exactly one of http, tcp, exec, and its timing.' });

export const healthSchema = fields({
  readiness: probeSchema.optional().meta({
    description:
      'When an instance may receive traffic. Default: ready once its port accepts TCP connections.',
  }),
  liveness: probeSchema.optional().meta({
    description: 'When an instance is restarted. Default: none.',
  }),
}).meta({ description: 'Health probes of every instance.' });

export const PROBE_KINDS = ['http', 'tcp', 'exec'] as const;
