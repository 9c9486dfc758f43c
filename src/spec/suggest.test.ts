import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestName, editDistance } from './suggest.js';

const LOCAL = ['listen', 'instances', 'run', 'versions', 'drainTimeout', 'stopGrace'];

void test('editDistance counts insertions, deletions, substitutions and swaps', () => {
  assert.equal(editDistance('instances', 'instances'), 0);
  assert.equal(editDistance('instanses', 'instances'), 1);
  assert.equal(editDistance('isntances', 'instances'), 1);
  assert.equal(editDistance('run', 'rune'), 1);
  assert.equal(editDistance('', 'abc'), 3);
});

void test('closestName suggests typos, other cases and separators, and names from Kubernetes', () => {
  assert.equal(closestName('instanses', LOCAL), 'instances');
  assert.equal(closestName('drain_timeout', LOCAL), 'drainTimeout');
  assert.equal(closestName('StopGrace', LOCAL), 'stopGrace');
  assert.equal(closestName('replicas', LOCAL), 'instances');
  assert.equal(closestName('periodSeconds', ['period', 'timeout']), 'period');
});

void test('closestName stays silent when nothing is close', () => {
  assert.equal(closestName('image', LOCAL), undefined);
  assert.equal(closestName('xyz', LOCAL), undefined);
  assert.equal(closestName('replicas', ['period']), undefined);
});
