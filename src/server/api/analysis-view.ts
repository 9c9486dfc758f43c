// The analysis view model of one release, for `greenlight explain` and GET /v1/releases/{id}/analysis: its
// analysis runs as the release state keeps them (every metric's judge, verdict and the rule that decided), the
// timeline of its analysis events in the order the controller recorded them, and what decided the outcome.
// Pure: the route reads the release and its events, this shapes them.
import type { Measurement, Verdict } from '../../analysis/measurement.js';
import type { AnalysisRunState, MetricRunState } from '../../analysis/run/run-state.js';
import { formatDuration } from '../../analysis/judges/format.js';
import { reasonOf } from '../../engine/analysis.js';
import type { GreenlightEvent, Release } from '../../engine/model.js';

export interface ExplainedMetric {
  /** `template/metric`. */
  key: string;
  template: string;
  name: string;
  judge: MetricRunState['judge'];
  /** Measured and shown, never acts on the release. */
  dryRun: boolean;
  verdict: Verdict;
  /** How many measurements were judged (all of them are in the timeline). */
  measurements: number;
  /** The last few measurements, as the release state keeps them. */
  recent: Measurement[];
}

export interface ExplainedRun {
  key: string;
  templates: string[];
  startedAt: string;
  durationMs: number | null;
  concludedAt: string | null;
  /** The versions compared: the new one and the live one (null for a first release). */
  canary: string;
  stable: string | null;
  verdict: Verdict;
  /** The metric (`template/metric`) whose verdict decided the run's, once final. */
  decidedBy: string | null;
  /** The release was paused on this run's inconclusive verdict. */
  held: boolean;
  /** In the order of the run's templates and their metrics. */
  metrics: ExplainedMetric[];
}

export type TimelineKind = 'started' | 'measurement' | 'verdict' | 'inconclusive' | 'release';

export interface TimelineEntry {
  /** The event's id: entries are in the order the controller recorded them. */
  event: number;
  at: string;
  kind: TimelineKind;
  /** The event's action: analysis.measurement, release.rollingBack, trigger.fired... */
  action: string;
  run?: string;
  metric?: string;
  phase?: string;
  value?: number | null;
  /** The measurement's message, the verdict's rule, or why the release changed. */
  message: string;
  rule?: string;
  dryRun?: boolean;
}

export interface AnalysisDecision {
  /** The release's outcome reason (`analysis:background/builtin/error-rate`, `trigger:error-rate`...), or the
   * run it is paused on; null when nothing decided against it. */
  by: string | null;
  run: string | null;
  metric: string | null;
  judge: MetricRunState['judge'] | null;
  /** The rule that decided, in words. */
  rule: string | null;
}

export interface AnalysisExplanation {
  release: Pick<
    Release,
    'id' | 'app' | 'version' | 'fromVersion' | 'phase' | 'outcomeReason' | 'createdAt' | 'finishedAt'
  >;
  /** The analysis runs the release's plan lists, in plan order (whether they started or not). */
  plannedRuns: string[];
  /** The runs that started, in the order they started. */
  runs: ExplainedRun[];
  timeline: TimelineEntry[];
  decision: AnalysisDecision;
}

const RELEASE_ACTIONS = new Set([
  'trigger.fired',
  'release.failing',
  'release.rollingBack',
  'release.paused',
  'release.resumed',
  'release.aborting',
  'release.promoted',
  'release.rolledBack',
  'release.aborted',
  'release.failed',
]);

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const str = (data: Record<string, unknown>, key: string): string | undefined =>
  typeof data[key] === 'string' ? data[key] : undefined;
const num = (data: Record<string, unknown>, key: string): number | undefined =>
  typeof data[key] === 'number' ? data[key] : undefined;

function explainRun(state: AnalysisRunState): ExplainedRun {
  return {
    key: state.key,
    templates: state.templates,
    startedAt: new Date(state.startedAt).toISOString(),
    durationMs: state.durationMs,
    concludedAt: iso(state.concludedAt),
    canary: state.canary,
    stable: state.stable,
    verdict: state.verdict,
    decidedBy: state.decidedBy,
    held: state.held,
    metrics: Object.entries(state.metrics).map(([key, m]) => ({
      key,
      template: m.template,
      name: m.name,
      judge: m.judge,
      dryRun: m.dryRun,
      verdict: m.verdict,
      measurements: m.measurements,
      recent: m.recent,
    })),
  };
}

/** What a trigger.fired event says: `error-rate 0.31 > 0.05 over 120 requests`. */
function triggerText(data: Record<string, unknown>): string {
  const [value, max, requests] = [num(data, 'value'), num(data, 'max'), num(data, 'requests')];
  if (value === undefined || max === undefined) return '';
  const over = requests === undefined ? '' : ` over ${requests} requests`;
  return `${str(data, 'metric') ?? str(data, 'name') ?? 'value'} ${value} > ${max}${over}`;
}

function startedText(data: Record<string, unknown>): string {
  const templates = Array.isArray(data.templates) ? data.templates.map(String).join(', ') : '';
  const duration = num(data, 'durationMs');
  return `templates ${templates}${duration === undefined ? ', until its metrics conclude' : `, for ${formatDuration(duration)}`}`;
}

/** One event as a timeline entry, or null when it is not about analysis or the release's outcome. */
function entryOf(e: GreenlightEvent): TimelineEntry | null {
  const base = { event: e.id, at: e.at, action: e.action };
  const d = e.data;
  const run = str(d, 'run');
  const where = { ...(run === undefined ? {} : { run }) };
  switch (e.action) {
    case 'analysis.started':
      return { ...base, ...where, kind: 'started', message: startedText(d) };
    case 'analysis.measurement': {
      const metric = str(d, 'metric');
      return {
        ...base,
        ...where,
        kind: 'measurement',
        ...(metric === undefined ? {} : { metric }),
        phase: str(d, 'phase') ?? 'unknown',
        value: num(d, 'value') ?? null,
        message: str(d, 'message') ?? '',
        dryRun: d.dryRun === true,
      };
    }
    case 'analysis.verdict':
    case 'analysis.inconclusive': {
      const metric = str(d, e.action === 'analysis.verdict' ? 'decidedBy' : 'metric');
      const rule = str(d, 'rule') ?? '';
      return {
        ...base,
        ...where,
        kind: e.action === 'analysis.verdict' ? 'verdict' : 'inconclusive',
        ...(metric === undefined ? {} : { metric }),
        phase: str(d, 'phase') ?? 'inconclusive',
        message: rule,
        rule,
      };
    }
    default:
      if (!RELEASE_ACTIONS.has(e.action)) return null;
      return {
        ...base,
        kind: 'release',
        message: e.action === 'trigger.fired' ? triggerText(d) || (e.reason ?? '') : (e.reason ?? ''),
      };
  }
}

/** The reason behind a non-analysis outcome, from the event that recorded it. */
function otherRule(by: string, events: GreenlightEvent[]): string | null {
  const last = (action: string) => events.findLast((e) => e.action === action);
  if (by.startsWith('trigger:')) {
    const fired = last('trigger.fired');
    return fired ? triggerText(fired.data) || null : null;
  }
  if (by === 'abort') return last('release.aborting')?.reason ?? null;
  const failing = last('release.failing');
  if (!failing) return null;
  const message = str(failing.data, 'message');
  if (message) return message;
  const waited = num(failing.data, 'waitedMs');
  const what = str(failing.data, 'for');
  return waited !== undefined && what ? `waited ${formatDuration(waited)} for ${what}` : null;
}

function decisionOf(
  release: Release,
  states: AnalysisRunState[],
  events: GreenlightEvent[],
): AnalysisDecision {
  const held =
    release.phase === 'paused' ? states.find((s) => s.held && s.verdict.phase === 'inconclusive') : undefined;
  const by = release.outcomeReason ?? (held ? reasonOf(held) : null);
  const none = { by, run: null, metric: null, judge: null, rule: null };
  if (by === null) return none;
  if (!by.startsWith('analysis:')) return { ...none, rule: otherRule(by, events) };
  const [run = '', ...rest] = by.slice('analysis:'.length).split('/');
  const metric = rest.length > 0 ? rest.join('/') : null;
  const state = states.find((s) => s.key === run);
  const metricState = metric === null ? undefined : state?.metrics[metric];
  const verdictEvent = events.findLast((e) => e.action === 'analysis.verdict' && e.data.run === run);
  const rule =
    metricState?.verdict.rule ??
    state?.verdict.rule ??
    (verdictEvent ? (str(verdictEvent.data, 'rule') ?? null) : null);
  return { by, run, metric, judge: metricState?.judge ?? null, rule };
}

/**
 * The analysis of a release: its runs from the release state (started order), the timeline from its events
 * (id order), and the decision. `events` are the release's events, in any order.
 */
export function explainAnalysis(release: Release, events: readonly GreenlightEvent[]): AnalysisExplanation {
  const ordered = [...events].sort((a, b) => a.id - b.id);
  const planned = [...new Set(release.plan.flatMap((step) => (step.analysis ?? []).map((run) => run.key)))];
  const rank = (key: string): number => {
    const i = planned.indexOf(key);
    return i < 0 ? planned.length : i;
  };
  const states = Object.values(release.runtime.analysis ?? {}).sort(
    (a, b) => a.startedAt - b.startedAt || rank(a.key) - rank(b.key),
  );
  return {
    release: {
      id: release.id,
      app: release.app,
      version: release.version,
      fromVersion: release.fromVersion,
      phase: release.phase,
      outcomeReason: release.outcomeReason,
      createdAt: release.createdAt,
      finishedAt: release.finishedAt,
    },
    plannedRuns: planned,
    runs: states.map(explainRun),
    timeline: ordered.flatMap((e) => entryOf(e) ?? []),
    decision: decisionOf(release, states, ordered),
  };
}
