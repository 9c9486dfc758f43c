// One environment's effective spec, and which environment a release targets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError, NotFoundError } from '../errors.js';
import { readFileSync } from 'node:fs';
import { compileSpecText } from './load.js';
import { placementName, resolveEnvironment, specForEnvironment } from './environment.js';
import { MINIMAL_SPEC_TEXT } from '../../test/helpers/spec-text.js';

/** Declares staging (1 instance, 127.0.0.1:8081) and production (4, :8082); app gates requirePromotedIn staging. */
const RUNBOOK = readFileSync(new URL('../../test/fixtures/specs/runbook.yaml', import.meta.url), 'utf8');
const compileRunbookSpec = () => compileSpecText(RUNBOOK, '/apps/shop/greenlight.yaml');

const PLAIN = MINIMAL_SPEC_TEXT;

void test('a declared environment is placed as <app>-<env>; the default environment keeps the app name', () => {
  assert.equal(placementName('shop', 'staging'), 'shop-staging');
  assert.equal(placementName('shop', 'default'), 'shop');
  const plain = compileSpecText(PLAIN, '/apps/shop/greenlight.yaml');
  const effective = specForEnvironment(plain, 'default');
  assert.equal(effective.name, 'shop');
  assert.equal(effective.environment, 'default');
  assert.deepEqual({ ...effective, environment: undefined }, { ...plain, environment: undefined });
});

void test('specForEnvironment overrides listen, instances and strategy, and merges gates and hooks per field', () => {
  const spec = compileRunbookSpec();
  const production = specForEnvironment(spec, 'production');
  assert.equal(production.name, 'shop-production');
  assert.equal(production.environment, 'production');
  assert.deepEqual(production.target, {
    ...spec.target,
    listen: { host: '127.0.0.1', port: 8082 },
    instances: 4,
  });
  assert.deepEqual(production.strategy, spec.environments.production?.strategy);
  assert.deepEqual(production.gates, {
    ...spec.gates,
    approvals: [
      { stage: 'promotion', roles: ['approver'], count: 2, expiresAfterMs: null, allowSelfApproval: false },
    ],
    windows: { timeZone: 'UTC', allow: [], deny: [], freezes: [] },
  });
  assert.equal(production.gates.requirePromotedIn, 'staging');
  assert.deepEqual(production.hooks, {
    ...spec.hooks,
    migrate: spec.environments.production?.hooks?.migrate,
  });
  // Parts an environment cannot change stay the app's.
  assert.deepEqual(production.notifications, spec.notifications);
  assert.deepEqual(production.secrets, spec.secrets);
  assert.deepEqual(production.environments, spec.environments);
});

void test('an app-wide requirePromotedIn naming the environment itself is dropped for that environment', () => {
  const spec = compileRunbookSpec();
  const staging = specForEnvironment(spec, 'staging');
  assert.equal(spec.gates.requirePromotedIn, 'staging');
  assert.equal(staging.gates.requirePromotedIn, null);
  assert.equal(staging.name, 'shop-staging');
  assert.deepEqual(staging.target.listen, { host: '127.0.0.1', port: 8081 });
  assert.equal(staging.target.instances, 1);
  assert.deepEqual(staging.hooks.postDeploy, [], 'an empty list overrides, it does not inherit');
  assert.deepEqual(staging.hooks.preDeploy, spec.hooks.preDeploy);
  assert.deepEqual(staging.gates.checks, spec.gates.checks);
});

void test('specForEnvironment does not change the spec it is given', () => {
  const spec = compileRunbookSpec();
  const before = structuredClone(spec);
  specForEnvironment(spec, 'staging');
  specForEnvironment(spec, 'production');
  assert.deepEqual(spec, before);
});

void test('resolveEnvironment: a named one, the only one, or an error naming the choices', () => {
  const spec = compileRunbookSpec();
  const plain = compileSpecText(PLAIN, '/apps/shop/greenlight.yaml');
  assert.equal(resolveEnvironment(spec, 'staging'), 'staging');
  assert.equal(resolveEnvironment(plain, null), 'default');
  assert.equal(resolveEnvironment(plain, undefined), 'default');
  assert.throws(
    () => resolveEnvironment(spec, 'qa'),
    (error: unknown) =>
      error instanceof NotFoundError &&
      error.message === 'environment qa of shop (it has: staging, production) not found',
  );
  assert.throws(
    () => resolveEnvironment(plain, 'production'),
    (error: unknown) => error instanceof NotFoundError && error.message.includes('(it has: default)'),
  );
  for (const none of [null, undefined, '']) {
    assert.throws(
      () => resolveEnvironment(spec, none),
      (error: unknown) =>
        error instanceof InvalidInputError &&
        error.message === 'shop has several environments (staging, production): name one with --env',
    );
  }
  assert.throws(() => specForEnvironment(spec, 'qa'), NotFoundError);
});
