// Reading Prometheus API answers without a server: envelopes, result types, reducers, NaN/Inf, bad shapes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interpretAnswer, reduceResult } from './prometheus-result.js';

const vector = (...values: Array<[Record<string, string>, string]>) =>
  values.map(([metric, value]) => ({ metric, value: [1700000000, value] }));
const ok = (resultType: string, result: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ status: 'success', data: { resultType, result }, ...extra });

describe('prometheus answers', () => {
  it('one series or a scalar gives its value', () => {
    assert.deepEqual(reduceResult('vector', vector([{ a: '1' }, '0.5']), undefined), {
      kind: 'value',
      value: 0.5,
      detail: 'from {a="1"}',
    });
    assert.equal((reduceResult('scalar', [1700000000, '42'], undefined) as { value: number }).value, 42);
  });

  it('several series need a reducer, and each reducer folds them', () => {
    const three = vector([{ v: 'c' }, '3'], [{ v: 'a' }, '1'], [{ v: 'b' }, '2']);
    const refused = reduceResult('vector', three, undefined);
    assert.equal(refused.kind, 'error');
    assert.match((refused as { message: string }).message, /^3 series and no reducer/);
    const expected = { sum: 6, avg: 2, max: 3, min: 1, first: 1 } as const;
    for (const [reducer, value] of Object.entries(expected)) {
      const outcome = reduceResult('vector', three, reducer as keyof typeof expected);
      assert.equal(outcome.kind === 'value' && outcome.value, value, reducer);
    }
  });

  it('a matrix folds every sample; without a reducer it is refused', () => {
    const matrix = [
      {
        metric: { v: 'a' },
        values: [
          [1, '1'],
          [2, '5'],
          [3, '2'],
        ],
      },
    ];
    assert.equal((reduceResult('matrix', matrix, 'max') as { value: number }).value, 5);
    assert.match(
      (reduceResult('matrix', matrix, undefined) as { message: string }).message,
      /^3 samples and no reducer/,
    );
  });

  it('an empty result, NaN and ±Inf are no data', () => {
    assert.equal(reduceResult('vector', [], 'sum').kind, 'noData');
    assert.equal(reduceResult('matrix', [], 'sum').kind, 'noData');
    for (const special of ['NaN', '+Inf', '-Inf']) {
      const outcome = reduceResult('vector', vector([{}, '1'], [{ x: '1' }, special]), 'sum');
      assert.equal(outcome.kind, 'noData', special);
    }
  });

  it('Prometheus errors, HTTP errors, bad JSON, strings and bad shapes are errors', () => {
    const cases: Array<[number, string, RegExp]> = [
      [
        400,
        JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }),
        /refused the query \(HTTP 400, bad_data\): parse error/,
      ],
      [502, '<html>bad gateway</html>', /HTTP 502 with a body that is not JSON: <html>bad gateway/],
      [200, 'null', /not an API answer/],
      [503, JSON.stringify({ status: 'success' }), /answered HTTP 503/],
      [200, ok('string', [1, 'x']), /type string, not a number/],
      [200, ok('vector', [{ metric: {}, value: [1, 'abc'] }]), /unexpected shape/],
      [200, ok('vector', { nope: true }), /unexpected shape/],
      [200, ok('matrix', [{ metric: {} }]), /unexpected shape/],
    ];
    for (const [status, body, message] of cases) {
      const outcome = interpretAnswer(status, body, undefined);
      assert.equal(outcome.kind, 'error', body);
      assert.match((outcome as { message: string }).message, message);
    }
  });

  it('warnings are kept in the message', () => {
    const outcome = interpretAnswer(
      200,
      ok('vector', vector([{}, '1']), { warnings: ['partial response'] }),
      undefined,
    );
    assert.equal(outcome.kind, 'value');
    assert.match((outcome as { detail: string }).detail, /warnings: partial response/);
  });
});
