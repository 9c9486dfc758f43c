// Query templates: `{{app}}`, `{{version}}`, `{{role}}` and `{{window}}` (the window as a duration like 30s or
// 1m30s, which PromQL accepts in a range selector). Unknown or unclosed placeholders are refused when the spec
// is compiled, so a typo never reaches a data source as literal text.
import { z } from 'zod';
import { formatDuration } from '../../spec/duration.js';
import type { MeasureContext } from './provider.js';

export const TEMPLATE_VARIABLES = ['app', 'version', 'role', 'window'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

const OPENING = /\{\{/g;
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/y;
const SUBSTITUTE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const KNOWN = TEMPLATE_VARIABLES.map((name) => `{{${name}}}`).join(', ');

/**
 * What a template should have been when a placeholder is unknown or unclosed (the "expected" half of a
 * problem, as the spec reports it), or undefined when every placeholder is fine.
 */
export function templateProblem(text: string): string | undefined {
  for (const opening of text.matchAll(OPENING)) {
    PLACEHOLDER.lastIndex = opening.index;
    const match = PLACEHOLDER.exec(text);
    const shown = text.slice(opening.index, opening.index + 20);
    if (match === null) {
      return `placeholders written like {{version}}, one of ${KNOWN} (unclosed or malformed at ${JSON.stringify(shown)})`;
    }
    if (!(TEMPLATE_VARIABLES as readonly string[]).includes(match[1] ?? '')) {
      return `placeholders among ${KNOWN} (unknown: ${match[0]})`;
    }
  }
  return undefined;
}

/** A non-empty string whose placeholders are all known (for provider schemas). */
export function templateText(expected: string) {
  return z
    .string({ error: expected })
    .min(1, { error: expected })
    .superRefine((value, ctx) => {
      const problem = templateProblem(value);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: value });
    });
}

export function templateValues(ctx: MeasureContext): Record<TemplateVariable, string> {
  return { app: ctx.app, version: ctx.version, role: ctx.role, window: formatDuration(ctx.windowMs) };
}

/**
 * Fills a checked template. `escape` adapts each value to where it lands (a PromQL string, a URL), so a version
 * name can never change the structure of a query.
 */
export function renderTemplate(
  text: string,
  values: Record<TemplateVariable, string>,
  escape: (value: string) => string = (value) => value,
): string {
  return text.replace(SUBSTITUTE, (whole, name: string) =>
    name in values ? escape(values[name as TemplateVariable]) : whole,
  );
}
