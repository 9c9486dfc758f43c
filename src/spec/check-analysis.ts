// Rules of the analysis section that a schema cannot say: one judge per metric, a query that fits its
// provider (checked with the provider's own schema, so the error names the field inside the query), provider
// names that resolve, template names that exist wherever a template is used, and stream judges only where
// both versions get user traffic.
import { providers, isProviderKind } from '../analysis/providers/registry.js';
import type { Finding } from './findings.js';
import { describeFound, exactlyOne } from './findings.js';
import { validate } from './issues.js';
import { dig, isMap, listWords } from './raw.js';
import type { RawMap } from './raw.js';
import { JUDGE_KINDS } from './schema-analysis.js';
import type { FieldPath } from './source.js';
import { closestName } from './suggest.js';

const ANALYSIS: FieldPath = ['spec', 'analysis'];

/** The provider kind a metric's `provider` names, or undefined (with a finding) when it names none. */
function providerKind(provider: unknown, named: RawMap, path: FieldPath, out: Finding[]): string | undefined {
  const name = typeof provider === 'string' ? provider : 'builtin';
  const settings = named[name];
  if (isMap(settings)) {
    const kinds = Object.keys(settings).filter(isProviderKind);
    return kinds.length === 1 ? kinds[0] : undefined;
  }
  if (isProviderKind(name)) {
    // A kind used without named settings: its defaults must be enough (prometheus needs an address).
    const { findings } = validate(providers[name].configSchema, {});
    if (findings.length > 0) {
      // Declared under another name is the likely mistake: `prom: { prometheus: ... }`, used as `prometheus`.
      const declared = Object.keys(named).find((other) => dig(named, other, name) !== undefined);
      out.push({
        path,
        anchor: 'value',
        found: JSON.stringify(name),
        expected: `a provider declared in spec.analysis.providers with its settings, which ${name} needs`,
        ...(declared === undefined ? {} : { hint: `did you mean ${JSON.stringify(declared)}?` }),
      });
      return undefined;
    }
    return name;
  }
  const known = [...Object.keys(named), ...Object.keys(providers)];
  const suggestion = closestName(name, known);
  out.push({
    path,
    anchor: 'value',
    found: JSON.stringify(name),
    expected: `a provider of spec.analysis.providers or a provider kind: ${listWords(known)}`,
    ...(suggestion === undefined ? {} : { hint: `did you mean ${JSON.stringify(suggestion)}?` }),
  });
  return undefined;
}

function checkMetric(metric: RawMap, path: FieldPath, named: RawMap, out: Finding[]): void {
  const judges = JUDGE_KINDS.filter((kind) => metric[kind] !== undefined);
  if (judges.length > 1) exactlyOne(metric, JUDGE_KINDS, path, out, 'no judge');
  const judge = judges[0];
  if (judge === 'compare' || judge === 'sequential') {
    for (const field of ['provider', 'query', 'role'] as const) {
      if (metric[field] === undefined) continue;
      out.push({
        path: [...path, field],
        anchor: 'key',
        found: `${field} on a ${judge} metric`,
        expected: `no ${field}: the ${judge} judge reads the router's stream of both versions`,
      });
    }
    return;
  }
  const kind = providerKind(metric.provider, named, [...path, 'provider'], out);
  if (judge === 'threshold') {
    const threshold = metric.threshold;
    if (isMap(threshold) && threshold.min === undefined && threshold.max === undefined) {
      out.push({
        path: [...path, 'threshold'],
        anchor: 'value',
        found: 'neither min nor max',
        expected: 'min, max or both',
      });
    }
    if (isMap(threshold) && typeof threshold.min === 'number' && typeof threshold.max === 'number') {
      if (threshold.min > threshold.max) {
        out.push({
          path: [...path, 'threshold', 'min'],
          anchor: 'value',
          found: `min ${threshold.min} above max ${threshold.max}`,
          expected: 'min <= max',
        });
      }
    }
    if (isMap(threshold) && kind === 'builtin') checkFraction(metric.query, threshold, path, out);
  }
  if (metric.query === undefined) {
    out.push({
      path,
      anchor: 'key',
      found: 'no query',
      expected: `a query for the ${kind ?? 'metric'}'s provider, or a compare or sequential judge`,
    });
    return;
  }
  if (kind === undefined || !isProviderKind(kind)) return;
  for (const finding of validate(providers[kind].querySchema, metric.query).findings) {
    out.push({ ...finding, path: [...path, 'query', ...finding.path] });
  }
  // A measurement of a metric without a judge passes unless its source fails it: only a command in exitCode
  // mode does. Any other source (a command's stdout included) would pass whatever it measured.
  if (judge === undefined && !(kind === 'command' && dig(metric.query, 'result') === 'exitCode')) {
    out.push({
      path,
      anchor: 'key',
      found: `a ${kind} metric without a judge`,
      expected:
        'one of: threshold, compare, sequential (only a command with result: exitCode judges by itself)',
    });
  }
}

/** The builtin errorRate is a fraction: a bound above 1 is a percentage written as a number (5 for 5%). */
function checkFraction(query: unknown, threshold: RawMap, path: FieldPath, out: Finding[]): void {
  const stat = typeof query === 'string' ? query : dig(query, 'stat');
  if (stat !== 'errorRate') return;
  for (const bound of ['min', 'max'] as const) {
    const value = threshold[bound];
    if (typeof value !== 'number' || value <= 1) continue;
    out.push({
      path: [...path, 'threshold', bound],
      anchor: 'value',
      found: String(value),
      expected: 'a fraction from 0 to 1 for errorRate',
      hint: `write ${value / 100} for ${value}%`,
    });
  }
}

function checkProviders(named: RawMap, out: Finding[]): void {
  for (const [name, settings] of Object.entries(named)) {
    if (isMap(settings))
      exactlyOne(settings, Object.keys(providers), [...ANALYSIS, 'providers', name], out, 'no kind');
  }
}

function checkTemplates(templates: RawMap, named: RawMap, out: Finding[]): void {
  for (const [template, metrics] of Object.entries(templates)) {
    if (!Array.isArray(metrics)) continue;
    const seen = new Set<string>();
    metrics.forEach((metric, i) => {
      const path: FieldPath = [...ANALYSIS, 'templates', template, i];
      if (!isMap(metric)) return;
      if (typeof metric.name === 'string') {
        if (seen.has(metric.name)) {
          out.push({
            path: [...path, 'name'],
            anchor: 'value',
            found: `a second ${JSON.stringify(metric.name)}`,
            expected: 'a metric name used once in its template',
          });
        }
        seen.add(metric.name);
      }
      checkMetric(metric, path, named, out);
    });
  }
}

/** A template's first metric whose judge reads the router's stream (needs user traffic), in words. */
function streamMetric(templates: RawMap, name: string): string | undefined {
  const metrics = templates[name];
  if (!Array.isArray(metrics)) return undefined;
  for (const metric of metrics) {
    const judge = (['compare', 'sequential'] as const).find((kind) => dig(metric, kind) !== undefined);
    if (judge !== undefined) return `${judge} metric ${describeFound(dig(metric, 'name'))}`;
  }
  return undefined;
}

function checkReference(
  ref: unknown,
  path: FieldPath,
  templates: RawMap,
  out: Finding[],
  noStream?: string,
): void {
  const names = Array.isArray(ref) ? ref : dig(ref, 'templates');
  if (!Array.isArray(names)) return;
  const listPath: FieldPath = Array.isArray(ref) ? path : [...path, 'templates'];
  names.forEach((name, i) => {
    if (typeof name !== 'string') return;
    if (!Object.hasOwn(templates, name)) {
      const known = Object.keys(templates);
      const suggestion = closestName(name, known);
      out.push({
        path: [...listPath, i],
        anchor: 'value',
        found: describeFound(name),
        expected:
          known.length === 0
            ? 'a template of spec.analysis.templates (there are none)'
            : `a template of spec.analysis.templates: ${listWords(known)}`,
        ...(suggestion === undefined ? {} : { hint: `did you mean ${JSON.stringify(suggestion)}?` }),
      });
      return;
    }
    const stream = noStream === undefined ? undefined : streamMetric(templates, name);
    if (stream !== undefined) {
      out.push({
        path: [...listPath, i],
        anchor: 'value',
        found: `template ${JSON.stringify(name)} with ${stream}`,
        expected: `templates with threshold metrics only: ${noStream}`,
      });
    }
  });
}

export function checkAnalysis(spec: unknown, out: Finding[]): void {
  const analysis = dig(spec, 'analysis');
  const templates = isMap(dig(analysis, 'templates')) ? (dig(analysis, 'templates') as RawMap) : {};
  const named = isMap(dig(analysis, 'providers')) ? (dig(analysis, 'providers') as RawMap) : {};
  checkProviders(named, out);
  checkTemplates(templates, named, out);
  const blueGreenOnly =
    dig(spec, 'strategy', 'blueGreen') === undefined
      ? undefined
      : 'under blue-green the two versions never share user traffic';
  checkReference(dig(analysis, 'background'), [...ANALYSIS, 'background'], templates, out, blueGreenOnly);
  checkReference(
    dig(analysis, 'bake'),
    [...ANALYSIS, 'bake'],
    templates,
    out,
    'after the switch the old version has no user traffic to compare with',
  );
  const steps = dig(spec, 'strategy', 'canary', 'steps');
  if (Array.isArray(steps)) {
    steps.forEach((step, i) => {
      const path: FieldPath = ['spec', 'strategy', 'canary', 'steps', i, 'analysis'];
      checkReference(dig(step, 'analysis'), path, templates, out);
    });
  }
  const blueGreen: FieldPath = ['spec', 'strategy', 'blueGreen'];
  checkReference(
    dig(spec, 'strategy', 'blueGreen', 'prePromotionAnalysis'),
    [...blueGreen, 'prePromotionAnalysis'],
    templates,
    out,
    'the preview has no user traffic to compare',
  );
  checkReference(
    dig(spec, 'strategy', 'blueGreen', 'postPromotionAnalysis'),
    [...blueGreen, 'postPromotionAnalysis'],
    templates,
    out,
    'after the switch the old version has no user traffic to compare with',
  );
}
