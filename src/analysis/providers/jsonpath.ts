// A small JSONPath subset to pick one value out of a JSON answer: `$`, `.name`, `['name']` / `["name"]` and
// `[index]`, e.g. `$.data.result[0].value`. Anything else (wildcards, `..`, filters, slices, negative indexes)
// is refused when the spec is compiled, with the position and what is supported, instead of matching nothing.
import { InvalidInputError } from '../../errors.js';

export type JsonPathStep = { key: string } | { index: number };

export interface JsonPath {
  text: string;
  steps: JsonPathStep[];
}

const SUPPORTED = "$, .name, ['name'], [index]";
const NAME = /[A-Za-z_][A-Za-z0-9_-]*/y;
const INDEX = /(0|[1-9][0-9]*)\]/y;

const UNSUPPORTED: Array<[RegExp, string]> = [
  [/\.\./y, 'recursive descent (..) is not supported'],
  [/\.?\*|\[\*\]/y, 'wildcards (*) are not supported'],
  [/\[\?/y, 'filters ([?...]) are not supported'],
  [/\[-/y, 'negative indexes are not supported'],
  [/\[[0-9]*:/y, 'slices ([a:b]) are not supported'],
  [/\[[0-9 ]*,/y, 'unions ([a,b]) are not supported'],
];

function refuse(text: string, at: number, what: string): never {
  throw new InvalidInputError(
    `unsupported JSONPath ${JSON.stringify(text)} at position ${at + 1}: ${what}; supported: ${SUPPORTED}`,
    { jsonPath: text, position: at + 1, reason: what },
  );
}

/** Reads a quoted key starting at `at` (the quote); returns the key and the index after the closing `]`. */
function quoted(text: string, at: number): [string, number] {
  const quote = text[at];
  let key = '';
  let i = at + 1;
  while (i < text.length && text[i] !== quote) {
    if (text[i] === '\\') {
      const next = text[i + 1];
      if (next !== quote && next !== '\\') refuse(text, i, 'an escape other than \\\\ or \\' + quote);
      key += next;
      i += 2;
    } else {
      key += text[i];
      i += 1;
    }
  }
  if (text[i] !== quote) refuse(text, at, 'an unclosed quoted name');
  if (text[i + 1] !== ']') refuse(text, i + 1, 'one quoted name per [...] (unions are not supported)');
  return [key, i + 2];
}

/** Parses a path of the supported subset; throws InvalidInputError naming the position otherwise. */
export function parseJsonPath(text: string): JsonPath {
  if (!text.startsWith('$')) refuse(text, 0, 'a path must start with $');
  const steps: JsonPathStep[] = [];
  let i = 1;
  while (i < text.length) {
    for (const [pattern, what] of UNSUPPORTED) {
      pattern.lastIndex = i;
      if (pattern.test(text)) refuse(text, i, what);
    }
    if (text[i] === '.') {
      NAME.lastIndex = i + 1;
      const match = NAME.exec(text);
      if (match === null)
        refuse(text, i + 1, "a name after '.' (letters, digits, _ and -; quote others: ['a b'])");
      steps.push({ key: match[0] });
      i = NAME.lastIndex;
    } else if (text[i] === '[' && (text[i + 1] === "'" || text[i + 1] === '"')) {
      const [key, next] = quoted(text, i + 1);
      steps.push({ key });
      i = next;
    } else if (text[i] === '[') {
      INDEX.lastIndex = i + 1;
      const match = INDEX.exec(text);
      if (match === null) refuse(text, i, 'an index must be a whole number, e.g. [0]');
      steps.push({ index: Number(match[1]) });
      i = INDEX.lastIndex;
    } else {
      refuse(text, i, `unexpected ${JSON.stringify(text[i])}`);
    }
  }
  return { text, steps };
}

/**
 * What a path should have been (the "expected" half of a spec problem), or undefined when it is in the
 * supported subset.
 */
export function jsonPathProblem(text: string): string | undefined {
  try {
    parseJsonPath(text);
    return undefined;
  } catch (error) {
    const { position, reason } = (error as InvalidInputError).details as { position: number; reason: string };
    return `a JSONPath in the supported subset (${SUPPORTED}); at position ${position}: ${reason}`;
  }
}

export type Picked =
  | { found: true; value: unknown }
  /** absent: a key or index that is not there, or null on the way (no data); wrongType: the shape differs. */
  | { found: false; why: 'absent' | 'wrongType'; message: string };

function typeName(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function shownPath(steps: JsonPathStep[]): string {
  return `$${steps.map((s) => ('key' in s ? `[${JSON.stringify(s.key)}]` : `[${s.index}]`)).join('')}`;
}

/** The value `path` points at in `document`. */
export function pickJsonPath(path: JsonPath, document: unknown): Picked {
  let current = document;
  for (let n = 0; n < path.steps.length; n++) {
    const step = path.steps[n] as JsonPathStep;
    const here = shownPath(path.steps.slice(0, n));
    if (current === null || current === undefined) {
      return { found: false, why: 'absent', message: `nothing at ${here} (null)` };
    }
    if ('index' in step) {
      if (!Array.isArray(current)) {
        return { found: false, why: 'wrongType', message: `${here} is ${typeName(current)}, not an array` };
      }
      if (step.index >= current.length) {
        return {
          found: false,
          why: 'absent',
          message: `${here} has ${current.length} items, no [${step.index}]`,
        };
      }
      current = current[step.index] as unknown;
    } else {
      if (typeof current !== 'object' || Array.isArray(current)) {
        return { found: false, why: 'wrongType', message: `${here} is ${typeName(current)}, not an object` };
      }
      if (!Object.hasOwn(current, step.key)) {
        return { found: false, why: 'absent', message: `${here} has no field ${JSON.stringify(step.key)}` };
      }
      current = (current as Record<string, unknown>)[step.key];
    }
  }
  if (current === null || current === undefined) {
    return { found: false, why: 'absent', message: `${path.text} is null` };
  }
  return { found: true, value: current };
}
