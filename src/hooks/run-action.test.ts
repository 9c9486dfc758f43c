// runAction dispatches on the kind of action and turns every error into a failed result.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createRedactor } from './redact.js';
import { runAction, type ActionContext } from './run-action.js';

const dir = mkdtempSync(join(tmpdir(), 'gl-hooks-run-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ctx: ActionContext = {
  vars: { version: '1.0.0' },
  env: {},
  redactor: createRedactor([{ name: 'TOKEN', value: 'tok-secret' }]),
  preview: async (req) => ({ status: 200, body: `preview of ${req.path}` }),
};

void describe('runAction', () => {
  void it('runs a command action', async () => {
    const result = await runAction(
      {
        kind: 'command',
        name: 'migrate',
        argv: [process.execPath, '-e', 'console.log("migrated to " + process.argv[1])', '${version}'],
        cwd: dir,
        env: {},
        timeoutMs: 30_000,
        retries: 0,
      },
      ctx,
    );
    assert.deepEqual(
      [result.name, result.kind, result.ok, result.output],
      ['migrate', 'command', true, 'migrated to 1.0.0\n'],
    );
  });

  void it('runs an http action', async () => {
    const result = await runAction(
      {
        kind: 'http',
        name: 'smoke',
        url: null,
        path: '/ready',
        method: 'GET',
        headers: {},
        expectStatus: 200,
        expectBody: null,
        timeoutMs: 1_000,
        retries: 0,
      },
      ctx,
    );
    assert.deepEqual(
      [result.name, result.kind, result.ok, result.output],
      ['smoke', 'http', true, 'preview of /ready'],
    );
  });

  void it('turns an error into a failed, redacted result instead of throwing', async () => {
    const result = await runAction(
      {
        kind: 'http',
        name: 'tok-secret check',
        url: null,
        path: '/ready',
        method: 'GET',
        headers: {},
        expectStatus: 200,
        expectBody: null,
        timeoutMs: 1_000,
        retries: 2,
      },
      { ...ctx, preview: undefined },
    );
    assert.equal(result.ok, false);
    assert.equal(result.attempts, 0);
    assert.equal(result.name, 'tok-secret check');
    assert.equal(
      result.message,
      'http action "[redacted:TOKEN] check" has a path, but no preview route was given to send it to',
    );
  });
});
