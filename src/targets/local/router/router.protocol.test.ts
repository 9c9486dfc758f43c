// HTTP/1.1 framing through the router, on raw sockets: request smuggling guards, pipelining, chunked bodies
// both ways, HEAD/204/304, close-delimited and 1xx upstream answers, HTTP/1.0 clients.
import assert from 'node:assert/strict';
import {
  connect,
  createServer as createTcpServer,
  type AddressInfo,
  type Server as TcpServer,
  type Socket,
} from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  ENGINES_UNDER_TEST,
  send,
  startRouter,
  startUpstream,
  traffic,
  type RouterHarness,
  type Upstream,
} from './test-support.js';

/** Writes `text` on a new connection and resolves with everything read until the router closes it. */
function exchange(port: number, text: string, closeAfter?: (received: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let received = '';
    s.on('data', (c: Buffer) => {
      received += c.toString('latin1');
      if (closeAfter?.(received) === true) s.end();
    });
    s.on('error', reject);
    s.on('close', () => resolve(received));
    s.write(text);
  });
}

/** A raw upstream that answers every request head with `answer(head)`, then closes if asked. */
async function rawUpstream(
  answer: (head: string) => { text: string; close?: boolean },
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    let buffered = '';
    s.on('data', (c: Buffer) => {
      buffered += c.toString('latin1');
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = buffered.slice(0, end);
      buffered = buffered.slice(end + 4);
      const a = answer(head);
      if (a.close === true) s.end(a.text);
      else s.write(a.text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const count = (text: string, what: string): number => text.split(what).length - 1;

for (const engine of ENGINES_UNDER_TEST) {
  void describe(`router (${engine}): request framing`, () => {
    let up: Upstream;
    let h: RouterHarness;

    before(async () => {
      up = await startUpstream('v1', (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const status = req.url === '/204' ? 204 : req.url === '/304' ? 304 : 200;
          res.writeHead(status, { 'content-type': 'text/plain' });
          res.end(
            status === 200 ? `${req.method} ${req.url} ${Buffer.concat(chunks).toString()}` : undefined,
          );
        });
      });
      h = await startRouter(engine, traffic({ weights: { v1: 100 } }));
      h.router.setEndpoints('app', 'v1', [{ id: 'a', host: '127.0.0.1', port: up.port }]);
    });
    after(async () => {
      await h?.close();
      await up?.close();
    });

    for (const [name, head] of [
      ['Content-Length with Transfer-Encoding', 'Content-Length: 3\r\nTransfer-Encoding: chunked\r\n'],
      ['two different Content-Lengths', 'Content-Length: 3\r\nContent-Length: 4\r\n'],
      ['a Transfer-Encoding that does not end in chunked', 'Transfer-Encoding: chunked, gzip\r\n'],
    ]) {
      void it(`refuses ${name} with 400 and forwards nothing`, async () => {
        const seen = up.seen.length;
        const r = await exchange(h.port, `POST /s HTTP/1.1\r\nHost: x\r\n${head}\r\nabc`);
        assert.match(r, /^HTTP\/1\.1 400 /);
        assert.equal(up.seen.length, seen);
      });
    }

    void it('answers pipelined requests in order on one connection', async () => {
      const req = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
      const r = await exchange(
        h.port,
        req('/p1') + req('/p2') + `POST /p3 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi` + req('/p4'),
        (text) => text.includes('GET /p4 '),
      );
      assert.equal(count(r, 'HTTP/1.1 200 '), 4);
      const order = ['GET /p1 ', 'GET /p2 ', 'POST /p3 hi', 'GET /p4 '].map((s) => r.indexOf(s));
      assert.deepEqual(
        order,
        [...order].sort((a, b) => a - b),
      );
      assert.ok(order.every((i) => i > 0));
    });

    void it('forwards a chunked request body whole', async () => {
      const r = await exchange(
        h.port,
        'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
          '3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n',
      );
      assert.match(r, /^HTTP\/1\.1 200 /);
      assert.ok(r.includes('POST /c abcdefg'), r);
    });

    void it('sends no body for HEAD, 204 and 304, and the connection stays usable', async () => {
      const r = await exchange(
        h.port,
        'HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /204 HTTP/1.1\r\nHost: x\r\n\r\n' +
          'GET /304 HTTP/1.1\r\nHost: x\r\n\r\nGET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      );
      assert.match(r, /^HTTP\/1\.1 200 /);
      assert.ok(r.includes('HTTP/1.1 204 '));
      assert.ok(r.includes('HTTP/1.1 304 '));
      assert.ok(r.includes('GET /last '), r);
      assert.equal(count(r, 'GET /'), 1, 'only the last answer has a body');
    });

    void it('answers an HTTP/1.0 client and closes when it did not ask for keep-alive', async () => {
      const r = await exchange(h.port, 'GET /old HTTP/1.0\r\n\r\n');
      assert.match(r, /^HTTP\/1\.1 200 /);
      assert.ok(r.includes('GET /old '), r);
    });
  });

  void describe(`router (${engine}): upstream framing`, () => {
    let raw: Awaited<ReturnType<typeof rawUpstream>>;
    let h: RouterHarness;

    before(async () => {
      raw = await rawUpstream((head) => {
        if (head.startsWith('GET /close '))
          return { text: 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end', close: true };
        if (head.startsWith('GET /continue '))
          return {
            text: 'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nafter',
          };
        return {
          text: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
        };
      });
      h = await startRouter(engine, traffic({ weights: { v1: 100 } }));
      h.router.setEndpoints('app', 'v1', [{ id: 'raw', host: '127.0.0.1', port: raw.port }]);
    });
    after(async () => {
      await h?.close();
      await raw?.close();
    });

    void it('passes a chunked answer on', async () => {
      for (let i = 0; i < 3; i++) {
        const r = await send(h.port, { path: '/chunked' });
        assert.equal(r.status, 200);
        assert.equal(r.body, 'hello world');
      }
    });

    void it('passes on an answer whose end is the upstream closing', async () => {
      const r = await send(h.port, { path: '/close' });
      assert.equal(r.status, 200);
      assert.equal(r.body, 'until the end');
    });

    void it('drops 1xx informational answers and forwards the final one', async () => {
      const r = await send(h.port, { path: '/continue' });
      assert.equal(r.status, 200);
      assert.equal(r.body, 'after');
      assert.equal(h.router.inFlight('app'), 0);
    });
  });
}
