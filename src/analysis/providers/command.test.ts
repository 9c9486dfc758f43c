// The command provider with real processes (sh): stdout and exitCode modes, templates and environment, a
// timeout that kills the whole process group, and compile-time refusals; then the conformance suite.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { InvalidInputError } from '../../errors.js';
import { pidAlive, waitFor } from '../../../test/helpers/wait.js';
import { commandProvider, type CommandQuery } from './command.js';
import { runProviderConformance } from './conformance.js';
import type { MeasureContext } from './provider.js';

const ctx = (over: Partial<MeasureContext> = {}): MeasureContext => ({
  app: 'shop',
  version: 'v2',
  role: 'canary',
  windowMs: 30_000,
  now: Date.now(),
  ...over,
});
const provider = commandProvider.create(commandProvider.compileConfig({ timeout: '5s' }));
const query = (raw: unknown): CommandQuery => commandProvider.compileQuery('m', raw);
const sh = (script: string, ...args: string[]): CommandQuery => query(['sh', '-c', script, 'sh', ...args]);

describe('command provider', () => {
  const dir = mkdtempSync(join(tmpdir(), 'greenlight-command-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the number on the last non-empty line of stdout', async () => {
    const m = await provider.measure(sh('echo warming up; echo 0.25; echo; echo "  "'), ctx());
    assert.equal(m.phase, 'successful', m.message);
    assert.equal(m.value, 0.25);
  });

  it('fills templates in argv and env, and exposes the context in GREENLIGHT_* variables', async () => {
    const q = query({
      command: [
        'sh',
        '-c',
        'test "$1" = v2 && test "$WHO" = "canary/30s" && test "$GREENLIGHT_APP" = shop && echo 7',
        'sh',
        '{{version}}',
      ],
      env: { WHO: '{{role}}/{{window}}' },
    });
    const m = await provider.measure(q, ctx());
    assert.equal(m.phase, 'successful', m.message);
    assert.equal(m.value, 7);
  });

  it('passes arguments verbatim, never through a shell', async () => {
    const m = await provider.measure(query(['echo', '1; exit 3']), ctx());
    assert.equal(m.phase, 'error');
    assert.match(m.message, /printed "1; exit 3" last, not a number/);
  });

  it('exitCode mode: 0 is successful, anything else failed with the code', async () => {
    const pass = await provider.measure(
      query({ command: ['sh', '-c', 'exit 0'], result: 'exitCode' }),
      ctx(),
    );
    assert.equal(pass.phase, 'successful');
    assert.equal(pass.value, 0);
    const fail = await provider.measure(
      query({ command: ['sh', '-c', 'echo nope >&2; exit 2'], result: 'exitCode' }),
      ctx(),
    );
    assert.equal(fail.phase, 'failed');
    assert.equal(fail.value, 2);
    assert.match(fail.message, /exited with 2: nope/);
  });

  it('a non-zero exit in stdout mode, a missing program or a non-number is an error', async () => {
    const exit = await provider.measure(sh('echo 1; echo broken >&2; exit 4'), ctx());
    assert.equal(exit.phase, 'error');
    assert.match(exit.message, /exited with 4: broken/);
    const missing = await provider.measure(query(['/nonexistent/greenlight-probe']), ctx());
    assert.equal(missing.phase, 'error');
    assert.match(missing.message, /could not start.*ENOENT/);
    const text = await provider.measure(sh('echo ok'), ctx());
    assert.equal(text.phase, 'error');
  });

  it('NaN on stdout is no data', async () => {
    const m = await provider.measure(sh('echo NaN'), ctx());
    assert.equal(m.phase, 'inconclusive');
  });

  it(
    'a timeout kills the whole process group, a backgrounded grandchild too',
    { timeout: 30_000 },
    async () => {
      const pidFile = join(dir, 'grandchild.pid');
      const q = query({
        command: ['sh', '-c', 'sleep 60 & echo $! > "$1"; wait', 'sh', pidFile],
        timeout: '500ms',
      });
      const m = await provider.measure(q, ctx());
      assert.equal(m.phase, 'error');
      assert.match(m.message, /timed out after 500ms; its process group was killed/);
      const grandchild = Number(readFileSync(pidFile, 'utf8').trim());
      assert.ok(grandchild > 0);
      await waitFor('the grandchild to be gone', () => !pidAlive(grandchild), 5_000);
    },
  );

  it('refuses a shell string, unknown placeholders and unknown fields at compile time', () => {
    assert.throws(() => query('echo 1'), InvalidInputError);
    assert.throws(
      () => query(['echo', '{{versoin}}']),
      /query\[1\]: found "\{\{versoin\}\}", expected placeholders among .*\(unknown: \{\{versoin\}\}\)/,
    );
    assert.throws(() => query({ command: ['x'], env: { A: '{{app' } }), /query\.env\.A: .*unclosed/);
    assert.throws(
      () => query({ command: ['x'], result: 'exit' }),
      /query\.result: found "exit", expected stdout or exitCode/,
    );
    assert.throws(() => query({ command: ['x'], timout: '1s' }), /did you mean "timeout"/);
    assert.deepEqual(commandProvider.compileConfig(undefined), { timeoutMs: 30_000, env: {} });
  });
});

runProviderConformance('command', async () => {
  const fast = commandProvider.create(commandProvider.compileConfig({ timeout: '300ms' }));
  return {
    healthy: { provider: fast, query: sh('echo 0.5'), value: 0.5 },
    failing: { provider: fast, query: sh('echo "database unreachable" >&2; exit 1') },
    noData: { provider: fast, query: query(['true']) },
    slow: { provider: fast, query: query(['sleep', '30']) },
  };
});
