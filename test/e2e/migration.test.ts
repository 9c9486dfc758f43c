// Breaking migrations end to end, with real processes: the controller, its detached agent, the example app's
// instances and the migration command. Given open-loop client traffic through the app's port (about 20 requests
// a second, held requests do not slow it), a breaking migration holds requests while the old version drains,
// the migration runs and the new version starts, then answers them from the new version; in reject mode they
// get 503 with Retry-After; a failing migration rolls back under maintenance, runs the onRollback hook and the
// old version serves again; an abort while the old version drains brings it back, and the maintenance is
// recorded once, as ended. In every case each request gets an answer: a 200 from a version, or a 503 with
// Retry-After; none fails at the network level. The steps follow each other on one app's history.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GreenlightEvent } from '../../src/engine/model.js';
import { appSpec, strategies } from '../helpers/app-spec.js';
import { ControllerHarness, type ReleaseView } from '../helpers/controller.js';
import { OpenLoopTraffic, tally, type RecordedRequest, type Tally } from '../helpers/open-loop.js';

const INSTANCES = 2;

/** The migration: prints, takes about 1.5 s, then writes `<version>` to the marker (exit 0) or fails. */
const MIGRATE_SCRIPT = `import { writeFileSync } from 'node:fs';
const [marker, version, code] = process.argv.slice(2);
console.log('migrating the schema for ' + version);
setTimeout(() => {
  if (code === '0') writeFileSync(marker, version);
  else console.error('migration failed: column "total" already exists');
  process.exit(Number(code));
}, 1500);
`;

/** The onRollback hook: writes what it undid to the marker. */
const UNDO_SCRIPT = `import { writeFileSync } from 'node:fs';
const [marker, version] = process.argv.slice(2);
writeFileSync(marker, 'undone ' + version);
console.log('schema change of ' + version + ' undone');
`;

interface MigrationOptions {
  mode: 'hold' | 'reject';
  /** Exit code of the migration. */
  exitCode: number;
  marker: string;
  undoMarker: string;
}

describe('breaking migrations under steady traffic (controller, agent, app and hook processes)', () => {
  let h: ControllerHarness;
  let traffic: OpenLoopTraffic | undefined;
  let scripts: { migrate: string; undo: string };
  let markers: string;

  const plainSpec = (): string =>
    appSpec({ port: h.port, instances: INSTANCES, strategy: strategies.rolling(), rollbackTriggers: [] });

  /** The plain spec with a breaking migration (hold 10 s, Retry-After 2 s) and an onRollback hook. */
  const migrationSpec = (o: MigrationOptions): string =>
    plainSpec() +
    [
      '  hooks:',
      '    migrate:',
      '      name: schema',
      `      run: ${JSON.stringify([process.execPath, scripts.migrate, o.marker, '${version}', String(o.exitCode)])}`,
      '      mode: breaking',
      '      timeout: 30s',
      `      maintenance: { mode: ${o.mode}, hold: 10s, retryAfter: 2s }`,
      '    onRollback:',
      '      - name: undo-schema',
      `        run: ${JSON.stringify([process.execPath, scripts.undo, o.undoMarker, '${version}'])}`,
      '',
    ].join('\n');

  before(async () => {
    h = await ControllerHarness.start();
    const dir = join(h.dataDir, 'hooks');
    markers = join(h.dataDir, 'markers');
    mkdirSync(dir);
    mkdirSync(markers);
    scripts = { migrate: join(dir, 'migrate.mjs'), undo: join(dir, 'undo.mjs') };
    writeFileSync(scripts.migrate, MIGRATE_SCRIPT);
    writeFileSync(scripts.undo, UNDO_SCRIPT);
  });
  after(async () => {
    try {
      await traffic?.stop();
    } finally {
      await h?.teardown();
    }
  });

  /**
   * Deploys `version` under open-loop traffic, follows the release to its end, sends 20 more requests, and
   * waits for every answer. Returns the release, its events and every request recorded.
   */
  async function deployUnderTraffic(
    version: string,
  ): Promise<{ view: ReleaseView; events: GreenlightEvent[]; requests: RecordedRequest[]; seen: Tally }> {
    const load = new OpenLoopTraffic(h.origin, { intervalMs: 50, maxRequests: 2000 });
    traffic = load;
    try {
      await load.sendMore(10);
      const { id } = await h.deploy(version);
      const view = await h.waitFinished(id);
      await load.sendMore(20);
      await load.stop();
      return { view, events: await h.events(id), requests: load.requests, seen: tally(load.requests) };
    } finally {
      await load.stop();
      traffic = undefined;
    }
  }

  /** Every request got a 200 from one of `versions` or a 503 with Retry-After; none failed otherwise. */
  function everyRequestAnswered(seen: Tally, versions: string[]): void {
    const counts = JSON.stringify(seen);
    assert.equal(seen.answered, seen.sent, `every request came back: ${counts}`);
    assert.equal(seen.network, 0, `no network-level failure: ${counts}`);
    assert.deepEqual(seen.other, {}, `no other answer: ${counts}`);
    for (const v of Object.keys(seen.byVersion))
      assert.ok(versions.includes(v), `answered by ${v}: ${counts}`);
    const served = Object.values(seen.byVersion).reduce((a, b) => a + b, 0);
    assert.equal(served + seen.unavailableWithRetryAfter, seen.sent, counts);
  }

  /** In the order answers came back, no answer from `old` after the first answer from `next`. */
  function noOldAfterNew(requests: RecordedRequest[], old: string, next: string): void {
    const byAnswer = [...requests].sort((a, b) => (a.answered ?? 0) - (b.answered ?? 0));
    const firstNew = byAnswer.findIndex((r) => r.version === next);
    assert.ok(firstNew >= 0, `some answer came from ${next}`);
    const lateOld = byAnswer.slice(firstNew).filter((r) => r.version === old).length;
    assert.equal(
      lateOld,
      0,
      `${lateOld} answers from ${old} after the first from ${next} (answer #${firstNew})`,
    );
  }

  function maintenanceEvents(events: GreenlightEvent[]): {
    started: GreenlightEvent[];
    ended: GreenlightEvent[];
  } {
    return {
      started: events.filter((e) => e.action === 'maintenance.started'),
      ended: events.filter((e) => e.action === 'maintenance.ended'),
    };
  }

  it('given v1 live without a migration, it serves alone', async () => {
    await h.apply(plainSpec());
    const view = await h.waitFinished((await h.deploy('v1')).id);
    assert.equal(view.summary.phase, 'promoted');
    await h.waitOnlyVersion('v1', INSTANCES);
  });

  it('hold: requests during the migration are held, then answered by v2; none fails', async () => {
    // Given a breaking migration in hold mode
    const marker = join(markers, 'migrated-v2');
    await h.apply(
      migrationSpec({ mode: 'hold', exitCode: 0, marker, undoMarker: join(markers, 'undone-v2') }),
    );
    const statsBefore = await h.agent().stats(h.app);
    // When v2 is deployed under traffic
    const { view, events, requests, seen } = await deployUnderTraffic('v2');
    // Then it is promoted, the migration ran once, and maintenance is recorded with its duration
    assert.equal(view.summary.phase, 'promoted', `outcome ${view.summary.outcomeReason}`);
    assert.equal(readFileSync(marker, 'utf8'), 'v2');
    const migrated = events.find((e) => e.action === 'hook.passed' && e.data.hook === 'migrate');
    assert.match(String(migrated?.data.output), /migrating the schema for v2/);
    const { started, ended } = maintenanceEvents(events);
    assert.equal(started.length, 1, `maintenance.started: ${JSON.stringify(started)}`);
    assert.equal(started[0]?.data.mode, 'hold');
    assert.equal(ended.length, 1, `maintenance.ended: ${JSON.stringify(ended)}`);
    const durationMs = Number(ended[0]?.data.durationMs);
    assert.ok(durationMs > 0, `maintenance durationMs ${durationMs}`);
    // Every request got an answer: a 200 from v1 or v2 (or a 503 with Retry-After), never a network failure
    everyRequestAnswered(seen, ['v1', 'v2']);
    assert.ok((seen.byVersion.v1 ?? 0) > 0 && (seen.byVersion.v2 ?? 0) > 0, JSON.stringify(seen));
    noOldAfterNew(requests, 'v1', 'v2');
    // Requests sent before maintenance ended were answered by v2: they were held across it
    const endedAt = Date.parse(ended[0]!.at);
    const heldThenServed = requests.filter((r) => r.sentAt < endedAt && r.version === 'v2').length;
    assert.ok(
      heldThenServed > 0,
      `requests sent before maintenance ended and served by v2: ${JSON.stringify(seen)}`,
    );
    const statsAfter = await h.agent().stats(h.app);
    const routerHeld = statsAfter.maintenance.heldThenServed - statsBefore.maintenance.heldThenServed;
    assert.ok(
      routerHeld >= heldThenServed,
      `router held then served ${routerHeld}, clients saw ${heldThenServed}`,
    );
    await h.waitOnlyVersion('v2', INSTANCES);
  });

  it('reject: requests during the migration get 503 with Retry-After, each counted; none is lost', async () => {
    // Given a breaking migration in reject mode
    const marker = join(markers, 'migrated-v3');
    await h.apply(
      migrationSpec({ mode: 'reject', exitCode: 0, marker, undoMarker: join(markers, 'undone-v3') }),
    );
    const statsBefore = await h.agent().stats(h.app);
    // When v3 is deployed under traffic
    const { view, events, requests, seen } = await deployUnderTraffic('v3');
    // Then it is promoted after the migration
    assert.equal(view.summary.phase, 'promoted', `outcome ${view.summary.outcomeReason}`);
    assert.equal(readFileSync(marker, 'utf8'), 'v3');
    const { started, ended } = maintenanceEvents(events);
    assert.equal(started[0]?.data.mode, 'reject');
    assert.ok(Number(ended[0]?.data.durationMs) > 0, JSON.stringify(ended));
    // And the requests meanwhile were refused with 503 + Retry-After, the router's count equal to the clients'
    everyRequestAnswered(seen, ['v2', 'v3']);
    assert.ok(seen.unavailableWithRetryAfter > 0, `503s during maintenance: ${JSON.stringify(seen)}`);
    const refused = requests.filter((r) => r.status === 503);
    assert.ok(
      refused.every((r) => r.retryAfter === '2' && r.code === 'maintenance'),
      `503s: ${JSON.stringify(refused.slice(0, 3))}`,
    );
    const statsAfter = await h.agent().stats(h.app);
    const routerRejected = statsAfter.maintenance.rejected - statsBefore.maintenance.rejected;
    assert.equal(
      routerRejected,
      refused.length,
      `router rejected ${routerRejected}, clients got ${refused.length}`,
    );
    assert.ok((seen.byVersion.v2 ?? 0) > 0 && (seen.byVersion.v3 ?? 0) > 0, JSON.stringify(seen));
    noOldAfterNew(requests, 'v2', 'v3');
    await h.waitOnlyVersion('v3', INSTANCES);
  });

  it('a failing migration rolls back under maintenance: onRollback runs, v3 serves again, none fails', async () => {
    // Given a breaking migration that exits 1
    const marker = join(markers, 'migrated-v4');
    const undoMarker = join(markers, 'undone-v4');
    await h.apply(migrationSpec({ mode: 'hold', exitCode: 1, marker, undoMarker }));
    // When v4 is deployed under traffic
    const statsBefore = await h.agent().stats(h.app);
    const { view, events, requests, seen } = await deployUnderTraffic('v4');
    // Then the release rolled back for the migration, with its message, and the onRollback hook ran
    assert.equal(view.summary.phase, 'rolledBack');
    assert.equal(view.summary.outcomeReason, 'migrate:schema');
    const failed = events.find((e) => e.action === 'hook.failed' && e.data.hook === 'migrate');
    assert.match(String(failed?.data.message), /^exit 1 after /);
    assert.match(String(failed?.data.output), /column "total" already exists/);
    assert.equal(existsSync(marker), false, 'the failed migration wrote no marker');
    assert.equal(readFileSync(undoMarker, 'utf8'), 'undone v4');
    const undone = events.find((e) => e.action === 'hook.passed' && e.data.hook === 'onRollback');
    assert.equal(undone?.data.name, 'undo-schema');
    // Maintenance started once and ended once, after the onRollback hook, its duration from the first start
    const { started, ended } = maintenanceEvents(events);
    const actions = events.map((e) => e.action);
    assert.equal(started.length, 1, `one maintenance across the way back: ${actions.join(' ')}`);
    assert.equal(ended.length, 1, JSON.stringify(ended));
    assert.equal(ended[0]?.data.since, started[0]?.at, 'the duration counts from the first start');
    assert.ok(Number(ended[0]?.data.durationMs) > 0, JSON.stringify(ended));
    assert.ok(
      actions.indexOf('maintenance.ended') > events.indexOf(undone!),
      `the undo ran under maintenance: ${actions.join(' ')}`,
    );
    // And every request got an answer, from v3 only (held, or 503 with Retry-After), and v3 alone serves again
    everyRequestAnswered(seen, ['v3']);
    assert.ok((seen.byVersion.v3 ?? 0) > 0, JSON.stringify(seen));
    // v3 was stopped before the migration ran: a request sent after that and answered by v3 was held across
    // the rollback until v3 was back
    const migrating = events.find((e) => e.action === 'step.started' && e.data.name === 'migration (schema)');
    assert.ok(migrating, `the migration step started: ${actions.join(' ')}`);
    const stoppedAt = Date.parse(migrating.at);
    const endedAt = Date.parse(ended[0]!.at);
    const held = requests.filter((r) => r.sentAt > stoppedAt && r.sentAt < endedAt && r.version === 'v3');
    assert.ok(
      held.length > 0,
      `requests held across the rollback: ${held.length} of ${JSON.stringify(seen)}`,
    );
    const statsAfter = await h.agent().stats(h.app);
    const routerHeld = statsAfter.maintenance.heldThenServed - statsBefore.maintenance.heldThenServed;
    assert.ok(routerHeld >= held.length, `router held then served ${routerHeld}, clients saw ${held.length}`);
    await h.waitOnlyVersion('v3', INSTANCES);
    const status = await h.api.get<{ live: { version: string } }>(`/v1/apps/${h.app}`);
    assert.equal(status.live.version, 'v3');
  });

  it('an abort while the old version drains: v3 serves again and maintenance is recorded as ended', async () => {
    // Given a breaking migration, a drain that waits up to 30 s, and a slow request in flight on v3
    const spec = migrationSpec({
      mode: 'hold',
      exitCode: 0,
      marker: join(markers, 'migrated-v5'),
      undoMarker: join(markers, 'undone-v5'),
    }).replace('drainTimeout: 1s', 'drainTimeout: 30s');
    await h.apply(spec);
    const load = new OpenLoopTraffic(h.origin, { intervalMs: 50, maxRequests: 2000 });
    traffic = load;
    let slowAnsweredAt = Number.POSITIVE_INFINITY;
    const slow = fetch(`${h.origin}/slow?ms=5000`, { signal: AbortSignal.timeout(30_000) }).then(
      (r) => {
        slowAnsweredAt = Date.now();
        return r.status;
      },
      (e: Error) => e.message,
    );
    let view: ReleaseView;
    try {
      await load.sendMore(10);
      // When v5 is deployed and aborted while v3 drains
      const { id } = await h.deploy('v5');
      await h.waitRelease(id, 'the drain of v3', (s) => s.step.name === 'drain and stop v3');
      await h.act('abort', { reason: 'e2e: abort during the drain' });
      view = await h.waitFinished(id);
      await load.sendMore(20);
    } finally {
      await load.stop();
      traffic = undefined;
    }
    const seen = tally(load.requests);
    const events = await h.events(view.release.id);
    const actions = events.map((e) => e.action);
    // Then it ended aborted, every request was answered by v3 (or 503 with Retry-After), v3 alone serves
    assert.equal(view.summary.phase, 'aborted');
    assert.equal(view.summary.outcomeReason, 'abort');
    assert.equal(await slow, 200, 'the slow request in flight during the drain was answered');
    // The abort did not wait for the drain: it was recorded while the slow request was still in flight.
    const aborting = events.find((e) => e.action === 'release.aborting');
    assert.ok(
      aborting && Date.parse(aborting.at) < slowAnsweredAt,
      'the abort was recorded during the drain',
    );
    everyRequestAnswered(seen, ['v3']);
    await h.waitOnlyVersion('v3', INSTANCES);
    // And the maintenance the release started is recorded once, as ended, its duration from that start
    const { started, ended } = maintenanceEvents(events);
    assert.equal(started.length, 1, actions.join(' '));
    assert.equal(ended.length, 1, `maintenance.ended after the abort: ${actions.join(' ')}`);
    assert.equal(ended[0]?.data.since, started[0]?.at);
    assert.ok(Number(ended[0]?.data.durationMs) > 0, JSON.stringify(ended));
  });
});
