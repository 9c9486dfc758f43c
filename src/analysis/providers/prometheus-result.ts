// Reading a Prometheus HTTP API answer: its JSON envelope, the result (scalar, vector or matrix) as series of
// samples, and one number from them. Several series need a declared reducer — never a guess; no series or a
// NaN/±Inf sample is no data; anything that is not a well-formed success is an error.
import { excerpt } from './http-text.js';

export const REDUCERS = ['sum', 'avg', 'max', 'min', 'first'] as const;
export type Reducer = (typeof REDUCERS)[number];

export type PromOutcome =
  | { kind: 'value'; value: number; detail: string }
  | { kind: 'noData'; message: string }
  | { kind: 'error'; message: string };

interface Series {
  labels: string;
  samples: number[];
}

const FOLD: Record<Reducer, (values: number[]) => number> = {
  sum: (values) => values.reduce((a, b) => a + b, 0),
  avg: (values) => values.reduce((a, b) => a + b, 0) / values.length,
  max: (values) => Math.max(...values),
  min: (values) => Math.min(...values),
  first: (values) => values[0] ?? NaN,
};

const SPECIAL: Record<string, number> = { NaN: NaN, '+Inf': Infinity, Inf: Infinity, '-Inf': -Infinity };

/** A sample value as Prometheus writes it ("0.25", "NaN", "+Inf"); undefined when it is not one. */
function sampleValue(pair: unknown): number | undefined {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[1] !== 'string') return undefined;
  const text = pair[1];
  if (text in SPECIAL) return SPECIAL[text];
  const value = Number(text);
  return text.trim() === '' || Number.isNaN(value) ? undefined : value;
}

function labelsOf(metric: unknown): string {
  if (metric === null || typeof metric !== 'object') return '{}';
  const entries = Object.entries(metric as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${k}=${JSON.stringify(String(v))}`).join(',')}}`;
}

/** The result as series sorted by their labels (so `first` is stable); a string when the shape is wrong. */
function seriesOf(resultType: unknown, result: unknown): Series[] | string {
  const bad = `a ${String(resultType)} result of unexpected shape`;
  if (resultType === 'scalar') {
    const value = sampleValue(result);
    return value === undefined ? bad : [{ labels: 'scalar', samples: [value] }];
  }
  if (resultType !== 'vector' && resultType !== 'matrix') {
    return `a result of type ${String(resultType)}, not a number (expected a vector, matrix or scalar)`;
  }
  if (!Array.isArray(result)) return bad;
  const series: Series[] = [];
  for (const item of result as Array<{ metric?: unknown; value?: unknown; values?: unknown }>) {
    const pairs = resultType === 'vector' ? [item?.value] : item?.values;
    if (!Array.isArray(pairs)) return bad;
    const samples = pairs.map(sampleValue);
    if (samples.some((v) => v === undefined)) return bad;
    series.push({ labels: labelsOf(item.metric), samples: samples as number[] });
  }
  return series.sort((a, b) => (a.labels < b.labels ? -1 : a.labels > b.labels ? 1 : 0));
}

/** One number from a parsed `data` member, folded by `reducer` when there are several samples. */
export function reduceResult(
  resultType: unknown,
  result: unknown,
  reducer: Reducer | undefined,
): PromOutcome {
  const series = seriesOf(resultType, result);
  if (typeof series === 'string') return { kind: 'error', message: series };
  const samples = series.flatMap((s) => s.samples);
  if (series.length === 0 || samples.length === 0) {
    return { kind: 'noData', message: 'the query matched no series (an empty result)' };
  }
  if (reducer === undefined && samples.length > 1) {
    const shown = series.slice(0, 3).map((s) => s.labels);
    const more = series.length > 3 ? ', ...' : '';
    const what = series.length > 1 ? `${series.length} series` : `${samples.length} samples`;
    return {
      kind: 'error',
      message: `${what} and no reducer (declare one of ${REDUCERS.join('|')}, or aggregate in the query): ${shown.join(', ')}${more}`,
    };
  }
  const odd = series.find((s) => s.samples.some((v) => !Number.isFinite(v)));
  if (odd !== undefined) {
    const value = odd.samples.find((v) => !Number.isFinite(v));
    return {
      kind: 'noData',
      message: `series ${odd.labels} has the value ${String(value)}, not a finite number`,
    };
  }
  if (reducer === undefined)
    return { kind: 'value', value: samples[0] ?? NaN, detail: `from ${series[0]?.labels}` };
  const detail = `${reducer} of ${samples.length} samples in ${series.length} series`;
  return { kind: 'value', value: FOLD[reducer](samples), detail };
}

/** The whole answer: HTTP status and body text → one outcome. */
export function interpretAnswer(status: number, text: string, reducer: Reducer | undefined): PromOutcome {
  let body: { status?: unknown; errorType?: unknown; error?: unknown; warnings?: unknown; data?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return {
      kind: 'error',
      message: `answered HTTP ${status} with a body that is not JSON: ${excerpt(text)}`,
    };
  }
  if (body === null || typeof body !== 'object') {
    return {
      kind: 'error',
      message: `answered HTTP ${status} with JSON that is not an API answer: ${excerpt(text)}`,
    };
  }
  if (body.status === 'error') {
    return {
      kind: 'error',
      message: `Prometheus refused the query (HTTP ${status}, ${String(body.errorType)}): ${String(body.error)}`,
    };
  }
  if (status !== 200 || body.status !== 'success') {
    return { kind: 'error', message: `answered HTTP ${status}: ${excerpt(text)}` };
  }
  const data = (body.data ?? {}) as { resultType?: unknown; result?: unknown };
  const outcome = reduceResult(data.resultType, data.result, reducer);
  const warnings = Array.isArray(body.warnings) ? body.warnings.map(String) : [];
  if (warnings.length === 0) return outcome;
  const note = ` (warnings: ${warnings.join('; ')})`;
  return outcome.kind === 'value'
    ? { ...outcome, detail: outcome.detail + note }
    : { ...outcome, message: outcome.message + note };
}
