// Running an http action: a URL called directly, or a path sent to the new version through the router's
// preview route. The answer must have the expected status and, if asked, contain a substring.
import { StringDecoder } from 'node:string_decoder';
import type { HttpAction } from '../spec/compiled-gates.js';
import { fillPlaceholders } from './placeholders.js';
import { formatSeconds, OutputTail, withRetries, type ActionResult, type AttemptOutcome } from './result.js';
import type { ActionContext } from './run-action.js';

interface Request {
  method: HttpAction['method'];
  /** "GET /health" or "GET https://ci.example/status", for messages. */
  label: string;
  target: { url: string } | { path: string };
  headers: Record<string, string>;
}

type Preview = NonNullable<ActionContext['preview']>;

interface Answer {
  status: number;
  bodyContains: boolean;
}

/** Calls the action's URL or preview path, retrying after failures. */
export async function runHttp(action: HttpAction, ctx: ActionContext): Promise<ActionResult> {
  const request = prepare(action, ctx);
  if ('path' in request.target) previewOf(action, ctx);
  return withRetries(action, ctx, async () => {
    const outcome = await attempt(action, request, ctx);
    return { ...outcome, message: ctx.redactor.redact(outcome.message) };
  });
}

function prepare(action: HttpAction, ctx: ActionContext): Request {
  const fill = (text: string): string => fillPlaceholders(text, ctx.vars);
  const headers = Object.fromEntries(
    Object.entries(action.headers).map(([name, value]) => [name, fill(value)]),
  );
  if (action.url !== null) {
    const url = fill(action.url);
    return { method: action.method, label: `${action.method} ${url}`, target: { url }, headers };
  }
  if (action.path !== null) {
    const path = fill(action.path);
    return { method: action.method, label: `${action.method} ${path}`, target: { path }, headers };
  }
  throw new Error(`http action "${action.name}" has neither a url nor a path`);
}

async function attempt(action: HttpAction, request: Request, ctx: ActionContext): Promise<AttemptOutcome> {
  const now = ctx.now ?? Date.now;
  const startedMs = now();
  const tail = new OutputTail();
  const timeout = AbortSignal.timeout(action.timeoutMs);
  const signal = ctx.signal === undefined ? timeout : AbortSignal.any([timeout, ctx.signal]);
  const base = { exitCode: null, status: null };
  let answer: Answer;
  try {
    answer =
      'url' in request.target
        ? await viaFetch(request.target.url, request, action.expectBody, tail, signal)
        : await viaPreview(previewOf(action, ctx), request.target.path, request, action, tail, signal);
  } catch (error) {
    const output = tail.text(ctx.redactor);
    if (timeout.aborted) {
      return {
        ...base,
        ok: false,
        message: `${request.label} timed out after ${formatSeconds(action.timeoutMs)}`,
        output,
      };
    }
    if (ctx.signal?.aborted) return { ...base, ok: false, message: `${request.label} aborted`, output };
    return { ...base, ok: false, message: `${request.label} failed: ${describe(error)}`, output };
  }
  const output = tail.text(ctx.redactor);
  const elapsed = formatSeconds(now() - startedMs);
  const outcome = { ...base, status: answer.status, output };
  if (answer.status !== action.expectStatus) {
    return {
      ...outcome,
      ok: false,
      message: `${request.label} answered ${answer.status}, expected ${action.expectStatus}`,
    };
  }
  if (!answer.bodyContains) {
    const expected = JSON.stringify(action.expectBody);
    return {
      ...outcome,
      ok: false,
      message: `${request.label} answered ${answer.status} without ${expected} in the body`,
    };
  }
  return { ...outcome, ok: true, message: `${request.label} answered ${answer.status} after ${elapsed}` };
}

async function viaFetch(
  url: string,
  request: Request,
  expectBody: string | null,
  tail: OutputTail,
  signal: AbortSignal,
): Promise<Answer> {
  const response = await fetch(url, { method: request.method, headers: request.headers, signal });
  const search = new SubstringSearch(expectBody);
  const decoder = new StringDecoder('utf8');
  // Read chunk by chunk into the bounded tail rather than response.text(): a huge body must not fill memory.
  if (response.body !== null) {
    for await (const chunk of response.body) {
      const bytes = Buffer.from(chunk);
      tail.push(bytes);
      search.feed(decoder.write(bytes));
    }
  }
  search.feed(decoder.end());
  return { status: response.status, bodyContains: search.found };
}

function previewOf(action: HttpAction, ctx: ActionContext): Preview {
  if (ctx.preview !== undefined) return ctx.preview;
  throw new Error(`http action "${action.name}" has a path, but no preview route was given to send it to`);
}

async function viaPreview(
  preview: Preview,
  path: string,
  request: Request,
  action: HttpAction,
  tail: OutputTail,
  signal: AbortSignal,
): Promise<Answer> {
  const answer = await untilAborted(
    preview({ method: request.method, path, headers: request.headers, timeoutMs: action.timeoutMs }),
    signal,
  );
  tail.push(Buffer.from(answer.body));
  return {
    status: answer.status,
    bodyContains: action.expectBody === null || answer.body.includes(action.expectBody),
  };
}

/** The preview function gets the timeout too, but the action's bound must hold even if it ignores it. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Finds a substring in text that arrives in pieces, keeping only enough of the past to span a boundary. */
class SubstringSearch {
  found: boolean;
  private carry = '';

  constructor(private readonly needle: string | null) {
    this.found = needle === null || needle === '';
  }

  feed(text: string): void {
    if (this.found || this.needle === null) return;
    const window = this.carry + text;
    if (window.includes(this.needle)) this.found = true;
    else this.carry = window.slice(Math.max(0, window.length - (this.needle.length - 1)));
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch wraps the network error ("fetch failed"); its cause says what happened (ECONNREFUSED, …).
  const cause = error.cause as NodeJS.ErrnoException | undefined;
  if (cause instanceof Error) return cause.code ?? cause.message;
  return error.message;
}
