// Environments in the engine (fake clock, in-memory fake target, real SQLite store): a deploy names its
// environment when the app has several, production accepts only versions promoted in staging first, a token
// limited to staging cannot deploy production, and the target sees each environment under its placement name.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { deployer, engineHarness, type EngineHarness } from '../../test/helpers/engine-harness.js';
import { testSpec } from '../../test/helpers/spec.js';
import { ConflictError, GreenlightError, NotFoundError } from '../errors.js';
import type { Release } from './model.js';
import { EnvironmentForbiddenError } from './authority.js';

const spec = testSpec({
  environments: {
    staging: { listen: { host: '127.0.0.1', port: 18_081 } },
    production: { listen: { host: '127.0.0.1', port: 18_082 }, gates: { requirePromotedIn: 'staging' } },
  },
});
const ci = { name: 'ci', role: 'deployer', environments: ['staging'] };

describe('environments in the engine', () => {
  let h: EngineHarness;
  const promoted = (id: number) => async (): Promise<Release | false> => {
    const r = await h.release(id);
    if (r.phase === 'progressing' && r.plan[r.stepIndex]?.wait.kind === 'promotion')
      await h.ops.promote('shop', deployer, true, { releaseId: id });
    return r.phase === 'promoted' && r;
  };

  beforeEach(async () => {
    h = await engineHarness({ prefix: 'gl-engine-env-' });
    await h.apply(spec);
  });

  afterEach(async () => {
    await h.close();
  });

  it('refuses a deploy that names no environment, listing them', async () => {
    await assert.rejects(
      h.ops.deploy({ app: 'shop', version: 'v1', actor: deployer }),
      // The class is the spec module's choice (a missing choice is bad input); the message must name them.
      (error: unknown) =>
        error instanceof GreenlightError && /staging/.test(error.message) && /production/.test(error.message),
    );
    await assert.rejects(
      h.ops.deploy({ app: 'shop', version: 'v1', actor: deployer, environment: 'qa' }),
      NotFoundError,
    );
  });

  it('production accepts only a version promoted in staging, each under its own placement name', async () => {
    await assert.rejects(
      h.ops.deploy({ app: 'shop', version: 'v1', actor: deployer, environment: 'production' }),
      (error: unknown) =>
        error instanceof ConflictError &&
        error.details.gate === 'requirePromotedIn' &&
        /not been promoted in staging/.test(error.message),
    );

    const staging = await h.ops.deploy({
      app: 'shop',
      version: 'v1',
      actor: deployer,
      environment: 'staging',
    });
    assert.equal(staging.environment, 'staging');
    const beforePromotion = h.ops.deploy({
      app: 'shop',
      version: 'v1',
      actor: deployer,
      environment: 'production',
    });
    await assert.rejects(beforePromotion, ConflictError, 'in progress in staging is not promoted');
    await h.until('v1 promoted in staging', promoted(staging.id));

    const production = await h.ops.deploy({
      app: 'shop',
      version: 'v1',
      actor: deployer,
      environment: 'production',
    });
    await h.until('v1 promoted in production', promoted(production.id));
    assert.equal((await h.store.currentRevision('shop', 'staging'))?.version, 'v1');
    assert.equal((await h.store.currentRevision('shop', 'production'))?.version, 'v1');
    assert.deepEqual(h.target.traffic('shop-staging').weights, { v1: 100 });
    assert.deepEqual(h.target.traffic('shop-production').weights, { v1: 100 });
    assert.ok(h.target.calls.includes('ensureApp shop-staging'));
    assert.ok(h.target.calls.includes('ensureApp shop-production'));
    assert.ok(!h.target.calls.some((c) => / shop /.test(c) || c.endsWith(' shop')), 'no bare app name');
  });

  it('a token limited to staging deploys staging, never production', async () => {
    const staging = await h.ops.deploy({ app: 'shop', version: 'v1', actor: ci, environment: 'staging' });
    await h.until('v1 promoted in staging', promoted(staging.id));
    await assert.rejects(
      h.ops.deploy({ app: 'shop', version: 'v1', actor: ci, environment: 'production' }),
      (error: unknown) =>
        error instanceof EnvironmentForbiddenError && error.details.environment === 'production',
    );
    const v2 = await h.ops.deploy({ app: 'shop', version: 'v2', actor: ci, environment: 'staging' });
    await h.run(5000);
    assert.deepEqual(h.target.traffic('shop-staging').weights, { v1: 75, v2: 25 });
    const production = await h.ops.deploy({
      app: 'shop',
      version: 'v1',
      actor: deployer,
      environment: 'production',
    });
    // Two releases in progress: operations name their environment; the limited token cannot touch production.
    await assert.rejects(h.ops.promote('shop', deployer, true), ConflictError);
    await assert.rejects(
      h.ops.abort('shop', ci, 'not mine', { environment: 'production' }),
      EnvironmentForbiddenError,
    );
    await h.ops.abort('shop', ci, 'enough', { environment: 'staging' });
    await h.until('staging aborted', async () => (await h.release(v2.id)).phase === 'aborted');
    await h.until('v1 promoted in production', promoted(production.id));
    assert.deepEqual(h.target.traffic('shop-staging').weights, { v1: 100 });
  });
});
