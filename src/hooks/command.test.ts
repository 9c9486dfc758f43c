// Command actions against real processes: argv without a shell, a clean environment, bounded and redacted
// output, retries, and a timeout that takes down the whole process group.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { CommandAction } from '../spec/compiled-gates.js';
import { runCommand } from './command.js';
import { createRedactor, secretsFromEnv } from './redact.js';
import { OUTPUT_LIMIT_BYTES } from './result.js';
import type { ActionContext } from './run-action.js';

const dir = mkdtempSync(join(tmpdir(), 'gl-hooks-command-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function node(script: string, extra: Partial<CommandAction> = {}): CommandAction {
  return {
    kind: 'command',
    name: 'check',
    argv: [process.execPath, '-e', script],
    cwd: dir,
    env: {},
    timeoutMs: 30_000,
    retries: 0,
    ...extra,
  };
}

function context(extra: Partial<ActionContext> = {}): ActionContext {
  return { vars: {}, env: {}, redactor: createRedactor([]), sleep: async () => {}, ...extra };
}

/** Gone, or a zombie nobody has reaped yet (the container's init may not reap orphans). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .startsWith('Z');
  } catch {
    return true;
  }
}

async function waitGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && !gone(pid); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  return gone(pid);
}

void describe('runCommand', () => {
  void it('succeeds with exit 0 and captures stdout and stderr', async () => {
    const result = await runCommand(node('console.log("to stdout"); console.error("to stderr")'), context());
    assert.equal(result.ok, true);
    assert.equal(result.kind, 'command');
    assert.equal(result.exitCode, 0);
    assert.equal(result.attempts, 1);
    assert.match(result.message, /^exit 0 after \d+(\.\d)? s$/);
    assert.match(result.output, /to stdout\n/);
    assert.match(result.output, /to stderr\n/);
  });

  void it('fails with the exit code', async () => {
    const result = await runCommand(node('process.exit(3)'), context());
    assert.equal(result.ok, false);
    assert.equal(result.exitCode, 3);
    assert.match(result.message, /^exit 3 after /);
  });

  void it('retries with backoff and counts the attempts', async () => {
    const counter = join(dir, 'counter');
    const script = `
      const fs = require('node:fs');
      const n = fs.existsSync(${JSON.stringify(counter)}) ? Number(fs.readFileSync(${JSON.stringify(counter)}, 'utf8')) : 0;
      fs.writeFileSync(${JSON.stringify(counter)}, String(n + 1));
      console.log('attempt ' + (n + 1));
      process.exit(n < 2 ? 1 : 0);`;
    const slept: number[] = [];
    const result = await runCommand(
      node(script, { retries: 5 }),
      context({ sleep: async (ms) => void slept.push(ms) }),
    );
    assert.equal(result.ok, true);
    assert.equal(result.attempts, 3);
    assert.deepEqual(slept, [500, 1_000]);
    assert.match(result.output, /attempt 3/);
  });

  void it('on timeout kills the whole group, even a child ignoring SIGTERM and its grandchild', async () => {
    const script = `
      const { spawn } = require('node:child_process');
      process.on('SIGTERM', () => {});
      const grandchild = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'inherit' });
      console.log('grandchild ' + grandchild.pid);
      setInterval(() => {}, 1000);`;
    const result = await runCommand(node(script, { timeoutMs: 1_500, retries: 0 }), context());
    assert.equal(result.ok, false);
    assert.equal(result.message, 'timed out after 1.5 s (process group killed)');
    const pid = Number(/grandchild (\d+)/.exec(result.output)?.[1]);
    assert.ok(pid > 0, `no grandchild pid in ${JSON.stringify(result.output)}`);
    assert.equal(await waitGone(pid), true);
  });

  void it('stops on abort without retrying', async () => {
    const controller = new AbortController();
    const pending = runCommand(
      node('console.log("started"); setInterval(() => {}, 1000)', { retries: 3 }),
      context({ signal: controller.signal }),
    );
    setTimeout(() => controller.abort(), 200);
    const result = await pending;
    assert.equal(result.ok, false);
    assert.equal(result.attempts, 1);
    assert.match(result.message, /^aborted /);
  });

  void it('redacts a secret printed to stdout and to stderr', async () => {
    const redactor = createRedactor([{ name: 'DB_TOKEN', value: 'tok-0123456789' }]);
    const result = await runCommand(
      node('console.log("out tok-0123456789"); console.error("err tok-0123456789"); process.exit(2)'),
      context({ redactor }),
    );
    assert.ok(!result.output.includes('tok-0123456789'));
    assert.match(result.output, /out \[redacted:DB_TOKEN\]/);
    assert.match(result.output, /err \[redacted:DB_TOKEN\]/);
  });

  void it('redacts a secret written in two separate writes', async () => {
    const redactor = createRedactor([{ name: 'KEY', value: 'split-secret-value' }]);
    const script =
      'process.stdout.write("split-sec"); setTimeout(() => process.stdout.write("ret-value\\n"), 100)';
    const result = await runCommand(node(script), context({ redactor }));
    assert.equal(result.output, '[redacted:KEY]\n');
  });

  void it('redacts a secret given in the action env, found by name pattern', async () => {
    const action = node('console.log(process.env.DB_PASSWORD)', { env: { DB_PASSWORD: 'correct-horse' } });
    const redactor = createRedactor(secretsFromEnv(action.env, ['password', 'api[_-]?key']));
    const result = await runCommand(action, context({ redactor }));
    assert.equal(result.output, '[redacted:DB_PASSWORD]\n');
  });

  void it('passes shell metacharacters literally, never through a shell', async () => {
    const marker = join(dir, 'pwned');
    const item = `$(touch ${marker}); echo hi \`touch ${marker}\` | cat > ${marker}`;
    const action: CommandAction = {
      ...node('console.log(process.argv[1])'),
      argv: [process.execPath, '-e', 'console.log(process.argv[1])', item],
    };
    const result = await runCommand(action, context());
    assert.equal(result.output, `${item}\n`);
    assert.equal(existsSync(marker), false);
  });

  void it('fills placeholders in argv items and env values', async () => {
    const action: CommandAction = {
      ...node(''),
      argv: [
        process.execPath,
        '-e',
        'console.log(process.argv[1], process.env.TAG, process.env.OTHER)',
        'to=${version}',
      ],
      env: { TAG: '${app}-${fromVersion}', OTHER: '${nope}' },
    };
    const result = await runCommand(
      action,
      context({ vars: { app: 'shop', version: '2.0.0', fromVersion: '1.9.0' } }),
    );
    assert.equal(result.output, 'to=2.0.0 shop-1.9.0 ${nope}\n');
  });

  void it('keeps only the last 16 KiB of a large output', async () => {
    const result = await runCommand(node('process.stdout.write("x".repeat(1024 * 1024) + "END")'), context());
    assert.equal(result.ok, true);
    const match = /^\[… (\d+) bytes cut\]\n/.exec(result.output);
    assert.ok(match);
    assert.ok(Buffer.byteLength(result.output) <= OUTPUT_LIMIT_BYTES + Buffer.byteLength(match[0]));
    assert.ok(result.output.endsWith('xEND'));
  });

  void it('gives a clean environment: PATH, HOME, LANG, TZ, then the context env, then the action env', async () => {
    process.env.GL_HOOK_TEST_LEAK = 'leaked';
    try {
      const action = node('console.log(JSON.stringify(process.env))', { env: { SHARED: 'action' } });
      const result = await runCommand(action, context({ env: { SHARED: 'context', FROM_CONTEXT: 'yes' } }));
      const env = JSON.parse(result.output) as Record<string, string>;
      assert.equal(env.GL_HOOK_TEST_LEAK, undefined);
      assert.equal(env.SHARED, 'action');
      assert.equal(env.FROM_CONTEXT, 'yes');
      assert.equal(env.PATH, process.env.PATH);
      const allowed = new Set(['PATH', 'HOME', 'LANG', 'TZ', 'SHARED', 'FROM_CONTEXT']);
      assert.deepEqual(
        Object.keys(env).filter((name) => !allowed.has(name)),
        [],
      );
    } finally {
      delete process.env.GL_HOOK_TEST_LEAK;
    }
  });

  void it('reports a program that does not exist', async () => {
    const result = await runCommand({ ...node(''), argv: ['./no-such-program', 'arg'] }, context());
    assert.equal(result.ok, false);
    assert.equal(result.message, 'could not start: ENOENT ./no-such-program');
    assert.equal(result.exitCode, null);
    assert.equal(result.attempts, 1);
  });

  void it('reports an argv item that cannot be passed to a program', async () => {
    const result = await runCommand({ ...node(''), argv: [process.execPath, 'nul\0byte'] }, context());
    assert.equal(result.ok, false);
    assert.match(result.message, /^could not start: /);
  });

  void it('reports a missing working directory as such', async () => {
    const result = await runCommand(node('', { cwd: join(dir, 'missing') }), context());
    assert.equal(result.ok, false);
    assert.equal(result.message, `could not start: cwd ${join(dir, 'missing')} does not exist`);
  });
});
