// Writes the engine benchmark's results: bench/results/engine.json (the run record) and engine.md (the same,
// for people: verdicts against the targets, latencies, where the time goes, setup, how to reproduce).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Distribution } from './engine-measure.js';
import { summary, TARGET_P99_MS, TARGET_RSS_MB, type EngineRun } from './engine-report.js';
import type { ScenarioResult } from './engine-types.js';

const verdict = (ok: boolean): string => (ok ? 'met' : '**not met**');
const row = (label: string, d: Distribution): string =>
  `| ${label} | ${d.count} | ${d.p50} | ${d.p90} | ${d.p99} | ${d.max} |`;
const seconds = (ms: number): string => (ms / 1000).toFixed(1);

const MODE_LABELS: Record<string, string> = {
  production: 'production: SQLite, synchronous=FULL, a transaction per write',
  'sync-normal': 'diagnostic: synchronous=NORMAL (no fsync per commit)',
  'group-commit': 'diagnostic: group commit (the release updates of one event-loop turn in one transaction)',
};

function latencyTable(c: ScenarioResult['canary'], resyncMs: number): string[] {
  return [
    '| measure, ms | samples | p50 | p90 | p99 | max |',
    '|---|---:|---:|---:|---:|---:|',
    row('**step scheduling** (`onStepLatency`): pause due → next step starts', c.stepLatencyMs),
    row('pause due → next step persisted (SQLite commit done)', c.durationDueToPersistedMs),
    row('ready-wait: fake reports sets ready → next step starts', c.readyWaitMs),
    row('ready-wait: fake reports sets ready → next step persisted', c.readyDueToPersistedMs),
    row('no-wait step (set weight, switch, remove) starts → next step starts', c.noWaitMs),
    row('event-loop delay (a 10 ms timer, how late)', c.eventLoopDelayMs),
    '',
    "`stepLatencyMs` is the engine's own `onStepLatency`: for each duration step (two pauses per release), the " +
      'delay from the pause being due to the engine deciding to start the next step, on the system clock. ' +
      'Ready-waits are timed by the benchmark: the fake turns a set ready `readyAfterMs` after it was asked for ' +
      'more instances; the due instant is that, or the step start if later. The engine does not wake on ' +
      `readiness; it sees it at its periodic resync (every ${resyncMs} ms), so a ready-wait takes up to ` +
      `${resyncMs} ms by design, more when the resync falls behind. A step that waits for nothing is due as it ` +
      'starts. Neither is the step-scheduling figure, but both delay the release.',
  ];
}

function diagnosticsLines(run: EngineRun): string[] {
  const rows = [{ storeMode: 'production', canary: run.result.canary }, ...run.diagnostics];
  const lines = [
    '| store | step p50 | step p99 | ready-wait p99 | loop delay max | commits | commits/s | store ms (share of wall) | wall s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const { storeMode, canary: c } of rows) {
    const w = c.storeWrites;
    lines.push(
      `| ${MODE_LABELS[storeMode] ?? storeMode} | ${c.stepLatencyMs.p50} | ${c.stepLatencyMs.p99} | ` +
        `${c.readyWaitMs.p99} | ${c.eventLoopDelayMs.max} | ${w.commits} | ${w.commitsPerSecond} | ` +
        `${w.totalMs} (${Math.round((w.totalMs / c.wallTimeMs) * 100)} %) | ${seconds(c.wallTimeMs)} |`,
    );
  }
  return lines;
}

function markdown(run: EngineRun): string {
  const s = summary(run);
  const { canary: c, memory: m, store: st, setup } = run.result;
  const cfg = run.config;
  const mc = run.machine;
  const w = c.storeWrites;
  const busiest = Math.max(mc.loadAverageAtStart[0] ?? 0, mc.loadAverageAtEnd[0] ?? 0);
  const lines = ['# Engine benchmark', ''];
  if (run.quick) lines.push('> **QUICK RUN** (fewer apps, for development): not a result to quote.', '');
  if (busiest > mc.nproc)
    lines.push(
      `> The machine was busy with other work (1-minute load average up to ${busiest} on ${mc.nproc} CPUs): ` +
        'latency tails are disturbed, and the disk (fsync) is shared too.',
      '',
    );
  lines.push(
    `${run.date} · ${mc.nproc} CPUs (${mc.cpuModel}) · ${mc.memoryGiB} GiB · node ${mc.node} · load average ` +
      `${mc.loadAverageAtStart.join(' ')} at start, ${mc.loadAverageAfterHeadline?.join(' ') ?? 'n/a'} after the ` +
      `headline run, ${mc.loadAverageAtEnd.join(' ')} at end`,
    '',
    `**${s.releases} concurrent canary releases** on ${cfg.apps} apps, the production SQLite store:`,
    '',
    `- step-scheduling latency **p50 ${s.stepLatencyMs.p50} ms, p99 ${s.stepLatencyMs.p99} ms** ` +
      `(target p99 < ${TARGET_P99_MS} ms: ${verdict(s.stepLatencyMs.p99 < TARGET_P99_MS)})`,
    `- **peak RSS ${s.peakRssMB} MB** (target < ${TARGET_RSS_MB} MB: ${verdict(s.peakRssMB < TARGET_RSS_MB)})`,
    `- outcomes: ${Object.entries(c.outcomes)
      .map(([phase, n]) => `${n} ${phase}`)
      .join(
        ', ',
      )}; wall time ${seconds(c.wallTimeMs)} s from the first canary deploy to the last promotion ` +
      `(the ${s.releases} deploys took ${seconds(c.deployWindowMs)} s; at most ${c.peakActive} releases in ` +
      'progress at once)',
    `- store: **${w.commits} write transactions, ${w.commitsPerSecond} per second**, ${w.meanMs} ms each on average`,
    '',
    '## Latency (canary phase only)',
    '',
    ...latencyTable(c, cfg.resyncMs),
    '',
    '## Where the time goes',
    '',
    `Each release writes to the store ${Math.round(w.count / s.releases)} times (createRelease, one updateRelease ` +
      'per step transition and the finish, recordRevision). better-sqlite3 is synchronous, so every commit, with ' +
      `its WAL fsync under synchronous=FULL, holds the one event loop: here ${w.totalMs} ms of the ` +
      `${c.wallTimeMs} ms canary phase (${Math.round((w.totalMs / c.wallTimeMs) * 100)} %), ${w.meanMs} ms per ` +
      `commit on average, ${w.maxMs} ms for the slowest. CPU: ${c.cpu.userMs} ms user + ${c.cpu.systemMs} ms ` +
      `system = ${c.cpu.utilisation} of one core; the rest of the store time is waiting on the disk. A pause ` +
      'timer that falls due reconciles as soon as the event loop is free: after the queue batch, deploy or ' +
      'other timer running then, and after a slow commit, however long it takes. The same scenario on two ' +
      'store variants (diagnostics, not production durability), run after the headline in the same process:',
    '',
    ...diagnosticsLines(run),
    '',
    'Fewer fsyncs (sync-normal) or fewer commits (group commit) shorten the queue; what is left is the CPU of ' +
      'each write (reading the release back, the event hash chain, JSON of the whole plan per update).',
    '',
    'The step p99 follows the disk: a pause that falls due during a slow commit is late by that commit, and once ' +
      "the store's time nears the whole wall time (on a busy disk, at 2 ms or more per commit) every queue grows " +
      'and latencies go to seconds. Compare runs by their commit figures and load averages.',
    '',
    '## Memory, store',
    '',
    `- Peak RSS: ${m.maxRssMB} MB (\`process.resourceUsage().maxRSS\`, the process high-water mark), ` +
      `${m.sampledPeakRssMB} MB sampled every 100 ms (${m.samples} samples); heap used peak ${m.peakHeapUsedMB} MB. ` +
      `RSS ${m.rssBeforeMB} MB before the apps, ${m.rssAtCanaryStartMB} MB when the canaries started.`,
    `- SQLite in a temp dir on this machine's disk, journal ${st.journalMode}, ` +
      `synchronous=${st.synchronous === 2 ? 'FULL' : st.synchronous} (an fsync per commit). Writes by method: ` +
      `${Object.entries(w.byMethod)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}. Database ${st.databaseMB} MB + WAL ${st.walMB} MB at the end; event hash chain ` +
      `verified: ${st.chainOk ? 'ok' : '**broken**'}.`,
    `- Engine log: ${Object.keys(run.result.engineLog).length === 0 ? 'nothing logged' : JSON.stringify(run.result.engineLog)}.`,
    `- Setup, not measured above: ${cfg.apps} putApp in ${setup.putAppsMs} ms; ${setup.firstReleasesPromoted} ` +
      `first releases (v1) promoted in ${setup.firstReleasesMs} ms.`,
    '',
    '## Setup',
    '',
    `- The real \`Engine\` (src/engine/engine.ts) and \`Operations.deploy\` on \`systemClock\`, resync every ` +
      `${cfg.resyncMs} ms (the default), in one process. The engine reconciles at once on a timer, a deploy or ` +
      'a command; the step after a transition, then the resync, go through a queue, ten releases at a time, ' +
      'giving the event loop back every 10 ms (`drain` in src/engine/engine.ts).',
    `- Target: \`MemoryTarget\`, the fake the unit tests use (held to the target conformance suite), ` +
      `readyAfterMs ${cfg.readyAfterMs}; subclassed only to note when each set was asked to grow.`,
    `- ${cfg.apps} apps, 4 instances each, a 1-instance canary. Each app first gets v1 (its first release, ` +
      'promoted); then all get v2 at once: deploys as fast as they go, the event loop given back every 10 ms, as ' +
      'with a flood of API requests.',
    '- Canary steps: setWeight 20, pause, setWeight 50, pause, setWeight 80. The planner adds the ready-waits ' +
      '(canary start, scale to 2 and to 4 instances, full scale) and the promotion (switch, remove v1): 11 steps.',
    `- Pauses: ${
      cfg.pauseSpreadMs === 0
        ? `all ${cfg.pauseMs} ms`
        : `spread by app, app i pauses ${cfg.pauseMs} + ${cfg.pauseSpreadMs}·i/${cfg.apps} ms (both its pauses ` +
          `alike): ${cfg.pauseMs}–${cfg.pauseMs + cfg.pauseSpreadMs} ms`
    }.`,
    `- Machine: ${mc.kernel}; the ${mc.nproc} CPUs and the disk are shared with other engineers' work.`,
    '',
    '## Reproduce',
    '',
    '```sh',
    'npm run bench -- engine                      # 1,000 apps, then the two diagnostic runs (2-3 minutes)',
    'npm run bench -- engine --skip-diagnostics   # the headline run only',
    'npm run bench -- engine --quick              # 100 apps, for development',
    'node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/run.ts engine --skip-diagnostics',
    '```',
    '',
    'Options: `--apps N`, `--ready-after-ms N`, `--pause-ms N`, `--pause-spread-ms N` (0: all pauses alike), ' +
      '`--resync-ms N`. Every figure, diagnostics included, is in `engine.json`.',
    '',
  );
  return lines.join('\n');
}

/** Writes engine.json and engine.md into `dir`; returns their paths. */
export async function writeEngineResults(dir: string, run: EngineRun): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'engine.json');
  const md = join(dir, 'engine.md');
  await writeFile(json, JSON.stringify({ ...summary(run), ...run }, null, 2) + '\n');
  await writeFile(md, markdown(run));
  return [json, md];
}
