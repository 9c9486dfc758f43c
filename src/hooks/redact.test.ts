// Secrets become [redacted:NAME]; secret names are picked from an environment by pattern.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRedactor, secretsFromEnv } from './redact.js';

void describe('createRedactor', () => {
  void it('replaces every occurrence of each value with its name', () => {
    const redactor = createRedactor([
      { name: 'TOKEN', value: 'tok-1234' },
      { name: 'PASSWORD', value: 'hunter22' },
    ]);
    assert.equal(
      redactor.redact('tok-1234 and hunter22, again tok-1234'),
      '[redacted:TOKEN] and [redacted:PASSWORD], again [redacted:TOKEN]',
    );
  });

  void it('hides the longest value first, so a value containing another is hidden whole', () => {
    const redactor = createRedactor([
      { name: 'SHORT', value: 'abcd' },
      { name: 'LONG', value: 'abcdefgh' },
    ]);
    assert.equal(redactor.redact('x abcdefgh y abcd'), 'x [redacted:LONG] y [redacted:SHORT]');
  });

  void it('ignores values shorter than 4 characters and treats values literally', () => {
    const redactor = createRedactor([
      { name: 'TINY', value: 'abc' },
      { name: 'REGEXY', value: 'a.b*(c)' },
    ]);
    assert.equal(redactor.redact('abc axbbc a.b*(c)'), 'abc axbbc [redacted:REGEXY]');
  });

  void it('leaves text alone without secrets', () => {
    assert.equal(createRedactor([]).redact('nothing $& here'), 'nothing $& here');
  });
});

void describe('secretsFromEnv', () => {
  void it('picks variables whose name matches a pattern, case-insensitively', () => {
    const env = { DB_PASSWORD: 'p4ssword', STRIPE_API_KEY: 'sk_live_1', APIKEY: 'k', LOG_LEVEL: 'debug' };
    assert.deepEqual(secretsFromEnv(env, ['password', 'api[_-]?key']), [
      { name: 'DB_PASSWORD', value: 'p4ssword' },
      { name: 'STRIPE_API_KEY', value: 'sk_live_1' },
      { name: 'APIKEY', value: 'k' },
    ]);
  });
});
