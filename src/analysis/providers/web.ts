// The web provider: an HTTP GET or POST answering JSON, the value picked by a small JSONPath (`$.data.value`).
// URL, header values and body are templates ({{app}}, {{version}}, {{role}}, {{window}}). A network error, a
// timeout, a non-2xx status, a body that is not JSON or a value of the wrong type is `error`; a path that
// leads to nothing (or null) is no data: `inconclusive`. Header values are kept as secrets, never shown.
import { z } from 'zod';
import { parseDuration } from '../../spec/duration.js';
import { HEADER_EXPECTED, TOKEN } from '../../spec/names.js';
import { duration, fields, stringMap, text } from '../../spec/schema-kit.js';
import type { Measurement } from '../measurement.js';
import { Secret, isPlainHttpUrl, parseRaw } from './compile-kit.js';
import { startDeadline } from './deadline.js';
import { excerpt, httpText, shownUrl } from './http-text.js';
import { jsonPathProblem, parseJsonPath, pickJsonPath, type JsonPath } from './jsonpath.js';
import { guarded } from './measurement-kit.js';
import type { MeasureContext, MetricProvider, ProviderFactory, ProviderQuery } from './provider.js';
import { renderTemplate, templateText, templateValues, type TemplateVariable } from './template.js';

export const DEFAULT_WEB_TIMEOUT_MS = 10_000;

export interface WebConfig {
  /** Default for queries that set none. */
  timeoutMs: number;
  /** Sent with every query of this provider (a query's own headers win). */
  headers: Array<[string, Secret]>;
}

export interface WebQuery extends ProviderQuery {
  method: 'GET' | 'POST';
  /** URL template; values are URL-encoded where they land. */
  url: string;
  headers: Array<[string, Secret]>;
  /** A text template, or JSON whose string leaves are templates (sent as application/json). */
  body?: { text: string } | { json: unknown };
  jsonPath: JsonPath;
  timeoutMs?: number;
}

const URL_EXPECTED = 'an http(s) URL returning JSON, e.g. http://127.0.0.1:8080/stats/{{version}}';
const PATH_EXPECTED = "a JSONPath like $.data.value or $.items[0]['error-rate']";
const SAMPLE: Record<TemplateVariable, string> = { app: 'app', version: 'v1', role: 'canary', window: '30s' };

const headersSchema = () =>
  stringMap(HEADER_EXPECTED, TOKEN, 'a header value (a string)').meta({
    description: 'Request headers; values may use {{app}}, {{version}}, {{role}}, {{window}}; never logged.',
  });

const configSchema = fields({
  timeout: duration('1ms').optional().meta({ description: 'Time allowed for one request.', default: '10s' }),
  headers: headersSchema().optional(),
});

const querySchema = fields({
  url: templateText(URL_EXPECTED).refine((url) => isPlainHttpUrl(renderTemplate(url, SAMPLE)), {
    error: URL_EXPECTED,
  }),
  method: z.enum(['GET', 'POST'], { error: 'GET or POST' }).optional().meta({ default: 'GET' }),
  headers: headersSchema().optional(),
  body: z
    .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())], {
      error: 'a string, or a map or list sent as JSON',
    })
    .optional(),
  jsonPath: text(PATH_EXPECTED).superRefine((path, ctx) => {
    const problem = jsonPathProblem(path);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: path });
  }),
  timeout: duration('1ms').optional().meta({ description: "Overrides the provider's timeout." }),
}).superRefine((query, ctx) => {
  if (query.body !== undefined && query.method !== 'POST') {
    ctx.addIssue({
      code: 'custom',
      path: ['method'],
      message: 'POST (a request with a body)',
      input: query.method,
    });
  }
});

function secretHeaders(map: Record<string, string> | undefined): Array<[string, Secret]> {
  return Object.entries(map ?? {}).map(([name, value]) => [name.toLowerCase(), new Secret(value)]);
}

/** JSON whose string leaves are filled; the structure itself never changes. */
function renderJson(value: unknown, values: Record<TemplateVariable, string>): unknown {
  if (typeof value === 'string') return renderTemplate(value, values);
  if (Array.isArray(value)) return value.map((item) => renderJson(item, values));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderJson(v, values)]));
  }
  return value;
}

/** The picked JSON value as a number: numbers, numeric strings, and booleans (true 1, false 0). */
function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isNaN(parsed) && value.trim() !== 'NaN' ? undefined : parsed;
  }
  return undefined;
}

class WebProvider implements MetricProvider<WebQuery> {
  readonly kind = 'web';

  constructor(private readonly config: WebConfig) {}

  measure(query: WebQuery, ctx: MeasureContext): Promise<Measurement> {
    return guarded(query.metric, ctx, async (m) => {
      const values = templateValues(ctx);
      const url = new URL(renderTemplate(query.url, values, encodeURIComponent));
      const headers: Record<string, string> = { accept: 'application/json' };
      let body: string | undefined;
      if (query.body !== undefined && 'json' in query.body) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(renderJson(query.body.json, values));
      } else if (query.body !== undefined) {
        body = renderTemplate(query.body.text, values);
      }
      for (const [name, value] of [...this.config.headers, ...query.headers]) {
        headers[name] = renderTemplate(value.reveal(), values);
      }
      const deadline = startDeadline(query.timeoutMs ?? this.config.timeoutMs, ctx.signal);
      const answer = await httpText(
        { url, method: query.method, headers, ...(body === undefined ? {} : { body }) },
        deadline,
      ).finally(() => deadline.dispose());
      if (!answer.ok) return m.error(`web: ${answer.message}`);
      const where = `web ${query.method} ${shownUrl(url)}`;
      if (answer.status < 200 || answer.status > 299) {
        return m.error(`${where} answered HTTP ${answer.status}: ${excerpt(answer.text)}`);
      }
      let document: unknown;
      try {
        document = JSON.parse(answer.text);
      } catch {
        return m.error(`${where} answered a body that is not JSON: ${excerpt(answer.text)}`);
      }
      const picked = pickJsonPath(query.jsonPath, document);
      if (!picked.found && picked.why === 'absent') return m.inconclusive(`${where}: ${picked.message}`);
      if (!picked.found) return m.error(`${where}: ${picked.message}`);
      const value = numberOf(picked.value);
      if (value === undefined) {
        return m.error(
          `${where}: ${query.jsonPath.text} is ${excerpt(JSON.stringify(picked.value), 60)}, not a number`,
        );
      }
      return m.value(value, `${where}: ${query.jsonPath.text} = ${value}`);
    });
  }
}

export const webProvider: ProviderFactory<WebConfig, WebQuery> = {
  kind: 'web',
  configSchema,
  querySchema,
  compileConfig(raw, path = 'web') {
    const parsed = parseRaw(configSchema, raw ?? {}, path, 'web provider settings');
    return {
      timeoutMs: parsed.timeout === undefined ? DEFAULT_WEB_TIMEOUT_MS : parseDuration(parsed.timeout),
      headers: secretHeaders(parsed.headers),
    };
  },
  compileQuery(metric, raw, path = 'query') {
    const parsed = parseRaw(querySchema, raw, path, 'web query');
    const body =
      parsed.body === undefined
        ? undefined
        : typeof parsed.body === 'string'
          ? { text: parsed.body }
          : { json: parsed.body };
    return {
      metric,
      method: parsed.method ?? 'GET',
      url: parsed.url,
      headers: secretHeaders(parsed.headers),
      ...(body === undefined ? {} : { body }),
      jsonPath: parseJsonPath(parsed.jsonPath),
      ...(parsed.timeout === undefined ? {} : { timeoutMs: parseDuration(parsed.timeout) }),
    };
  },
  create(config) {
    return new WebProvider(config);
  },
};
