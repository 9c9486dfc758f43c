import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../errors.js';
import { parseSize } from './size.js';

void test('parseSize reads binary and decimal units and plain byte counts', () => {
  assert.equal(parseSize('16KiB'), 16 * 1024);
  assert.equal(parseSize('10MiB'), 10 * 1024 * 1024);
  assert.equal(parseSize('1GiB'), 1024 ** 3);
  assert.equal(parseSize('2KB'), 2000);
  assert.equal(parseSize('512B'), 512);
  assert.equal(parseSize('512'), 512);
  assert.equal(parseSize(4096), 4096);
});

void test('parseSize refuses other spellings, fractions and negative numbers', () => {
  for (const bad of ['16kb', '16 KiB', '1.5MiB', 'KiB', '', '10Mi'])
    assert.throws(() => parseSize(bad), InvalidInputError, bad);
  for (const bad of [-1, 1.5]) assert.throws(() => parseSize(bad), InvalidInputError, String(bad));
});
