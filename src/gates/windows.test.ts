// Deployment windows against fixed instants (the fake clock): zones, DST change days, deny rules and freezes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Freeze, WindowPolicy, WindowRule } from '../spec/compiled-gates.js';
import { describeInstant, isTimeZone, parseLocalDateTime } from './local-time.js';
import { parseWindowRule } from './window-rule.js';
import { evaluateWindows } from './windows.js';

const at = (iso: string): number => Date.parse(iso);

function rule(text: string): WindowRule {
  const parsed = parseWindowRule(text);
  if ('error' in parsed) throw new Error(`bad rule in test: ${text}`);
  return parsed;
}

function policy(
  timeZone: string,
  allow: string[],
  deny: string[] = [],
  freezes: Freeze[] = [],
): WindowPolicy {
  return { timeZone, allow: allow.map(rule), deny: deny.map(rule), freezes };
}

/** open and nextChangeAt (as ISO) at an instant. */
function check(p: WindowPolicy, nowIso: string): { open: boolean; next: string | null } {
  const verdict = evaluateWindows(p, at(nowIso));
  return {
    open: verdict.open,
    next: verdict.nextChangeAt === null ? null : new Date(verdict.nextChangeAt).toISOString(),
  };
}

const OSLO_OFFICE = policy('Europe/Oslo', ['Mon-Fri 09:00-17:00']);

void test('Oslo business hours: start inclusive, end exclusive, closed on weekends', () => {
  // Monday 2026-12-07, CET (UTC+1): 09:00 local is 08:00Z.
  assert.deepEqual(evaluateWindows(OSLO_OFFICE, at('2026-12-07T07:59:00Z')), {
    open: false,
    reason:
      'outside the allowed windows (Mon-Fri 09:00-17:00, Europe/Oslo); next opens Mon 2026-12-07 09:00 CET',
    nextChangeAt: at('2026-12-07T08:00:00Z'),
    freeze: null,
  });
  assert.deepEqual(evaluateWindows(OSLO_OFFICE, at('2026-12-07T08:00:00Z')), {
    open: true,
    reason: 'inside Mon-Fri 09:00-17:00 (Europe/Oslo)',
    nextChangeAt: at('2026-12-07T16:00:00Z'),
    freeze: null,
  });
  assert.deepEqual(check(OSLO_OFFICE, '2026-12-07T15:59:59.999Z'), {
    open: true,
    next: '2026-12-07T16:00:00.000Z',
  });
  assert.deepEqual(check(OSLO_OFFICE, '2026-12-07T16:00:00Z'), {
    open: false,
    next: '2026-12-08T08:00:00.000Z',
  });
  assert.deepEqual(check(OSLO_OFFICE, '2026-12-11T16:00:00Z'), {
    open: false,
    next: '2026-12-14T08:00:00.000Z',
  });
  const saturday = evaluateWindows(OSLO_OFFICE, at('2026-12-12T12:00:00Z'));
  assert.equal(saturday.open, false);
  assert.equal(
    saturday.reason,
    'outside the allowed windows (Mon-Fri 09:00-17:00, Europe/Oslo); next opens Mon 2026-12-14 09:00 CET',
  );
});

void test('America/New_York and Asia/Kolkata (+05:30) business hours', () => {
  const newYork = policy('America/New_York', ['Mon-Fri 09:00-17:00']);
  assert.deepEqual(check(newYork, '2026-12-07T13:59:00Z'), { open: false, next: '2026-12-07T14:00:00.000Z' });
  assert.deepEqual(check(newYork, '2026-12-07T14:00:00Z'), { open: true, next: '2026-12-07T22:00:00.000Z' });
  assert.equal(
    evaluateWindows(newYork, at('2026-12-05T12:00:00Z')).reason,
    'outside the allowed windows (Mon-Fri 09:00-17:00, America/New_York); next opens Mon 2026-12-07 09:00 EST',
  );

  const kolkata = policy('Asia/Kolkata', ['Mon-Fri 09:00-17:00']);
  assert.deepEqual(check(kolkata, '2026-12-07T03:29:00Z'), { open: false, next: '2026-12-07T03:30:00.000Z' });
  assert.deepEqual(check(kolkata, '2026-12-07T03:30:00Z'), { open: true, next: '2026-12-07T11:30:00.000Z' });
  assert.equal(
    evaluateWindows(kolkata, at('2026-12-06T00:00:00Z')).reason,
    'outside the allowed windows (Mon-Fri 09:00-17:00, Asia/Kolkata); next opens Mon 2026-12-07 09:00 IST',
  );
});

void test('a deny rule overrides allow; nextChangeAt skips edges where nothing changes', () => {
  const p = policy('Europe/Oslo', ['Mon-Fri 09:00-17:00'], ['Fri 15:00-24:00']);
  assert.deepEqual(check(p, '2026-12-11T13:59:00Z'), { open: true, next: '2026-12-11T14:00:00.000Z' });
  // Friday 15:30 local: the deny ends at Saturday midnight, but the allow window only reopens on Monday.
  assert.deepEqual(evaluateWindows(p, at('2026-12-11T14:30:00Z')), {
    open: false,
    reason: 'denied by Fri 15:00-24:00 (Europe/Oslo) until Sat 2026-12-12 00:00 CET',
    nextChangeAt: at('2026-12-14T08:00:00Z'),
    freeze: null,
  });
  // Every allowed minute is denied: it never opens.
  const never = policy('Europe/Oslo', ['Mon 09:00-10:00'], ['Mon 08:00-11:00']);
  assert.deepEqual(evaluateWindows(never, at('2026-12-08T12:00:00Z')), {
    open: false,
    reason: 'outside the allowed windows (Mon 09:00-10:00, Europe/Oslo); no allowed time ahead',
    nextChangeAt: null,
    freeze: null,
  });
});

void test('a freeze beats allow and deny, shows its reason, and nextChangeAt looks past it', () => {
  const yearEnd: Freeze = {
    fromMs: at('2026-12-18T23:00:00Z'),
    untilMs: at('2027-01-03T23:00:00Z'),
    reason: 'year-end freeze',
  };
  const p = policy('Europe/Oslo', ['Mon-Fri 09:00-17:00'], ['Fri 15:00-24:00'], [yearEnd]);
  assert.deepEqual(check(p, '2026-12-18T12:00:00Z'), { open: true, next: '2026-12-18T14:00:00.000Z' });
  // Inside the allow window and the freeze; it ends at midnight, the allow window opens at 09:00 two weeks on.
  assert.deepEqual(evaluateWindows(p, at('2026-12-21T10:00:00Z')), {
    open: false,
    reason: 'frozen until Mon 2027-01-04 00:00 CET: year-end freeze',
    nextChangeAt: at('2027-01-04T08:00:00Z'),
    freeze: yearEnd,
  });
  // Inside the deny rule too: the freeze is still the reason given.
  assert.equal(
    evaluateWindows(p, at('2026-12-25T15:00:00Z')).reason,
    'frozen until Mon 2027-01-04 00:00 CET: year-end freeze',
  );
  assert.equal(evaluateWindows(p, at('2027-01-04T08:00:00Z')).open, true);
});

void test('without rules it is always open, and a future freeze is the only change', () => {
  assert.deepEqual(evaluateWindows(policy('Europe/Oslo', []), at('2026-12-07T12:00:00Z')), {
    open: true,
    reason: 'no windows: always open',
    nextChangeAt: null,
    freeze: null,
  });
  const freeze: Freeze = {
    fromMs: at('2027-06-01T00:00:00Z'),
    untilMs: at('2027-06-02T00:00:00Z'),
    reason: '',
  };
  const p = policy('Europe/Oslo', [], [], [freeze]);
  assert.deepEqual(check(p, '2026-12-07T12:00:00Z'), { open: true, next: '2027-06-01T00:00:00.000Z' });
  assert.deepEqual(evaluateWindows(p, at('2027-06-01T12:00:00Z')), {
    open: false,
    reason: 'frozen until Wed 2027-06-02 02:00 CEST',
    nextChangeAt: at('2027-06-02T00:00:00Z'),
    freeze,
  });
  assert.deepEqual(check(p, '2027-06-02T00:00:00Z'), { open: true, next: null });
});

void test('adjacent windows covering the whole week never change', () => {
  assert.deepEqual(check(policy('Europe/Oslo', ['Mon-Sun 00:00-24:00']), '2026-03-29T01:00:00Z'), {
    open: true,
    next: null,
  });
  const denyOnly = policy('Europe/Oslo', [], ['Sat,Sun 00:00-24:00']);
  assert.deepEqual(evaluateWindows(denyOnly, at('2026-12-09T12:00:00Z')), {
    open: true,
    reason: 'outside the denied windows (Sat,Sun 00:00-24:00, Europe/Oslo)',
    nextChangeAt: at('2026-12-11T23:00:00Z'),
    freeze: null,
  });
});

void test('an overnight window belongs to its start day', () => {
  const p = policy('Europe/Oslo', ['Fri 22:00-02:00']);
  assert.deepEqual(check(p, '2026-12-11T20:59:00Z'), { open: false, next: '2026-12-11T21:00:00.000Z' });
  // Saturday 01:00 local is inside, Saturday 03:00 local is not.
  assert.deepEqual(evaluateWindows(p, at('2026-12-12T00:00:00Z')), {
    open: true,
    reason: 'inside Fri 22:00-02:00 (Europe/Oslo)',
    nextChangeAt: at('2026-12-12T01:00:00Z'),
    freeze: null,
  });
  assert.deepEqual(check(p, '2026-12-12T02:00:00Z'), { open: false, next: '2026-12-18T21:00:00.000Z' });
  // Thursday night is not a Friday.
  assert.equal(evaluateWindows(p, at('2026-12-10T23:00:00Z')).open, false);
});

void test('Oslo spring forward (2026-03-29, 02:00→03:00): 09:00 is 08:00Z before and 07:00Z after', () => {
  assert.deepEqual(check(OSLO_OFFICE, '2026-03-27T07:59:00Z'), {
    open: false,
    next: '2026-03-27T08:00:00.000Z',
  });
  assert.deepEqual(check(OSLO_OFFICE, '2026-03-27T08:00:00Z'), {
    open: true,
    next: '2026-03-27T16:00:00.000Z',
  });
  assert.deepEqual(check(OSLO_OFFICE, '2026-03-29T12:00:00Z'), {
    open: false,
    next: '2026-03-30T07:00:00.000Z',
  });
  assert.deepEqual(check(OSLO_OFFICE, '2026-03-30T07:00:00Z'), {
    open: true,
    next: '2026-03-30T15:00:00.000Z',
  });
  assert.equal(
    evaluateWindows(OSLO_OFFICE, at('2026-03-29T12:00:00Z')).reason,
    'outside the allowed windows (Mon-Fri 09:00-17:00, Europe/Oslo); next opens Mon 2026-03-30 09:00 CEST',
  );
});

void test('a window across the spring-forward gap lasts two real hours', () => {
  const p = policy('Europe/Oslo', ['Sun 01:00-04:00']);
  // 00:00 CET → opens at 01:00 CET (00:00Z).
  assert.deepEqual(check(p, '2026-03-28T23:00:00Z'), { open: false, next: '2026-03-29T00:00:00.000Z' });
  assert.deepEqual(check(p, '2026-03-29T00:30:00Z'), { open: true, next: '2026-03-29T02:00:00.000Z' }); // 01:30 CET
  assert.deepEqual(check(p, '2026-03-29T01:30:00Z'), { open: true, next: '2026-03-29T02:00:00.000Z' }); // 03:30 CEST
  assert.deepEqual(check(p, '2026-03-29T02:00:00Z'), { open: false, next: '2026-04-04T23:00:00.000Z' }); // 04:00 CEST
});

void test('a boundary inside the spring-forward gap happens at the first existing instant after it', () => {
  const p = policy('Europe/Oslo', ['Sun 02:30-05:00']);
  // 02:30 does not exist that day: the window opens at 03:00 CEST (01:00Z).
  assert.deepEqual(check(p, '2026-03-29T00:59:00Z'), { open: false, next: '2026-03-29T01:00:00.000Z' });
  assert.deepEqual(check(p, '2026-03-29T01:00:00Z'), { open: true, next: '2026-03-29T03:00:00.000Z' });
  // A window wholly inside the gap does not happen that day.
  const inGap = policy('Europe/Oslo', ['Sun 02:10-02:50']);
  assert.deepEqual(check(inGap, '2026-03-28T12:00:00Z'), { open: false, next: '2026-04-05T00:10:00.000Z' });
});

void test('Oslo fall back (2026-10-25, 03:00→02:00): windows and nextChangeAt across the day', () => {
  assert.deepEqual(check(OSLO_OFFICE, '2026-10-23T12:00:00Z'), {
    open: true,
    next: '2026-10-23T15:00:00.000Z',
  });
  assert.deepEqual(check(OSLO_OFFICE, '2026-10-23T15:00:00Z'), {
    open: false,
    next: '2026-10-26T08:00:00.000Z',
  });
  assert.deepEqual(check(OSLO_OFFICE, '2026-10-25T01:30:00Z'), {
    open: false,
    next: '2026-10-26T08:00:00.000Z',
  });

  // 01:00 CEST (23:00Z Saturday) to 04:00 CET (03:00Z): four real hours, the repeated hour inside.
  const night = policy('Europe/Oslo', ['Sun 01:00-04:00']);
  assert.deepEqual(check(night, '2026-10-24T22:00:00Z'), { open: false, next: '2026-10-24T23:00:00.000Z' });
  assert.deepEqual(check(night, '2026-10-24T23:30:00Z'), { open: true, next: '2026-10-25T03:00:00.000Z' });
  assert.deepEqual(check(night, '2026-10-25T01:30:00Z'), { open: true, next: '2026-10-25T03:00:00.000Z' });
  assert.deepEqual(check(night, '2026-10-25T03:00:00Z'), { open: false, next: '2026-11-01T00:00:00.000Z' });

  // 02:30 happens twice: the boundary is the first one (00:30Z, still CEST).
  const ambiguous = policy('Europe/Oslo', ['Sun 02:30-05:00']);
  assert.deepEqual(check(ambiguous, '2026-10-24T23:00:00Z'), {
    open: false,
    next: '2026-10-25T00:30:00.000Z',
  });
});

void test('America/New_York DST: 2026-03-08 spring forward and 2026-11-01 fall back', () => {
  const p = policy('America/New_York', ['Mon-Fri 09:00-17:00']);
  assert.deepEqual(check(p, '2026-03-06T14:00:00Z'), { open: true, next: '2026-03-06T22:00:00.000Z' }); // EST
  assert.deepEqual(check(p, '2026-03-07T12:00:00Z'), { open: false, next: '2026-03-09T13:00:00.000Z' }); // EDT
  assert.deepEqual(check(p, '2026-10-30T13:00:00Z'), { open: true, next: '2026-10-30T21:00:00.000Z' }); // EDT
  assert.deepEqual(check(p, '2026-10-31T12:00:00Z'), { open: false, next: '2026-11-02T14:00:00.000Z' }); // EST
  assert.equal(
    evaluateWindows(p, at('2026-10-31T12:00:00Z')).reason,
    'outside the allowed windows (Mon-Fri 09:00-17:00, America/New_York); next opens Mon 2026-11-02 09:00 EST',
  );
  // 01:00 EDT (05:00Z) to 02:00 EST (07:00Z) on the fall-back night.
  const night = policy('America/New_York', ['Sun 01:00-02:00']);
  assert.deepEqual(check(night, '2026-11-01T04:00:00Z'), { open: false, next: '2026-11-01T05:00:00.000Z' });
  assert.deepEqual(check(night, '2026-11-01T06:30:00Z'), { open: true, next: '2026-11-01T07:00:00.000Z' });
  // The spring-forward night: 02:00-03:00 does not exist, a 02:00 start happens at 03:00 EDT (07:00Z).
  const spring = policy('America/New_York', ['Sun 02:00-04:00']);
  assert.deepEqual(check(spring, '2026-03-08T06:00:00Z'), { open: false, next: '2026-03-08T07:00:00.000Z' });
  assert.deepEqual(check(spring, '2026-03-08T07:00:00Z'), { open: true, next: '2026-03-08T08:00:00.000Z' });
});

void test('parseLocalDateTime reads wall time, moving gap times forward and taking the earlier ambiguous one', () => {
  assert.equal(parseLocalDateTime('2026-12-20T00:00', 'Europe/Oslo'), at('2026-12-19T23:00:00Z'));
  assert.equal(parseLocalDateTime('2026-12-20 00:00', 'Europe/Oslo'), at('2026-12-19T23:00:00Z'));
  assert.equal(parseLocalDateTime('2026-12-20', 'Europe/Oslo'), at('2026-12-19T23:00:00Z'));
  assert.equal(parseLocalDateTime('2026-07-01 09:00', 'Asia/Kolkata'), at('2026-07-01T03:30:00Z'));
  // 02:30 does not exist on 2026-03-29 in Oslo: it means 03:30 CEST.
  assert.equal(parseLocalDateTime('2026-03-29T02:30', 'Europe/Oslo'), at('2026-03-29T01:30:00Z'));
  // 02:30 happens twice on 2026-10-25 in Oslo: the first one, 02:30 CEST.
  assert.equal(parseLocalDateTime('2026-10-25T02:30', 'Europe/Oslo'), at('2026-10-25T00:30:00Z'));
  assert.equal(parseLocalDateTime('2026-03-08T02:30', 'America/New_York'), at('2026-03-08T07:30:00Z'));
  assert.equal(parseLocalDateTime('2026-11-01T01:30', 'America/New_York'), at('2026-11-01T05:30:00Z'));
});

void test('parseLocalDateTime takes an ISO instant with Z or an offset as is, and refuses anything else', () => {
  assert.equal(parseLocalDateTime('2026-12-20T00:00Z', 'Europe/Oslo'), at('2026-12-20T00:00:00Z'));
  assert.equal(parseLocalDateTime('2026-12-20T00:00:00.500Z', 'Europe/Oslo'), at('2026-12-20T00:00:00.500Z'));
  assert.equal(parseLocalDateTime('2026-12-20T09:00:00+05:30', 'Europe/Oslo'), at('2026-12-20T03:30:00Z'));
  const expected =
    'a date and time like "2026-12-20T00:00" or "2026-12-20" (wall time in Europe/Oslo), or an ISO instant like "2026-12-20T00:00Z"';
  for (const bad of [
    '',
    '2026-02-30',
    '2026-12-20T24:00',
    '2026-12-20T9:00',
    '20-12-2026',
    '2026-12-20T00:00:00',
    'now',
  ]) {
    assert.deepEqual(parseLocalDateTime(bad, 'Europe/Oslo'), { error: expected }, bad);
  }
});

void test('describeInstant shows local time with the short zone name', () => {
  assert.equal(describeInstant(at('2026-12-07T08:00:00Z'), 'Europe/Oslo'), 'Mon 2026-12-07 09:00 CET');
  assert.equal(describeInstant(at('2026-07-06T07:00:00Z'), 'Europe/Oslo'), 'Mon 2026-07-06 09:00 CEST');
  assert.equal(describeInstant(at('2026-12-07T14:00:00Z'), 'America/New_York'), 'Mon 2026-12-07 09:00 EST');
  assert.equal(describeInstant(at('2026-12-07T03:30:00Z'), 'Asia/Kolkata'), 'Mon 2026-12-07 09:00 IST');
  assert.equal(describeInstant(at('2026-12-06T23:30:00Z'), 'UTC'), 'Sun 2026-12-06 23:30 UTC');
});

void test('isTimeZone accepts IANA names Intl knows and nothing else', () => {
  for (const name of ['Europe/Oslo', 'America/New_York', 'Asia/Kolkata', 'UTC'])
    assert.equal(isTimeZone(name), true);
  for (const name of ['', 'Mars/Olympus', '+01:00', 'CET+1']) assert.equal(isTimeZone(name), false, name);
});
