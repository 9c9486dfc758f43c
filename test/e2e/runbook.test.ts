// A runbook end to end, with real processes: the controller, its agent and the example app's instances in
// three environments. Given examples/runbooks/three-environments (copied with absolute paths, free ports, short
// pauses and a window that is always open) and v1 live everywhere, v2 goes development → staging → production:
// a deployer token limited to development and staging releases it there and is refused in production;
// production refuses it until staging promoted it, runs the checklist, waits for two distinct approvers (its
// creator's own approval refused), takes a backup whose secret is redacted from the events, smoke-tests v2
// through the preview route before the canary gives it users, and promotes it. A freeze then refuses v3, which
// an emergency release with a justification takes through (approvals still asked). The audit chain verifies,
// and the report counts the releases of each environment. Each `it` starts from what the previous one left.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { ApiClient } from '../../src/cli/client.js';
import type { GreenlightEvent, Release } from '../../src/engine/model.js';
import { GreenlightError } from '../../src/errors.js';
import { ControllerHarness, freePort, type ReleaseView } from '../helpers/controller.js';

const APP = 'orders-api';
const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/runbooks/three-environments/', import.meta.url));
const APP_DIR = fileURLToPath(new URL('../../examples/app/', import.meta.url));
/** The secret the backup prints inside its connection string; it must never reach the events. */
const DB_PASSWORD = 'pw-e2e-7f3a91c4';
const ALWAYS_OPEN = { timeZone: 'UTC', allow: ['daily 00:00-24:00'] };

type Ports = Record<'app' | 'development' | 'staging' | 'production', number>;
// The example spec, read as plain data to adjust it for the test.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

/** A command action of the example, run with this Node and from the example's folder (absolute paths). */
function localCommand(action: Doc): void {
  if (action.run?.[0] === 'node') action.run[0] = process.execPath;
  if (action.run) action.cwd = EXAMPLE_DIR;
}

/**
 * The example spec as this test runs it. Only what cannot work in a test changes: free ports, absolute paths,
 * second-long pauses and timings, no analysis or webhooks (nothing leaves loopback), and the production window.
 */
function exampleSpec(ports: Ports, backupDir: string, windows: Doc = ALWAYS_OPEN): string {
  const doc: Doc = parse(readFileSync(join(EXAMPLE_DIR, 'greenlight.yaml'), 'utf8'));
  const spec = doc.spec;
  assert.equal(doc.metadata.name, APP);
  const local = spec.target.local;
  local.listen = `127.0.0.1:${ports.app}`;
  local.run.command = [process.execPath, 'server.js'];
  local.run.cwd = APP_DIR;
  local.drainTimeout = '1s';
  local.stopGrace = '1s';
  spec.health.readiness.period = '100ms';
  spec.progressDeadline = '1m';
  spec.analysis = { builtin: false };
  delete spec.notifications;
  for (const action of [...spec.gates.checks, ...spec.hooks.postDeploy]) localCommand(action);
  spec.environments.development.listen = `127.0.0.1:${ports.development}`;
  spec.environments.staging.listen = `127.0.0.1:${ports.staging}`;
  const production = spec.environments.production;
  production.listen = `127.0.0.1:${ports.production}`;
  for (const step of production.strategy.canary.steps) if (step.pause?.duration) step.pause.duration = '1s';
  production.gates.windows = windows;
  for (const action of production.hooks.preDeploy) {
    localCommand(action);
    action.env = { ...action.env, BACKUP_DIR: backupDir };
  }
  return stringify(doc);
}

/** The status and message of a refused call; fails when the call succeeds. */
async function refusal(call: Promise<unknown>): Promise<{ status: unknown; message: string }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof GreenlightError) return { status: error.details.status, message: error.message };
    throw error;
  }
  assert.fail('the call was expected to be refused');
}

describe('a runbook through development, staging and production (controller, agent and app processes)', () => {
  let h: ControllerHarness;
  let ports: Ports;
  let backupDir: string;
  /** Clients of the tokens the admin creates: a deployer limited to development and staging, two approvers. */
  const as: Record<'deployer' | 'alice' | 'bob', ApiClient> = {} as never;
  let productionRelease: Release;

  before(async () => {
    // The controller reads declared secrets from its own environment: it inherits this one.
    process.env.DATABASE_URL = `postgres://backup:${DB_PASSWORD}@127.0.0.1:5432/orders`;
    h = await ControllerHarness.start(APP);
    ports = {
      app: h.port,
      development: await freePort(),
      staging: await freePort(),
      production: await freePort(),
    };
    backupDir = join(h.dataDir, 'backups');
  });
  after(async () => {
    await h?.teardown();
  });

  const client = (token: string): ApiClient => new ApiClient({ url: h.controller!.info.url, token });

  async function createToken(name: string, role: string, environments?: string[]): Promise<ApiClient> {
    const created = await h.api.send<{ token: string; environments: string[] | null }>({
      method: 'post',
      path: '/v1/tokens',
      body: { name, role, ...(environments ? { environments } : {}) },
    });
    assert.deepEqual(created.environments, environments ?? null);
    return client(created.token);
  }

  async function deploy(by: ApiClient, environment: string, version: string, extra = {}): Promise<Release> {
    const view = await by.send<ReleaseView>({
      method: 'post',
      path: `/v1/apps/${APP}/releases`,
      body: { version, environment, reason: `e2e: ${version} to ${environment}`, ...extra },
    });
    return view.release;
  }

  const approve = (by: ApiClient, reason: string): Promise<ReleaseView> =>
    by.send<ReleaseView>({
      method: 'post',
      path: `/v1/apps/${APP}/approve`,
      body: { environment: 'production', reason },
    });

  const events = (releaseId: number): Promise<GreenlightEvent[]> => h.events(releaseId);

  /** Every answer of the environment's address comes from `version`. */
  async function serves(environment: Exclude<keyof Ports, 'app'>, version: string): Promise<void> {
    for (let i = 0; i < 10; i++) {
      const answer = await fetch(`http://127.0.0.1:${ports[environment]}/`);
      assert.equal(answer.status, 200);
      assert.equal(((await answer.json()) as { version: string }).version, version);
    }
  }

  const atApprovalToStart = (id: number): Promise<ReleaseView> =>
    h.waitRelease(id, 'the approval to start', (s) => /^approval to start/.test(s.step.name ?? ''));

  /** A production release by the admin, approved by both approvers, followed to its end. */
  async function releaseToProduction(version: string, extra = {}): Promise<ReleaseView> {
    const started = await deploy(h.api, 'production', version, extra);
    await atApprovalToStart(started.id);
    await approve(as.alice, `looked at ${version} in staging`);
    await approve(as.bob, `change ticket for ${version} approved`);
    return h.waitFinished(started.id);
  }

  it('given the example spec and tokens, v1 goes to development, staging and then production', async () => {
    const applied = await h.apply(exampleSpec(ports, backupDir));
    assert.equal(applied.name, APP);
    as.deployer = await createToken('ci-deployer', 'deployer', ['development', 'staging']);
    as.alice = await createToken('alice', 'approver');
    as.bob = await createToken('bob', 'approver');
    for (const environment of ['development', 'staging'] as const) {
      const view = await h.waitFinished((await deploy(h.api, environment, 'v1')).id);
      assert.equal(view.summary.phase, 'promoted', `v1 in ${environment}`);
    }
    const production = await releaseToProduction('v1');
    assert.equal(production.summary.phase, 'promoted');
    await serves('production', 'v1');
  });

  it('the deployer releases v2 to development and staging; production refuses v2 before staging promoted it', async () => {
    const development = await h.waitFinished((await deploy(as.deployer, 'development', 'v2')).id);
    assert.equal(development.summary.phase, 'promoted');
    assert.equal(development.release.environment, 'development');
    assert.equal(development.release.createdBy.name, 'ci-deployer');
    await serves('development', 'v2');

    // Production takes only versions staging promoted: v2 is not there yet, whoever asks.
    const early = await refusal(deploy(h.api, 'production', 'v2'));
    assert.equal(early.status, 409);
    assert.match(early.message, /v2 has not been promoted in staging/);

    const staging = await h.waitFinished((await deploy(as.deployer, 'staging', 'v2')).id);
    assert.equal(staging.summary.phase, 'promoted');
    const checks = (await events(staging.release.id)).filter((e) => e.action === 'check.passed');
    assert.deepEqual(
      checks.map((e) => [e.data.name, e.data.hook]),
      [['checklist', 'checks']],
    );
    await serves('staging', 'v2');
  });

  it('the deployer token is refused in production (403), whatever staging promoted', async () => {
    const refused = await refusal(deploy(as.deployer, 'production', 'v2'));
    assert.equal(refused.status, 403);
    assert.match(refused.message, /may act in development or staging only, not in production/);
    const { releases } = await h.api.get<{ releases: Array<{ environment?: string }> }>(
      `/v1/apps/${APP}/releases`,
    );
    assert.equal(releases.length, 5, 'no release was created by the refused calls');
  });

  it('production runs the checklist, then waits for two distinct approvers; its creator may not approve', async () => {
    productionRelease = await deploy(h.api, 'production', 'v2', {
      commitTime: new Date(Date.now() - 3_600_000).toISOString(),
      commit: 'e2e0001',
    });
    assert.equal(productionRelease.environment, 'production');
    assert.equal(productionRelease.fromVersion, 'v1');
    const id = productionRelease.id;
    await atApprovalToStart(id);

    const own = await refusal(approve(h.api, 'I started it myself'));
    assert.equal(own.status, 403);
    assert.match(own.message, /another person must approve it/);
    const deployer = await refusal(approve(as.deployer, 'a deployer is no approver'));
    assert.equal(deployer.status, 403);

    await approve(as.alice, 'staging dashboards are clean');
    // The same person twice is still one approval: the release keeps waiting.
    const again = await approve(as.alice, 'really sure');
    assert.match(again.summary.step.name ?? '', /^approval to start/);
    const granted = (await events(id)).filter((e) => e.action === 'approval.granted');
    assert.deepEqual(
      granted.map((e) => [e.actor.name, e.data.approvals, e.data.needed]),
      [
        ['alice', 1, 2],
        ['alice', 1, 2],
      ],
    );
    const view = await approve(as.bob, 'change ticket approved');
    assert.equal(view.release.runtime.approvals?.length, 3);
  });

  it('then the backup runs with its secret redacted, smoke tests pass before the canary gets users, and v2 is promoted', async () => {
    const id = productionRelease.id;
    const done = await h.waitFinished(id);
    assert.equal(done.summary.phase, 'promoted', `production ended ${done.summary.outcomeReason}`);
    const all = await events(id);
    const actions = all.map((e) => `${e.action}${e.data.name ? `(${String(e.data.name)})` : ''}`);
    const at = (ok: (e: GreenlightEvent) => boolean, what: string): number => {
      const i = all.findIndex(ok);
      assert.ok(i >= 0, `${what} in ${actions.join(' ')}`);
      return i;
    };

    const checklist = at((e) => e.action === 'check.passed' && e.data.name === 'checklist', 'the checklist');
    const secondApproval = at(
      (e) => e.action === 'approval.granted' && e.actor.name === 'bob',
      'the second approval',
    );
    const backup = at((e) => e.action === 'hook.passed' && e.data.name === 'backup', 'the backup');
    assert.ok(checklist < secondApproval && secondApproval < backup, actions.join(' '));

    // The backup printed the connection string: stored with the variable named, never its value.
    const output = String(all[backup]!.data.output);
    assert.match(output, /pg_dump --dbname=\[redacted:DATABASE_URL\] \(stand-in\) before replacing v1/);
    const { events: everything } = await h.api.get<{ events: GreenlightEvent[] }>(
      `/v1/apps/${APP}/events?limit=1000`,
    );
    assert.ok(everything.length > all.length);
    assert.ok(!JSON.stringify(everything).includes(DB_PASSWORD), 'the secret appears in no event');
    const manifests = readdirSync(backupDir);
    assert.equal(manifests.length, 2, 'a backup before v1 and one before v2');
    for (const file of manifests)
      assert.ok(!readFileSync(join(backupDir, file), 'utf8').includes(DB_PASSWORD), file);

    // Smoke tests through the preview route, both passed, before the canary's first weight gives v2 users.
    const smoke = ['health', 'journey'].map((name) =>
      at((e) => e.action === 'hook.passed' && e.data.hook === 'postDeploy' && e.data.name === name, name),
    );
    assert.match(String(all[smoke[1]!]!.data.output), /ok +GET \/: 200 from v2/);
    const exposed = at(
      (e) =>
        e.action === 'step.started' &&
        !e.data.rollback &&
        Number((e.data.traffic as Record<string, number> | undefined)?.v2 ?? 0) > 0,
      'the first step with users on v2',
    );
    assert.deepEqual(all[exposed]!.data.traffic, { v1: 90, v2: 10 });
    assert.ok(backup < Math.min(...smoke), actions.join(' '));
    assert.ok(Math.max(...smoke) < exposed, `smoke tests before users: ${actions.join(' ')}`);
    await serves('production', 'v2');
  });

  it('a freeze refuses production; an emergency release with a justification goes through, approvals still needed', async () => {
    const now = Date.now();
    const freeze = {
      from: new Date(now - 3_600_000).toISOString(),
      until: new Date(now + 86_400_000).toISOString(),
      reason: 'e2e freeze',
    };
    await h.apply(exampleSpec(ports, backupDir, { ...ALWAYS_OPEN, freezes: [freeze] }));
    const staged = await h.waitFinished((await deploy(as.deployer, 'staging', 'v3')).id);
    assert.equal(staged.summary.phase, 'promoted');

    const frozen = await refusal(deploy(h.api, 'production', 'v3'));
    assert.equal(frozen.status, 409);
    assert.match(frozen.message, /e2e freeze/);
    assert.match(frozen.message, /--emergency/);
    const unjustified = await refusal(
      deploy(h.api, 'production', 'v3', { emergency: { justification: 'now' } }),
    );
    assert.equal(unjustified.status, 400);

    const justification = 'payment outage: the v3 fix cannot wait for the freeze to end';
    const done = await releaseToProduction('v3', { emergency: { justification } });
    assert.equal(done.summary.phase, 'promoted');
    assert.deepEqual(done.release.meta?.emergency, { justification });
    const all = await events(done.release.id);
    const emergency = all.find((e) => e.action === 'release.emergency');
    assert.equal(emergency?.reason, justification);
    assert.deepEqual(emergency?.data.bypassed, ['windows'], 'windows only: approvals were still asked');
    assert.equal(all.filter((e) => e.action === 'approval.granted').length, 2);
    await serves('production', 'v3');
  });

  it('the audit chain verifies, and the report counts the releases of each environment', async () => {
    const audit = await h.api.get<{ ok: boolean; checked: number }>('/v1/audit/verify');
    assert.equal(audit.ok, true);
    assert.ok(audit.checked > 50, `events checked: ${audit.checked}`);

    interface Report {
      releases: number;
      deployments: number;
      dora: {
        deploymentFrequency: { promoted: number };
        leadTime: { count: number; withoutCommitTime: number };
        changeFailureRate: { rate: number | null; undone: number };
      };
      runbook: { emergencies: number; byOutcome: Record<string, number> };
    }
    const report = (environment: string): Promise<Report> =>
      h.api.get<Report>(`/v1/report?since=1d&env=${environment}&app=${APP}`);
    const development = await report('development');
    assert.equal(development.releases, 2);
    assert.equal(development.dora.deploymentFrequency.promoted, 2);
    const staging = await report('staging');
    assert.equal(staging.releases, 3);
    assert.equal(staging.runbook.byOutcome.promoted, 3);
    const production = await report('production');
    assert.equal(production.releases, 3, 'the refused calls created no release');
    assert.equal(production.deployments, 3);
    assert.equal(production.dora.deploymentFrequency.promoted, 3);
    assert.equal(production.dora.leadTime.count, 1, 'v2 carried a commit time');
    assert.equal(production.runbook.emergencies, 1);
    // The hotfix followed a promoted v2 in the same environment: the report counts v2 as undone by it.
    assert.equal(production.dora.changeFailureRate.undone, 1);
  });
});
