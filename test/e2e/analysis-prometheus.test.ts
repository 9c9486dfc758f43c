// Canary analysis on Prometheus, end to end: the controller, its agent and the example app's instances under
// steady loopback traffic, a real Prometheus scraping the agent's router metrics every second, and a canary
// `analysis` step whose metrics are PromQL queries judged by thresholds. Given a healthy canary the measurements
// come from Prometheus and it is promoted; a broken one is rolled back by the Prometheus metric. When the
// provider cannot give a number (Prometheus down, too slow, answering garbage) every measurement is an error,
// consecutiveErrorLimit makes the analysis inconclusive, and the release pauses (or rolls back with
// onInconclusive: rollback): it is never promoted on an analysis that could not measure.
// The releases follow each other on one app; one Prometheus serves the scenarios that need real data.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GreenlightEvent, Revision } from '../../src/engine/model.js';
import { appSpec, strategies } from '../helpers/app-spec.js';
import { ControllerHarness, freePort } from '../helpers/controller.js';
import { startMetricsRelay, type MetricsRelay } from '../helpers/metrics-relay.js';
import { startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';
import {
  startPrometheusStandIn,
  type PrometheusStandIn,
  type StandInAnswer,
} from '../helpers/prometheus-stand-in.js';
import { BackgroundLoad } from '../helpers/traffic.js';
import { sleep } from '../helpers/wait.js';

const INSTANCES = 2;
const TEMPLATE = 'prom';

// Fixed 5 s windows rather than {{window}}: the window of a measurement is its interval (1 s here), and rate()
// needs two samples inside it, which a 1 s scrape interval does not guarantee.
const SELECT = 'app="{{app}}",version="{{version}}"';
const REQUESTS = `greenlight_router_requests_total{${SELECT}}`;
const ERRORS = `greenlight_router_requests_total{${SELECT},code="5xx"}`;
/** No 5xx series yet (a healthy version) is a ratio of 0, not an empty result. */
const ERROR_RATIO = `(sum(rate(${ERRORS}[5s])) or vector(0)) / sum(rate(${REQUESTS}[5s]))`;
const REQUEST_RATE = `sum(rate(${REQUESTS}[5s]))`;

/** Time for Prometheus to scrape the canary's new series twice, so rate() over it has a value. */
const EXPOSED = 'pause: { duration: 3s }';

interface AnalysisOptions {
  address: string;
  timeout?: string;
  onInconclusive?: 'pause' | 'rollback';
  /** Also measure the canary's request rate (a number only real scrapes can give). */
  requestRate?: boolean;
}

/** The YAML body of spec.analysis: one template of threshold metrics on the `prom` provider. */
function analysis(opts: AnalysisOptions): string {
  const metric = (name: string, query: string, threshold: string): string[] => [
    `    - name: ${name}`,
    '      provider: prom',
    `      query: '${query}'`,
    `      threshold: ${threshold}`,
    '      interval: 1s',
    '      count: 3',
    '      failureLimit: 0',
    '      inconclusiveLimit: 0',
    '      consecutiveErrorLimit: 1',
  ];
  return [
    'providers:',
    `  prom: { prometheus: { address: ${opts.address}, timeout: ${opts.timeout ?? '2s'} } }`,
    'templates:',
    `  ${TEMPLATE}:`,
    ...metric('error-rate', ERROR_RATIO, '{ max: 0.05 }'),
    ...(opts.requestRate ? metric('request-rate', REQUEST_RATE, '{ min: 1 }') : []),
    `onInconclusive: ${opts.onInconclusive ?? 'pause'}`,
  ].join('\n');
}

const measurementsOf = (events: GreenlightEvent[]): GreenlightEvent[] =>
  events.filter((e) => e.action === 'analysis.measurement');

const shown = (events: GreenlightEvent[]): string =>
  JSON.stringify(
    measurementsOf(events).map((e) => [e.data.metric, e.data.phase, e.data.value, e.data.message]),
    null,
    1,
  );

describe('canary analysis on a real Prometheus scraping the agent (controller, agent, app, prometheus)', () => {
  let h: ControllerHarness;
  let load: BackgroundLoad | undefined;
  let relay: MetricsRelay | undefined;
  let prometheus: PrometheusServer | undefined;
  const standIns: PrometheusStandIn[] = [];

  before(async () => {
    h = await ControllerHarness.start();
    await h.apply(appSpec({ port: h.port, instances: INSTANCES, strategy: strategies.canary() }));
    const first = await h.waitFinished((await h.deploy('v1')).id);
    assert.equal(first.summary.phase, 'promoted');
    await h.waitOnlyVersion('v1', INSTANCES);
    load = new BackgroundLoad(h.origin);
    relay = await startMetricsRelay(h.agentDir);
    prometheus = await startPrometheus({ targets: [relay.target] });
    // Scraped and rated: the agent's counters reach Prometheus through the relay.
    await prometheus.waitForSample(
      'sum(rate(greenlight_router_requests_total{app="shop",version="v1"}[5s])) > 0',
    );
  });
  after(async () => {
    try {
      await load?.stop();
      await Promise.all(standIns.map((s) => s.close()));
      await prometheus?.stop();
      await relay?.close();
    } finally {
      await h?.teardown();
    }
  });

  /** Applies a canary spec whose analysis step follows `before`, with no standing rollback trigger. */
  async function applyCanary(version: string, before: string[], analysisText: string, brokenRate = 0) {
    await h.apply(
      appSpec({
        port: h.port,
        instances: INSTANCES,
        strategy: strategies.canary([...before, `analysis: { templates: [${TEMPLATE}] }`]),
        analysis: analysisText,
        rollbackTriggers: [],
        ...(brokenRate > 0 ? { broken: { [version]: brokenRate } } : {}),
      }),
    );
  }

  async function live(): Promise<string | undefined> {
    const status = await h.api.get<{ live: Revision | null }>(`/v1/apps/${h.app}`);
    return status.live?.version;
  }

  /**
   * The release paused on its inconclusive analysis; it stays paused (nothing promotes it on its own), and an
   * abort takes it back: it was never promoted and `stable` is still live.
   */
  async function pausedThenAborted(id: number, stable: string): Promise<GreenlightEvent[]> {
    const paused = await h.waitRelease(id, 'the release paused by the analysis', (s) => s.phase === 'paused');
    const measured = measurementsOf(await h.events(id)).length;
    // Longer than the metric's interval: no measurement is taken and nothing moves once it is paused.
    await sleep(2_000);
    const still = await h.getRelease(id);
    assert.equal(still.summary.phase, 'paused');
    assert.equal(still.summary.step.index, paused.summary.step.index);
    assert.equal(measurementsOf(await h.events(id)).length, measured, 'no measurement after the pause');
    await h.act('abort', { reason: 'e2e: the analysis could not measure' });
    const ended = await h.waitFinished(id);
    assert.equal(ended.summary.phase, 'aborted');
    const events = await h.events(id);
    assert.ok(!events.some((e) => e.action === 'release.promoted'), 'never promoted');
    assert.equal(await live(), stable);
    await h.waitOnlyVersion(stable, INSTANCES);
    return events;
  }

  /** Every measurement of the run is an error naming `why`, and the analysis was declared inconclusive. */
  function assertErrorsThenInconclusive(events: GreenlightEvent[], runKey: string, why: RegExp): void {
    const measured = measurementsOf(events);
    // consecutiveErrorLimit 1: the second error in a row concludes the metric, and no measurement follows.
    assert.equal(measured.length, 2, shown(events));
    for (const m of measured) {
      assert.equal(m.data.run, runKey);
      assert.equal(m.data.metric, `${TEMPLATE}/error-rate`);
      assert.equal(m.data.phase, 'error', shown(events));
      assert.equal(m.data.value, null);
      assert.match(String(m.data.message), why);
    }
    const verdict = events.find((e) => e.action === 'analysis.verdict');
    assert.equal(verdict?.data.phase, 'inconclusive');
    assert.match(String(verdict?.data.rule), /consecutive errors > consecutiveErrorLimit 1/);
    assert.equal(verdict?.reason, `analysis:${runKey}/${TEMPLATE}/error-rate`);
  }

  it('a healthy canary passes its Prometheus error-ratio analysis, measured from real scrapes, and is promoted', async () => {
    assert.ok(prometheus);
    await applyCanary(
      'v2',
      ['setWeight: 50', EXPOSED],
      analysis({ address: prometheus.url, requestRate: true }),
    );
    const view = await h.waitFinished((await h.deploy('v2')).id);
    const events = await h.events(view.release.id);
    assert.equal(view.summary.phase, 'promoted', `${view.summary.outcomeReason}: ${shown(events)}`);

    const measured = measurementsOf(events);
    const of = (metric: string) => measured.filter((e) => e.data.metric === `${TEMPLATE}/${metric}`);
    assert.equal(of('error-rate').length, 3, shown(events));
    assert.equal(of('request-rate').length, 3, shown(events));
    for (const m of measured) {
      assert.equal(m.data.run, 'step-3');
      assert.equal(m.data.phase, 'successful', shown(events));
      assert.equal(m.data.dryRun, false);
    }
    // No 5xx series for v2: `or vector(0)` makes its ratio 0; its share of the traffic is a real rate, which
    // only Prometheus's scrapes of v2's counters can give (the judged message says only "within bounds").
    for (const m of of('error-rate')) assert.equal(m.data.value, 0);
    for (const m of of('request-rate')) assert.ok(Number(m.data.value) > 1, `rate ${String(m.data.value)}`);
    await prometheus.waitForSample(
      'greenlight_router_requests_total{app="shop",version="v2",code="2xx"}',
      5_000,
    );
    const verdict = events.find((e) => e.action === 'analysis.verdict');
    assert.equal(verdict?.data.phase, 'successful');
    const order = events.map((e) => e.action);
    assert.ok(order.indexOf('analysis.verdict') < order.indexOf('release.promoted'), order.join(' '));
    assert.equal(await live(), 'v2');
    await h.waitOnlyVersion('v2', INSTANCES);
  });

  it('a broken canary is rolled back by the Prometheus error-ratio metric, named in the outcome', async () => {
    assert.ok(prometheus);
    await applyCanary('v3', ['setWeight: 50', EXPOSED], analysis({ address: prometheus.url }), 0.5);
    const view = await h.waitFinished((await h.deploy('v3')).id);
    const events = await h.events(view.release.id);
    assert.equal(view.summary.phase, 'rolledBack', shown(events));
    assert.equal(view.summary.outcomeReason, `analysis:step-3/${TEMPLATE}/error-rate`);
    const failed = measurementsOf(events).find((e) => e.data.phase === 'failed');
    assert.ok(failed, `a failed measurement: ${shown(events)}`);
    const ratio = Number(failed.data.value);
    assert.ok(ratio > 0.05 && ratio <= 1, `error ratio ${ratio}`);
    const verdict = events.find((e) => e.action === 'analysis.verdict');
    assert.equal(verdict?.data.phase, 'failed');
    assert.equal(verdict?.reason, `analysis:step-3/${TEMPLATE}/error-rate`);
    assert.ok(!events.some((e) => e.action === 'trigger.fired'), 'no trigger: the analysis decided');
    assert.ok(!events.some((e) => e.action === 'release.promoted'));
    assert.equal(await live(), 'v2');
    await h.waitOnlyVersion('v2', INSTANCES);
  });

  it('Prometheus down (nothing listens on its port): errors, inconclusive, the release pauses and is never promoted', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    await applyCanary('v4', ['setWeight: 50'], analysis({ address: closed }));
    const { id } = await h.deploy('v4');
    const events = await pausedThenAborted(id, 'v2');
    assertErrorsThenInconclusive(events, 'step-2', /ECONNREFUSED/);
    const held = events.find((e) => e.action === 'release.paused');
    assert.equal(held?.data.by, 'analysis');
    assert.equal(held?.reason, `analysis:step-2/${TEMPLATE}/error-rate`);
  });

  it('Prometheus stopped before the analysis step, with onInconclusive: rollback: the release rolls back', async () => {
    assert.ok(prometheus);
    const address = prometheus.url;
    await prometheus.stop();
    await applyCanary('v5', ['setWeight: 50'], analysis({ address, onInconclusive: 'rollback' }));
    const view = await h.waitFinished((await h.deploy('v5')).id);
    const events = await h.events(view.release.id);
    assert.equal(view.summary.phase, 'rolledBack', shown(events));
    assert.equal(view.summary.outcomeReason, `analysis:step-2/${TEMPLATE}/error-rate`);
    assertErrorsThenInconclusive(events, 'step-2', /ECONNREFUSED/);
    assert.ok(!events.some((e) => e.action === 'release.paused'), 'rolled back, not paused');
    assert.ok(!events.some((e) => e.action === 'release.promoted'));
    assert.equal(await live(), 'v2');
    await h.waitOnlyVersion('v2', INSTANCES);
  });

  it('a stand-in server for a slow Prometheus (answers after the timeout): errors, paused, never promoted', async () => {
    const slow = await startPrometheusStandIn({ answer: oneSample('0'), delayMs: 3_000 });
    standIns.push(slow);
    await applyCanary('v6', ['setWeight: 50'], analysis({ address: slow.url, timeout: '500ms' }));
    const { id } = await h.deploy('v6');
    const events = await pausedThenAborted(id, 'v2');
    assertErrorsThenInconclusive(events, 'step-2', /timed out after 500ms/);
    assert.ok(slow.queries() >= 2, `queries sent to the stand-in: ${slow.queries()}`);
  });

  it('a stand-in server for a Prometheus answering 200 with non-JSON, onInconclusive: rollback: rolled back', async () => {
    const garbage = await startPrometheusStandIn({
      answer: { status: 200, contentType: 'text/html', body: '<html><body>Not Prometheus</body></html>' },
    });
    standIns.push(garbage);
    await applyCanary(
      'v7',
      ['setWeight: 50'],
      analysis({ address: garbage.url, onInconclusive: 'rollback' }),
    );
    const view = await h.waitFinished((await h.deploy('v7')).id);
    const events = await h.events(view.release.id);
    assert.equal(view.summary.phase, 'rolledBack', shown(events));
    assert.equal(view.summary.outcomeReason, `analysis:step-2/${TEMPLATE}/error-rate`);
    assertErrorsThenInconclusive(events, 'step-2', /not JSON: <html><body>Not Prometheus/);
    assert.ok(!events.some((e) => e.action === 'release.promoted'));
    assert.equal(await live(), 'v2');
  });

  it('a stand-in server for a Prometheus answering JSON of the wrong shape: errors, paused, never promoted', async () => {
    const wrong = await startPrometheusStandIn({
      answer: {
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: { value: '0' } } }),
      },
    });
    standIns.push(wrong);
    await applyCanary('v8', ['setWeight: 50'], analysis({ address: wrong.url }));
    const { id } = await h.deploy('v8');
    const events = await pausedThenAborted(id, 'v2');
    assertErrorsThenInconclusive(events, 'step-2', /a vector result of unexpected shape/);
  });
});

/** A well-formed instant-query answer with one sample (what the slow stand-in sends, too late). */
function oneSample(value: string): StandInAnswer {
  return {
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, value] }] },
    }),
  };
}
