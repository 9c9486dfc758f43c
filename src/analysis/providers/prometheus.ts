// The prometheus provider: one PromQL query over the HTTP API, instant (/api/v1/query at the measurement's time)
// or range (/api/v1/query_range over the window), from a template with {{app}}, {{version}}, {{role}} and
// {{window}}. Several series need a declared reducer; an empty result or NaN/±Inf is inconclusive; an HTTP,
// network or Prometheus error, a timeout or a garbled answer is a measurement in phase `error`.
import { z } from 'zod';
import { parseDuration } from '../../spec/duration.js';
import { HEADER_EXPECTED, TOKEN } from '../../spec/names.js';
import { duration, fields, text } from '../../spec/schema-kit.js';
import type { Measurement } from '../measurement.js';
import { Secret, isPlainHttpUrl, parseRaw } from './compile-kit.js';
import { startDeadline } from './deadline.js';
import { excerpt, httpText, shownUrl } from './http-text.js';
import { guarded } from './measurement-kit.js';
import { REDUCERS, interpretAnswer, type Reducer } from './prometheus-result.js';
import type { MeasureContext, MetricProvider, ProviderFactory, ProviderQuery } from './provider.js';
import { renderTemplate, templateText, templateValues } from './template.js';

export const DEFAULT_PROMETHEUS_TIMEOUT_MS = 10_000;

export interface PrometheusConfig {
  /** Base URL of the HTTP API (a path prefix is kept: http://host/prometheus). */
  address: string;
  timeoutMs: number;
  /** Sent with every query; its value never appears in messages or logs. */
  auth?: { header: string; value: Secret };
}

export interface PrometheusQuery extends ProviderQuery {
  /** PromQL with {{app}}, {{version}}, {{role}}, {{window}}. */
  template: string;
  /** Present: a range query over [now - window, now] at this step; its samples need a reducer. */
  range?: { stepMs: number };
  reducer?: Reducer;
}

const ADDRESS_EXPECTED =
  'the http(s) URL of the Prometheus API, e.g. http://127.0.0.1:9090 (no credentials in it)';
const QUERY_EXPECTED =
  'a PromQL query, e.g. sum(rate(http_requests_total{version="{{version}}"}[{{window}}]))';
const REDUCER_EXPECTED = `one of: ${REDUCERS.join(', ')}`;

const configSchema = fields({
  address: text(ADDRESS_EXPECTED).refine(isPlainHttpUrl, { error: ADDRESS_EXPECTED }),
  timeout: duration('1ms').optional().meta({ description: 'Time allowed for one query.', default: '10s' }),
  auth: fields({
    header: text(HEADER_EXPECTED, TOKEN).optional().meta({ default: 'authorization' }),
    value: text('the header value, e.g. "Bearer <token>"'),
  })
    .optional()
    .meta({ description: 'A header sent with every query (never logged).' }),
});

const queryFields = fields({
  query: templateText(QUERY_EXPECTED),
  range: fields({ step: duration('1ms').meta({ description: 'Resolution of the range query.' }) })
    .optional()
    .meta({ description: 'Query the whole window at this step instead of one instant.' }),
  reducer: z
    .enum(REDUCERS, { error: REDUCER_EXPECTED })
    .optional()
    .meta({ description: 'Folds several series (or a range of samples) into one value.' }),
}).superRefine((query, ctx) => {
  if (query.range !== undefined && query.reducer === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['reducer'],
      message: `${REDUCER_EXPECTED} (a range query has many samples to fold into one value)`,
      input: query.reducer,
    });
  }
});

const querySchema = z.union([templateText(QUERY_EXPECTED), queryFields]);

/** A value inside a PromQL double-quoted string: a version name can never close the string early. */
function promqlString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function seconds(ms: number): string {
  return String(ms / 1000);
}

class PrometheusProvider implements MetricProvider<PrometheusQuery> {
  readonly kind = 'prometheus';

  constructor(private readonly config: PrometheusConfig) {}

  measure(query: PrometheusQuery, ctx: MeasureContext): Promise<Measurement> {
    return guarded(query.metric, ctx, async (m) => {
      const promql = renderTemplate(query.template, templateValues(ctx), promqlString);
      const form = new URLSearchParams({ query: promql, timeout: seconds(this.config.timeoutMs) });
      let path = '/api/v1/query';
      if (query.range === undefined) {
        form.set('time', seconds(ctx.now));
      } else {
        path = '/api/v1/query_range';
        form.set('start', seconds(ctx.now - ctx.windowMs));
        form.set('end', seconds(ctx.now));
        form.set('step', seconds(query.range.stepMs));
      }
      const base = new URL(this.config.address);
      const url = new URL(`${base.pathname.replace(/\/+$/, '')}${path}`, base);
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
      if (this.config.auth !== undefined) headers[this.config.auth.header] = this.config.auth.value.reveal();
      const deadline = startDeadline(this.config.timeoutMs, ctx.signal);
      const answer = await httpText(
        { url, method: 'POST', headers, body: form.toString() },
        deadline,
      ).finally(() => deadline.dispose());
      const shown = `${excerpt(promql)} at ${shownUrl(url)}`;
      if (!answer.ok) return m.error(`prometheus: ${answer.message}`);
      const outcome = interpretAnswer(answer.status, answer.text, query.reducer);
      if (outcome.kind === 'error') return m.error(`prometheus ${shown}: ${outcome.message}`);
      if (outcome.kind === 'noData') return m.inconclusive(`prometheus ${shown}: ${outcome.message}`);
      return m.value(outcome.value, `prometheus ${shown}: ${outcome.value} (${outcome.detail})`);
    });
  }
}

export const prometheusProvider: ProviderFactory<PrometheusConfig, PrometheusQuery> = {
  kind: 'prometheus',
  configSchema,
  querySchema,
  compileConfig(raw, path = 'prometheus') {
    const parsed = parseRaw(configSchema, raw, path, 'prometheus provider settings');
    return {
      address: parsed.address,
      timeoutMs: parsed.timeout === undefined ? DEFAULT_PROMETHEUS_TIMEOUT_MS : parseDuration(parsed.timeout),
      ...(parsed.auth === undefined
        ? {}
        : { auth: { header: parsed.auth.header ?? 'authorization', value: new Secret(parsed.auth.value) } }),
    };
  },
  compileQuery(metric, raw, path = 'query') {
    if (typeof raw === 'string') {
      return { metric, template: parseRaw(templateText(QUERY_EXPECTED), raw, path, 'prometheus query') };
    }
    const parsed = parseRaw(queryFields, raw, path, 'prometheus query');
    return {
      metric,
      template: parsed.query,
      ...(parsed.range === undefined ? {} : { range: { stepMs: parseDuration(parsed.range.step) } }),
      ...(parsed.reducer === undefined ? {} : { reducer: parsed.reducer }),
    };
  },
  create(config) {
    return new PrometheusProvider(config);
  },
};
