// Rules of a canary plan: one kind per step, header routes that can match, and a plan that ends where the
// engine can finish from. The engine appends the final move to 100% itself, so the last weight must already
// give users to the new version; a plan without any weight must at least route some users by header.
import type { Finding } from './findings.js';
import { exactlyOne } from './findings.js';
import { isMap } from './raw.js';
import type { RawMap } from './raw.js';
import type { FieldPath } from './source.js';

export const STEP_KINDS = ['setWeight', 'pause', 'setHeaderRoute', 'setMirror', 'analysis'] as const;
export const DEFAULT_PREVIEW_HEADER = 'x-greenlight-version';

function checkHeaderRoute(route: RawMap, path: FieldPath, previewHeader: string, out: Finding[]): void {
  exactlyOne(route, ['header', 'cookie'], path, out, 'no match');
  for (const kind of ['header', 'cookie']) {
    const match = route[kind];
    if (!isMap(match)) continue;
    if (match.value !== undefined && match.regex !== undefined) {
      out.push({
        path: [...path, kind],
        anchor: 'value',
        found: 'both value and regex',
        expected: 'at most one of: value, regex',
      });
    }
    if (
      kind === 'header' &&
      typeof match.name === 'string' &&
      match.name.toLowerCase() === previewHeader.toLowerCase()
    ) {
      out.push({
        path: [...path, kind, 'name'],
        anchor: 'value',
        found: JSON.stringify(match.name),
        expected: 'a header other than traffic.previewHeader, which the router already routes by',
      });
    }
  }
}

function isWeight(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= 100;
}

export function checkCanary(canary: RawMap, previewHeader: unknown, out: Finding[]): void {
  const steps = canary.steps;
  const path: FieldPath = ['spec', 'strategy', 'canary', 'steps'];
  if (!Array.isArray(steps)) return;
  if (steps.length === 0) {
    out.push({
      path,
      anchor: 'value',
      found: 'no steps',
      expected: 'at least one step (leave steps out for the default plan)',
    });
    return;
  }
  const preview = typeof previewHeader === 'string' ? previewHeader : DEFAULT_PREVIEW_HEADER;
  let last: { weight: number; index: number } | undefined;
  let weighted = false;
  let routed = false;
  steps.forEach((step, index) => {
    if (!isMap(step)) return;
    exactlyOne(step, STEP_KINDS, [...path, index], out, 'an empty step');
    if (step.setWeight !== undefined) weighted = true;
    if (isWeight(step.setWeight)) last = { weight: step.setWeight, index };
    if (isMap(step.setHeaderRoute)) {
      routed = true;
      checkHeaderRoute(step.setHeaderRoute, [...path, index, 'setHeaderRoute'], preview, out);
    }
  });
  if (last?.weight === 0) {
    out.push({
      path: [...path, last.index, 'setWeight'],
      anchor: 'value',
      found: 'a plan whose last setWeight is 0',
      expected: 'a last setWeight above 0, since the engine finishes by moving from it to 100%',
    });
  } else if (!weighted && !routed) {
    out.push({
      path,
      anchor: 'value',
      found: 'no setWeight or setHeaderRoute step',
      expected: 'a step that gives users to the new version before the engine gives it all of them',
    });
  }
}
