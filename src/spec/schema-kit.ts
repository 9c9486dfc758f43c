// Building blocks of the spec schema. Each leaf's error message is the "expected ..." half of a problem
// (`found 150, expected a number from 0 to 100`), so the text is written once, beside the rule it describes.
import { z } from 'zod';
import { DURATION_EXPECTED, DURATION_PATTERN, parseDuration, formatDuration } from './duration.js';
import { SIZE_EXPECTED, SIZE_PATTERN, parseSize } from './size.js';

function range(kind: string, min: number, max: number | undefined): string {
  if (max === undefined) return `${kind} of at least ${min}`;
  return `${kind} from ${min} to ${max}`;
}

export function integer(min: number, max?: number) {
  const expected = range('an integer', min, max);
  const base = z.number({ error: expected }).int({ error: expected }).min(min, { error: expected });
  return max === undefined ? base : base.max(max, { error: expected });
}

export function decimal(min: number, max?: number, expected = range('a number', min, max)) {
  const base = z.number({ error: expected }).min(min, { error: expected });
  return max === undefined ? base : base.max(max, { error: expected });
}

export function text(expected: string, pattern?: RegExp) {
  const base = z.string({ error: expected }).min(1, { error: expected });
  return pattern === undefined ? base : base.regex(pattern, { error: expected });
}

export const bool = () => z.boolean({ error: 'true or false' });

function safeSize(value: string | number): number | undefined {
  try {
    return parseSize(value);
  } catch {
    return undefined;
  }
}

function safeDuration(value: string): number | undefined {
  try {
    return parseDuration(value);
  } catch {
    return undefined;
  }
}

/** A duration string; `min` (a duration) refuses shorter ones, e.g. a probe period of 0s. */
export function duration(min?: string) {
  const minMs = min === undefined ? 0 : parseDuration(min);
  const expected =
    minMs === 0 ? DURATION_EXPECTED : `${DURATION_EXPECTED}, of at least ${formatDuration(minMs)}`;
  return z
    .string({ error: expected })
    .regex(DURATION_PATTERN, { error: expected })
    .refine((value) => (safeDuration(value) ?? minMs) >= minMs, { error: expected });
}

/** A byte size: a whole number of bytes or a string with a unit; `min` (bytes) refuses smaller ones. */
export function size(min = 0) {
  const expected = min === 0 ? SIZE_EXPECTED : `${SIZE_EXPECTED}, of at least ${min} bytes`;
  return z
    .union([
      z.number({ error: expected }).int({ error: expected }).min(0, { error: expected }),
      z.string({ error: expected }).regex(SIZE_PATTERN, { error: expected }),
    ])
    .refine((value) => (safeSize(value) ?? min) >= min, { error: expected });
}

/** A regular expression, checked here so a bad one fails validation rather than the router. */
export function pattern(expected: string) {
  return text(expected).refine(
    (value) => {
      try {
        new RegExp(value);
        return true;
      } catch {
        return false;
      }
    },
    { error: expected },
  );
}

/** A program and its arguments. A shell-style string is refused with the array to write instead. */
export function argv() {
  return z
    .array(z.string({ error: 'a string' }).min(1, { error: 'a non-empty string' }), {
      error: (issue) =>
        typeof issue.input === 'string'
          ? 'an argv array, not a string'
          : 'an argv array with at least the program, e.g. [node, server.js]',
    })
    .min(1);
}

export function stringMap(keyExpected: string, keyPattern: RegExp, valueExpected: string) {
  return z.record(z.string().regex(keyPattern, { error: keyExpected }), z.string({ error: valueExpected }), {
    error: 'a map of names to strings',
  });
}

/** A map with known fields only. The expected text for a wrong type lists the fields, then `note`. */
export function fields<Shape extends z.core.$ZodLooseShape>(shape: Shape, note?: string) {
  const names = Object.keys(shape).filter((name) => !isRefused(shape[name]));
  const listed = names.length === 0 ? 'an empty map {}' : `a map with fields: ${names.join(', ')}`;
  return z.strictObject(shape, { error: note === undefined ? listed : `${listed} (${note})` });
}

/**
 * A field that is named in the schema only to be refused with a clear reason (a feature not built yet),
 * so it is never reported as an unknown field, and editors show the reason.
 */
export function refused(reason: string) {
  return z
    .never({ error: reason })
    .optional()
    .meta({ description: `Not available: ${reason}.` });
}

export function isRefused(schema: unknown): boolean {
  const inner = schema instanceof z.ZodOptional ? schema.unwrap() : schema;
  return inner instanceof z.ZodNever;
}
