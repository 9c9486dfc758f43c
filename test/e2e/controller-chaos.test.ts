// Chaos: kill -9 of the controller at random moments of canary releases, under steady traffic. Given an app with
// a canary of short steps and a version now and then deliberately broken, when the controller is killed
// (sometimes twice in one release) and restarted on the same data directory, then every release still ends as
// it should (a good version promoted, a broken one rolled back by its trigger: never stuck, never promoted),
// the lock is free, the event chain verifies, all the traffic is on the live version, and no client request
// failed because the controller died (the broken version's own injected 500s are counted apart).
//
// GREENLIGHT_CHAOS_KILLS (default 20) sets the number of kills that land inside a release;
// GREENLIGHT_CHAOS_SEED replays a run (the seed is printed first). `node scripts/chaos.mjs` runs 200 kills.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Release, Revision } from '../../src/engine/model.js';
import { FINAL_PHASES } from '../../src/engine/model.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { appSpec, strategies } from '../helpers/app-spec.js';
import { killMoment, seededRandom, type KillMoment } from '../helpers/chaos.js';
import { ControllerHarness } from '../helpers/controller.js';
import { ClassifiedTraffic, unexpectedFailures, type TrafficCounts } from '../helpers/traffic.js';
import { sleep, waitFor } from '../helpers/wait.js';

const KILLS = Math.max(1, Number(process.env.GREENLIGHT_CHAOS_KILLS ?? 20));
const SEED = process.env.GREENLIGHT_CHAOS_SEED
  ? Number(process.env.GREENLIGHT_CHAOS_SEED)
  : Math.floor(Math.random() * 2 ** 31);
const INSTANCES = 2;
const STEPS = [
  'setWeight: 20',
  'pause: { duration: 1s }',
  'setWeight: 50',
  'pause: { duration: 1s }',
  'setWeight: 80',
  'pause: { duration: 1s }',
];
/** Share of releases whose version is broken (half its answers are 500). */
const BROKEN_SHARE = 0.3;
/** Kills planned in one release: 1, 2 or 3 (a restarted controller is killed again). */
const plannedKills = (r: number): number => (r < 0.15 ? 3 : r < 0.6 ? 2 : 1);

/**
 * How a kill is aimed: `random` after 0-3 s; `step` right after the next step is stored (so often before its
 * desired state reached the agent); `rollback` once a broken release starts rolling back.
 */
type Aim = 'random' | 'step' | 'rollback';

const stepKey = (r: Release): string => `${r.phase}:${r.stepIndex}:${r.rollbackStepIndex}`;

async function pollStore(
  store: SqliteStore,
  id: number,
  until: (r: Release) => boolean,
  timeoutMs = 20_000,
): Promise<Release> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const release = await store.getRelease(id);
    if (!release) throw new Error(`release ${id} is not in the store`);
    if (until(release) || FINAL_PHASES.has(release.phase) || Date.now() > deadline) return release;
    await sleep(5);
  }
}

describe(`controller kill -9 during canary releases (seed ${SEED}, ${KILLS} kills)`, () => {
  let h: ControllerHarness;
  let traffic: ClassifiedTraffic | undefined;

  before(async () => {
    h = await ControllerHarness.start();
  });
  after(async () => {
    try {
      await traffic?.stop();
    } finally {
      await h?.teardown();
    }
  });

  it('every release ends as it should, and no client request fails because the controller died', async (t) => {
    console.log(`controller chaos: seed ${SEED} (replay: GREENLIGHT_CHAOS_SEED=${SEED}), ${KILLS} kills`);
    const started = Date.now();
    const random = seededRandom(SEED);
    const maxReleases = KILLS * 2 + 5;
    const broken: Record<string, number> = {};
    for (let i = 2; i <= maxReleases; i++) if (random() < BROKEN_SHARE) broken[`v${i}`] = 0.5;

    // Given v1 live and steady clients on it
    await h.apply(
      appSpec({ port: h.port, instances: INSTANCES, strategy: strategies.canary(STEPS), broken }),
    );
    assert.equal((await h.waitFinished((await h.deploy('v1')).id)).summary.phase, 'promoted');
    await h.waitOnlyVersion('v1', INSTANCES);
    traffic = new ClassifiedTraffic(h.origin);
    await waitFor('clients served by v1', () => (traffic?.counts.byVersion.v1 ?? 0) >= 20);
    const store = h.openStore();

    const moments: Record<KillMoment, number> = {
      'waiting ready': 0,
      pause: 0,
      'during apply': 0,
      'during rollback': 0,
      'after the end': 0,
    };
    const aims: Record<Aim, number> = { random: 0, step: 0, rollback: 0 };
    const outcomes: Record<string, number> = {};
    let kills = 0;
    let live = 'v1';
    let releases = 1;

    for (let i = 2; kills < KILLS && i <= maxReleases; i++) {
      const version = `v${i}`;
      const isBroken = version in broken;
      const ctx = `seed ${SEED}, ${version}${isBroken ? ' (broken)' : ''}`;
      const before = traffic.snapshot();
      // When the release runs and the controller is killed once or twice, then restarted
      const { id } = await h.deploy(version);
      releases += 1;
      const planned = plannedKills(random());
      const landed: string[] = [];
      for (let k = 0; k < planned && kills < KILLS; k++) {
        const pick = random();
        const delay = random();
        const aim: Aim = isBroken && pick < 0.5 ? 'rollback' : pick < 0.3 ? 'step' : 'random';
        if (aim === 'random') await sleep(Math.floor(delay * 3000));
        else if (aim === 'step') {
          const from = stepKey((await store.getRelease(id)) as Release);
          await pollStore(store, id, (r) => stepKey(r) !== from);
        } else {
          await pollStore(store, id, (r) => r.phase === 'rollingBack');
          await sleep(Math.floor(delay * 30));
        }
        if (FINAL_PHASES.has(((await store.getRelease(id)) as Release).phase)) break;
        await h.killController();
        const moment = killMoment((await store.getRelease(id)) as Release, await h.agent().desired(h.app));
        moments[moment] += 1;
        aims[aim] += 1;
        if (moment !== 'after the end') kills += 1;
        landed.push(`${aim}→${moment}`);
        await h.startController();
      }

      // Then it ends as it should: promoted when good, rolled back by the trigger when broken; never stuck
      const view = await h.waitFinished(id, 45_000);
      const phase = view.summary.phase;
      outcomes[phase] = (outcomes[phase] ?? 0) + 1;
      assert.equal(
        phase,
        isBroken ? 'rolledBack' : 'promoted',
        `${ctx}: ended ${phase} (${view.summary.outcomeReason})`,
      );
      if (isBroken) assert.equal(view.summary.outcomeReason, 'trigger:error-rate', ctx);
      else live = version;
      // the lock is free, the events verify, all traffic is on the live version, and the API agrees
      assert.equal(await store.getLock(h.app, 'default'), undefined, `${ctx}: lock left behind`);
      const chain = await store.verifyChain();
      assert.ok(chain.ok, `${ctx}: event chain ${JSON.stringify(chain)}`);
      await h.waitOnlyVersion(live, INSTANCES);
      const status = await h.api.get<{ live: Revision }>(`/v1/apps/${h.app}`);
      assert.equal(status.live.version, live, ctx);
      // and no client request failed but for the broken version's own answers
      const seen: TrafficCounts = traffic.since(before);
      assert.equal(unexpectedFailures(seen), 0, `${ctx}: clients saw ${JSON.stringify(seen)}`);
      if (!isBroken) assert.equal(seen.injected, 0, ctx);
      const line =
        `${version}${isBroken ? ' broken' : ''}: ${phase} in ${((view.summary.durationMs ?? 0) / 1000).toFixed(1)} s, ` +
        `kills [${landed.join(', ')}], ${seen.requests} requests, ${seen.injected} injected 500s`;
      t.diagnostic(line);
      // Long runs (scripts/chaos.mjs) show their progress as they go.
      if (KILLS > 20) console.log(`[${kills}/${KILLS} kills] ${line}`);
    }

    assert.ok(kills >= KILLS, `only ${kills} of ${KILLS} kills landed in a release (seed ${SEED})`);
    // At the end every release in the store is final
    const all = await store.listReleases({ app: h.app, limit: 1000 });
    assert.equal(all.length, releases);
    assert.deepEqual(
      all.filter((r) => !FINAL_PHASES.has(r.phase)).map((r) => r.id),
      [],
    );
    const total = traffic.counts;
    t.diagnostic(
      `seed ${SEED}: ${kills} kills in ${releases - 1} releases, ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    t.diagnostic(`kills landed: ${JSON.stringify(moments)}; aimed: ${JSON.stringify(aims)}`);
    t.diagnostic(`outcomes: ${JSON.stringify(outcomes)}; clients: ${JSON.stringify(total)}`);
  });
});
