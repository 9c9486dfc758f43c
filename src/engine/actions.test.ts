// What people see of a plan's actions: secret-looking values masked, everything else as written.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SECRET_PATTERNS } from '../spec/runbook-defaults.js';
import { planForDisplay } from './actions.js';
import type { PlanStep } from './model.js';

const step: PlanStep = {
  name: 'smoke tests',
  sets: [],
  traffic: { weights: {}, stable: null, headerRoutes: [] },
  watch: false,
  wait: {
    kind: 'actions',
    hook: 'postDeploy',
    version: 'v2',
    onFailure: 'rollback',
    actions: [
      {
        kind: 'command',
        name: 'backup',
        argv: ['./backup.sh'],
        cwd: '/srv',
        env: { DB_PASSWORD: 'hunter2-long', REGION: 'eu-north', PAYMENT_API_KEY: 'k-123456' },
        timeoutMs: 1000,
        retries: 0,
      },
      {
        kind: 'http',
        name: 'status',
        url: 'https://ci.example.com/status',
        path: null,
        method: 'GET',
        headers: { Authorization: 'Bearer abcdef', Accept: 'application/json' },
        expectStatus: 200,
        expectBody: null,
        timeoutMs: 1000,
        retries: 0,
      },
    ],
  },
};

void describe('planForDisplay', () => {
  void it('masks env values and headers whose names look secret, and keeps the stored plan intact', () => {
    const [shown] = planForDisplay([step], DEFAULT_SECRET_PATTERNS);
    assert.ok(shown?.wait.kind === 'actions');
    const [command, http] = shown.wait.actions;
    assert.ok(command?.kind === 'command' && http?.kind === 'http');
    assert.deepEqual(command.env, {
      DB_PASSWORD: '[redacted]',
      REGION: 'eu-north',
      PAYMENT_API_KEY: '[redacted]',
    });
    assert.deepEqual(http.headers, { Authorization: '[redacted]', Accept: 'application/json' });
    assert.ok(step.wait.kind === 'actions' && step.wait.actions[0]?.kind === 'command');
    assert.equal(step.wait.actions[0].env.DB_PASSWORD, 'hunter2-long');
  });

  void it('leaves steps without actions as they are', () => {
    const plain: PlanStep = { ...step, wait: { kind: 'ready' } };
    assert.equal(planForDisplay([plain], DEFAULT_SECRET_PATTERNS)[0], plain);
  });
});
