import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../errors.js';
import { formatDuration, parseDuration } from './duration.js';

void test('parseDuration reads every unit and combinations of them', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('2m'), 120_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('1h2m3s4ms'), 3_723_004);
  assert.equal(parseDuration('0s'), 0);
});

void test('parseDuration refuses numbers without units, other spellings and units out of order', () => {
  for (const bad of ['', '10', '1.5s', '30 s', '30sec', '2m1h', '1m30', 's', '-1s', '1d', '1s1s']) {
    assert.throws(() => parseDuration(bad), InvalidInputError, bad);
  }
});

void test('formatDuration is the inverse of parseDuration', () => {
  for (const text of ['0s', '250ms', '30s', '1m30s', '1h', '2h5m'])
    assert.equal(formatDuration(parseDuration(text)), text);
});
