// Every example spec in the repository compiles; the shop example is checked in detail because the demo
// and the end-to-end tests rely on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSpecFile } from './load.js';
import { runSpecFor } from './resolve-version.js';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

function specFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) specFiles(path, out);
    else if (name === 'greenlight.yaml' || (dir === examples && name.endsWith('.yaml'))) out.push(path);
  }
  return out;
}

const files = specFiles(examples).sort();

void test('there are example specs for each strategy and for the runbooks', () => {
  const names = files.map((file) => file.slice(examples.length));
  for (const wanted of ['shop/greenlight.yaml', 'blue-green/greenlight.yaml', 'rolling/greenlight.yaml']) {
    assert.ok(names.includes(wanted), wanted);
  }
  assert.ok(names.filter((name) => name.startsWith('runbooks/')).length >= 5, names.join(', '));
});

for (const file of files) {
  void test(`example ${file.slice(examples.length)} compiles`, () => {
    const spec = loadSpecFile(file);
    assert.equal(spec.source, file);
    assert.ok(spec.target.run.cwd.startsWith('/'));
  });
}

void test('the shop example is a canary of the example app with a broken v3', () => {
  const spec = loadSpecFile(join(examples, 'shop/greenlight.yaml'));
  assert.equal(spec.name, 'shop');
  assert.equal(spec.strategy.kind, 'canary');
  assert.equal(spec.target.run.cwd, join(examples, 'app'));
  assert.deepEqual(runSpecFor(spec, 'v2').env, { APP_VERSION: 'v2' });
  assert.deepEqual(runSpecFor(spec, 'v3').env, { APP_VERSION: 'v3', FAIL_RATE: '0.3' });
  assert.deepEqual(runSpecFor(spec, 'v3').command, ['node', 'server.js']);
});
