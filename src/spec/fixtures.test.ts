// The bad-spec suite: every test/fixtures/specs/bad/NN-name.yaml must fail with exactly the problems in its
// NN-name.expected.txt (one `file:line:column: path: message` per line, file as the fixture's base name).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileSpecText } from './load.js';
import { formatProblem, SpecError } from './spec-error.js';

const dir = fileURLToPath(new URL('../../test/fixtures/specs/bad/', import.meta.url));
const fixtures = readdirSync(dir)
  .filter((name) => name.endsWith('.yaml'))
  .sort();

void test('the bad-spec suite has its fixtures, each with expected errors', () => {
  assert.ok(fixtures.length >= 15, `only ${fixtures.length} fixtures`);
  for (const name of fixtures)
    assert.ok(existsSync(`${dir}${name.replace(/\.yaml$/, '.expected.txt')}`), name);
});

for (const name of fixtures) {
  void test(`bad spec ${name}`, () => {
    const expected = readFileSync(`${dir}${name.replace(/\.yaml$/, '.expected.txt')}`, 'utf8').trimEnd();
    const text = readFileSync(`${dir}${name}`, 'utf8');
    let error: unknown;
    try {
      compileSpecText(text, name);
    } catch (caught) {
      error = caught;
    }
    assert.ok(error instanceof SpecError, `${name} compiled without errors`);
    assert.equal(error.message, expected);
    assert.deepEqual(error.problems.map(formatProblem), expected.split('\n'));
  });
}
