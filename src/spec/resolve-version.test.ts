import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../errors.js';
import { compileSpecText } from './load.js';
import { runSpecFor } from './resolve-version.js';

const spec = compileSpecText(
  `apiVersion: greenlight.dev/v1alpha1
kind: App
metadata: { name: shop }
spec:
  target:
    local:
      listen: 127.0.0.1:0
      run:
        command: [node, "server-\${version}.js", --name, "\${app}"]
        cwd: ./releases/\${version}
        env: { APP_VERSION: "\${version}", LISTEN: "127.0.0.1:\${PORT}", MODE: normal }
      versions:
        v3: { env: { FAIL_RATE: "0.3", MODE: "broken-\${version}" } }
        v4: { command: [./start.sh, "\${version}"], cwd: /srv/v4 }
`,
  '/apps/shop/greenlight.yaml',
);

void test('runSpecFor fills ${version} and ${app} and leaves ${PORT} for the agent', () => {
  assert.deepEqual(runSpecFor(spec, 'v2'), {
    command: ['node', 'server-v2.js', '--name', 'shop'],
    cwd: '/apps/shop/releases/v2',
    env: { APP_VERSION: 'v2', LISTEN: '127.0.0.1:${PORT}', MODE: 'normal' },
  });
});

void test('a per-version override merges env key by key', () => {
  assert.deepEqual(runSpecFor(spec, 'v3').env, {
    APP_VERSION: 'v3',
    LISTEN: '127.0.0.1:${PORT}',
    MODE: 'broken-v3',
    FAIL_RATE: '0.3',
  });
});

void test('a per-version override replaces command and cwd', () => {
  const run = runSpecFor(spec, 'v4');
  assert.deepEqual(run.command, ['./start.sh', 'v4']);
  assert.equal(run.cwd, '/srv/v4');
  assert.equal(run.env?.MODE, 'normal');
});

void test('runSpecFor refuses a version name the agent could not use', () => {
  assert.throws(() => runSpecFor(spec, '../etc'), InvalidInputError);
  assert.throws(() => runSpecFor(spec, ''), InvalidInputError);
});
