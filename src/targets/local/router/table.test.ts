import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../../errors.js';
import type { EndpointState } from './endpoints.js';
import { findCookie, responseHeaders, scanRequestHeaders, type RequestHead } from './headers.js';
import { drawWeighted, pickEndpoint, selectVersion } from './select.js';
import { VersionRecorder } from './stats.js';
import { buildTable, compileTraffic } from './table.js';
import { traffic } from './test-support.js';

/** Stand-ins for endpoints: selection only reads id and inFlight. */
function fakeEndpoints(version: string, n: number): EndpointState[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${version}-${i}`, inFlight: 0 }) as EndpointState);
}

function tableOf(spec: Parameters<typeof compileTraffic>[0], ready: Record<string, number>) {
  const eps = Object.fromEntries(Object.entries(ready).map(([v, n]) => [v, fakeEndpoints(v, n)]));
  return buildTable(
    compileTraffic(spec),
    (v) => eps[v] ?? [],
    Object.keys(ready),
    (v) => new VersionRecorder(v),
  );
}

function head(raw: string[], preview = 'x-greenlight-version'): RequestHead {
  const h: RequestHead = {
    headers: [],
    host: '',
    forwardedFor: null,
    requestId: null,
    cookie: null,
    preview: null,
    contentLength: null,
    chunked: false,
  };
  scanRequestHeaders(raw, preview, h);
  return h;
}

void describe('compileTraffic', () => {
  void it('refuses bad tables with InvalidInputError naming the field', () => {
    const bad: [string, Parameters<typeof compileTraffic>[0]][] = [
      ['weights.v1', traffic({ weights: { v1: -1 } })],
      ['weights.v1', traffic({ weights: { v1: Number.NaN } })],
      [
        'headerRoutes[0].regex',
        traffic({ headerRoutes: [{ header: { name: 'x-a', regex: '(' }, version: 'v2' }] }),
      ],
      ['headerRoutes[0]', traffic({ headerRoutes: [{ version: 'v2' }] })],
      ['headerRoutes[0].name', traffic({ headerRoutes: [{ cookie: { name: 'bad name' }, version: 'v2' }] })],
      ['mirror.percent', traffic({ mirror: { version: 'v2', percent: 101 } })],
      [
        'maintenance.mode',
        traffic({ maintenance: { mode: 'drop' as 'hold', retryAfterSeconds: 1, holdMs: 1 } }),
      ],
      ['previewHeader', traffic({ previewHeader: 'a b' })],
    ];
    for (const [field, spec] of bad) {
      assert.throws(
        () => compileTraffic(spec),
        (e: unknown) => e instanceof InvalidInputError && e.details.field === field,
        field,
      );
    }
  });
});

void describe('selection', () => {
  void it('draws versions in proportion to their weights', () => {
    const t = tableOf(traffic({ weights: { v1: 75, v2: 25 } }), { v1: 1, v2: 1 });
    assert.equal(drawWeighted(t, 0)?.name, 'v1');
    assert.equal(drawWeighted(t, 0.7499)?.name, 'v1');
    assert.equal(drawWeighted(t, 0.75)?.name, 'v2');
    assert.equal(drawWeighted(t, 0.9999)?.name, 'v2');
  });

  void it('gives the share of a version without ready endpoints to the others, and null when none is left', () => {
    const t = tableOf(traffic({ weights: { v1: 50, v2: 50 } }), { v1: 1, v2: 0 });
    for (const r of [0, 0.3, 0.6, 0.99]) assert.equal(drawWeighted(t, r)?.name, 'v1');
    assert.equal(drawWeighted(tableOf(traffic({ weights: { v1: 0 } }), { v1: 1 }), 0.5), null);
  });

  void it('honours preview, then header and cookie routes in order, then sticky, then weights', () => {
    const t = tableOf(
      traffic({
        weights: { v1: 100, v2: 0, v3: 0 },
        headerRoutes: [
          { header: { name: 'X-Beta', value: 'yes' }, version: 'v2' },
          { header: { name: 'x-region', regex: '^eu-' }, version: 'v3' },
          { cookie: { name: 'ab' }, version: 'v3' },
        ],
      }),
      { v1: 1, v2: 1, v3: 1 },
    );
    const pick = (raw: string[]) => selectVersion(t, raw, head(raw), { setCookie: null })?.name;
    assert.equal(pick([]), 'v1');
    assert.equal(pick(['x-greenlight-version', 'v3']), 'v3');
    assert.equal(pick(['x-greenlight-version', 'nope']), 'v1');
    assert.equal(pick(['x-beta', 'yes']), 'v2');
    assert.equal(pick(['x-beta', 'no']), 'v1');
    assert.equal(pick(['X-Region', 'eu-west']), 'v3');
    assert.equal(pick(['x-region', 'us-east']), 'v1');
    assert.equal(pick(['Cookie', 'a=1; ab=whatever']), 'v3');
    assert.equal(pick(['Cookie', 'xab=1']), 'v1');
  });

  void it('keeps a sticky client on a version that still has weight, else assigns one with Set-Cookie', () => {
    const spec = traffic({ weights: { v1: 50, v2: 50 }, sticky: { cookie: 'gl', ttlSeconds: 60 } });
    const t = tableOf(spec, { v1: 1, v2: 1 });
    const out = { setCookie: null as string | null };
    for (let i = 0; i < 20; i++) {
      const raw = ['cookie', 'gl=v2'];
      assert.equal(selectVersion(t, raw, head(raw), out)?.name, 'v2');
      assert.equal(out.setCookie, null);
    }
    const raw = ['cookie', 'gl=gone'];
    const chosen = selectVersion(t, raw, head(raw), out)?.name;
    assert.equal(out.setCookie, `gl=${chosen}; Max-Age=60; Path=/; HttpOnly; SameSite=Lax`);
    const drained = tableOf(traffic({ ...spec, weights: { v1: 100, v2: 0 } }), { v1: 1, v2: 1 });
    assert.equal(selectVersion(drained, ['cookie', 'gl=v2'], head(['cookie', 'gl=v2']), out)?.name, 'v1');
  });

  void it('picks the endpoint with the fewest in flight, round-robin on ties', () => {
    const t = tableOf(traffic({ weights: { v1: 1 } }), { v1: 3 });
    const route = t.routes.get('v1');
    assert.ok(route !== undefined);
    assert.deepEqual(
      [0, 1, 2, 3].map(() => pickEndpoint(route).id),
      ['v1-0', 'v1-1', 'v1-2', 'v1-0'],
    );
    (route.endpoints[1] as EndpointState).inFlight = 5;
    (route.endpoints[2] as EndpointState).inFlight = 2;
    (route.endpoints[0] as EndpointState).inFlight = 3;
    assert.equal(pickEndpoint(route).id, 'v1-2');
  });
});

void describe('headers', () => {
  void it('drops hop-by-hop and X-Forwarded-* headers and notes what routing needs', () => {
    const h = head([
      'Host', 'example.test',
      'Connection', 'keep-alive, X-Secret',
      'X-Secret', 'drop me',
      'Keep-Alive', 'timeout=5',
      'Transfer-Encoding', 'chunked',
      'X-Forwarded-For', '10.0.0.1',
      'X-Forwarded-Proto', 'https',
      'X-Request-Id', 'abc',
      'Cookie', 'a=1',
      'Accept', '*/*',
      'X-Greenlight-Version', 'v2',
    ]); // prettier-ignore
    assert.deepEqual(h.headers, [
      'Host',
      'example.test',
      'Cookie',
      'a=1',
      'Accept',
      '*/*',
      'X-Greenlight-Version',
      'v2',
    ]);
    assert.equal(h.host, 'example.test');
    assert.equal(h.forwardedFor, '10.0.0.1');
    assert.equal(h.requestId, 'abc');
    assert.equal(h.chunked, true);
    assert.equal(h.preview, 'v2');
  });

  void it('finds cookies only at a name boundary', () => {
    assert.equal(findCookie('a=1; b=2', 'b='), '2');
    assert.equal(findCookie('ab=1; b=2;c=3', 'b='), '2');
    assert.equal(findCookie('ab=1', 'b='), null);
    assert.equal(findCookie('x=1;b= spaced ', 'b='), 'spaced');
  });

  void it('reads response headers from one decoded region when they are views of the same chunk', () => {
    const text =
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\nX-Empty:\r\nX-Pad:  a b  \r\n\r\n';
    const chunk = Buffer.from(text);
    const view = (s: string, from = 0) => {
      const at = text.indexOf(s, from);
      return chunk.subarray(at, at + s.length);
    };
    const raw = [
      view('Content-Length'),
      view('2', 20),
      view('Connection'),
      view('keep-alive'),
      view('X-Empty'),
    ];
    raw.push(chunk.subarray(text.indexOf('X-Empty:') + 8, text.indexOf('X-Empty:') + 8));
    raw.push(view('X-Pad'), view('a b'));
    assert.deepEqual(responseHeaders(raw, null), ['Content-Length', '2', 'X-Empty', '', 'X-Pad', 'a b']);
  });

  void it('leaves hop-by-hop response headers out and adds the sticky cookie', () => {
    const raw = [
      'Content-Length',
      '2',
      'Connection',
      'keep-alive',
      'Keep-Alive',
      'timeout=5',
      'Set-Cookie',
      'a=1',
    ];
    assert.deepEqual(
      responseHeaders(
        raw.map((s) => Buffer.from(s)),
        'gl=v1',
      ),
      ['Content-Length', '2', 'Set-Cookie', 'a=1', 'set-cookie', 'gl=v1'],
    );
  });
});
