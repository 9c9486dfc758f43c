// greenlight explain RELEASE: what the analysis of a release measured and decided, in order. A header sentence
// (the outcome and the rule that decided it), a table of metrics per run, then the timeline of measurements and
// verdicts relative to the release's start. `-o json` prints the API's answer.
import type {
  AnalysisDecision,
  AnalysisExplanation,
  ExplainedRun,
  TimelineEntry,
} from '../../server/api/analysis-view.js';
import { InvalidInputError } from '../../errors.js';
import { connect, type ApiRequest } from '../client.js';
import { color, outputFormat, printJson, table } from '../output.js';
import { humanDuration, phaseText } from './format.js';
import type { ApiFlags } from './release-action.js';

export function explainRequest(release: string): ApiRequest {
  const id = Number(release);
  if (!/^\d+$/.test(release.trim()) || !Number.isSafeInteger(id) || id < 1) {
    throw new InvalidInputError(`release ${release}: expected a release id (see greenlight history APP)`);
  }
  return { method: 'get', path: `/v1/releases/${id}/analysis` };
}

const PHASE_WORDS: Record<string, string> = {
  progressing: 'in progress',
  paused: 'paused',
  rollingBack: 'rolling back',
  promoted: 'promoted',
  rolledBack: 'rolled back',
  aborted: 'aborted',
  failed: 'failed',
};

const DRY_RUN = ' (dry run)';

/** `+1.5s`, `+2m04s`: time since the release started. */
function relative(at: string, start: string): string {
  const ms = Date.parse(at) - Date.parse(start);
  const sign = ms < 0 ? '-' : '+';
  const abs = Math.abs(ms);
  return `${sign}${abs < 60_000 ? `${(abs / 1000).toFixed(1)}s` : humanDuration(abs)}`;
}

/** Three significant digits, no trailing zeros: 0.0512, 0.3, 1520. */
const valueText = (value: number | null | undefined): string =>
  value === null || value === undefined ? '-' : String(Number(value.toPrecision(3)));

/** What decided the release, in words: `by background/builtin/error-rate (sequential judge): SPRT ...`. */
function decidedText(d: AnalysisDecision): string {
  if (d.by === null) return '';
  const rule = d.rule ? `: ${d.rule}` : '';
  if (d.run !== null && d.metric !== null) {
    return ` by ${d.run}/${d.metric}${d.judge ? ` (${d.judge} judge)` : ''}${rule}`;
  }
  if (d.run !== null) return ` by analysis run ${d.run}${rule}`;
  if (d.by.startsWith('trigger:')) return ` by rollback trigger ${d.by.slice('trigger:'.length)}${rule}`;
  return ` by ${d.by}${rule}`;
}

/** `release 12 of shop (v1 -> v2): rolled back by ...`, or where the runs stand when nothing decided. */
export function headerLine(x: AnalysisExplanation): string {
  const r = x.release;
  const versions = r.fromVersion ? `${r.fromVersion} -> ${r.version}` : r.version;
  const outcome = PHASE_WORDS[r.phase] ?? r.phase;
  const decided = decidedText(x.decision);
  const runs = x.runs.map((run) => `${run.key} ${run.verdict.phase}`).join(', ');
  const tail = decided || (runs ? `; analysis: ${runs}` : '');
  return `release ${r.id} of ${r.app} (${versions}): ${outcome}${tail}`;
}

function runHeading(run: ExplainedRun, start: string): string {
  const decided = run.decidedBy ? `, decided by ${run.decidedBy}` : '';
  const held = run.held ? ', the release was paused on it' : '';
  const compared = run.stable ? `${run.canary} against ${run.stable}` : `${run.canary} (no live version)`;
  return (
    `run ${color('bold', run.key)} (templates ${run.templates.join(', ')}; ${compared}), started ` +
    `${relative(run.startedAt, start)}: ${phaseText(run.verdict.phase)}${decided}${held}`
  );
}

function metricsTable(run: ExplainedRun): string {
  if (run.metrics.length === 0) return '  no metrics (its templates are no longer in the spec)';
  return table(
    ['METRIC', 'JUDGE', 'VERDICT', 'MEASUREMENTS', 'RULE'],
    run.metrics.map((m) => [
      m.dryRun ? `${m.key}${DRY_RUN}` : m.key,
      m.judge,
      phaseText(m.verdict.phase),
      m.measurements,
      m.verdict.rule,
    ]),
  );
}

function timelineRow(e: TimelineEntry, start: string): string[] {
  const metric = e.metric === undefined ? '-' : e.dryRun ? `${e.metric}${DRY_RUN}` : e.metric;
  const phase = e.kind === 'started' ? 'started' : (e.phase ?? '-');
  // A run's rule starts with the metric that decided it, already in its own column.
  const prefix = e.metric === undefined ? '' : `${e.metric}: `;
  const what =
    e.kind === 'verdict' && e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
  const phaseCell =
    e.kind === 'release'
      ? color('bold', e.action)
      : e.kind === 'verdict'
        ? `verdict ${phaseText(phase)}`
        : phaseText(phase);
  return [
    relative(e.at, start),
    e.run ?? '-',
    metric,
    phaseCell,
    e.kind === 'measurement' ? valueText(e.value) : '-',
    e.dryRun ? color('dim', what) : what,
  ];
}

/** Why no run started: none is planned, or the release did not get to one. */
function noAnalysis(x: AnalysisExplanation): string {
  const r = x.release;
  const why =
    x.plannedRuns.length === 0
      ? 'its plan has no analysis run (no analysis in the spec, or builtin analysis off)'
      : `its plan lists ${x.plannedRuns.join(', ')}, but the release ${PHASE_WORDS[r.phase] ?? r.phase}` +
        `${r.outcomeReason ? ` (${r.outcomeReason})` : ''} before any started`;
  return `no analysis ran for release ${r.id}: ${why}`;
}

/** The whole human output of explain. */
export function formatExplanation(x: AnalysisExplanation): string {
  if (x.runs.length === 0 && x.timeline.every((e) => e.kind === 'release')) {
    return `${headerLine(x)}\n${noAnalysis(x)}`;
  }
  const start = x.release.createdAt;
  const lines = [headerLine(x)];
  for (const run of x.runs) lines.push('', runHeading(run, start), metricsTable(run));
  lines.push('', 'timeline (time since the release started)');
  lines.push(
    table(
      ['TIME', 'RUN', 'METRIC', 'PHASE', 'VALUE', 'MESSAGE'],
      x.timeline.map((e) => timelineRow(e, start)),
    ),
  );
  return lines.join('\n');
}

export async function explainCommand(release: string, flags: ApiFlags): Promise<void> {
  const format = outputFormat(flags.output ?? 'table');
  const request = explainRequest(release);
  const answer = await connect(flags).send<AnalysisExplanation>(request);
  if (format === 'json') printJson(answer);
  else console.log(formatExplanation(answer));
}
