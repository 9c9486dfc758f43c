// Where the runbook's gates and hooks land in a plan, and that promote never skips them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withRunbookParts } from '../../../test/helpers/engine-harness.js';
import { testSpec } from '../../../test/helpers/spec.js';
import type { ApprovalPolicy, HookAction, MigrationSpec } from '../../spec/compiled.js';
import { newRelease } from '../../store/conformance-fixtures.js';
import { decide, isGate } from '../decide.js';
import type { PlanStep, Release } from '../model.js';
import { planRelease } from './index.js';

const smoke: HookAction = {
  kind: 'http',
  name: 'health',
  url: null,
  path: '/health',
  method: 'GET',
  headers: {},
  expectStatus: 200,
  expectBody: null,
  timeoutMs: 1000,
  retries: 0,
};
const promotion: ApprovalPolicy = {
  stage: 'promotion',
  roles: ['approver'],
  count: 1,
  expiresAfterMs: null,
  allowSelfApproval: false,
};
const breaking: MigrationSpec = {
  action: { kind: 'command', name: 'schema', argv: ['true'], cwd: '/', env: {}, timeoutMs: 1000, retries: 0 },
  mode: 'breaking',
  maintenance: { mode: 'hold', holdMs: 30_000, retryAfterSeconds: 5 },
};
const names = (plan: PlanStep[]): string[] => plan.map((s) => s.name);

void describe('runbook in the plan', () => {
  void it('a canary tests the new version before its first weight, and asks for approval before promoting', () => {
    const spec = withRunbookParts(testSpec(), {
      hooks: { postDeploy: [smoke] },
      gates: { approvals: [promotion] },
    });
    const plan = planRelease(spec, 'v2', 'v1');
    const smokeAt = names(plan).indexOf('smoke tests (health)');
    assert.equal(smokeAt, 1, names(plan).join(' | '));
    assert.equal(plan[smokeAt]?.traffic.weights.v2, 0);
    const approval = plan.findIndex((s) => s.wait.kind === 'approval');
    assert.equal(plan[approval]?.promotionStart, true);
    assert.equal(plan.filter((s) => s.promotionStart).length, 1);
    assert.ok(approval > smokeAt);
  });

  void it('a breaking migration asks for approval before maintenance and tests the new version once live', () => {
    const spec = withRunbookParts(testSpec(), {
      hooks: { postDeploy: [smoke], migrate: breaking },
      gates: { approvals: [promotion] },
    });
    const plan = planRelease(spec, 'v2', 'v1');
    assert.deepEqual(names(plan), [
      'approval to promote: 1 approver',
      'maintenance on',
      'drain and stop v1',
      'migration (schema)',
      'start v2 (4 instances)',
      'maintenance off: all traffic to v2',
      'smoke tests (health)',
    ]);
    assert.equal(plan[0]?.traffic.maintenance, undefined, 'nobody is held while people decide');
    assert.equal(plan[6]?.traffic.maintenance, undefined, 'the preview route works: maintenance is off');
  });

  void it('every step that checks, runs hooks, migrates or waits for approval is a gate promote does not skip', () => {
    const spec = withRunbookParts(testSpec(), { hooks: { postDeploy: [smoke], migrate: breaking } });
    const gates = planRelease(spec, 'v2', 'v1')
      .filter(isGate)
      .map((s) => s.name);
    assert.deepEqual(gates, ['drain and stop v1', 'migration (schema)', 'smoke tests (health)']);
  });

  void it('promote --full from the first canary step lands on the smoke tests, not past them', () => {
    const spec = withRunbookParts(testSpec(), { hooks: { postDeploy: [smoke] } });
    const plan = planRelease(spec, 'v2', 'v1');
    const release: Release = {
      ...newRelease('shop'),
      plan,
      stepIndex: 0,
      runtime: { promote: 'full', triggers: {}, checks: [] },
      id: 1,
      createdAt: '2026-01-01T12:00:00.000Z',
      updatedAt: '2026-01-01T12:00:00.000Z',
      finishedAt: null,
      generation: 1,
    };
    const decision = decide({
      release,
      spec,
      observation: { versionSets: [], traffic: { verified: 'verified', weights: {} } },
      fired: null,
      now: Date.parse('2026-01-01T12:00:01.000Z'),
      actionsRunning: false,
      analysis: [],
    });
    assert.deepEqual(decision, { kind: 'jump', toIndex: names(plan).indexOf('smoke tests (health)') });
  });
});
