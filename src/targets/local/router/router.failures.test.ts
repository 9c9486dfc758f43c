// Bad upstreams and abusive clients: 502/504 with a JSON body and counted, 431, 413, and Upgrade tunnels.
import assert from 'node:assert/strict';
import {
  createServer as createTcpServer,
  connect,
  type AddressInfo,
  type Server as TcpServer,
  type Socket,
} from 'node:net';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  LIMITS,
  send,
  ENGINES_UNDER_TEST,
  startRouter,
  startUpstream,
  traffic,
  type RouterHarness,
  type Upstream,
} from './test-support.js';

for (const engine of ENGINES_UNDER_TEST) {
  /** A TCP server that does `onConnection` with every socket (no HTTP). */
  async function startTcp(
    onConnection: (s: Socket) => void,
  ): Promise<{ port: number; server: TcpServer; close(): Promise<void> }> {
    const sockets = new Set<Socket>();
    const server = createTcpServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
      onConnection(s);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as AddressInfo).port,
      server,
      close: () => {
        for (const s of sockets) s.destroy();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }

  /** A port nothing listens on: bound then closed. */
  async function deadPort(): Promise<number> {
    const t = await startTcp(() => undefined);
    await t.close();
    return t.port;
  }

  void describe(`router (${engine}): bad upstreams`, () => {
    let h: RouterHarness;
    const closers: (() => Promise<void>)[] = [];

    before(async () => {
      h = await startRouter(engine, traffic({ weights: { v1: 100 } }), { ...LIMITS, upstreamTimeoutMs: 300 });
    });
    after(async () => {
      await h?.close();
      await Promise.all(closers.map((c) => c()));
    });

    async function expectFailure(port: number, status: number, code: string): Promise<void> {
      h.router.setEndpoints('app', 'v1', [{ id: `e${port}`, host: '127.0.0.1', port }]);
      const before =
        h.router.stats('app').versions.find((v) => v.version === 'v1')?.cumulative.upstreamErrors ?? 0;
      const r = await send(h.port);
      assert.equal(r.status, status);
      const body = JSON.parse(r.body) as Record<string, unknown>;
      assert.equal(body.code, code);
      assert.equal(body.version, 'v1');
      assert.match(String(body.requestId), /^test-/);
      assert.equal(typeof body.error, 'string');
      const now = h.router.stats('app').versions.find((v) => v.version === 'v1')?.cumulative;
      assert.equal(now?.upstreamErrors, before + 1);
      assert.equal(now?.responses['5xx'], 0, 'router answers are not counted as upstream 5xx');
    }

    void it('502 when the connection is refused', async () => {
      await expectFailure(await deadPort(), 502, 'upstream_unavailable');
    });

    void it('502 when the upstream resets the connection', async () => {
      const t = await startTcp((s) => s.once('data', () => s.resetAndDestroy()));
      closers.push(t.close);
      await expectFailure(t.port, 502, 'upstream_unavailable');
    });

    void it('502 when the upstream answers garbage', async () => {
      const t = await startTcp((s) => s.once('data', () => s.end('this is not http\r\n\r\n')));
      closers.push(t.close);
      await expectFailure(t.port, 502, 'upstream_unavailable');
    });

    void it('504 when the response headers do not come within upstreamTimeoutMs', async () => {
      const t = await startTcp(() => undefined);
      closers.push(t.close);
      await expectFailure(t.port, 504, 'upstream_timeout');
    });

    void it('a failure after the response started cuts the client connection and is counted', async () => {
      const t = await startTcp((s) =>
        s.once('data', () =>
          s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial', () => s.resetAndDestroy()),
        ),
      );
      closers.push(t.close);
      h.router.setEndpoints('app', 'v1', [{ id: 'partial', host: '127.0.0.1', port: t.port }]);
      const errors = () =>
        h.router.stats('app').versions.find((v) => v.version === 'v1')?.cumulative.upstreamErrors;
      const before = errors() ?? 0;
      await assert.rejects(send(h.port));
      assert.equal(errors(), before + 1);
      assert.equal(h.router.inFlight('app'), 0);
    });
  });

  void describe(`router (${engine}): client limits`, () => {
    let up: Upstream;
    let h: RouterHarness;
    const bodyLimit = 4096;

    before(async () => {
      up = await startUpstream('v1', (req, res) => {
        let n = 0;
        req.on('data', (c: Buffer) => (n += c.length));
        req.on('end', () => res.end(`got ${n}`));
      });
      h = await startRouter(engine, traffic({ weights: { v1: 100 } }), {
        ...LIMITS,
        maxHeaderBytes: 2048,
        maxBodyBytes: bodyLimit,
      });
      h.router.setEndpoints('app', 'v1', [{ id: 'a', host: '127.0.0.1', port: up.port }]);
    });
    after(async () => {
      await h?.close();
      await up?.close();
    });

    void it('431 for headers over maxHeaderBytes', async () => {
      const r = await send(h.port, { headers: { 'x-big': 'a'.repeat(4096) } });
      assert.equal(r.status, 431);
      assert.equal(up.seen.length, 0);
    });

    void it('streams a body within the limit', async () => {
      const r = await send(h.port, { method: 'POST', body: Buffer.alloc(bodyLimit, 1) });
      assert.equal(r.status, 200);
      assert.equal(r.body, `got ${bodyLimit}`);
    });

    void it('413 at once for a Content-Length over maxBodyBytes', async () => {
      const seen = up.seen.length;
      const r = await send(h.port, { method: 'POST', body: Buffer.alloc(bodyLimit + 1, 1) });
      assert.equal(r.status, 413);
      assert.equal((JSON.parse(r.body) as { code: string }).code, 'body_too_large');
      assert.equal(up.seen.length, seen, 'nothing was sent upstream');
    });

    void it('413 for a chunked body that grows over the limit, and the upstream request is aborted', async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: h.port, method: 'POST', path: '/chunked' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        // Under the limit first, then over it; the client stops writing once answered.
        req.write(Buffer.alloc(bodyLimit - 100, 1));
        setTimeout(() => req.write(Buffer.alloc(200, 1)), 50);
      });
      assert.equal(status, 413);
      const v1 = h.router.stats('app').versions.find((v) => v.version === 'v1');
      assert.equal(v1?.cumulative.responses['4xx'], 1);
      assert.equal(h.router.inFlight('app'), 0);
    });
  });

  void describe(`router (${engine}): slow clients`, () => {
    let h: RouterHarness;
    before(async () => {
      h = await startRouter(engine, traffic({ weights: { v1: 100 } }), { ...LIMITS, headersTimeoutMs: 200 });
    });
    after(async () => {
      await h?.close();
    });

    void it('closes a connection whose headers do not arrive within headersTimeoutMs (408)', async () => {
      const client = connect(h.port, '127.0.0.1');
      try {
        let received = '';
        let closed = false;
        client.on('data', (c: Buffer) => (received += c.toString('latin1')));
        client.on('close', () => (closed = true));
        client.on('error', () => undefined);
        client.write('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
        await waitForText(() => (closed ? 'closed' : ''), 'closed');
        assert.match(received, /^HTTP\/1\.1 408 /);
      } finally {
        client.destroy();
      }
    });
  });

  void describe(`router (${engine}): upgrade`, () => {
    let echo: Awaited<ReturnType<typeof startTcp>>;
    let h: RouterHarness;

    before(async () => {
      // Accepts any Upgrade with 101, then echoes bytes back.
      echo = await startTcp((s) => {
        let head = '';
        const onData = (c: Buffer) => {
          head += c.toString('latin1');
          const end = head.indexOf('\r\n\r\n');
          if (end === -1) return;
          s.off('data', onData);
          const xff = /x-forwarded-for: ([^\r]*)/i.exec(head)?.[1] ?? '';
          s.write(
            `HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\nx-seen-xff: ${xff}\r\n\r\n`,
          );
          const rest = head.slice(end + 4);
          if (rest.length > 0) s.write(rest);
          s.pipe(s);
        };
        s.on('data', onData);
      });
      h = await startRouter(engine, traffic({ weights: { v1: 100 } }));
      h.router.setEndpoints('app', 'v1', [{ id: 'ws', host: '127.0.0.1', port: echo.port }]);
    });
    after(async () => {
      await h?.close();
      await echo?.close();
    });

    void it('tunnels an Upgrade request both ways and cleans up when the client closes', async () => {
      const client = connect(h.port, '127.0.0.1');
      try {
        client.write('GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
        let received = '';
        client.on('data', (c: Buffer) => (received += c.toString('latin1')));
        await waitForText(() => received, '\r\n\r\n');
        assert.match(received, /^HTTP\/1\.1 101 /);
        assert.match(received, /x-seen-xff: 127\.0\.0\.1/);
        assert.equal(h.router.inFlight('app', 'ws'), 1);
        client.write('ping-1 ');
        client.write('ping-2');
        await waitForText(() => received, 'ping-1 ping-2');
      } finally {
        client.destroy();
      }
      await waitForText(() => String(h.router.inFlight('app', 'ws')), '0');
      const v1 = h.router.stats('app').versions.find((v) => v.version === 'v1');
      assert.equal(v1?.cumulative.responses['1xx'], 1);
    });
  });

  async function waitForText(read: () => string, text: string): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!read().includes(text)) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${JSON.stringify(text)} in ${JSON.stringify(read())}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
