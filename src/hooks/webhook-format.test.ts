import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTROLLER, type GreenlightEvent } from '../engine/model.js';
import { describeEvent, jsonPayload, slackPayload } from './webhook-format.js';

function event(action: string, over: Partial<GreenlightEvent> = {}): GreenlightEvent {
  return {
    id: 41,
    at: '2024-05-01T12:00:00.000Z',
    app: 'shop',
    releaseId: 12,
    actor: CONTROLLER,
    action,
    reason: null,
    data: {},
    prevHash: 'a'.repeat(64),
    hash: 'b'.repeat(64),
    ...over,
  };
}

const alice = { name: 'alice', role: 'approver' };
const bob = { name: 'bob', role: 'operator' };

void describe('describeEvent', () => {
  void it('says what happened to which release, in one line', () => {
    const lines = [
      describeEvent(event('release.promoted', { data: { version: 'v2' } })),
      describeEvent(
        event('release.rolledBack', {
          releaseId: 13,
          reason: 'trigger:error-rate',
          data: { version: 'v3', metric: 'errorRate', value: 0.3, max: 0.05 },
        }),
      ),
      describeEvent(
        event('approval.granted', {
          releaseId: 14,
          actor: alice,
          reason: 'checked dashboards',
          data: { version: 'v4' },
        }),
      ),
      describeEvent(
        event('release.emergency', {
          releaseId: 15,
          actor: bob,
          reason: 'hotfix for outage',
          data: { version: 'v5' },
        }),
      ),
      describeEvent(event('release.created', { actor: bob, data: { version: 'v2', fromVersion: 'v1' } })),
      describeEvent(event('release.aborted', { actor: bob, reason: 'wrong build', data: { version: 'v2' } })),
      describeEvent(event('release.failed', { reason: 'progressDeadline', data: { version: 'v2' } })),
      describeEvent(
        event('trigger.fired', {
          reason: 'trigger:latency',
          data: { name: 'latency', metric: 'p99', value: 0.81234, max: 0.5, requests: 120 },
        }),
      ),
      describeEvent(event('approval.requested', { data: { version: 'v4' } })),
    ];
    assert.deepEqual(lines, [
      'shop v2 promoted (release 12)',
      'shop v3 rolled back by trigger:error-rate: errorRate 0.3 > 0.05 (release 13)',
      'shop v4: approval granted by alice (approver): checked dashboards (release 14)',
      'EMERGENCY shop v5 started by bob: "hotfix for outage" (release 15)',
      'shop v2 started by bob (release 12)',
      'shop v2 aborted by bob: wrong build (release 12)',
      'shop v2 failed: progressDeadline (release 12)',
      'shop: trigger latency fired: p99 0.812 > 0.5 over 120 requests (release 12)',
      'shop v4: approval requested (release 12)',
    ]);
  });

  void it('falls back to <app>: <action>, and copes with missing data', () => {
    assert.equal(describeEvent(event('step.started', { releaseId: null })), 'shop: step.started');
    assert.equal(
      describeEvent(event('token.created', { app: null, releaseId: null })),
      'greenlight: token.created',
    );
    const bare = { ...event('release.rolledBack'), data: undefined } as unknown as GreenlightEvent;
    assert.equal(describeEvent(bare), 'shop rolled back (release 12)');
    assert.equal(
      describeEvent(event('release.promoted', { data: { version: 3 } })),
      'shop promoted (release 12)',
    );
  });
});

void describe('payloads', () => {
  void it('json: the event, the delivery id and the text', () => {
    const e = event('release.promoted', {
      actor: { ...alice, environments: ['prod'] },
      data: { version: 'v2' },
    });
    assert.deepEqual(jsonPayload(e, 'd-1'), {
      delivery: 'd-1',
      id: 41,
      at: '2024-05-01T12:00:00.000Z',
      app: 'shop',
      releaseId: 12,
      actor: alice,
      action: 'release.promoted',
      reason: null,
      data: { version: 'v2' },
      text: 'shop v2 promoted (release 12)',
    });
  });

  void it('slack: a section with the emoji and the line, and a context line', () => {
    assert.deepEqual(slackPayload(event('release.promoted', { data: { version: 'v2' } })), {
      text: ':white_check_mark: shop v2 promoted (release 12)',
      blocks: [
        {
          type: 'section',
          text: { type: 'mrkdwn', text: ':white_check_mark: shop v2 promoted (release 12)' },
        },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: 'controller (system) · 2024-05-01T12:00:00.000Z · event 41' }],
        },
      ],
    });
    const rolledBack = slackPayload(event('release.rolledBack', { reason: 'check:smoke' }));
    assert.equal(rolledBack.text, ':rotating_light: shop rolled back by check:smoke (release 12)');
    assert.match(slackPayload(event('step.started')).text, /^:information_source: /);
  });

  void it('slack: escapes what mrkdwn would read as links or mentions', () => {
    const e = event('release.aborted', { actor: bob, reason: '<!channel> & <http://x|y>' });
    assert.equal(
      slackPayload(e).text,
      ':no_entry_sign: shop aborted by bob: &lt;!channel&gt; &amp; &lt;http://x|y&gt; (release 12)',
    );
  });
});
