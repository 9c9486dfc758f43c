// Spec checks (typed refusals naming the field), the spec hash, and an instance's environment.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../../errors.js';
import type { VersionSetSpec } from '../types.js';
import { appSpec, probe } from './fixtures/harness.js';
import { checkName, checkVersionSetSpec, instanceEnv, specHash } from './spec.js';

function refused(spec: VersionSetSpec, field: string): void {
  assert.throws(
    () => checkVersionSetSpec(spec),
    (error: unknown) => error instanceof InvalidInputError && error.details.field === field,
  );
}

void describe('version set spec', () => {
  void it('accepts a good spec', () => {
    checkVersionSetSpec(appSpec('v1.2_rc-1', 2));
  });

  void it('refuses bad input naming the field', () => {
    const good = appSpec('v1', 1);
    refused({ ...good, version: '../etc' }, 'version');
    refused({ ...good, instances: 1.5 }, 'instances');
    refused({ ...good, instances: -1 }, 'instances');
    refused({ ...good, run: { command: [] } }, 'run.command');
    refused({ ...good, run: { command: [''] } }, 'run.command');
    refused({ ...good, readiness: { ...probe({ tcp: {} }), http: { path: '/x' } } }, 'readiness');
    refused({ ...good, liveness: probe({ http: { path: 'health' } }) }, 'liveness.http.path');
    refused({ ...good, liveness: probe({ tcp: {} }, { periodMs: 0 }) }, 'liveness.periodMs');
    refused({ ...good, readiness: probe({ exec: { command: [] } }) }, 'readiness.exec.command');
    refused({ ...good, stopGraceMs: -1 }, 'stopGraceMs');
    assert.throws(() => checkName('app', 'a/b'), InvalidInputError);
  });

  void it('hashes what an instance runs, not how many there are or how they stop', () => {
    const base = appSpec('v1', 1);
    assert.equal(specHash(base), specHash({ ...base, instances: 5, drainTimeoutMs: 9, stopGraceMs: 9 }));
    assert.equal(specHash(base), specHash(structuredClone(base)));
    const reordered = { ...base, run: { env: base.run.env ?? {}, command: base.run.command } };
    assert.equal(specHash(base), specHash(reordered), 'key order does not matter');
    assert.notEqual(specHash(base), specHash(appSpec('v1', 1, { KNOB: '1' })));
    assert.notEqual(specHash(base), specHash({ ...base, liveness: probe({ tcp: {} }) }));
  });

  void it('builds the environment: a few agent variables, the spec with ${PORT}, then Greenlight variables', () => {
    const spec: VersionSetSpec = {
      ...appSpec('v1', 1),
      run: { command: ['x'], env: { LISTEN: '127.0.0.1:${PORT}', PORT: '1', SECRET_FROM_SPEC: 's' } },
    };
    const env = instanceEnv(spec, { app: 'shop', version: 'v1', id: 'v1-3', port: 4321 });
    assert.equal(env.LISTEN, '127.0.0.1:4321');
    assert.equal(env.PORT, '4321');
    assert.equal(env.GREENLIGHT_APP, 'shop');
    assert.equal(env.GREENLIGHT_VERSION, 'v1');
    assert.equal(env.GREENLIGHT_INSTANCE, 'v1-3');
    assert.equal(env.SECRET_FROM_SPEC, 's');
    assert.equal(env.PATH, process.env.PATH);
    const allowed = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR', 'LISTEN', 'PORT', 'SECRET_FROM_SPEC'];
    for (const key of Object.keys(env)) {
      assert.ok(allowed.includes(key) || key.startsWith('GREENLIGHT_'), `unexpected ${key}`);
    }
  });
});
