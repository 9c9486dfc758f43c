// The reconcile decision, case by case: scale, replacement with a surge of one, removal.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planReconcile } from './reconcile.js';
import type { Member } from './reconcile.js';

function member(order: number, specHash: string, ready: boolean, retiring = false, unknown = false): Member {
  return { id: `v1-${order}`, specHash, ready, retiring, unknown, order };
}

void describe('planReconcile', () => {
  void it('spawns the missing instances at once when nothing is being replaced', () => {
    assert.deepEqual(planReconcile(3, 'h', []), { spawn: 3, retire: [] });
    assert.deepEqual(planReconcile(3, 'h', [member(1, 'h', true)]), { spawn: 2, retire: [] });
  });

  void it('does not count retiring instances', () => {
    assert.deepEqual(planReconcile(1, 'h', [member(1, 'h', true, true)]), { spawn: 1, retire: [] });
  });

  void it('scales down unready first, then newest', () => {
    const members = [member(1, 'h', true), member(2, 'h', false), member(3, 'h', true), member(4, 'h', true)];
    assert.deepEqual(planReconcile(2, 'h', members).retire, ['v1-2', 'v1-4']);
  });

  void it('replaces a changed spec with a surge of one, keeping the ready count', () => {
    const old = [member(1, 'a', true), member(2, 'a', true)];
    assert.deepEqual(planReconcile(2, 'b', old), { spawn: 1, retire: [] });
    // The surge instance is starting: wait.
    assert.deepEqual(planReconcile(2, 'b', [...old, member(3, 'b', false)]), { spawn: 0, retire: [] });
    // It is ready: the oldest old one goes, and the next surge instance starts.
    assert.deepEqual(planReconcile(2, 'b', [...old, member(3, 'b', true)]), { spawn: 1, retire: ['v1-1'] });
    assert.deepEqual(
      planReconcile(2, 'b', [member(2, 'a', true), member(3, 'b', true), member(4, 'b', true)]),
      {
        spawn: 0,
        retire: ['v1-2'],
      },
    );
  });

  void it('stops old unready instances at once: they serve nothing', () => {
    const members = [member(1, 'a', true), member(2, 'a', false)];
    assert.deepEqual(planReconcile(2, 'b', members), { spawn: 1, retire: ['v1-2'] });
  });

  void it('never replaces while a new instance cannot become ready', () => {
    const members = [member(1, 'a', true), member(2, 'a', true), member(3, 'b', false)];
    assert.deepEqual(planReconcile(2, 'b', members), { spawn: 0, retire: [] });
  });

  void it('neither stops nor doubles an adopted old instance whose readiness is not known yet', () => {
    // An agent restarted in the middle of a replacement: the old one may still be serving.
    const members = [member(1, 'a', false, false, true), member(3, 'b', true)];
    assert.deepEqual(planReconcile(2, 'b', members), { spawn: 1, retire: [] });
    assert.deepEqual(planReconcile(2, 'b', [...members, member(5, 'b', false)]), { spawn: 0, retire: [] });
  });

  void it('removes everything for a desired count of zero', () => {
    const members = [member(1, 'a', true), member(2, 'b', false), member(3, 'b', true)];
    assert.deepEqual(planReconcile(0, 'b', members).retire.sort(), ['v1-1', 'v1-2', 'v1-3']);
    assert.equal(planReconcile(0, 'b', members).spawn, 0);
  });

  void it('is converged when the desired instances of the current spec exist', () => {
    assert.deepEqual(planReconcile(2, 'h', [member(5, 'h', true), member(6, 'h', false)]), {
      spawn: 0,
      retire: [],
    });
  });
});
