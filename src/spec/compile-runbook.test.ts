// The runbook parts of a spec compiled: gates, hooks, notifications, secrets and environments, every default
// filled once. test/fixtures/specs/runbook.yaml has them all; it is compiled as if it were
// /apps/shop/greenlight.yaml, so relative working directories resolve in /apps/shop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { CompiledSpec, EnvironmentOverrides, GatesSpec, HooksSpec, Strategy } from './compiled.js';
import { DEFAULT_CANARY_STEPS } from './compile.js';
import { compileSpecText } from './load.js';
import { DEFAULT_SECRET_PATTERNS } from './runbook-defaults.js';

const FILE = '/apps/shop/greenlight.yaml';

const HEAD = `apiVersion: greenlight.dev/v1alpha1
kind: App
metadata:
  name: shop
spec:
  target:
    local:
      listen: 127.0.0.1:8080
      instances: 2
      run:
        command: [node, server.js]
`;

/** Instants in Europe/Oslo: CET is UTC+1 in winter, CEST UTC+2 in summer. */
const utc = (...parts: [number, number, number, number, number]): number => Date.UTC(...parts);

const EXPECTED_GATES: GatesSpec = {
  checks: [
    {
      kind: 'command',
      name: 'unit-tests',
      argv: ['npm', 'test', '--', '${version}'],
      cwd: '/apps/shop/app',
      env: { CI: '1', TARGET: '${environment}' },
      timeoutMs: 300_000,
      retries: 2,
    },
    {
      kind: 'http',
      name: 'ci-green',
      url: 'https://ci.example.com/shop/${version}',
      path: null,
      method: 'HEAD',
      headers: { Authorization: 'Bearer ${release}' },
      expectStatus: 204,
      expectBody: 'passed',
      timeoutMs: 60_000,
      retries: 0,
    },
  ],
  approvals: [
    { stage: 'promotion', roles: ['approver'], count: 1, expiresAfterMs: null, allowSelfApproval: false },
    {
      stage: 'start',
      roles: ['deployer', 'admin'],
      count: 2,
      expiresAfterMs: 3_600_000,
      allowSelfApproval: true,
    },
  ],
  windows: {
    timeZone: 'Europe/Oslo',
    allow: [{ text: 'Mon-Fri 09:00-17:00', days: [1, 2, 3, 4, 5], startMinute: 540, endMinute: 1020 }],
    deny: [
      { text: 'Fri 15:00-24:00', days: [5], startMinute: 900, endMinute: 1440 },
      { text: 'daily 22:00-02:00', days: [0, 1, 2, 3, 4, 5, 6], startMinute: 1320, endMinute: 120 },
    ],
    freezes: [
      { fromMs: utc(2026, 11, 19, 23, 0), untilMs: utc(2027, 0, 3, 23, 0), reason: 'holidays' },
      { fromMs: utc(2026, 6, 1, 10, 30), untilMs: utc(2026, 6, 1, 13, 0), reason: 'summer party' },
    ],
  },
  emergency: { bypassApprovals: true },
  requirePromotedIn: 'staging',
};

const EXPECTED_HOOKS: HooksSpec = {
  preDeploy: [
    {
      kind: 'command',
      name: 'backup',
      argv: ['./scripts/backup.sh', '${fromVersion}'],
      cwd: '/apps/shop',
      env: {},
      timeoutMs: 60_000,
      retries: 0,
    },
  ],
  migrate: {
    action: {
      kind: 'command',
      name: 'schema',
      argv: ['./migrate.sh', 'up'],
      cwd: '/apps/db',
      env: {},
      timeoutMs: 600_000,
      retries: 0,
    },
    mode: 'breaking',
    maintenance: { mode: 'hold', holdMs: 30_000, retryAfterSeconds: 5 },
  },
  postDeploy: [
    {
      kind: 'http',
      name: 'smoke',
      url: null,
      path: '/health?v=${version}',
      method: 'GET',
      headers: {},
      expectStatus: 200,
      expectBody: 'ok',
      timeoutMs: 60_000,
      retries: 3,
    },
  ],
  onRollback: [
    {
      kind: 'command',
      name: 'restore',
      argv: ['./scripts/restore.sh'],
      cwd: '/apps/shop',
      env: { RELEASE: '${release}' },
      timeoutMs: 60_000,
      retries: 0,
    },
  ],
  onSuccess: [
    {
      kind: 'command',
      name: 'tag',
      argv: ['git', 'tag', '${app}-${version}'],
      cwd: '/apps/shop',
      env: {},
      timeoutMs: 60_000,
      retries: 0,
    },
  ],
  onFailure: [
    {
      kind: 'http',
      name: 'page',
      url: 'https://pager.example.com/alert',
      path: null,
      method: 'POST',
      headers: {},
      expectStatus: 200,
      expectBody: null,
      timeoutMs: 60_000,
      retries: 0,
    },
  ],
};

const canary = (instances: number): Strategy => ({
  kind: 'canary',
  steps: structuredClone(DEFAULT_CANARY_STEPS),
  canaryInstances: instances,
});

const EXPECTED_ENVIRONMENTS: Record<string, EnvironmentOverrides> = {
  staging: {
    listen: { host: '127.0.0.1', port: 8081 },
    instances: 1,
    strategy: canary(1),
    hooks: { postDeploy: [] },
  },
  production: {
    listen: { host: '127.0.0.1', port: 8082 },
    instances: 4,
    strategy: canary(4),
    gates: {
      approvals: [
        { stage: 'promotion', roles: ['approver'], count: 2, expiresAfterMs: null, allowSelfApproval: false },
      ],
      windows: { timeZone: 'UTC', allow: [], deny: [], freezes: [] },
    },
    hooks: {
      migrate: {
        action: {
          kind: 'command',
          name: 'schema',
          argv: ['./migrate.sh', 'up'],
          cwd: '/apps/shop',
          env: {},
          timeoutMs: 600_000,
          retries: 0,
        },
        mode: 'breaking',
        maintenance: { mode: 'reject', holdMs: 1_000, retryAfterSeconds: 2 },
      },
    },
  },
};

const RUNBOOK = readFileSync(new URL('../../test/fixtures/specs/runbook.yaml', import.meta.url), 'utf8');
const compileRunbookSpec = (): CompiledSpec => compileSpecText(RUNBOOK, FILE);

void test('gates compile to their units: cwd against the spec folder, approval defaults, windows in the zone', () => {
  assert.deepEqual(compileRunbookSpec().gates, EXPECTED_GATES);
});

void test('hooks compile with their defaults; a breaking migration gets the maintenance defaults', () => {
  assert.deepEqual(compileRunbookSpec().hooks, EXPECTED_HOOKS);
});

void test('webhooks get json, 5 s and 5 attempts unless they say otherwise', () => {
  assert.deepEqual(compileRunbookSpec().notifications, {
    webhooks: [
      {
        name: 'audit',
        url: 'https://audit.example.com/greenlight',
        format: 'json',
        secretEnv: null,
        events: [],
        timeoutMs: 5_000,
        attempts: 5,
      },
      {
        name: 'chat',
        url: 'https://hooks.slack.com/services/T0/B0/X',
        format: 'slack',
        secretEnv: 'SLACK_SIGNING_KEY',
        events: ['release.promoted', 'release.rolledBack', 'approval.*'],
        timeoutMs: 2_000,
        attempts: 3,
      },
    ],
  });
});

void test('secrets keep the default name patterns and add the declared ones', () => {
  assert.deepEqual(compileRunbookSpec().secrets, {
    env: ['DATABASE_URL', 'BACKUP_KEY'],
    namePatterns: [...DEFAULT_SECRET_PATTERNS, '^aws_', 'credential'],
  });
  assert.deepEqual(DEFAULT_SECRET_PATTERNS, [
    'password',
    'passwd',
    'secret',
    'token',
    'api[_-]?key',
    'private[_-]?key',
  ]);
});

void test('environments: listen parsed, instances kept, the strategy recompiled for their count, partial gates and hooks', () => {
  const spec = compileRunbookSpec();
  assert.deepEqual(spec.strategy, canary(2));
  assert.deepEqual(spec.environments, EXPECTED_ENVIRONMENTS);
});

void test('an environment changing only its listen address keeps the app strategy (not recompiled)', () => {
  const spec = compileSpecText(
    `${HEAD}  environments:\n    staging: { listen: "[::1]:9000" }\n    production: {}\n`,
    FILE,
  );
  assert.deepEqual(spec.environments, { staging: { listen: { host: '::1', port: 9000 } }, production: {} });
});

void test('an environment with its own strategy gets it compiled with the defaults of spec.strategy', () => {
  const spec = compileSpecText(
    `${HEAD}  environments:\n    staging:\n      strategy: { rolling: { maxSurge: 50%, maxUnavailable: 50% } }\n      instances: 3\n`,
    FILE,
  );
  assert.deepEqual(spec.environments.staging?.strategy, { kind: 'rolling', maxSurge: 2, maxUnavailable: 1 });
});

void test('a safe migration and an empty runbook: safe mode, maintenance defaults present but unused', () => {
  const spec = compileSpecText(`${HEAD}  hooks:\n    migrate: { name: schema, run: [./migrate.sh] }\n`, FILE);
  assert.deepEqual(spec.hooks.migrate, {
    action: {
      kind: 'command',
      name: 'schema',
      argv: ['./migrate.sh'],
      cwd: '/apps/shop',
      env: {},
      timeoutMs: 600_000,
      retries: 0,
    },
    mode: 'safe',
    maintenance: { mode: 'hold', holdMs: 30_000, retryAfterSeconds: 5 },
  });
  const empty = compileSpecText(
    `${HEAD}  gates: {}\n  hooks: {}\n  notifications: {}\n  secrets: {}\n  environments: {}\n`,
    FILE,
  );
  assert.deepEqual(empty.gates.checks, []);
  assert.deepEqual(empty.environments, { default: {} });
});

void test('a canary pause { untilApproved: true } compiles to a pause that waits for approvals', () => {
  const spec = compileSpecText(
    `${HEAD}  strategy:\n    canary:\n      steps:\n        - setWeight: 10\n        - pause: { untilApproved: true }\n        - pause: {}\n        - setWeight: 50\n`,
    FILE,
  );
  assert.deepEqual(spec.strategy, {
    kind: 'canary',
    steps: [{ setWeight: 10 }, { pause: { untilApproved: true } }, { pause: {} }, { setWeight: 50 }],
    canaryInstances: 2,
  });
});
