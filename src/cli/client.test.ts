// The CLI's API client against a real HTTP server in process (the controller API on a fake clock): where it
// connects, typed errors back, and `deploy --wait` following a release to its outcome over the event stream.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getRequestListener } from '@hono/node-server';
import { GreenlightError } from '../errors.js';
import type { ReleaseView } from '../server/api/lookup.js';
import { MINIMAL_SPEC, startApiFixture, type ApiFixture } from '../server/api/testing.js';
import { ApiClient, resolveConnection, sseMessages } from './client.js';
import { waitForRelease } from './commands/progress.js';
import { NoControllerError, ReleaseEndedError, WaitTimeoutError, exitCodeOf } from './errors.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

void describe('CLI API client', () => {
  let f: ApiFixture;
  let server: http.Server;
  let client: ApiClient;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gl-cli-'));
    f = await startApiFixture();
    server = http.createServer(getRequestListener(f.api.fetch));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = new ApiClient({ url, token: f.tokens.deployer });
    // Applying a spec is an admin's act; the deployer then runs the releases.
    await new ApiClient({ url, token: f.tokens.admin }).send({
      method: 'post',
      path: '/v1/apps',
      body: { file: 'greenlight.yaml', text: MINIMAL_SPEC },
    });
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await f.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the fake clock until the promise settles (bounded), as a controller's timers would. */
  async function drive<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    const watched = promise.finally(() => {
      settled = true;
    });
    for (let i = 0; i < 300 && !settled; i++) {
      f.clock.advance(1000);
      f.engine.resync();
      await f.engine.idle();
      await sleep(10);
    }
    return watched;
  }

  void it('finds the controller and token in flags, the environment, or the data directory', () => {
    assert.deepEqual(resolveConnection({ url: 'http://h:1/', token: 't' }, {}), {
      url: 'http://h:1',
      token: 't',
    });
    assert.deepEqual(resolveConnection({}, { GREENLIGHT_URL: 'http://e:2', GREENLIGHT_TOKEN: 'e' }), {
      url: 'http://e:2',
      token: 'e',
    });
    assert.throws(() => resolveConnection({ dataDir: dir }, {}), NoControllerError);
    writeFileSync(
      join(dir, 'controller.json'),
      JSON.stringify({ pid: process.pid, url: 'http://127.0.0.1:7070', version: '0', startedAt: '' }),
    );
    writeFileSync(join(dir, 'admin.token'), 'glt_admin\n');
    assert.deepEqual(resolveConnection({ dataDir: dir }, {}), {
      url: 'http://127.0.0.1:7070',
      token: 'glt_admin',
      dataDir: dir,
    });
    assert.equal(resolveConnection({ dataDir: dir, token: 'mine' }, {}).token, 'mine');
  });

  void it('turns error answers back into typed errors with their exit codes', async () => {
    const notFound = await client.get('/v1/apps/nope').catch((e: unknown) => e);
    assert.ok(notFound instanceof GreenlightError);
    assert.equal(notFound.code, 'GL1002');
    assert.equal(exitCodeOf(notFound), 4);
    const viewer = new ApiClient({ ...client.connection, token: f.tokens.viewer });
    const forbidden = await viewer
      .send({ method: 'post', path: '/v1/apps/shop/pause', body: {} })
      .catch((e: unknown) => e);
    assert.ok(forbidden instanceof GreenlightError);
    assert.equal(forbidden.details.status, 403);
    const unreachable = new ApiClient({ url: 'http://127.0.0.1:1', token: 't', dataDir: dir });
    assert.ok((await unreachable.get('/v1/apps').catch((e: unknown) => e)) instanceof NoControllerError);
  });

  void it('follows a release to promotion, printing its steps', async () => {
    const started = await client.send<ReleaseView>({
      method: 'post',
      path: '/v1/apps/shop/releases',
      body: { version: 'v1' },
    });
    const lines: string[] = [];
    const done = await drive(
      waitForRelease(client, 'shop', started.release.id, 60_000, (l) => lines.push(l)),
    );
    assert.equal(done.release.phase, 'promoted');
    assert.match(lines[0]!, /^release \d+: v1, canary, \d+ steps$/);
    assert.ok(lines.some((l) => /^step 1\/\d+ completed/.test(l)));
    assert.match(lines[lines.length - 1]!, /promoted/);
  });

  void it('ends with ReleaseEndedError (exit 1) when the release is aborted, and WaitTimeoutError (exit 3) on timeout', async () => {
    const started = await client.send<ReleaseView>({
      method: 'post',
      path: '/v1/apps/shop/releases',
      body: { version: 'v2' },
    });
    const timedOut = await waitForRelease(client, 'shop', started.release.id, 50, () => {}).catch(
      (e: unknown) => e,
    );
    assert.ok(timedOut instanceof WaitTimeoutError);
    assert.equal(exitCodeOf(timedOut), 3);

    const lines: string[] = [];
    const waiting = waitForRelease(client, 'shop', started.release.id, 60_000, (l) => lines.push(l)).catch(
      (e: unknown) => e,
    );
    await client.send({ method: 'post', path: '/v1/apps/shop/abort', body: { reason: 'not today' } });
    const ended = await drive(waiting);
    assert.ok(ended instanceof ReleaseEndedError, String(ended));
    assert.equal(ended.phase, 'aborted');
    assert.equal(exitCodeOf(ended), 1);
    assert.ok(lines.includes('aborting by deployer-token (deployer): not today'));
  });

  void it('parses SSE messages across chunk boundaries, skipping comments', async () => {
    const chunks = [': hello\n\nid: 1\nda', 'ta: {"a":1}\n\n: heartbeat\n\nid: 2\ndata: {"b":2}\n\n'];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    });
    const messages = [];
    for await (const m of sseMessages(body)) messages.push(m);
    assert.deepEqual(messages, [
      { id: '1', data: '{"a":1}' },
      { id: '2', data: '{"b":2}' },
    ]);
  });
});
