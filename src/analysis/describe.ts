// The analysis of a spec in words, for `greenlight plan` and the API: which templates run where, and for every
// metric what it reads and which judge decides, so a user sees the builtin defaults before a release uses them.
import type { AnalysisMetricSpec, AnalysisSpec } from '../spec/compiled.js';
import { formatDuration } from './judges/format.js';

export interface MetricDescription {
  /** template/metric */
  key: string;
  judge: AnalysisMetricSpec['judge']['kind'];
  /** What is measured and how it is judged, in one line. */
  description: string;
  dryRun: boolean;
}

export interface AnalysisDescription {
  /** True when no analysis is configured and the builtin defaults apply. */
  builtinDefaults: boolean;
  metrics: MetricDescription[];
  background: string[];
  backgroundMin: string;
  bake: string | null;
  onInconclusive: AnalysisSpec['onInconclusive'];
}

const pct = (v: number): string => `${+(v * 100).toPrecision(3)}%`;

function limits(m: AnalysisMetricSpec): string {
  const parts = [`every ${formatDuration(m.intervalMs)}`];
  if (m.count !== null) parts.push(`${m.count} times`);
  if (m.initialDelayMs > 0) parts.push(`after ${formatDuration(m.initialDelayMs)}`);
  if (m.failureLimit > 0) parts.push(`fails after ${m.failureLimit + 1} failed`);
  return parts.join(', ');
}

export function describeMetric(m: AnalysisMetricSpec): string {
  const judge = m.judge;
  switch (judge.kind) {
    case 'sequential':
      return (
        `sequential test of the error rate against stable on the router stream ` +
        `(false failures ≤ ${pct(judge.alpha)}, catches ${judge.oddsRatio}× the error odds)`
      );
    case 'compare': {
      const tests = judge.tests
        .map(
          (t) =>
            `${t.name} ${t.test}${t.test === 'quantile' ? ` p${t.quantile * 100}` : ''} ±${pct(t.tolerance)}`,
        )
        .join(', ');
      return `canary against stable over ${formatDuration(judge.windowMs)} windows (${tests}; pass ≥ ${judge.pass}), ${limits(m)}`;
    }
    case 'threshold': {
      const source = m.source
        ? `${m.source.provider} ${typeof m.source.query === 'string' ? m.source.query : JSON.stringify(m.source.query)}`
        : m.name;
      const bounds = [judge.max === null ? '' : `> ${judge.max}`, judge.min === null ? '' : `< ${judge.min}`]
        .filter(Boolean)
        .join(' or ');
      const held = judge.forMs > 0 ? ` for ${formatDuration(judge.forMs)}` : '';
      const rule = bounds === '' ? 'judged by its source' : `fails when ${bounds}${held}`;
      return `${source}: ${rule}, ${limits(m)}`;
    }
  }
}

export function describeAnalysis(analysis: AnalysisSpec): AnalysisDescription {
  const metrics: MetricDescription[] = [];
  for (const [template, list] of Object.entries(analysis.templates)) {
    for (const m of list) {
      metrics.push({
        key: `${template}/${m.name}`,
        judge: m.judge.kind,
        description: describeMetric(m),
        dryRun: m.dryRun,
      });
    }
  }
  const bake = analysis.bake;
  return {
    builtinDefaults: analysis.builtinDefaults,
    metrics,
    background: [...analysis.background],
    backgroundMin: formatDuration(analysis.backgroundMinMs),
    bake:
      bake === null
        ? null
        : `${bake.templates.join(', ')}${bake.durationMs === null ? '' : ` for ${formatDuration(bake.durationMs)}`}`,
    onInconclusive: analysis.onInconclusive,
  };
}
