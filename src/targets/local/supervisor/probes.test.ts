// Probe checks against a real loopback server and real commands, and the threshold counting of ProbeLoop.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { probe, waitFor } from './fixtures/harness.js';
import { ProbeLoop } from './probe-loop.js';
import { checkOnce } from './probes.js';
import type { ProbeResult } from './probes.js';
import { freePort } from './ports.js';
import { isRunning } from './proc.js';

void describe('probe checks', () => {
  let server: http.Server;
  let port = 0;
  let flaky: boolean[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/hang') return;
      if (req.url === '/flaky') {
        res.statusCode = flaky.shift() === false ? 500 : 200;
        return res.end();
      }
      res.statusCode = Number(req.url?.slice(1)) || 200;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const target = () => ({ port, env: { PATH: process.env.PATH ?? '', PORT: String(port) } });

  void it('http: any 2xx or 3xx by default, or exactly the expected status', async () => {
    assert.deepEqual(await checkOnce(probe({ http: { path: '/204' } }), target()), {
      ok: true,
      message: 'HTTP 204',
    });
    assert.equal((await checkOnce(probe({ http: { path: '/302' } }), target())).ok, true);
    assert.deepEqual(await checkOnce(probe({ http: { path: '/503' } }), target()), {
      ok: false,
      message: 'HTTP 503',
    });
    assert.equal((await checkOnce(probe({ http: { path: '/418', expectStatus: 418 } }), target())).ok, true);
    assert.equal((await checkOnce(probe({ http: { path: '/200', expectStatus: 418 } }), target())).ok, false);
  });

  void it('http: a server that does not answer fails at the timeout', async () => {
    const result = await checkOnce(probe({ http: { path: '/hang' } }, { timeoutMs: 200 }), target());
    assert.deepEqual(result, { ok: false, message: 'no answer within 200 ms' });
  });

  void it('tcp: connects, or reports the refusal', async () => {
    assert.deepEqual(await checkOnce(probe({ tcp: {} }), target()), { ok: true, message: 'connected' });
    const closed = await freePort();
    assert.deepEqual(await checkOnce(probe({ tcp: {} }), { ...target(), port: closed }), {
      ok: false,
      message: 'ECONNREFUSED',
    });
  });

  void it('exec: exit 0 passes; PORT is in its environment; a failure carries its stderr', async () => {
    const check = (script: string, timeoutMs = 2_000) =>
      checkOnce(probe({ exec: { command: ['/bin/sh', '-c', script] } }, { timeoutMs }), target());
    assert.deepEqual(await check(`test "$PORT" = "${port}"`), { ok: true, message: 'exit 0' });
    assert.deepEqual(await check('echo broken >&2; exit 4'), { ok: false, message: 'exit 4: broken' });
    assert.match(
      (await checkOnce(probe({ exec: { command: ['/nonexistent'] } }), target())).message,
      /ENOENT/,
    );
  });

  void it('exec: a command past its timeout is killed with what it started', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'gl-probe-')), 'pid');
    const result = await checkOnce(
      probe(
        { exec: { command: ['/bin/sh', '-c', `sleep 30 & echo $! > ${pidFile}; wait`] } },
        { timeoutMs: 300 },
      ),
      target(),
    );
    assert.deepEqual(result, { ok: false, message: 'no exit within 300 ms' });
    const sleeper = Number(readFileSync(pidFile, 'utf8'));
    rmSync(dirname(pidFile), { recursive: true, force: true });
    assert.ok(sleeper > 0);
    await waitFor('the background sleep killed too', () => !isRunning(sleeper), 5_000);
  });

  void it('ProbeLoop: flips after successThreshold successes and failureThreshold failures', async () => {
    // ok ok | fail | ok | fail fail -> passing only after 2 successes, failing only after 2 failures in a row
    flaky = [true, true, false, true, false, false];
    const seen: Array<[boolean, boolean, boolean]> = [];
    const loop = new ProbeLoop({
      spec: probe({ http: { path: '/flaky' } }, { periodMs: 20, successThreshold: 2, failureThreshold: 2 }),
      target: target(),
      initiallyPassing: false,
      firstDelayMs: 0,
      onResult: (result: ProbeResult, passing, changed) => seen.push([result.ok, passing, changed]),
    });
    loop.start();
    try {
      await waitFor('six checks', () => seen.length >= 6);
    } finally {
      loop.stop();
    }
    assert.deepEqual(seen.slice(0, 6), [
      [true, false, false],
      [true, true, true],
      [false, true, false],
      [true, true, false],
      [false, true, false],
      [false, false, true],
    ]);
    const count = seen.length;
    await sleep(100);
    assert.equal(seen.length, count, 'no checks after stop()');
  });
});
