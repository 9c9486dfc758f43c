// The web provider against an in-test HTTP server on loopback: GET and POST, templates in URL, headers and
// body, value types, HTTP errors, bodies that are not JSON, a server that never answers; then conformance.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { runProviderConformance } from './conformance.js';
import type { MeasureContext } from './provider.js';
import { webProvider, type WebQuery } from './web.js';

interface FakeApi {
  base: string;
  seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
  close(): Promise<void>;
}

const ROUTES: Record<string, (body: string) => [number, string]> = {
  '/stats/v2': () => [
    200,
    JSON.stringify({ data: { errorRate: 0.02, p95: '123.5', healthy: true, note: 'x' } }),
  ],
  '/stats/empty': () => [200, JSON.stringify({ data: { errorRate: null } })],
  '/fail': () => [503, JSON.stringify({ error: 'backend down' })],
  '/garbage': () => [200, '<html>hello</html>'],
  '/echo': (body) => [200, JSON.stringify({ got: JSON.parse(body) as unknown })],
};

async function startFakeApi(): Promise<FakeApi> {
  const seen: FakeApi['seen'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (path === '/slow') return; // never answers
      const route = ROUTES[path];
      const [status, text] = route === undefined ? [404, '{}'] : route(body);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const ctx = (over: Partial<MeasureContext> = {}): MeasureContext => ({
  app: 'shop',
  version: 'v2',
  role: 'canary',
  windowMs: 30_000,
  now: Date.now(),
  ...over,
});

describe('web provider', () => {
  let api: FakeApi;
  before(async () => {
    api = await startFakeApi();
  });
  after(async () => {
    await api?.close();
  });
  const provider = webProvider.create(
    webProvider.compileConfig({ timeout: '2s', headers: { 'x-team': 'payments' } }),
  );
  const query = (raw: Record<string, unknown>): WebQuery =>
    webProvider.compileQuery('m', { ...raw, url: `${api.base}${String(raw.url)}` });

  it('GETs JSON and picks numbers, numeric strings and booleans', async () => {
    const cases: Array<[string, number]> = [
      ['$.data.errorRate', 0.02],
      ['$.data.p95', 123.5],
      ['$.data.healthy', 1],
    ];
    for (const [jsonPath, value] of cases) {
      const m = await provider.measure(query({ url: '/stats/{{version}}', jsonPath }), ctx());
      assert.equal(m.phase, 'successful', m.message);
      assert.equal(m.value, value);
    }
  });

  it('sends templated headers and a templated JSON body with POST; header values never appear', async () => {
    const q = query({
      url: '/echo?role={{role}}',
      method: 'POST',
      headers: { Authorization: 'Bearer top-secret-{{app}}' },
      body: { app: '{{app}}', window: '{{window}}', n: 1 },
      jsonPath: '$.got.n',
    });
    assert.doesNotMatch(inspect(q) + JSON.stringify(q), /top-secret/);
    const m = await provider.measure(q, ctx());
    assert.equal(m.phase, 'successful', m.message);
    const request = api.seen.at(-1)!;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/echo?role=canary');
    assert.equal(request.headers.authorization, 'Bearer top-secret-shop');
    assert.equal(request.headers['x-team'], 'payments');
    assert.deepEqual(JSON.parse(request.body), { app: 'shop', window: '30s', n: 1 });
    assert.doesNotMatch(m.message, /top-secret/);
  });

  it('URL-encodes template values where they land in the URL', async () => {
    await provider.measure(query({ url: '/stats/{{version}}', jsonPath: '$.x' }), ctx({ version: 'a/b c' }));
    assert.equal(api.seen.at(-1)!.url, '/stats/a%2Fb%20c');
  });

  it('null or absent is inconclusive; a wrong type or non-number is an error', async () => {
    const empty = await provider.measure(query({ url: '/stats/empty', jsonPath: '$.data.errorRate' }), ctx());
    assert.equal(empty.phase, 'inconclusive', empty.message);
    const absent = await provider.measure(query({ url: '/stats/v2', jsonPath: '$.data.p99' }), ctx());
    assert.equal(absent.phase, 'inconclusive', absent.message);
    const text = await provider.measure(query({ url: '/stats/v2', jsonPath: '$.data.note' }), ctx());
    assert.equal(text.phase, 'error');
    assert.match(text.message, /\$\.data\.note is "x", not a number/);
    const shape = await provider.measure(query({ url: '/stats/v2', jsonPath: '$.data[0]' }), ctx());
    assert.equal(shape.phase, 'error');
  });

  it('an HTTP error status, a body that is not JSON or a refused connection is an error', async () => {
    const status = await provider.measure(query({ url: '/fail', jsonPath: '$.x' }), ctx());
    assert.equal(status.phase, 'error');
    assert.match(status.message, /answered HTTP 503: \{"error":"backend down"\}/);
    const garbage = await provider.measure(query({ url: '/garbage', jsonPath: '$.x' }), ctx());
    assert.equal(garbage.phase, 'error');
    assert.match(garbage.message, /not JSON: <html>hello<\/html>/);
  });

  it('refuses bad URLs, JSONPaths, placeholders and a body without POST at compile time', () => {
    const compile = (raw: unknown) => () => webProvider.compileQuery('m', raw);
    assert.throws(
      compile({ url: 'ftp://x/y', jsonPath: '$.a' }),
      /query\.url: found "ftp:\/\/x\/y", expected an http\(s\) URL/,
    );
    assert.throws(compile({ url: 'http://u:p@x/y', jsonPath: '$.a' }), /query\.url/);
    assert.throws(compile({ url: 'http://x/{{ver}}', jsonPath: '$.a' }), /unknown: \{\{ver\}\}/);
    assert.throws(compile({ url: 'http://x/', jsonPath: '$..a' }), /query\.jsonPath: .*recursive descent/);
    assert.throws(
      compile({ url: 'http://x/', jsonPath: '$.a', body: 'x' }),
      /query\.method: found nothing, expected POST/,
    );
    assert.throws(compile({ url: 'http://x/', jsonPath: '$.a', methd: 'POST' }), /did you mean "method"/);
  });
});

runProviderConformance('web', async () => {
  const api = await startFakeApi();
  const provider = webProvider.create(webProvider.compileConfig({ timeout: '300ms' }));
  const q = (url: string, jsonPath: string): WebQuery =>
    webProvider.compileQuery('m', { url: `${api.base}${url}`, jsonPath });
  return {
    healthy: { provider, query: q('/stats/{{version}}', '$.data.errorRate'), value: 0.02 },
    failing: { provider, query: q('/fail', '$.data.errorRate') },
    noData: { provider, query: q('/stats/empty', '$.data.errorRate') },
    slow: { provider, query: q('/slow', '$.data.errorRate') },
    close: () => api.close(),
  };
});
