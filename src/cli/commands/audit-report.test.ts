// `greenlight audit` and `greenlight report` as a person runs them: the real CLI in a child process against
// the controller API served on loopback. Given a log edited in the database file, verify exits 1 naming the
// event; export writes JSON lines in id order; report prints the figures.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { getRequestListener } from '@hono/node-server';
import { FakeClock } from '../../engine/clock.js';
import type { GreenlightEvent } from '../../engine/model.js';
import { MINIMAL_SPEC, startApiFixture, type ApiFixture } from '../../server/api/testing.js';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { tamperEventLog } from '../../../test/helpers/tamper.js';

const CLI = fileURLToPath(new URL('../index.ts', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A controller API with one app and one promoted release, served on a free loopback port. */
async function controller(): Promise<{ f: ApiFixture; url: string; stop: () => Promise<void> }> {
  // The routes' clock (the report's now) an hour after the records, which the store writes with the system clock.
  const f = await startApiFixture({ clock: new FakeClock(Date.now() + 3_600_000) });
  await f.call('post', '/v1/apps', { body: { file: 'greenlight.yaml', text: MINIMAL_SPEC } });
  await f.call('post', '/v1/apps/shop/releases', { body: { version: 'v1' } });
  await f.engine.idle();
  const server = http.createServer(getRequestListener(f.api.fetch));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    f,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await f.close();
    },
  };
}

/** Runs `greenlight ARGS --url URL --token TOKEN` to completion. */
function greenlight(url: string, token: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args, '--url', url, '--token', token], {
      env: { ...process.env, NO_COLOR: '1', GREENLIGHT_URL: '', GREENLIGHT_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

void describe('greenlight audit and report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gl-audit-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  void describe('given an intact log', () => {
    let c: Awaited<ReturnType<typeof controller>>;
    before(async () => (c = await controller()));
    after(() => c.stop());

    void it('audit verify exits 0 and says how many events it checked', async () => {
      const count = (await c.f.store.listEvents({})).length;
      const run = await greenlight(c.url, c.f.tokens.viewer, 'audit', 'verify');
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.trim(), `the event log is intact: ${count} events checked`);
    });

    void it('audit export writes every event as a JSON line in id order, to stdout or a file', async () => {
      const stored = await c.f.store.listEvents({});
      const out = join(dir, 'audit.jsonl');
      const toFile = await greenlight(c.url, c.f.tokens.viewer, 'audit', 'export', '--file', out);
      assert.equal(toFile.code, 0, toFile.stderr);
      assert.equal(toFile.stdout.trim(), `wrote ${stored.length} events to ${out}`);
      const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
      const events = lines.map((line) => JSON.parse(line) as GreenlightEvent);
      assert.deepEqual(events, stored);
      assert.ok(events.every((e, i) => i === 0 || e.id > events[i - 1]!.id));

      const toStdout = await greenlight(c.url, c.f.tokens.viewer, 'audit', 'export', '--app', 'shop');
      assert.equal(toStdout.code, 0, toStdout.stderr);
      assert.deepEqual(
        toStdout.stdout
          .trimEnd()
          .split('\n')
          .map((line) => (JSON.parse(line) as GreenlightEvent).id),
        (await c.f.store.listEvents({ app: 'shop' })).map((e) => e.id),
      );
    });

    void it('report prints the DORA and runbook tables, or the JSON', async () => {
      const table = await greenlight(c.url, c.f.tokens.viewer, 'report', '--env', 'default', '--app', 'shop');
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /environment default, app shop/);
      assert.match(table.stdout, /deployment frequency\s+[\d.]+\/day\s+1 promoted deployment/);
      assert.match(table.stdout, /lead time for changes\s+no data/);
      assert.match(table.stdout, /change failure rate\s+0%\s+0 of 1 deployment/);
      const json = await greenlight(c.url, c.f.tokens.viewer, 'report', '--since', '7d', '-o', 'json');
      assert.equal(json.code, 0, json.stderr);
      const report = JSON.parse(json.stdout) as { period: { days: number }; deployments: number };
      assert.equal(report.period.days, 7);
    });

    void it('refuses an unknown action or a bad --since as usage errors (exit 2)', async () => {
      const action = await greenlight(c.url, c.f.tokens.viewer, 'audit', 'shred');
      assert.equal(action.code, 2);
      assert.match(action.stderr, /audit shred: expected one of verify, export/);
      const since = await greenlight(c.url, c.f.tokens.viewer, 'report', '--since', 'last week');
      assert.equal(since.code, 2);
      assert.match(since.stderr, /since "last week": expected a duration like 30d/);
    });
  });

  void describe('given an event altered in the database file', () => {
    let c: Awaited<ReturnType<typeof controller>>;
    before(async () => {
      c = await controller();
      tamperEventLog(
        (c.f.store as SqliteStore).db.name,
        `UPDATE events SET data = '{"version":"v0"}' WHERE id = 3`,
      );
    });
    after(() => c.stop());

    void it('audit verify exits 1 naming the event, in words or as JSON', async () => {
      const run = await greenlight(c.url, c.f.tokens.viewer, 'audit', 'verify');
      assert.equal(run.code, 1);
      assert.match(run.stderr, /event 3 was altered \(its hash does not match its content\)/);
      const json = await greenlight(c.url, c.f.tokens.viewer, 'audit', 'verify', '-o', 'json');
      assert.equal(json.code, 1);
      const verdict = JSON.parse(json.stdout) as { ok: boolean; firstBad: unknown };
      assert.deepEqual([verdict.ok, verdict.firstBad], [false, { id: 3, problem: 'altered' }]);
    });
  });

  void describe('given an event deleted from the database file', () => {
    let c: Awaited<ReturnType<typeof controller>>;
    before(async () => {
      c = await controller();
      tamperEventLog((c.f.store as SqliteStore).db.name, 'DELETE FROM events WHERE id = 2');
    });
    after(() => c.stop());

    void it('audit verify exits 1 naming the removed event', async () => {
      const run = await greenlight(c.url, c.f.tokens.viewer, 'audit', 'verify');
      assert.equal(run.code, 1);
      assert.match(run.stderr, /event 2 is missing \(removed\)/);
    });
  });
});
