// Writes the safety benchmark's results: bench/results/safety.json (the headline in the asked shape, the
// targets, then every run's detail) and safety.md (the same for people: each figure, how it was measured,
// against its target, where the time goes, how to reproduce).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { summary, TAIL_SIM_LABEL, TARGETS, type SafetyRun, type SafetySummary } from './safety-report.js';
import type { CallTimes } from './safety-greenlight.js';
import { medianOf, type CanaryFigures, type SessionResult } from './safety-scenarios.js';
import type { SimulationSummary } from './safety-sim.js';
import { CANARY_HOLD, CANARY_WEIGHT, FLAGGER_LIKE_ANALYSIS, STABLE } from './safety-spec.js';

const cell = (v: number | null | undefined, digits = 2): string =>
  v === null || v === undefined ? 'n/a' : Number(v.toFixed(digits)).toString();
const pct = (v: number, digits = 2): string => `${(v * 100).toFixed(digits)} %`;

/** "met in all 3 runs", "met by the median; 1 of 3 runs over", or "**not met**". */
function verdict(values: Array<number | null>, limit: number): string {
  const known = values.filter((v): v is number => v !== null);
  if (values.length === 0) return '**not measured**';
  if (known.length === 0) return `**not met** (none of ${values.length} runs)`;
  const over = values.filter((v) => v === null || v > limit).length;
  if (over === 0) return values.length === 1 ? 'met' : `met in all ${values.length} runs`;
  const sorted = [...known].sort((a, b) => a - b);
  const medianOk = over < values.length / 2 && (sorted[(sorted.length - 1) >> 1] ?? Infinity) <= limit;
  return medianOk
    ? `met by the median; ${over} of ${values.length} runs over`
    : `**not met** (${over} of ${values.length} runs over)`;
}

function headlineRows(run: SafetyRun, s: SafetySummary): string[] {
  const off = run.brokenCanary.retryOff.runs;
  const on = run.brokenCanary.retryOn.runs;
  const sub = run.subtleRegression.runs;
  const aa = run.aa.rollout;
  const row = (
    label: string,
    runs: CanaryFigures[],
    pick: (f: CanaryFigures) => number | null,
    limit: number | null,
    unit = '',
  ) => {
    const values = runs.map(pick);
    const median = medianOf(runs, pick);
    const shown = median === null ? 'none' : `${cell(median)}${unit}`;
    return (
      `| ${label} | **${shown}** | ${values.map((v) => (v === null ? 'none' : cell(v))).join(', ')} | ` +
      `${limit === null ? '–' : `≤ ${limit}${unit}`} | ${limit === null ? '–' : verdict(values, limit)} |`
    );
  };
  const detect = (f: CanaryFigures) =>
    f.run.aborted || !f.outcomeReason?.startsWith('analysis:') ? null : f.secondsToDetect;
  return [
    '| figure | median | every run | target | verdict |',
    '|---|---:|---|---|---|',
    row(
      'Broken canary, retry-on-stable off: first canary request → all traffic on stable',
      off,
      (f) => f.secondsToStable,
      TARGETS.secondsToStable,
      ' s',
    ),
    row('… failed client requests', off, (f) => f.failedRequests, TARGETS.failedRequests),
    row('… requests the router sent to the canary', off, (f) => f.canaryRequests, null),
    row(
      'Broken canary, retry-on-stable on: first canary request → all traffic on stable',
      on,
      (f) => f.secondsToStable,
      TARGETS.secondsToStable,
      ' s',
    ),
    row('… failed client requests', on, (f) => f.failedRequests, TARGETS.failedRequestsWithRetry),
    row('… requests the router sent to the canary', on, (f) => f.canaryRequests, null),
    row(
      'Error rate 0.5 % → 3 %: first canary request → analysis verdict failed',
      sub.errorRate,
      detect,
      TARGETS.secondsToDetect,
      ' s',
    ),
    row(
      'Latency p95 +50 % (every request 1.5× slower): → verdict failed',
      sub.latency,
      detect,
      TARGETS.secondsToDetect,
      ' s',
    ),
    row(
      'Latency p95 +50 %, tail only (median unchanged): → verdict failed',
      sub.latencyTail,
      detect,
      TARGETS.secondsToDetect,
      ' s',
    ),
    `| A/A, ${aa.canarySeconds} s of canary then the gate: false rollbacks | **${pct(s.aa.falseRollbackRate)}** | ` +
      `${aa.failed} of ${aa.runs} simulated runs (95 % upper bound ${pct(aa.failedRateUpper95)}) | ≤ 1 % | ` +
      `${s.aa.falseRollbackRate <= TARGETS.falseRollbackRate ? (aa.failedRateUpper95 <= TARGETS.falseRollbackRate ? 'met' : 'met (the bound is above 1 %: more runs would tell)') : '**not met**'} |`,
    `| … inconclusive (the release pauses for a person) | ${pct(aa.inconclusiveRate)} | ${aa.inconclusive} of ${aa.runs} | – | – |`,
  ];
}

/** "6 of 16": the canary requests the judge had seen, of those the clients saw answered by the canary before. */
function seenByJudge(f: CanaryFigures): string {
  const sent = f.run.canaryAnswersBeforeDecision;
  const seen = f.canaryRequestsAtDecision;
  return sent === null || seen === null || f.run.client.byVersion[f.version] === undefined
    ? 'n/a'
    : `${seen} of ${sent}`;
}

function breakdownTable(label: string, runs: CanaryFigures[]): string[] {
  return runs.map((f) => {
    const b = f.breakdownMs;
    return (
      `| ${label} | ${f.version} | ${cell(f.secondsToStable, 3)} | ${f.failedRequests} of ${f.run.client.requests} | ` +
      `${f.canaryRequests} | ${f.canaryRequestsAtDecision ?? 'n/a'} | ${seenByJudge(f)} | ${cell(b.detection, 0)} | ` +
      `${cell(b.persistVerdict, 0)} | ` +
      `${cell(b.decideRollback, 0)} | ${cell(b.routerSwitch, 0)} | ${f.run.router.retriedOnStable} |`
    );
  });
}

const calls = (c: Record<string, CallTimes>): string =>
  Object.entries(c)
    .map(([name, t]) => `${name} median ${t.medianMs} ms (max ${t.maxMs})`)
    .join(', ');

function brokenSection(run: SafetyRun): string[] {
  const { retryOff, retryOn } = run.brokenCanary;
  const all = [...retryOff.runs, ...retryOn.runs];
  const med = (pick: (f: CanaryFigures) => number | null): string => {
    const v = all
      .map(pick)
      .filter((x): x is number => x !== null)
      .sort((a, b) => a - b);
    return v.length ? cell(v[(v.length - 1) >> 1], 0) : 'n/a';
  };
  const seen = { judge: 0, client: 0, worst: 'none missed' };
  let missedMost = 0;
  for (const f of retryOff.runs) {
    const judge = f.canaryRequestsAtDecision ?? 0;
    const client = f.run.canaryAnswersBeforeDecision ?? 0;
    seen.judge += judge;
    seen.client += client;
    if (client - judge > missedMost) {
      missedMost = client - judge;
      seen.worst = `the worst ${f.version}: ${judge} of ${client}`;
    }
  }
  return [
    '## 1. Broken canary (every answer a 500)',
    '',
    `A real controller and agent (\`startControllerProcess\`, as \`greenlight demo\`), the example app with 2 stable ` +
      `instances and 1 canary instance, the builtin analysis (no \`analysis\` section). Steps: setWeight ${CANARY_WEIGHT}, ` +
      `pause ${CANARY_HOLD}. The canary's FAIL_RATE is 1; the stable's 0. Clients: ${run.config.rps} requests per second, ` +
      'open loop (request i is sent at i/rate whatever the answers), from before the deploy until a second after the ' +
      `release ended. ${run.config.brokenRepeat} canary release(s) per setting, one after the other in one controller.`,
    '',
    "- **first canary request**: the earliest of the client's first answer from the canary (its send time) and the start " +
      "of the first router-stream bucket with a canary request (with retry-on-stable the client never sees the canary's answer).",
    "- **all traffic on stable**: the first answer of the agent's traffic table (polled every 20 ms) with the canary at " +
      'weight 0; the switch happened between that poll and the one before (both in safety.json).',
    "- **failed**: client requests answered ≥ 500 or not at all, over the whole run. **canary requests**: the router's " +
      'own count for the canary version (a retried request counts once there and once on stable).',
    '',
    '| retry on stable | canary | s to stable | failed | canary requests | at decision | judge saw | detection ms | verdict persisted ms | rollback decided ms | router switch ms | retried |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...breakdownTable('off', retryOff.runs),
    ...breakdownTable('on', retryOn.runs),
    '',
    '### Where the time goes',
    '',
    `- **detection** (first canary request → the stream bucket that decided; median ${med((f) => f.breakdownMs.detection)} ms): ` +
      `the sequential test needs a handful of failed canary requests (median ${med((f) => f.canaryRequestsAtDecision)}, the ` +
      '"at decision" column), and the canary gets about 20 a second. With retry-on-stable off the clients can tell how many ' +
      'canary requests were sent before the deciding bucket ended ("judge saw": the judge\'s count of those): ' +
      `${seen.judge} of ${seen.client} over the runs, ${seen.worst}. The last of the missing ones were still in an open bucket ` +
      "(100 ms) or in a router worker's report to the agent's primary (every 100 ms); the first ones came before the " +
      "analysis runner followed the stream at all: the run starts at the `set weight` step's reconcile, but the runner " +
      'subscribes only after that reconcile has persisted and applied the next step (`runner.sync` after `carryOut` in ' +
      'src/engine/engine.ts `reconcile`: an observe, a SQLite commit, four agent calls of which three are persisted by the ' +
      'agent with an fsync, then the stream request), while the canary already has its traffic.',
    `- **verdict persisted** (median ${med((f) => f.breakdownMs.persistVerdict)} ms): the runner's flush of the deciding buckets, one SQLite commit.`,
    `- **rollback decided** (median ${med((f) => f.breakdownMs.decideRollback)} ms): the engine's reconcile after the write; the ` +
      "release.rollingBack event carries the reconcile's time, before its own commit.",
    `- **router switch** (median ${med((f) => f.breakdownMs.routerSwitch)} ms): the rollback's commit, then the first rollback ` +
      'step applied by `StepApplier.apply`: ensureVersionSet for the stable set and for the canary set (unchanged), then ' +
      "setTraffic, one agent call after the other, each persisted by the agent with an fsync before it answers; plus the poll's " +
      `lag (≤ 20 ms + a status call). Timed here after the runs: ${calls(retryOff.agentCalls)} (retry off session); ` +
      `${calls(retryOn.agentCalls)} (retry on session).`,
    '',
  ];
}

function detectRows(kind: string, runs: CanaryFigures[]): string[] {
  return runs.map((f) => {
    const lat = f.run.streamLatency;
    const stable = lat[STABLE];
    const canary = lat[f.version];
    const detected = f.run.aborted ? `not within the run (${f.outcome})` : cell(f.secondsToDetect, 1);
    return (
      `| ${kind} | ${f.version} | ${detected} | ${f.decidedBy ?? 'n/a'} | ${f.canaryRequestsAtDecision ?? 'n/a'} | ` +
      `${cell(stable?.p50 ?? null, 0)} / ${cell(stable?.p95 ?? null, 0)} | ${cell(canary?.p50 ?? null, 0)} / ${cell(canary?.p95 ?? null, 0)} | ` +
      `${f.run.client.failed} |`
    );
  });
}

function simRow(label: string, s: SimulationSummary): string {
  return (
    `| ${label} | ${s.runs} | ${s.failed} (${pct(s.failedRate, 1)}) | ${cell(s.secondsToFail.median, 1)} | ` +
    `${cell(s.secondsToFail.p90, 1)} | ${cell(s.secondsToFail.max, 1)} | ${JSON.stringify(s.failedBy)} |`
  );
}

function tailNote(sim: SimulationSummary | undefined): string[] {
  if (!sim) return [];
  return [
    'A slower tail with an unchanged median is the hard case: in a 10 s window the canary has about 10 requests above ' +
      'its p95, so the quantile test (alpha 0.1 %, 10 % tolerance) fails a window only now and then, and the judge needs two. ' +
      `Simulated, ${pct(sim.failedRate, 1)} are caught within 120 s, median ${cell(sim.secondsToFail.median, 0)} s, p90 ` +
      `${cell(sim.secondsToFail.p90, 0)} s. A longer window gives each comparison more of the tail (about 800 requests ` +
      'per version catch this regression 90 % of the time: src/analysis/judges/simulate.compare.test.ts), at the price ' +
      'of a later first verdict for every regression.',
    '',
  ];
}

function subtleSection(run: SafetyRun): string[] {
  const sub = run.subtleRegression.runs;
  const sim = run.simulatedDetection;
  const c = run.config;
  return [
    '## 2. Subtle regressions',
    '',
    `Same setup and load; the stable has FAIL_RATE 0.005 and a lognormal latency (LATENCY_MS 50 = median, LATENCY_SIGMA 0.5: ` +
      'p95 ≈ 114 ms). Canaries: **error rate** FAIL_RATE 0.03; **latency** LATENCY_MS 75 (every request 1.5× slower, p95 ≈ 171 ms); ' +
      '**latency, tail only** LATENCY_SIGMA 0.7465 (median unchanged, p95 ≈ 171 ms). ' +
      `${c.subtleRepeat} run(s) of each, interleaved, in one controller; a run not decided after ${c.subtleTimeoutS} s is aborted. ` +
      'Figure: first canary request → the analysis.verdict (failed) event. The latencies are as the router measured them ' +
      '(stream buckets over the canary period, so they include the router and this busy machine).',
    '',
    '| regression | canary | s to detect | decided by | canary requests at decision | stable p50 / p95 ms | canary p50 / p95 ms | failed client requests |',
    '|---|---|---:|---|---:|---:|---:|---:|',
    ...detectRows('error rate', sub.errorRate),
    ...detectRows('latency ×1.5', sub.latency),
    ...detectRows('latency tail', sub.latencyTail),
    '',
    'The builtin latency judge compares 10 s windows (about 200 canary and 1,800 stable requests) every 10 s and fails on ' +
      'the second failed window, so 20 s is its fastest; the error-rate test decides as soon as the evidence allows.',
    '',
    ...tailNote(sim[TAIL_SIM_LABEL]),
    `The same regressions simulated through the same analysis code (section 3's method; ${c.regressionSimRuns} runs each, up to ` +
      '120 s of canary; seconds from the first canary traffic to the failed verdict), as a check of the real runs and of their spread:',
    '',
    '| simulated | runs | failed | median s | p90 s | max s | decided by |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...Object.entries(sim).map(([label, s]) => simRow(label, s)),
    '',
  ];
}

function aaSection(run: SafetyRun): string[] {
  const { rollout, longRollout } = run.aa;
  const row = (s: SimulationSummary): string =>
    `| ${s.canarySeconds} s | ${s.runs} | ${s.failed} | **${pct(s.failedRate)}** | ${pct(s.failedRateUpper95)} | ` +
    `${s.inconclusive} (${pct(s.inconclusiveRate)}) | ${JSON.stringify(s.failedBy)} | ${JSON.stringify(s.inconclusiveBy)} |`;
  const longNote = longRollout
    ? [
        `Over ${longRollout.canarySeconds} s of canary: ${longRollout.failed} of ${longRollout.runs} ` +
          `(${pct(longRollout.failedRate)}, 95 % upper bound ${pct(longRollout.failedRateUpper95)}). The sequential ` +
          "test's bound holds over any length, but a longer canary phase uses more of it: a rollout that keeps a " +
          'canary for minutes should expect up to alpha = 1 % false rollbacks, the edge of the target.',
        '',
      ]
    : [];
  return [
    '## 3. A/A: canaries identical to stable (simulated)',
    '',
    'Both versions as the HEALTHY model of src/analysis/judges/simulate.ts (0.5 % errors, lognormal latency, median 50 ms, ' +
      'p95 ≈ 114 ms), 200 requests per second, canary 10 %, 100 ms buckets with every latency, seeded (mulberry32, seeds ' +
      `${run.config.seed}…). The buckets go through the engine's own pure analysis code (src/analysis/run/run-state.ts) as the ` +
      'runner drives it: `startRun` with the templates the benchmark spec compiles to (the builtin defaults), every bucket to ' +
      '`observeStream` (the sequential error-rate test), `compareMeasurement` + `recordMeasurement` whenever `nextDue` says the ' +
      'latency comparison is due (at 0 s, 10 s, 20 s, …, over the last 10 s), and at the end the promotion gate: `concludeRun` ' +
      'forced, as the engine does once backgroundMinDuration (30 s) has passed. A failed verdict is a false rollback; an ' +
      'inconclusive one pauses the release for a person (onInconclusive: pause).',
    '',
    '| canary phase | runs | false rollbacks | rate | 95 % upper bound | inconclusive | failed by | inconclusive by |',
    '|---:|---:|---:|---:|---:|---:|---|---|',
    row(rollout),
    ...(longRollout ? [row(longRollout)] : []),
    '',
    "The sequential test keeps its false-failure rate below alpha (1 %) however long it runs (Ville's inequality); the " +
      'latency comparison runs at 0.1 % per test and needs two failed windows. Inconclusive runs are the sequential test ' +
      'truncated at the gate with its likelihood ratio at or above √(1/alpha) = 10, or with fewer than 100 canary requests.',
    '',
    ...longNote,
  ];
}

function flaggerSection(run: SafetyRun): string[] {
  const head = ['## 4. Flagger-like analysis (--long)', ''];
  if (!run.flaggerLike) {
    return [...head, 'Not run (it takes about 6 minutes): `npm run bench -- safety --long`.', ''];
  }
  const side = (label: string, s: SessionResult): string[] =>
    s.runs.map(
      (f) =>
        `| ${label} | ${cell(f.secondsToStable, 1)} | ${f.failedRequests} | ${f.canaryRequests} | ${f.outcomeReason ?? f.outcome} |`,
    );
  return [
    ...head,
    "The broken canary again (retry-on-stable off), with Flagger's defaults written in Greenlight's spec: a check of the " +
      "router's error rate over the last minute, every minute, the first after a minute; rollback once 5 checks have failed " +
      "(Flagger's `threshold: 5`, i.e. failureLimit 4). Beside it, the default runs of section 1.",
    '',
    '```yaml',
    'analysis:',
    ...FLAGGER_LIKE_ANALYSIS.split('\n').map((l) => `  ${l}`),
    '```',
    '',
    '| analysis | s to stable | failed client requests | canary requests | reason |',
    '|---|---:|---:|---:|---|',
    ...side('Flagger-like', run.flaggerLike),
    ...side('builtin default', run.brokenCanary.retryOff),
    '',
  ];
}

export function safetyMarkdown(run: SafetyRun, s: SafetySummary = summary(run)): string {
  const m = run.machine;
  const busiest = Math.max(m.loadAverageAtStart[0] ?? 0, m.loadAverageAtEnd[0] ?? 0);
  const lines = ['# Safety benchmark', ''];
  if (run.quick)
    lines.push(
      '> **QUICK RUN** (single runs, fewer simulations, for development): not a result to quote.',
      '',
    );
  if (busiest > m.nproc)
    lines.push(
      `> The machine was busy with other work (1-minute load average up to ${busiest} on ${m.nproc} CPUs): the ` +
        'timings of the real runs include waiting for a CPU and for the shared disk (fsync).',
      '',
    );
  lines.push(
    `${run.date} · ${m.nproc} CPUs (${m.cpuModel}) · ${m.memoryGiB} GiB · node ${m.node} · load average ` +
      `${m.loadAverageAtStart.join(' ')} at start, ${m.loadAverageAtEnd.join(' ')} at end`,
    '',
    '## Summary',
    '',
    ...headlineRows(run, s),
    '',
    "Medians over the repeated runs, every run beside; *none*: not detected within the run's time limit (the release " +
      'was then aborted), counted as the slowest. A target is met when every run meets it.',
    '',
    ...brokenSection(run),
    ...subtleSection(run),
    ...aaSection(run),
    ...flaggerSection(run),
    '## Reproduce',
    '',
    '```sh',
    'npm run bench -- safety            # scenarios 1-3 (about 15 minutes)',
    'npm run bench -- safety --long     # also the Flagger-like comparison (about 6 minutes more)',
    'npm run bench -- safety --quick    # one run of each, fewer simulations; for development',
    '```',
    '',
    'Options: `--rps N`, `--broken-repeat N`, `--subtle-repeat N`, `--subtle-timeout S`, `--aa-runs N`, `--aa-long-runs N` ' +
      "(0 skips the long A/A), `--seed N`, `--skip-real` (the simulations only; writes nothing). Every run's timeline (epoch ms) is in `safety.json`.",
    '',
  );
  return lines.join('\n');
}

/** Writes safety.json and safety.md into `dir`; returns their paths. */
export async function writeSafetyResults(dir: string, run: SafetyRun): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'safety.json');
  const md = join(dir, 'safety.md');
  const s = summary(run);
  const { brokenCanary, subtleRegression, aa, simulatedDetection, flaggerLike, ...about } = run;
  const detail = { brokenCanary, subtleRegression, aa, simulatedDetection, flaggerLike };
  await writeFile(json, JSON.stringify({ ...s, targets: TARGETS, ...about, detail }, null, 2) + '\n');
  await writeFile(md, safetyMarkdown(run, s));
  return [json, md];
}
