import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { signPayload, verifySignature } from './webhook-signature.js';

const body = '{"action":"release.promoted","id":7}';
const key = 'whsec-test-key';
const t = 1_700_000_000;

void describe('webhook signature', () => {
  void it('is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const expected = createHmac('sha256', key).update(`${t}.${body}`).digest('hex');
    assert.equal(signPayload(body, key, t), `t=${t},v1=${expected}`);
  });

  void it('verifies with the same key and body within the tolerance, either way', () => {
    const header = signPayload(body, key, t);
    assert.equal(verifySignature(header, body, key, { nowSeconds: t }), true);
    assert.equal(verifySignature(header, body, key, { nowSeconds: t + 300 }), true);
    assert.equal(verifySignature(header, body, key, { nowSeconds: t - 300 }), true);
  });

  void it('refuses a wrong key, a tampered body, and stale or future timestamps', () => {
    const header = signPayload(body, key, t);
    assert.equal(verifySignature(header, body, 'other-key', { nowSeconds: t }), false);
    assert.equal(verifySignature(header, body.replace('7', '8'), key, { nowSeconds: t }), false);
    assert.equal(verifySignature(header, body, key, { nowSeconds: t + 301 }), false);
    assert.equal(verifySignature(header, body, key, { nowSeconds: t - 301 }), false);
    assert.equal(verifySignature(header, body, key, { nowSeconds: t + 20, toleranceSeconds: 10 }), false);
  });

  void it('refuses a signature moved to another timestamp', () => {
    const v1 = signPayload(body, key, t).split('v1=')[1]!;
    assert.equal(verifySignature(`t=${t + 1},v1=${v1}`, body, key, { nowSeconds: t }), false);
  });

  void it('refuses malformed headers', () => {
    const v1 = signPayload(body, key, t).split('v1=')[1]!;
    for (const header of [
      '',
      'garbage',
      `v1=${v1}`,
      `t=${t}`,
      `t=${t},v1=${v1.slice(1)}`,
      `t=${t},v1=${v1.toUpperCase()}`,
      `t=abc,v1=${v1}`,
      `t=${t},t=${t},v1=${v1}`,
      `t=${t},v1=${v1},v2=${v1}`,
      `t=${t};v1=${v1}`,
    ]) {
      assert.equal(verifySignature(header, body, key, { nowSeconds: t }), false, header);
    }
  });

  void it('accepts any one matching v1 among several (key rotation)', () => {
    const good = signPayload(body, key, t).split('v1=')[1]!;
    const other = signPayload(body, 'old-key', t).split('v1=')[1]!;
    assert.equal(verifySignature(`t=${t},v1=${other},v1=${good}`, body, key, { nowSeconds: t }), true);
  });
});
