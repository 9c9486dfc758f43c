import assert from 'node:assert/strict';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { CONTROLLER, type GreenlightEvent } from '../engine/model.js';
import type { WebhookSpec } from '../spec/compiled-gates.js';
import { SIGNATURE_HEADER, verifySignature } from './webhook-signature.js';
import { backoffMs, matchesEvent, Notifier, type NotifierOptions } from './webhooks.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback receiver answering the given statuses in turn, then 200; `hang` never answers. */
async function receiver(statuses: (number | 'hang')[] = []): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      const status = statuses.shift() ?? 200;
      if (status !== 'hang') res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

/** The URL of a loopback port that was free a moment ago and now has no listener. */
async function closedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}

function hook(url: string, over: Partial<WebhookSpec> = {}): WebhookSpec {
  return {
    name: 'ops',
    url,
    format: 'json',
    secretEnv: null,
    events: [],
    timeoutMs: 5_000,
    attempts: 3,
    ...over,
  };
}

let nextId = 1;
function event(action: string, over: Partial<GreenlightEvent> = {}): GreenlightEvent {
  return {
    id: nextId++,
    at: '2024-05-01T12:00:00.000Z',
    app: 'shop',
    releaseId: 12,
    actor: CONTROLLER,
    action,
    reason: null,
    data: { version: 'v2' },
    prevHash: '0'.repeat(64),
    hash: '1'.repeat(64),
    ...over,
  };
}

const KEY = 'k3y-do-not-log';
const NOW_MS = 1_700_000_000_000;

function notifier(hooks: WebhookSpec[], over: Partial<NotifierOptions> = {}) {
  const delays: number[] = [];
  const logs: { msg: string; fields: Record<string, unknown> | undefined }[] = [];
  const n = new Notifier({
    webhooksFor: (app) => Promise.resolve(app === 'shop' ? hooks : []),
    secret: (name) => (name === 'HOOK_KEY' ? KEY : undefined),
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    now: () => NOW_MS,
    log: (msg, fields) => logs.push({ msg, fields }),
    userAgent: 'greenlight-test',
    ...over,
  });
  after(() => n.stop());
  return { n, delays, logs };
}

void describe('Notifier', () => {
  void it('notify resolves once the delivery has settled', async () => {
    const r = await receiver();
    const { n } = notifier([hook(r.url)]);
    await n.notify(event('release.promoted'));
    assert.equal(r.received.length, 1);
  });

  void it('POSTs a signed JSON delivery that verifies with the key', async () => {
    const r = await receiver();
    const { n } = notifier([hook(r.url, { secretEnv: 'HOOK_KEY' })]);
    const e = event('release.promoted');
    void n.notify(e);
    await n.idle();
    assert.equal(r.received.length, 1);
    const [{ headers, body }] = r.received as [Received];
    assert.equal(headers['content-type'], 'application/json');
    assert.equal(headers['user-agent'], 'greenlight-test');
    assert.equal(headers['x-greenlight-event'], 'release.promoted');
    const delivery = headers['x-greenlight-delivery'];
    assert.match(String(delivery), /^[0-9a-f-]{36}$/);
    const signature = String(headers[SIGNATURE_HEADER]);
    assert.match(signature, new RegExp(`^t=${NOW_MS / 1000},v1=[0-9a-f]{64}$`));
    assert.equal(verifySignature(signature, body, KEY, { nowSeconds: NOW_MS / 1000 + 10 }), true);
    assert.equal(verifySignature(signature, body, 'wrong', { nowSeconds: NOW_MS / 1000 }), false);
    const payload = JSON.parse(body) as Record<string, unknown>;
    assert.equal(payload.delivery, delivery);
    assert.equal(payload.id, e.id);
    assert.equal(payload.text, 'shop v2 promoted (release 12)');
  });

  void it('sends no signature header when the webhook names no secret', async () => {
    const r = await receiver();
    const { n } = notifier([hook(r.url)]);
    void n.notify(event('release.promoted'));
    await n.idle();
    assert.equal(r.received[0]?.headers[SIGNATURE_HEADER], undefined);
  });

  void it('retries a failing receiver with growing backoff and the same delivery id', async () => {
    const r = await receiver([500, 500]);
    const { n, delays, logs } = notifier([hook(r.url, { attempts: 5 })]);
    void n.notify(event('release.promoted'));
    await n.idle();
    assert.equal(r.received.length, 3);
    const ids = new Set(r.received.map((x) => x.headers['x-greenlight-delivery']));
    assert.equal(ids.size, 1);
    assert.equal(JSON.parse(r.received[2]!.body).delivery, [...ids][0]);
    assert.equal(delays.length, 2);
    assert.ok(delays[0]! >= 800 && delays[0]! <= 1200, `first delay ${delays[0]}`);
    assert.ok(delays[1]! >= 1600 && delays[1]! <= 2400, `second delay ${delays[1]}`);
    assert.deepEqual(logs, []);
  });

  void it('gives up after `attempts` and logs the last status, never the key or signature', async () => {
    const r = await receiver([503, 503, 503, 503]);
    const { n, delays, logs } = notifier([hook(r.url, { attempts: 3, secretEnv: 'HOOK_KEY' })]);
    void n.notify(event('release.promoted'));
    await n.idle();
    assert.equal(r.received.length, 3);
    assert.equal(delays.length, 2);
    assert.equal(logs.length, 1);
    assert.equal(logs[0]!.msg, 'webhook ops failed after 3 attempts');
    assert.equal(logs[0]!.fields?.last, 'status 503');
    const logged = JSON.stringify(logs);
    assert.ok(!logged.includes(KEY));
    assert.ok(!logged.includes('v1='));
    assert.ok(!logged.includes(r.url));
  });

  void it('counts an unreachable receiver and a timeout as failed attempts', async () => {
    const hanging = await receiver(['hang']);
    const { n, logs } = notifier([
      hook(await closedUrl(), { name: 'down', attempts: 2 }),
      hook(hanging.url, { name: 'slow', attempts: 1, timeoutMs: 100 }),
    ]);
    void n.notify(event('release.promoted'));
    await n.idle();
    const byName = new Map(logs.map((l) => [l.fields?.webhook, l]));
    assert.equal(byName.get('down')?.msg, 'webhook down failed after 2 attempts');
    assert.match(String(byName.get('down')?.fields?.last), /ECONNREFUSED/);
    assert.equal(byName.get('slow')?.fields?.last, 'timed out');
  });

  void it('sends nothing when the named secret is not set', async () => {
    const r = await receiver();
    const { n, logs } = notifier([hook(r.url, { secretEnv: 'MISSING_KEY' })]);
    void n.notify(event('release.promoted'));
    await n.idle();
    assert.equal(r.received.length, 0);
    assert.deepEqual(
      logs.map((l) => l.msg),
      ['webhook ops: secret MISSING_KEY is not set; not sending'],
    );
  });

  void it('sends each webhook only the events it asks for', async () => {
    const exact = await receiver();
    const prefix = await receiver();
    const defaults = await receiver();
    const { n } = notifier([
      hook(exact.url, { events: ['release.promoted'] }),
      hook(prefix.url, { events: ['release.*'] }),
      hook(defaults.url, { events: [] }),
    ]);
    for (const action of [
      'step.started',
      'release.created',
      'trigger.fired',
      'release.promoted',
      'release.paused',
    ])
      void n.notify(event(action));
    void n.notify(event('release.promoted', { app: 'other' }));
    await n.idle();
    const actions = (r: { received: Received[] }) => r.received.map((x) => x.headers['x-greenlight-event']);
    assert.deepEqual(actions(exact), ['release.promoted']);
    assert.deepEqual(actions(prefix), ['release.created', 'release.promoted', 'release.paused']);
    assert.deepEqual(actions(defaults), ['release.created', 'trigger.fired', 'release.promoted']);
  });

  void it('sends a Slack message to a slack webhook', async () => {
    const r = await receiver();
    const { n } = notifier([hook(r.url, { format: 'slack' })]);
    void n.notify(event('release.rolledBack', { reason: 'trigger:error-rate' }));
    await n.idle();
    const message = JSON.parse(r.received[0]!.body) as { text: string; blocks: { type: string }[] };
    assert.equal(message.text, ':rotating_light: shop v2 rolled back by trigger:error-rate (release 12)');
    assert.deepEqual(
      message.blocks.map((b) => b.type),
      ['section', 'context'],
    );
  });

  void it('drops pending retries on stop, and ignores events after it', async () => {
    const r = await receiver([500, 500, 500]);
    let stop = (): void => undefined;
    const { n, logs } = notifier([hook(r.url, { attempts: 5 })], {
      sleep: () => {
        stop();
        return Promise.resolve();
      },
    });
    stop = () => n.stop();
    void n.notify(event('release.promoted'));
    await n.idle();
    void n.notify(event('release.promoted'));
    await n.idle();
    assert.equal(r.received.length, 1);
    assert.deepEqual(logs, []);
  });

  void it('logs and goes on when the webhooks cannot be read', async () => {
    const r = await receiver();
    let calls = 0;
    const { n, logs } = notifier([], {
      webhooksFor: () =>
        ++calls === 1 ? Promise.reject(new Error('store closed')) : Promise.resolve([hook(r.url)]),
    });
    void n.notify(event('release.promoted'));
    void n.notify(event('release.promoted'));
    await n.idle();
    assert.equal(r.received.length, 1);
    assert.equal(logs[0]?.fields?.error, 'store closed');
  });
});

void describe('matchesEvent and backoffMs', () => {
  void it('matches exact names, .* prefixes, and the default set when empty', () => {
    assert.equal(matchesEvent(['release.promoted'], 'release.promoted'), true);
    assert.equal(matchesEvent(['release.promoted'], 'release.promotedFully'), false);
    assert.equal(matchesEvent(['release.*'], 'release.aborted'), true);
    assert.equal(matchesEvent(['release.*'], 'releases.x'), false);
    assert.equal(matchesEvent([], 'approval.granted'), true);
    assert.equal(matchesEvent([], 'step.started'), false);
  });

  void it('doubles from 1 s, within ±20%, never above 60 s', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => backoffMs(n, () => 0.5)),
      [1000, 2000, 4000, 8000],
    );
    assert.equal(
      backoffMs(1, () => 0),
      800,
    );
    assert.equal(
      backoffMs(1, () => 1),
      1200,
    );
    assert.equal(
      backoffMs(7, () => 0.5),
      60_000,
    );
    assert.equal(
      backoffMs(30, () => 1),
      60_000,
    );
    assert.equal(
      backoffMs(30, () => 0),
      48_000,
    );
  });
});
