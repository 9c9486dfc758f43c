// Http actions against a local server: status and body checks, a timeout, retries, bounded and redacted bodies,
// and paths sent through the preview function.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { HttpAction } from '../spec/compiled-gates.js';
import { runHttp } from './http-call.js';
import { createRedactor } from './redact.js';
import { OUTPUT_LIMIT_BYTES } from './result.js';
import type { ActionContext, PreviewRequest } from './run-action.js';

let server: Server;
let base = '';
let flakyCalls = 0;
const seen: Array<{ method: string; url: string; headers: Record<string, unknown> }> = [];

before(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (req.url === '/health') res.end('status: healthy');
    else if (req.url === '/fail') res.writeHead(500).end('boom');
    else if (req.url === '/secret') res.end('key=sk-live-abcdef');
    else if (req.url === '/big') res.end('y'.repeat(1024 * 1024) + 'END');
    else if (req.url === '/flaky') {
      flakyCalls += 1;
      res.writeHead(flakyCalls < 3 ? 503 : 200).end(`call ${flakyCalls}`);
    } else if (req.url === '/hang') res.writeHead(200).write('partial ');
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function call(extra: Partial<HttpAction>): HttpAction {
  return {
    kind: 'http',
    name: 'smoke',
    url: `${base}/health`,
    path: null,
    method: 'GET',
    headers: {},
    expectStatus: 200,
    expectBody: null,
    timeoutMs: 5_000,
    retries: 0,
    ...extra,
  };
}

function context(extra: Partial<ActionContext> = {}): ActionContext {
  return { vars: {}, env: {}, redactor: createRedactor([]), sleep: async () => {}, ...extra };
}

void describe('runHttp with a url', () => {
  void it('passes on the expected status and keeps the body', async () => {
    const result = await runHttp(call({}), context());
    assert.equal(result.ok, true);
    assert.equal(result.kind, 'http');
    assert.equal(result.status, 200);
    assert.equal(result.output, 'status: healthy');
    assert.match(result.message, new RegExp(`^GET ${base}/health answered 200 after `));
  });

  void it('fails on another status', async () => {
    const result = await runHttp(call({ url: `${base}/fail` }), context());
    assert.equal(result.ok, false);
    assert.equal(result.status, 500);
    assert.equal(result.message, `GET ${base}/fail answered 500, expected 200`);
    assert.equal(result.output, 'boom');
  });

  void it('checks that the body contains the expected text', async () => {
    assert.equal((await runHttp(call({ expectBody: 'healthy' }), context())).ok, true);
    const result = await runHttp(call({ expectBody: 'degraded' }), context());
    assert.equal(result.ok, false);
    assert.equal(result.message, `GET ${base}/health answered 200 without "degraded" in the body`);
  });

  void it('times out on an answer that never ends', async () => {
    const result = await runHttp(call({ url: `${base}/hang`, timeoutMs: 300 }), context());
    assert.equal(result.ok, false);
    assert.equal(result.message, `GET ${base}/hang timed out after 0.3 s`);
  });

  void it('retries with backoff until the status matches', async () => {
    flakyCalls = 0;
    const slept: number[] = [];
    const result = await runHttp(
      call({ url: `${base}/flaky`, retries: 4 }),
      context({ sleep: async (ms) => void slept.push(ms) }),
    );
    assert.equal(result.ok, true);
    assert.equal(result.attempts, 3);
    assert.deepEqual(slept, [500, 1_000]);
    assert.equal(result.output, 'call 3');
  });

  void it('reports a connection that is refused', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await runHttp(call({ url: `http://127.0.0.1:${port}/` }), context());
    assert.equal(result.ok, false);
    assert.equal(result.message, `GET http://127.0.0.1:${port}/ failed: ECONNREFUSED`);
  });

  void it('sends the method and headers with placeholders filled, and redacts the body', async () => {
    const redactor = createRedactor([{ name: 'STRIPE_KEY', value: 'sk-live-abcdef' }]);
    const action = call({
      url: `${base}/secret`,
      method: 'POST',
      headers: { 'x-release': '${app}@${version}' },
    });
    const result = await runHttp(action, context({ redactor, vars: { app: 'shop', version: '3.1.0' } }));
    assert.equal(result.output, 'key=[redacted:STRIPE_KEY]');
    const request = seen.findLast((entry) => entry.url === '/secret');
    assert.equal(request?.method, 'POST');
    assert.equal(request?.headers['x-release'], 'shop@3.1.0');
  });

  void it('keeps only the last 16 KiB of a large body, but checks the whole body', async () => {
    const result = await runHttp(call({ url: `${base}/big`, expectBody: 'yEND' }), context());
    assert.equal(result.ok, true);
    const match = /^\[… (\d+) bytes cut\]\n/.exec(result.output);
    assert.ok(match);
    assert.ok(Buffer.byteLength(result.output) <= OUTPUT_LIMIT_BYTES + Buffer.byteLength(match[0]));
    assert.ok(result.output.endsWith('yEND'));
  });
});

void describe('runHttp with a path', () => {
  void it('sends the request through ctx.preview', async () => {
    const requests: PreviewRequest[] = [];
    const preview = async (req: PreviewRequest): Promise<{ status: number; body: string }> => {
      requests.push(req);
      return { status: 204, body: 'new version here' };
    };
    const action = call({
      url: null,
      path: '/health?v=${version}',
      method: 'HEAD',
      headers: { accept: 'text/plain' },
      expectStatus: 204,
      expectBody: 'new version',
      timeoutMs: 1_234,
    });
    const result = await runHttp(action, context({ preview, vars: { version: '9.9.9' } }));
    assert.equal(result.ok, true);
    assert.equal(result.message.startsWith('HEAD /health?v=9.9.9 answered 204 after '), true);
    assert.deepEqual(requests, [
      { method: 'HEAD', path: '/health?v=9.9.9', headers: { accept: 'text/plain' }, timeoutMs: 1_234 },
    ]);
  });

  void it('reports a preview that fails or never answers', async () => {
    const failing = await runHttp(
      call({ url: null, path: '/x' }),
      context({ preview: () => Promise.reject(new Error('no preview route for the new version')) }),
    );
    assert.equal(failing.message, 'GET /x failed: no preview route for the new version');
    const silent = await runHttp(
      call({ url: null, path: '/x', timeoutMs: 300 }),
      context({ preview: () => new Promise(() => {}) }),
    );
    assert.equal(silent.message, 'GET /x timed out after 0.3 s');
  });

  void it('refuses to run without a preview function', async () => {
    await assert.rejects(
      runHttp(call({ url: null, path: '/health' }), context()),
      /no preview route was given/,
    );
  });
});
