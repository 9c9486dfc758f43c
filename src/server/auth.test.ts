// Roles and grants, the actor of a token, and the environments a token may act in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTROLLER, type Actor } from '../engine/model.js';
import type { TokenRecord } from '../store/store.js';
import { ForbiddenError } from '../errors.js';
import { EnvironmentForbiddenError, actorOf, assertEnvironment, authorize, rolesFor } from './auth.js';
import { apiStatusOf } from './api/errors.js';

const record = (role: string, environments: string[] | null = null): TokenRecord => ({
  id: 1,
  name: 'alice',
  role,
  environments,
  createdAt: '2025-01-01T00:00:00.000Z',
  revokedAt: null,
});

void describe('roles and grants', () => {
  void it('grants read to every role, deploy to deployers, approve to approvers, admin to admins', () => {
    assert.deepEqual(rolesFor('read'), ['viewer', 'deployer', 'approver', 'admin']);
    assert.deepEqual(rolesFor('deploy'), ['deployer', 'admin']);
    assert.deepEqual(rolesFor('approve'), ['approver', 'admin']);
    assert.deepEqual(rolesFor('admin'), ['admin']);
  });

  void it('refuses a role outside the grant with a 403-class error naming the roles needed', () => {
    assert.doesNotThrow(() => authorize(record('approver'), 'approve'));
    const error = (() => {
      try {
        authorize(record('deployer'), 'approve');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    assert.ok(error instanceof ForbiddenError);
    assert.equal(error.code, 'GL1004');
    assert.deepEqual(error.details, { role: 'deployer', needed: ['approver', 'admin'] });
    assert.equal(apiStatusOf(error), 403);
    assert.throws(() => authorize(record('deployer'), 'admin'), ForbiddenError);
  });
});

void describe('actorOf', () => {
  void it('is the token name and role, with its environments only when it is limited', () => {
    assert.deepEqual(actorOf(record('deployer')), { name: 'alice', role: 'deployer' });
    assert.deepEqual(actorOf(record('deployer', [])), { name: 'alice', role: 'deployer' });
    assert.deepEqual(actorOf(record('deployer', ['staging'])), {
      name: 'alice',
      role: 'deployer',
      environments: ['staging'],
    });
  });
});

void describe('assertEnvironment', () => {
  const alice: Actor = { name: 'alice', role: 'deployer', environments: ['staging'] };

  void it('lets an actor act in its environments, and an unlimited one anywhere', () => {
    assert.doesNotThrow(() => assertEnvironment(alice, 'staging'));
    for (const environments of [undefined, null, []]) {
      const actor: Actor = {
        name: 'bob',
        role: 'deployer',
        ...(environments === undefined ? {} : { environments }),
      };
      assert.doesNotThrow(() => assertEnvironment(actor, 'production'));
    }
  });

  void it('refuses another environment with a 403 (GL1004) naming the token and both environments', () => {
    assert.throws(
      () => assertEnvironment(alice, 'production'),
      (error: unknown) => {
        assert.ok(error instanceof EnvironmentForbiddenError);
        assert.ok(error instanceof ForbiddenError);
        assert.equal(error.code, 'GL1004');
        assert.equal(error.message, 'token alice may act in staging only, not in production');
        assert.deepEqual(error.details, {
          token: 'alice',
          role: 'deployer',
          environment: 'production',
          environments: ['staging'],
        });
        assert.equal(apiStatusOf(error), 403);
        return true;
      },
    );
    const both: Actor = { ...alice, environments: ['staging', 'qa'] };
    assert.throws(
      () => assertEnvironment(both, 'production'),
      /may act in staging or qa only, not in production/,
    );
  });

  void it('never limits admins or the system actor', () => {
    assert.doesNotThrow(() => assertEnvironment({ ...alice, role: 'admin' }, 'production'));
    assert.doesNotThrow(() => assertEnvironment({ ...CONTROLLER, environments: ['staging'] }, 'production'));
    assert.doesNotThrow(() => assertEnvironment(CONTROLLER, 'production'));
  });
});
