// Supervisor lifecycle with real processes: readiness gates endpoints, restarts with backoff, crash loops,
// liveness restarts, and log capture with rotation.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NotFoundError } from '../../../errors.js';
import type { InstanceStatus } from '../types.js';
import { Harness, appSpec, nodeSpec, probe, waitFor } from './fixtures/harness.js';
import type { Supervisor } from './supervisor.js';

function only(supervisor: Supervisor, app: string): InstanceStatus {
  const instance = supervisor.status(app)[0]?.instances[0];
  assert.ok(instance, `an instance of ${app}`);
  return instance;
}

void describe('supervisor lifecycle', () => {
  const harness = new Harness();
  after(() => harness.close());

  void it('publishes an instance as an endpoint only once its readiness probe passes', async () => {
    const supervisor = harness.create();
    await supervisor.ensureVersionSet('gate', appSpec('v1', 1, { STARTUP_DELAY_MS: '1500' }));

    await waitFor('a failed readiness probe', () => only(supervisor, 'gate').lastProbe?.ok === false);
    assert.equal(only(supervisor, 'gate').phase, 'starting');
    assert.deepEqual(harness.endpointIds('gate', 'v1'), []);
    assert.equal(supervisor.status('gate')[0]?.ready, 0);

    assert.equal(await supervisor.waitReady('gate', 'v1', 1, 15_000), true);
    const instance = only(supervisor, 'gate');
    assert.equal(instance.phase, 'ready');
    assert.deepEqual(harness.endpoints.get('gate/v1'), [
      { id: 'v1-1', host: '127.0.0.1', port: instance.port },
    ]);
    const body = (await (await fetch(`http://127.0.0.1:${instance.port}/`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(body.instance, 'v1-1', 'GREENLIGHT_INSTANCE reaches the process');
    assert.equal(body.pid, instance.pid);
  });

  void it('restarts a killed instance with a growing backoff, on the same port, counting restarts', async () => {
    const supervisor = harness.create({ backoff: { initialMs: 100, maxMs: 5_000, resetAfterMs: 60_000 } });
    await supervisor.ensureVersionSet('crash', appSpec('v1', 1));
    assert.equal(await supervisor.waitReady('crash', 'v1', 1, 15_000), true);
    const first = only(supervisor, 'crash');
    const delays: number[] = [];
    let pid = first.pid;
    for (let round = 1; round <= 2; round += 1) {
      assert.ok(pid !== null);
      process.kill(pid, 'SIGKILL');
      await waitFor(`restart ${round}`, () => {
        const now = only(supervisor, 'crash');
        return now.restarts === round && now.ready && now.pid !== pid;
      });
      const now = only(supervisor, 'crash');
      assert.equal(now.lastExit?.signal, 'SIGKILL');
      assert.equal(now.port, first.port);
      assert.deepEqual(harness.endpointIds('crash', 'v1'), ['v1-1']);
      pid = now.pid;
      const exit = harness.logged
        .filter((l) => l.msg === 'instance exited' && l.fields?.app === 'crash')
        .at(-1);
      delays.push(Number(exit?.fields?.restartInMs));
    }
    assert.deepEqual(delays, [100, 200]);
    assert.equal(supervisor.status('crash')[0]?.restarts, 2);
  });

  void it('shows a crash loop and keeps retrying at the capped backoff', async () => {
    const supervisor = harness.create({
      backoff: { initialMs: 50, maxMs: 200, resetAfterMs: 60_000 },
      crashLoop: { restarts: 3, withinMs: 60_000 },
    });
    await supervisor.ensureVersionSet('loop', nodeSpec('v1', ['-e', 'process.exit(3)']));
    await waitFor('a crash loop', () => supervisor.status('loop')[0]?.crashLooping === true);
    const looping = only(supervisor, 'loop');
    assert.equal(looping.lastExit?.code, 3);
    assert.equal(looping.ready, false);
    await waitFor('phase crashLoop', () => only(supervisor, 'loop').phase === 'crashLoop');
    const restarts = only(supervisor, 'loop').restarts;
    await waitFor('more retries', () => only(supervisor, 'loop').restarts >= restarts + 2);
    assert.equal(supervisor.status('loop')[0]?.crashLooping, true);
    const delays = harness.logged
      .filter((l) => l.msg === 'instance exited' && l.fields?.app === 'loop')
      .map((l) => Number(l.fields?.restartInMs));
    assert.deepEqual(delays.slice(0, 4), [50, 100, 200, 200]);
    assert.deepEqual(harness.endpointIds('loop', 'v1'), []);
  });

  void it('a spawn that cannot start is a counted failure with a message in the log, not a crash', async () => {
    const supervisor = harness.create({ backoff: { initialMs: 50, maxMs: 100, resetAfterMs: 60_000 } });
    await supervisor.ensureVersionSet('missing', {
      ...nodeSpec('v1', []),
      run: { command: ['/nonexistent/greenlight-binary'] },
    });
    await supervisor.ensureVersionSet('nocwd', {
      ...nodeSpec('v1', ['-e', '']),
      run: { command: [process.execPath], cwd: '/nonexistent/dir' },
    });
    await waitFor('restarts', () => only(supervisor, 'missing').restarts >= 2);
    assert.equal(only(supervisor, 'missing').pid, null);
    assert.match(supervisor.logs('missing', 'v1-1').join('\n'), /cannot start .*ENOENT/);
    await waitFor('a failed start', () => supervisor.logs('nocwd', 'v1-1').length > 0);
    assert.match(
      supervisor.logs('nocwd', 'v1-1')[0] ?? '',
      /working directory \/nonexistent\/dir does not exist/,
    );
    await supervisor.removeVersionSet('missing', 'v1');
    await supervisor.removeVersionSet('nocwd', 'v1');
    assert.deepEqual(supervisor.apps().includes('missing'), false);
  });

  void it('restarts an instance whose liveness probe fails', async () => {
    const supervisor = harness.create();
    // Kubernetes semantics: liveness counts from initialDelayMs, so it must cover a slow start on a busy host.
    const spec = {
      ...appSpec('v1', 1, { UNHEALTHY_AFTER: '1' }),
      liveness: probe({ http: { path: '/health' } }, { initialDelayMs: 1_000, failureThreshold: 2 }),
    };
    await supervisor.ensureVersionSet('live', spec);
    assert.equal(await supervisor.waitReady('live', 'v1', 1, 15_000), true);
    const before = only(supervisor, 'live');
    await (await fetch(`http://127.0.0.1:${before.port}/`)).text();
    await waitFor(
      () => `a liveness restart: ${JSON.stringify(supervisor.status('live'))}`,
      () => {
        const now = only(supervisor, 'live');
        return now.restarts > before.restarts && now.ready && now.pid !== before.pid;
      },
    );
    const failure = harness.logged.find(
      (l) => l.msg === 'liveness failed: restarting' && l.fields?.instance === 'v1-1',
    );
    assert.deepEqual((failure?.fields?.probe as { message?: string } | undefined)?.message, 'HTTP 500');
    assert.ok(harness.events.includes('drain live v1-1'), 'a serving instance is drained before the kill');
    assert.equal(only(supervisor, 'live').lastExit?.code, 0, 'the app exited on SIGTERM');
  });

  void it('keeps the last lines of the log in memory and bounds the file by rotation', async () => {
    const dataDir = harness.newDir();
    const supervisor = harness.create({ dataDir, maxLogBytes: 50_000, memoryLogLines: 50 });
    const script = [
      'let i = 0;',
      'const t = setInterval(() => {',
      "  let s = ''; for (let k = 0; k < 200; k++) s += `line ${i++} ${'x'.repeat(90)}\\n`;",
      '  process.stdout.write(s);',
      '  if (i >= 4000) {',
      "    clearInterval(t); console.log('done');",
      "    require('http').createServer().listen(Number(process.env.PORT), '127.0.0.1');",
      '  }',
      '}, 50);',
    ].join('\n');
    await supervisor.ensureVersionSet('logs', nodeSpec('v1', ['-e', script]));
    await waitFor('the last line', () => supervisor.logs('logs', 'v1-1').at(-1) === 'done');
    const lines = supervisor.logs('logs', 'v1-1');
    assert.equal(lines.length, 50);
    assert.match(lines.at(-2) ?? '', /^line 3999 x+$/);
    assert.deepEqual(supervisor.logs('logs', 'v1-1', 3), [lines[47], lines[48], 'done']);

    const file = only(supervisor, 'logs').logFile;
    assert.equal(file, join(dataDir, 'logs', 'logs', 'v1-1.log'));
    assert.ok(existsSync(`${file}.1`), 'rotated once at least');
    assert.deepEqual(readdirSync(join(dataDir, 'logs', 'logs')).sort(), ['v1-1.log', 'v1-1.log.1']);
    // About 400 kB were written; what is kept on disk is bounded by maxLogBytes plus one poll's worth.
    assert.ok(statSync(file).size < 200_000, `log file size ${statSync(file).size}`);
    assert.ok(statSync(`${file}.1`).size < 200_000, `rotated file size ${statSync(`${file}.1`).size}`);
    assert.throws(() => supervisor.logs('logs', 'v1-99'), NotFoundError);
  });
});
