// Large bodies through the router with backpressure on both sides: a client that reads slowly (the upstream
// must be paused and resumed), an upstream that reads slowly (the client must be paused and resumed), and the
// same connections reused afterwards. Only the bytes are asserted, never the time taken.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  ENGINES_UNDER_TEST,
  LIMITS,
  keepAliveAgent,
  destroyAgents,
  send,
  startRouter,
  startUpstream,
  traffic,
  type RouterHarness,
  type Upstream,
} from './test-support.js';

const BIG = randomBytes(4 * 1024 * 1024);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** GETs `path` and reads the answer slowly at first, so that the router's writes to the client back up. */
function slowGet(port: number, path: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let stalls = 0;
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        if (stalls < 3) {
          stalls += 1;
          res.pause();
          setTimeout(() => res.resume(), 50);
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

for (const engine of ENGINES_UNDER_TEST) {
  void describe(`router (${engine}): large bodies and backpressure`, () => {
    let up: Upstream;
    let h: RouterHarness;

    before(async () => {
      up = await startUpstream('v1', (req, res) => {
        if (req.url === '/big') {
          res.writeHead(200, { 'content-length': String(BIG.length) });
          res.end(BIG);
        } else if (req.url === '/big-chunked') {
          // No length: the upstream sends it chunked, in pieces of uneven size.
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          for (let at = 0; at < BIG.length; at += 300_007) res.write(BIG.subarray(at, at + 300_007));
          res.end();
        } else if (req.url === '/slow-sink') {
          // Reads the body slowly at first, then answers with its hash.
          const chunks: Buffer[] = [];
          req.pause();
          void pause(100).then(() => req.resume());
          req.on('data', (c: Buffer) => chunks.push(c));
          req.on('end', () => res.end(sha(Buffer.concat(chunks))));
        } else {
          req.resume();
          res.end('small');
        }
      });
      h = await startRouter(engine, traffic({ weights: { v1: 100 } }), {
        ...LIMITS,
        maxBodyBytes: 16 * 1024 * 1024,
      });
      h.router.setEndpoints('app', 'v1', [{ id: 'a', host: '127.0.0.1', port: up.port }]);
    });
    after(async () => {
      destroyAgents();
      await h?.close();
      await up?.close();
    });

    void it('passes a large answer whole to a client that reads slowly', async () => {
      const r = await slowGet(h.port, '/big');
      assert.equal(r.status, 200);
      assert.equal(r.body.length, BIG.length);
      assert.equal(sha(r.body), sha(BIG));
    });

    void it('passes a large chunked answer whole to a client that reads slowly', async () => {
      const r = await slowGet(h.port, '/big-chunked');
      assert.equal(r.status, 200);
      assert.equal(sha(r.body), sha(BIG));
    });

    void it('passes a large request body whole to an upstream that reads slowly', async () => {
      const r = await send(h.port, { method: 'POST', path: '/slow-sink', body: BIG });
      assert.equal(r.status, 200);
      assert.equal(r.body, sha(BIG));
    });

    void it('keeps serving small answers on the same connections afterwards', async () => {
      const agent = keepAliveAgent(1);
      for (let i = 0; i < 3; i++) {
        assert.equal(
          (await send(h.port, { method: 'POST', path: '/slow-sink', body: BIG, agent })).body,
          sha(BIG),
        );
        assert.equal((await send(h.port, { path: '/small', agent })).body, 'small');
      }
      assert.equal(h.router.inFlight('app'), 0);
    });
  });
}
