// The JSONPath subset: what parses, what is refused (with the position), and what picking finds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../errors.js';
import { jsonPathProblem, parseJsonPath, pickJsonPath } from './jsonpath.js';

describe('JSONPath subset', () => {
  it('parses names, quoted names and indexes', () => {
    assert.deepEqual(parseJsonPath('$').steps, []);
    assert.deepEqual(parseJsonPath('$.a.b[0].c').steps, [
      { key: 'a' },
      { key: 'b' },
      { index: 0 },
      { key: 'c' },
    ]);
    assert.deepEqual(parseJsonPath(`$['error-rate']["a b"][12]`).steps, [
      { key: 'error-rate' },
      { key: 'a b' },
      { index: 12 },
    ]);
    assert.deepEqual(parseJsonPath(`$['it\\'s']`).steps, [{ key: "it's" }]);
    assert.deepEqual(parseJsonPath('$.p95-ms._x').steps, [{ key: 'p95-ms' }, { key: '_x' }]);
  });

  it('refuses syntax outside the subset, naming the position and the reason', () => {
    const refused: Array<[string, RegExp]> = [
      ['a.b', /position 1: a path must start with \$/],
      ['$..a', /position 2: recursive descent/],
      ['$.a.*', /position 4: wildcards/],
      ['$.a[*]', /position 4: wildcards/],
      ['$.a[?(@.x > 1)]', /position 4: filters/],
      ['$.a[-1]', /position 4: negative indexes/],
      ['$.a[1:3]', /position 4: slices/],
      ['$.a[0,1]', /position 4: unions/],
      [`$['a','b']`, /unions/],
      ['$.a[01]', /an index must be a whole number/],
      ['$.', /a name after '.'/],
      ['$.a b', /unexpected " "/],
      [`$['a]`, /unclosed quoted name/],
    ];
    for (const [path, reason] of refused) {
      assert.throws(
        () => parseJsonPath(path),
        (e: unknown) => e instanceof InvalidInputError && reason.test(e.message),
        path,
      );
      assert.match(jsonPathProblem(path) ?? '', /^a JSONPath in the supported subset/, path);
    }
    assert.equal(jsonPathProblem('$.ok[0]'), undefined);
  });

  it('picks the value, tells missing data from a wrong shape', () => {
    const doc = { data: { items: [{ v: 1.5 }, { v: null }], n: 3 } };
    assert.deepEqual(pickJsonPath(parseJsonPath('$.data.items[0].v'), doc), { found: true, value: 1.5 });
    assert.deepEqual(pickJsonPath(parseJsonPath('$'), 7), { found: true, value: 7 });
    const absent = ['$.data.items[1].v', '$.data.items[5].v', '$.data.missing', '$.data.items[1].v.deeper'];
    for (const path of absent) {
      const picked = pickJsonPath(parseJsonPath(path), doc);
      assert.equal(picked.found === false && picked.why, 'absent', path);
    }
    for (const path of ['$.data.n.x', '$.data[0]', '$.data.items.v']) {
      const picked = pickJsonPath(parseJsonPath(path), doc);
      assert.equal(picked.found === false && picked.why, 'wrongType', path);
    }
    const inherited = pickJsonPath(parseJsonPath('$.toString'), {});
    assert.equal(inherited.found, false, 'inherited properties are not fields');
  });
});
