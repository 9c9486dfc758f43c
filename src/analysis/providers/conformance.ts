// The conformance suite every metric provider passes (and any fake the engine tests use): a healthy query gives
// a successful, valid value; a failing or unreachable source is a measurement in phase `error`, never a thrown
// exception; no data is `inconclusive`; the timeout and the caller's signal are honoured; a re-run with the
// same context gives the same answer. Each provider's test file calls it with a setup of its own sources.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Measurement } from '../measurement.js';
import type { MeasureContext, MetricProvider, ProviderQuery } from './provider.js';

export interface ConformanceCase {
  provider: MetricProvider;
  query: ProviderQuery;
  /** Overrides of the default context: app shop, version v2, role canary, a 30 s window, now. */
  ctx?: Partial<MeasureContext>;
}

export interface ConformanceFixture {
  /** A query that succeeds with `value` every time it is asked. */
  healthy: ConformanceCase & { value: number };
  /** A source that fails or cannot be reached (down, refusing, answering an error). */
  failing: ConformanceCase;
  /** A source that answers with no data. */
  noData: ConformanceCase;
  /** A source that does not answer within the provider's (short) timeout. */
  slow: ConformanceCase;
  /** Stops whatever setup started; called once after the suite. */
  close?: () => Promise<void>;
}

function contextOf(c: ConformanceCase, overrides: Partial<MeasureContext> = {}): MeasureContext {
  return {
    app: 'shop',
    version: 'v2',
    role: 'canary',
    windowMs: 30_000,
    now: Date.now(),
    ...c.ctx,
    ...overrides,
  };
}

/** Checks the measurement is well-formed data for `c` at `ctx`, whatever its phase. */
function assertWellFormed(m: Measurement, c: ConformanceCase, ctx: MeasureContext): void {
  assert.equal(m.metric, c.query.metric);
  assert.ok(['successful', 'failed', 'inconclusive', 'error'].includes(m.phase), `phase ${m.phase}`);
  assert.ok(m.value === null || Number.isFinite(m.value), `value ${String(m.value)}`);
  assert.equal(m.startedAt, new Date(ctx.now).toISOString(), 'startedAt is the context time');
  assert.ok(Date.parse(m.finishedAt) >= Date.parse(m.startedAt), 'finishedAt is not before startedAt');
  assert.equal(typeof m.message, 'string');
  if (m.phase === 'error' || m.phase === 'inconclusive') {
    assert.equal(m.value, null, `${m.phase} carries no value`);
    assert.ok(m.message.length > 0, `${m.phase} says why`);
  }
  assert.doesNotThrow(() => JSON.stringify(m));
}

async function measure(c: ConformanceCase, overrides?: Partial<MeasureContext>): Promise<Measurement> {
  const ctx = contextOf(c, overrides);
  const m = await c.provider.measure(c.query, ctx);
  assertWellFormed(m, c, ctx);
  return m;
}

/** Registers the suite `name` with node:test; `setup` runs once before it. */
export function runProviderConformance(name: string, setup: () => Promise<ConformanceFixture>): void {
  describe(`${name} provider conformance`, { timeout: 60_000 }, () => {
    let fixture: ConformanceFixture;
    before(async () => {
      fixture = await setup();
    });
    after(async () => {
      await fixture?.close?.();
    });

    it('a healthy query gives a successful measurement with the value', async () => {
      const m = await measure(fixture.healthy);
      assert.equal(m.phase, 'successful', m.message);
      assert.ok(m.value !== null && Math.abs(m.value - fixture.healthy.value) < 1e-9, `value ${m.value}`);
    });

    it('a failing or unreachable source is a measurement in phase error, not an exception', async () => {
      const m = await measure(fixture.failing);
      assert.equal(m.phase, 'error', m.message);
    });

    it('no data is inconclusive, never a pass', async () => {
      const m = await measure(fixture.noData);
      assert.equal(m.phase, 'inconclusive', m.message);
    });

    it(
      'the timeout is honoured: a source slower than it gives phase error',
      { timeout: 30_000 },
      async () => {
        const m = await measure(fixture.slow);
        assert.equal(m.phase, 'error', m.message);
        assert.match(m.message, /timed out/);
      },
    );

    it("the caller's signal ends a measurement in flight, in phase error", { timeout: 30_000 }, async () => {
      const controller = new AbortController();
      const pending = measure(fixture.slow, { signal: controller.signal });
      setImmediate(() => controller.abort());
      const m = await pending;
      assert.equal(m.phase, 'error', m.message);
      assert.match(m.message, /cancelled/);
    });

    it('an already aborted signal gives phase error without querying', async () => {
      const m = await measure(fixture.healthy, { signal: AbortSignal.abort() });
      assert.equal(m.phase, 'error', m.message);
    });

    it('a re-run with the same context gives the same measurement', async () => {
      const now = Date.now();
      const first = await measure(fixture.healthy, { now });
      const second = await measure(fixture.healthy, { now });
      assert.equal(second.phase, first.phase);
      assert.equal(second.value, first.value);
      assert.equal(second.message, first.message);
      assert.equal(second.startedAt, first.startedAt);
    });
  });
}
