// Secrets and hook failures end to end, with real processes: the controller (started with a secret in its
// environment), its agent, the example app and the hook commands. Given a spec that declares the secret and
// hooks that print it (and a literal API_TOKEN, hidden by its name), the secret's value appears nowhere the
// release leaves a trace: events (API, live stream, audit export), release and status answers, the CLI's output,
// the controller's and the agent's logs, the SQLite database; its redacted form does, in the hook output kept in
// the events, with a digest that shows the hook got the real value. A hook that times out and a hook whose
// program does not exist each fail their release with a message that says so.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import type { GreenlightEvent } from '../../src/engine/model.js';
import { adminTokenPath } from '../../src/server/info.js';
import { appSpec, strategies } from '../helpers/app-spec.js';
import { ControllerHarness } from '../helpers/controller.js';
import { pidAlive, waitFor } from '../helpers/wait.js';

const SECRET_NAME = 'GL_TEST_DB_PASSWORD';
/** 24 random characters, fresh for each run. */
const SECRET = randomBytes(18).toString('base64url');
const TOKEN_LITERAL = 'literal-token-value-123';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Prints each named variable to stdout and to stderr, with the digest of its value. */
const PRINT_SCRIPT = `import { createHash } from 'node:crypto';
for (const name of process.argv.slice(2)) {
  const value = process.env[name] ?? '';
  const digest = createHash('sha256').update(value).digest('hex');
  console.log('stdout: ' + name + '=' + value + ' sha256=' + digest);
  console.error('stderr: ' + name + '=' + value);
}
`;

/** Writes its pid to the file named by its argument, then sleeps 10 s. */
const SLEEP_SCRIPT = `import { writeFileSync } from 'node:fs';
writeFileSync(process.argv[2], String(process.pid));
console.log('sleeping');
setTimeout(() => console.log('woke up'), 10_000);
`;

const CLI = fileURLToPath(new URL('../../src/cli/index.ts', import.meta.url));
const run = promisify(execFile);

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) return filesUnder(path);
    return stat.isFile() ? [path] : []; // not the agent's socket
  });
}

describe('secrets are redacted everywhere; hooks fail clearly (controller, agent, app and hook processes)', () => {
  let h: ControllerHarness;
  let scripts: { print: string; sleep: string };
  let pidFile: string;
  let releaseId: number | undefined;
  const previous = process.env[SECRET_NAME];

  const baseSpec = (): string =>
    appSpec({ port: h.port, instances: 1, strategy: strategies.rolling(), rollbackTriggers: [] });

  before(async () => {
    // The controller inherits this process's environment, the only place the secret's value comes from.
    process.env[SECRET_NAME] = SECRET;
    h = await ControllerHarness.start();
    const dir = join(h.dataDir, 'hooks');
    scripts = { print: join(dir, 'print.mjs'), sleep: join(dir, 'sleep.mjs') };
    pidFile = join(h.dataDir, 'sleeper.pid');
    mkdirSync(dir);
    writeFileSync(scripts.print, PRINT_SCRIPT);
    writeFileSync(scripts.sleep, SLEEP_SCRIPT);
  });
  after(async () => {
    if (previous === undefined) delete process.env[SECRET_NAME];
    else process.env[SECRET_NAME] = previous;
    await h?.teardown();
  });

  /** The CLI (from source) against this controller; its stdout and stderr together. */
  async function cli(...args: string[]): Promise<string> {
    assert.ok(h.controller);
    const token = readFileSync(adminTokenPath(h.dataDir), 'utf8').trim();
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', GREENLIGHT_URL: h.controller.info.url, GREENLIGHT_TOKEN: token },
      timeout: 30_000,
    });
    return `${stdout}\n${stderr}`;
  }

  async function auditExport(): Promise<string> {
    assert.ok(h.controller);
    const token = readFileSync(adminTokenPath(h.dataDir), 'utf8').trim();
    const response = await fetch(`${h.controller.info.url}/v1/audit/export`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.status, 200);
    return response.text();
  }

  it('a declared secret and a token-named variable never appear outside the hook; their redacted forms do', async () => {
    // Given a spec declaring the secret, a preDeploy hook printing it, an onSuccess hook printing API_TOKEN
    await h.apply(
      baseSpec() +
        [
          '  hooks:',
          '    preDeploy:',
          '      - name: print-secret',
          `        run: ${JSON.stringify([process.execPath, scripts.print, SECRET_NAME])}`,
          '    onSuccess:',
          '      - name: print-token',
          `        run: ${JSON.stringify([process.execPath, scripts.print, 'API_TOKEN'])}`,
          `        env: { API_TOKEN: "${TOKEN_LITERAL}" }`,
          '  secrets:',
          `    env: [${SECRET_NAME}]`,
          '',
        ].join('\n'),
    );
    // When v1 is deployed, its live event stream followed to the end
    const { id } = await h.deploy('v1');
    const streamed: GreenlightEvent[] = [];
    await h.api.follow(
      `/v1/events/stream?release=${id}`,
      (e) => {
        streamed.push(e);
        return e.action === 'release.promoted' || e.action === 'release.failed';
      },
      AbortSignal.timeout(60_000),
    );
    const view = await h.waitFinished(id);
    assert.equal(view.summary.phase, 'promoted', `outcome ${view.summary.outcomeReason}`);

    // Then the hooks got the real values (their digests), and their output kept in the events is redacted
    const events = (await h.api.get<{ events: GreenlightEvent[] }>(`/v1/apps/${h.app}/events?limit=1000`))
      .events;
    const outputOf = (hook: string): string =>
      String(events.find((e) => e.action === 'hook.passed' && e.data.hook === hook)?.data.output);
    const printed = outputOf('preDeploy');
    assert.ok(
      printed.includes(`stdout: ${SECRET_NAME}=[redacted:${SECRET_NAME}] sha256=${sha256(SECRET)}`),
      `preDeploy output: ${printed}`,
    );
    assert.ok(printed.includes(`stderr: ${SECRET_NAME}=[redacted:${SECRET_NAME}]`), printed);
    const token = outputOf('onSuccess');
    assert.ok(
      token.includes(`stdout: API_TOKEN=[redacted:API_TOKEN] sha256=${sha256(TOKEN_LITERAL)}`),
      `onSuccess output: ${token}`,
    );
    assert.ok(token.includes('stderr: API_TOKEN=[redacted:API_TOKEN]'), token);

    // And the secret appears in none of the places the release leaves a trace
    const answers: Record<string, string> = {
      'GET /v1/apps/{app}/events': JSON.stringify(events),
      'GET /v1/events': JSON.stringify(await h.api.get('/v1/events?limit=1000')),
      'the live event stream': JSON.stringify(streamed),
      'GET /v1/audit/export': await auditExport(),
      'GET /v1/releases/{id}': JSON.stringify(await h.getRelease(id)),
      'GET /v1/apps/{app}/releases': JSON.stringify(await h.api.get(`/v1/apps/${h.app}/releases`)),
      'GET /v1/apps/{app}': JSON.stringify(await h.api.get(`/v1/apps/${h.app}`)),
      'greenlight status': await cli('status', h.app),
      'greenlight events': await cli('events', h.app),
      'greenlight history': await cli('history', h.app),
      'greenlight explain': await cli('explain', String(id)),
      'greenlight audit export': await cli('audit', 'export'),
    };
    const db = new Database(join(h.dataDir, 'greenlight.db'), { readonly: true, fileMustExist: true });
    try {
      answers['the events table'] = JSON.stringify(db.prepare('SELECT * FROM events').all());
      answers['the releases table'] = JSON.stringify(db.prepare('SELECT * FROM releases').all());
    } finally {
      db.close();
    }
    for (const [where, text] of Object.entries(answers)) {
      assert.equal(text.includes(SECRET), false, `the secret appears in ${where}`);
      // The literal is in the spec, so in the stored plan (the hook needs it); every answer masks it.
      if (where !== 'the releases table')
        assert.equal(text.includes(TOKEN_LITERAL), false, `API_TOKEN in ${where}`);
    }
    assert.ok(answers['the events table']!.includes(`[redacted:${SECRET_NAME}]`), 'redacted form stored');
    assert.match(answers['greenlight events']!, /hook\.passed/);
    // Nor in any file the controller, the agent or the app wrote: logs, state, the SQLite database and its WAL
    const files = filesUnder(h.dataDir);
    const logs = files.filter((f) => f.endsWith('.log'));
    assert.ok(logs.some((f) => f.endsWith('controller.log')) && logs.some((f) => f.endsWith('agent.log')));
    assert.ok(files.some((f) => f.endsWith('greenlight.db')));
    const secretBytes = Buffer.from(SECRET);
    const leaks = files.filter((f) => readFileSync(f).includes(secretBytes));
    assert.deepEqual(leaks, [], `files holding the secret (of ${files.length})`);
    const tokenBytes = Buffer.from(TOKEN_LITERAL);
    const logLeaks = logs.filter((f) => readFileSync(f).includes(tokenBytes));
    assert.deepEqual(logLeaks, [], `logs holding API_TOKEN (of ${logs.length})`);
    releaseId = id;
  });

  it('the release API does not show the value of a token-named hook variable', async () => {
    assert.ok(releaseId !== undefined, 'the release of the first test');
    const view = JSON.stringify(await h.getRelease(releaseId));
    assert.equal(view.includes(TOKEN_LITERAL), false, 'API_TOKEN in GET /v1/releases/{id}');
    assert.ok(view.includes('"API_TOKEN":"[redacted]"'), 'the variable is shown masked');
  });

  it('a hook that times out fails the release with a clear message, its process group killed', async () => {
    // Given a preDeploy hook that sleeps 10 s with a timeout of 500 ms
    await h.apply(
      baseSpec() +
        [
          '  hooks:',
          '    preDeploy:',
          '      - name: slow-backup',
          `        run: ${JSON.stringify([process.execPath, scripts.sleep, pidFile])}`,
          '        timeout: 500ms',
          '',
        ].join('\n'),
    );
    // When v2 is deployed
    const view = await h.waitFinished((await h.deploy('v2')).id);
    // Then the release failed on that hook, saying it timed out, and the sleeping process is gone
    assert.equal(view.summary.phase, 'failed');
    assert.equal(view.summary.outcomeReason, 'preDeploy:slow-backup');
    const events = await h.events(view.release.id);
    const failed = events.find((e) => e.action === 'hook.failed');
    assert.equal(failed?.data.name, 'slow-backup');
    assert.equal(failed?.data.message, 'timed out after 0.5 s (process group killed)');
    assert.match(String(failed?.data.output), /sleeping/);
    const failing = events.find((e) => e.action === 'release.failing');
    assert.equal(failing?.data.message, 'timed out after 0.5 s (process group killed)');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(`the hook's process ${pid} to be gone`, () => !pidAlive(pid), 10_000);
    await h.waitOnlyVersion('v1', 1);
  });

  it('a hook whose program does not exist fails the release with a clear message', async () => {
    // Given a preDeploy hook naming a program that does not exist
    const missing = join(h.dataDir, 'no-such-program');
    await h.apply(
      baseSpec() +
        [
          '  hooks:',
          '    preDeploy:',
          '      - name: backup',
          `        run: [${JSON.stringify(missing)}]`,
          '',
        ].join('\n'),
    );
    // When v3 is deployed
    const view = await h.waitFinished((await h.deploy('v3')).id);
    // Then the release failed on that hook, naming the program it could not start
    assert.equal(view.summary.phase, 'failed');
    assert.equal(view.summary.outcomeReason, 'preDeploy:backup');
    const failed = (await h.events(view.release.id)).find((e) => e.action === 'hook.failed');
    assert.equal(failed?.data.message, `could not start: ENOENT ${missing}`);
    await h.waitOnlyVersion('v1', 1);
  });
});
