// The bounded, redacted output tail and the retry loop shared by every kind of action.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRedactor } from './redact.js';
import {
  formatSeconds,
  OUTPUT_LIMIT_BYTES,
  OutputTail,
  retryDelayMs,
  withRetries,
  type AttemptOutcome,
} from './result.js';

const none = createRedactor([]);
const CUT = /^\[… (\d+) bytes cut\]\n/;

void describe('OutputTail', () => {
  void it('keeps everything while under the limit', () => {
    const tail = new OutputTail();
    tail.push(Buffer.from('out '));
    tail.push(Buffer.from('err'));
    assert.equal(tail.text(none), 'out err');
  });

  void it('keeps only the last bytes, with a marker counting what was cut', () => {
    const tail = new OutputTail();
    for (let i = 0; i < 100; i += 1)
      tail.push(Buffer.from(`${String(i).padStart(4, '0')}${'.'.repeat(1019)}\n`));
    const text = tail.text(none);
    const match = CUT.exec(text);
    assert.ok(match);
    assert.equal(Buffer.byteLength(text.slice(match[0].length)), OUTPUT_LIMIT_BYTES);
    assert.equal(Number(match[1]), 100 * 1024 - OUTPUT_LIMIT_BYTES);
    assert.ok(text.endsWith(`0099${'.'.repeat(1019)}\n`));
  });

  void it('redacts a secret split across two chunks', () => {
    const tail = new OutputTail();
    tail.push(Buffer.from('token=sup3r-'));
    tail.push(Buffer.from('s3cret done'));
    assert.equal(
      tail.text(createRedactor([{ name: 'TOKEN', value: 'sup3r-s3cret' }])),
      'token=[redacted:TOKEN] done',
    );
  });

  void it('redacts a secret that the ring cut through before the shown tail', () => {
    const tail = new OutputTail();
    const secret = 'abcdefghij'.repeat(50);
    tail.push(Buffer.from(secret));
    tail.push(Buffer.from('y'.repeat(2 * OUTPUT_LIMIT_BYTES - 250)));
    const text = tail.text(createRedactor([{ name: 'BIG', value: secret }]));
    assert.ok(!text.includes('abcdefghij'));
  });

  void it('cuts on a UTF-8 boundary', () => {
    const tail = new OutputTail();
    tail.push(Buffer.from('é'.repeat(OUTPUT_LIMIT_BYTES)));
    const shown = tail.text(none).replace(CUT, '');
    assert.ok(!shown.includes('\uFFFD'));
    assert.ok(/^é+$/.test(shown));
  });
});

void describe('formatSeconds and retryDelayMs', () => {
  void it('formats to a tenth of a second', () => {
    assert.deepEqual(
      [formatSeconds(1_200), formatSeconds(400), formatSeconds(30_000)],
      ['1.2 s', '0.4 s', '30 s'],
    );
  });

  void it('doubles from 500 ms up to 5 s', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5].map(retryDelayMs), [500, 1_000, 2_000, 4_000, 5_000, 5_000]);
  });
});

void describe('withRetries', () => {
  const outcome = (ok: boolean): AttemptOutcome => ({
    ok,
    message: ok ? 'fine' : 'bad',
    exitCode: null,
    status: null,
    output: '',
  });

  void it('retries after failures with backoff, and stops at the first success', async () => {
    const slept: number[] = [];
    const results = [false, false, true, true];
    const result = await withRetries(
      { name: 'a', kind: 'command', retries: 5 },
      { sleep: async (ms) => void slept.push(ms) },
      async () => outcome(results.shift() ?? false),
    );
    assert.equal(result.ok, true);
    assert.equal(result.attempts, 3);
    assert.deepEqual(slept, [500, 1_000]);
  });

  void it('gives up after the extra attempts, and stops retrying once aborted', async () => {
    const sleep = async (): Promise<void> => {};
    const failing = await withRetries({ name: 'a', kind: 'http', retries: 2 }, { sleep }, async () =>
      outcome(false),
    );
    assert.deepEqual([failing.ok, failing.attempts, failing.message], [false, 3, 'bad']);
    const controller = new AbortController();
    const aborted = await withRetries(
      { name: 'a', kind: 'http', retries: 2 },
      { sleep, signal: controller.signal },
      async () => {
        controller.abort();
        return outcome(false);
      },
    );
    assert.equal(aborted.attempts, 1);
  });

  void it('reports the start time and the whole duration from the injected clock', async () => {
    let t = Date.parse('2030-01-02T03:04:05.000Z');
    const result = await withRetries(
      { name: 'a', kind: 'command', retries: 1 },
      { now: () => t, sleep: async (ms) => void (t += ms) },
      async () => {
        t += 100;
        return outcome(false);
      },
    );
    assert.equal(result.startedAt, '2030-01-02T03:04:05.000Z');
    assert.equal(result.durationMs, 700);
  });
});
