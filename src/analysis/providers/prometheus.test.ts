// The prometheus provider against the real Prometheus (Debian's package) scraping a real in-process router's
// /metrics every second, and against fake servers standing in for a Prometheus that is slow, answers garbage,
// or checks the auth header; plus a Prometheus that is down. Then the conformance suite.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { startPrometheus, type PrometheusServer } from '../../../test/helpers/prometheus.js';
import { freePort } from '../../targets/local/supervisor/ports.js';
import { runProviderConformance } from './conformance.js';
import { prometheusProvider, type PrometheusQuery } from './prometheus.js';
import type { MeasureContext } from './provider.js';
import { ROUTED, ROUTED_APP, routerWithTraffic, type RoutedTraffic } from './test-support.js';

const SERIES = 'greenlight_router_requests_total{app="{{app}}",version="{{version}}"}';
const ERRORS = 'greenlight_router_requests_total{app="{{app}}",version="{{version}}",code="5xx"}';
const ERROR_RATIO = `sum(${ERRORS}) / sum(${SERIES})`;

interface Real {
  routed: RoutedTraffic;
  prometheus: PrometheusServer;
}

let real: Promise<Real> | undefined;

/** One real Prometheus for the whole file, scraping the router after its traffic, with two samples stored. */
function realPrometheus(): Promise<Real> {
  real ??= (async () => {
    const routed = await routerWithTraffic();
    const prometheus = await startPrometheus({ targets: [routed.metricsTarget] });
    // Two scrapes of the unchanged counters: rate() over them is 0, so a ratio of rates is 0/0 = NaN.
    await prometheus.waitForSample(
      `count_over_time(greenlight_router_requests_total{app="${ROUTED_APP}",code="5xx"}[1m]) >= 2`,
    );
    return { routed, prometheus };
  })();
  return real;
}

after(async () => {
  const started = await real?.catch(() => undefined);
  await started?.prometheus.stop();
  await started?.routed.close();
});

interface Fake {
  address: string;
  seen: Array<{ url: string; headers: IncomingMessage['headers']; form: URLSearchParams }>;
  close(): Promise<void>;
}

/** A fake standing in for Prometheus: `answer` returns status and body, or undefined to never answer. */
async function startFake(answer: (req: IncomingMessage) => [number, string] | undefined): Promise<Fake> {
  const seen: Fake['seen'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, form: new URLSearchParams(body) });
      const reply = answer(req);
      if (reply === undefined) return;
      res.writeHead(reply[0], { 'content-type': 'application/json' });
      res.end(reply[1]);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const ONE = JSON.stringify({
  status: 'success',
  data: { resultType: 'vector', result: [{ metric: {}, value: [1, '1'] }] },
});

const ctx = (over: Partial<MeasureContext> = {}): MeasureContext => ({
  app: ROUTED_APP,
  version: 'v2',
  role: 'canary',
  windowMs: 30_000,
  now: Date.now(),
  ...over,
});
const query = (raw: unknown): PrometheusQuery => prometheusProvider.compileQuery('m', raw);
const connect = (address: string, extra: Record<string, unknown> = {}) =>
  prometheusProvider.create(prometheusProvider.compileConfig({ address, timeout: '5s', ...extra }));

describe('prometheus provider on a real Prometheus scraping the router', { timeout: 60_000 }, () => {
  let provider: ReturnType<typeof connect>;
  before(async () => {
    provider = connect((await realPrometheus()).prometheus.url);
  });

  it('an instant query with {{app}} and {{version}} gives the value', async () => {
    const m = await provider.measure(query(ERROR_RATIO), ctx());
    assert.equal(m.phase, 'successful', m.message);
    assert.equal(m.value, ROUTED.v2.errors / ROUTED.v2.requests);
    // v1 never answered a 5xx, so it has no such series: the ratio is an empty vector, which is no data...
    const stable = await provider.measure(query(ERROR_RATIO), ctx({ version: 'v1', role: 'stable' }));
    assert.equal(stable.phase, 'inconclusive', stable.message);
    // ...unless the query says that a missing series counts as zero.
    const zero = await provider.measure(
      query(`(sum(${ERRORS}) or vector(0)) / sum(${SERIES})`),
      ctx({ version: 'v1' }),
    );
    assert.equal(zero.phase, 'successful', zero.message);
    assert.equal(zero.value, 0);
  });

  it('several series without a reducer is an error; a declared reducer folds them', async () => {
    const all = 'greenlight_router_requests_total{app="{{app}}"}';
    const refused = await provider.measure(query(all), ctx());
    assert.equal(refused.phase, 'error');
    assert.match(refused.message, /3 series and no reducer/);
    const expected = { sum: 100, max: 60, min: 10, first: 60 } as const;
    for (const [reducer, value] of Object.entries(expected)) {
      const m = await provider.measure(query({ query: all, reducer }), ctx());
      assert.equal(m.phase, 'successful', m.message);
      assert.equal(m.value, value, reducer);
    }
  });

  it('an empty vector is inconclusive', async () => {
    const m = await provider.measure(query(SERIES), ctx({ version: 'v9' }));
    assert.equal(m.phase, 'inconclusive');
    assert.match(m.message, /matched no series/);
  });

  it('NaN (0/0 over {{window}}) and +Inf are inconclusive', async () => {
    const rate = (selector: string) => `sum(rate(${selector}[{{window}}]))`;
    const nan = await provider.measure(query(`${rate(ERRORS)} / ${rate(SERIES)}`), ctx({ windowMs: 60_000 }));
    assert.equal(nan.phase, 'inconclusive', nan.message);
    assert.match(nan.message, /NaN/);
    const inf = await provider.measure(query(`sum(${ERRORS}) / ${rate(SERIES)}`), ctx({ windowMs: 60_000 }));
    assert.equal(inf.phase, 'inconclusive', inf.message);
    assert.match(inf.message, /Inf/);
  });

  it('a range query folds the samples of the window with its reducer', async () => {
    const m = await provider.measure(query({ query: ERRORS, range: { step: '1s' }, reducer: 'max' }), ctx());
    assert.equal(m.phase, 'successful', m.message);
    assert.equal(m.value, ROUTED.v2.errors);
    assert.match(m.message, /max of \d+ samples in 1 series/);
  });

  it('a query Prometheus refuses is an error with its reason', async () => {
    const m = await provider.measure(query('sum(rate(x[{{window}}])'), ctx());
    assert.equal(m.phase, 'error');
    assert.match(m.message, /Prometheus refused the query \(HTTP 400, bad_data\)/);
  });
});

describe('prometheus provider when Prometheus misbehaves', () => {
  it('down (connection refused) is an error', async () => {
    const m = await connect(`http://127.0.0.1:${await freePort()}`).measure(query(SERIES), ctx());
    assert.equal(m.phase, 'error');
    assert.match(m.message, /ECONNREFUSED/);
  });

  it('slow (a fake server that never answers) times out into an error', { timeout: 30_000 }, async () => {
    const fake = await startFake(() => undefined);
    try {
      const m = await connect(fake.address, { timeout: '300ms' }).measure(query(SERIES), ctx());
      assert.equal(m.phase, 'error');
      assert.match(m.message, /timed out after 300ms/);
    } finally {
      await fake.close();
    }
  });

  it('garbage (a fake server answering non-JSON) is an error', async () => {
    const fake = await startFake(() => [200, 'Service Unavailable, try later']);
    try {
      const m = await connect(fake.address).measure(query(SERIES), ctx());
      assert.equal(m.phase, 'error');
      assert.match(m.message, /not JSON: Service Unavailable/);
    } finally {
      await fake.close();
    }
  });

  it('sends the auth header, the time, timeout and escaped values (a fake server records them)', async () => {
    const fake = await startFake((req) =>
      req.headers['x-scope-orgid'] === 'tenant-s3cret' ? [200, ONE] : [401, 'unauthorized'],
    );
    try {
      const config = prometheusProvider.compileConfig({
        address: `${fake.address}/prom/`,
        timeout: '2s',
        auth: { header: 'X-Scope-OrgID', value: 'tenant-s3cret' },
      });
      assert.doesNotMatch(inspect(config) + JSON.stringify(config), /s3cret/);
      const now = Date.UTC(2025, 0, 1, 12);
      const m = await prometheusProvider
        .create(config)
        .measure(
          query('x{version="{{version}}",role="{{role}}"}[{{window}}]'),
          ctx({ version: 'v"2\\', now }),
        );
      assert.equal(m.phase, 'successful', m.message);
      const request = fake.seen.at(-1)!;
      assert.equal(request.url, '/prom/api/v1/query');
      assert.equal(request.form.get('query'), 'x{version="v\\"2\\\\",role="canary"}[30s]');
      assert.equal(request.form.get('time'), String(now / 1000));
      assert.equal(request.form.get('timeout'), '2');
      const refused = await connect(fake.address).measure(query(SERIES), ctx());
      assert.equal(refused.phase, 'error');
      assert.doesNotMatch(refused.message + m.message, /s3cret/);
    } finally {
      await fake.close();
    }
  });

  it('a range query asks /api/v1/query_range over the window', async () => {
    const fake = await startFake(() => [200, ONE]);
    try {
      const now = Date.UTC(2025, 0, 1, 12);
      const q = query({ query: SERIES, range: { step: '5s' }, reducer: 'avg' });
      await connect(fake.address).measure(q, ctx({ now, windowMs: 60_000 }));
      const request = fake.seen.at(-1)!;
      assert.equal(request.url, '/api/v1/query_range');
      assert.equal(request.form.get('start'), String((now - 60_000) / 1000));
      assert.equal(request.form.get('end'), String(now / 1000));
      assert.equal(request.form.get('step'), '5');
    } finally {
      await fake.close();
    }
  });

  it('refuses bad settings and queries at compile time', () => {
    const config = (raw: unknown) => () => prometheusProvider.compileConfig(raw, 'providers.prom');
    assert.throws(config({}), /providers\.prom\.address: missing required field/);
    assert.throws(
      config({ address: 'http://admin:pw@prom:9090' }),
      /providers\.prom\.address: .*no credentials/,
    );
    assert.throws(config({ address: 'prom:9090' }), /providers\.prom\.address/);
    assert.throws(
      () => query({ query: 'up', reducer: 'median' }),
      /query\.reducer: found "median", expected one of: sum, avg, max, min, first/,
    );
    assert.throws(
      () => query({ query: 'up', range: { step: '5s' } }),
      /query\.reducer: found nothing, expected one of: .*range query/,
    );
    assert.throws(() => query('up{version="{{verison}}"}'), /unknown: \{\{verison\}\}/);
    assert.throws(() => query('up{version="{{version"}'), /unclosed or malformed/);
  });
});

runProviderConformance('prometheus', async () => {
  const { prometheus } = await realPrometheus();
  const fake = await startFake(() => undefined);
  const live = prometheusProvider.create(
    prometheusProvider.compileConfig({ address: prometheus.url, timeout: '5s' }),
  );
  return {
    healthy: { provider: live, query: query(ERROR_RATIO), ctx: { app: ROUTED_APP }, value: 0.25 },
    failing: { provider: connect(`http://127.0.0.1:${await freePort()}`), query: query(SERIES) },
    noData: { provider: live, query: query(SERIES), ctx: { app: 'nothing-here' } },
    slow: { provider: connect(fake.address, { timeout: '300ms' }), query: query(SERIES) },
    close: () => fake.close(),
  };
});
