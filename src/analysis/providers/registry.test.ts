// The provider registry: every kind is listed once, an unknown kind is refused naming the known ones, and a
// metric's provider and query compile together into something that measures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../errors.js';
import { guarded } from './measurement-kit.js';
import { PROVIDER_KINDS, compileMetricSource, providerFactory, providers } from './registry.js';

describe('provider registry', () => {
  it('lists each kind under its own name', () => {
    assert.deepEqual([...PROVIDER_KINDS].sort(), ['builtin', 'command', 'prometheus', 'web']);
    for (const kind of PROVIDER_KINDS) assert.equal(providers[kind].kind, kind);
  });

  it('refuses an unknown kind, naming the known ones and a likely typo; never falls back', () => {
    assert.throws(
      () => providerFactory('promethus', 'spec.analysis.golden.metrics[0].provider'),
      (e: unknown) =>
        e instanceof InvalidInputError &&
        e.message ===
          'spec.analysis.golden.metrics[0].provider: unknown metric provider "promethus" (did you mean "prometheus"?); known: builtin, prometheus, web, command',
    );
    assert.throws(
      () => providerFactory('datadog'),
      /unknown metric provider "datadog"; known: builtin, prometheus, web, command/,
    );
    assert.throws(() => providerFactory('__proto__'), InvalidInputError);
    assert.throws(() => providerFactory('toString'), InvalidInputError);
  });

  it('compiles a metric source and measures through it', async () => {
    const source = compileMetricSource(
      'error-rate',
      { kind: 'builtin', query: 'errorRate' },
      {
        stats: async (app) => ({
          app,
          at: '',
          versions: [],
          maintenance: { rejected: 0, heldThenServed: 0 },
        }),
      },
    );
    const m = await source.provider.measure(source.query, {
      app: 'shop',
      version: 'v2',
      role: 'canary',
      windowMs: 10_000,
      now: 0,
    });
    assert.equal(m.metric, 'error-rate');
    assert.equal(m.phase, 'inconclusive');
    assert.throws(
      () => compileMetricSource('x', { kind: 'web', query: { url: 'http://x/', jsonPath: '$[' } }, {}, 'm'),
      /m\.query\.jsonPath/,
    );
  });
});

describe('measurement guard', () => {
  it('turns a provider bug into a measurement in phase error, and NaN into inconclusive', async () => {
    const context = { app: 'a', version: 'v', role: 'canary' as const, windowMs: 1000, now: 0 };
    const bug = await guarded('m', context, () => Promise.reject(new TypeError('x is undefined')));
    assert.equal(bug.phase, 'error');
    assert.match(bug.message, /internal error in the provider: x is undefined/);
    const nan = await guarded('m', context, async (m) => m.value(NaN, 'ratio'));
    assert.equal(nan.phase, 'inconclusive');
    assert.equal(nan.value, null);
    assert.equal(nan.startedAt, new Date(0).toISOString());
  });
});
