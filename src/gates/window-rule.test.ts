import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWindowRule, WINDOW_RULE_EXPECTED } from './window-rule.js';

const EXPECTED =
  'days and times like "Mon-Fri 09:00-17:00" (days Mon…Sun or daily, times HH:MM, 24:00 allowed as an end)';

void test('parseWindowRule reads day lists, day ranges and times', () => {
  assert.deepEqual(parseWindowRule('Mon-Fri 09:00-17:00'), {
    text: 'Mon-Fri 09:00-17:00',
    days: [1, 2, 3, 4, 5],
    startMinute: 540,
    endMinute: 1020,
  });
  assert.deepEqual(parseWindowRule('Sat,Sun 10:00-14:00'), {
    text: 'Sat,Sun 10:00-14:00',
    days: [0, 6],
    startMinute: 600,
    endMinute: 840,
  });
  assert.deepEqual(parseWindowRule('Mon-Wed,Fri 08:00-12:00'), {
    text: 'Mon-Wed,Fri 08:00-12:00',
    days: [1, 2, 3, 5],
    startMinute: 480,
    endMinute: 720,
  });
  assert.deepEqual(parseWindowRule('Mon-Sun 00:00-24:00'), {
    text: 'Mon-Sun 00:00-24:00',
    days: [0, 1, 2, 3, 4, 5, 6],
    startMinute: 0,
    endMinute: 1440,
  });
});

void test('parseWindowRule reads daily, overnight times, wrapping ranges and any letter case', () => {
  assert.deepEqual(parseWindowRule('daily 09:00-17:00'), {
    text: 'daily 09:00-17:00',
    days: [0, 1, 2, 3, 4, 5, 6],
    startMinute: 540,
    endMinute: 1020,
  });
  assert.deepEqual(parseWindowRule('Fri 22:00-02:00'), {
    text: 'Fri 22:00-02:00',
    days: [5],
    startMinute: 1320,
    endMinute: 120,
  });
  assert.deepEqual(parseWindowRule('Fri-Mon 20:00-23:00'), {
    text: 'Fri-Mon 20:00-23:00',
    days: [0, 1, 5, 6],
    startMinute: 1200,
    endMinute: 1380,
  });
  assert.deepEqual(parseWindowRule('  mon-FRI, sun 09:30-17:45 '), {
    text: 'mon-FRI, sun 09:30-17:45',
    days: [0, 1, 2, 3, 4, 5],
    startMinute: 570,
    endMinute: 1065,
  });
  assert.deepEqual(parseWindowRule('Fri 15:00-00:00'), {
    text: 'Fri 15:00-00:00',
    days: [5],
    startMinute: 900,
    endMinute: 0,
  });
});

void test('parseWindowRule refuses other spellings with what it expected', () => {
  assert.equal(WINDOW_RULE_EXPECTED, EXPECTED);
  const bad = [
    '',
    'Mon-Fri 9-5',
    'Mon-Fri 9:00-17:00',
    'Mon-Fri 09:00',
    'Mon-Fri',
    '09:00-17:00',
    'Monday 09:00-17:00',
    'Mon-Fri-Sat 09:00-17:00',
    'Mon-Mon 09:00-17:00',
    'Mon,,Tue 09:00-17:00',
    'weekdays 09:00-17:00',
    'Mon 24:00-02:00',
    'Mon 09:00-24:30',
    'Mon 25:00-26:00',
    'Mon 09:60-17:00',
    'Mon 09:00-17:00 CET',
  ];
  for (const text of bad) assert.deepEqual(parseWindowRule(text), { error: EXPECTED }, text);
});

void test('parseWindowRule refuses a window that starts where it ends', () => {
  for (const text of ['Mon 09:00-09:00', 'daily 00:00-00:00']) {
    assert.deepEqual(
      parseWindowRule(text),
      { error: 'a start and an end that differ (00:00-24:00 for a whole day)' },
      text,
    );
  }
});
