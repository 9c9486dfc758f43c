// A problem before it has a place in the file: a field path, what was found, what was expected. Schema
// issues and rule checks both produce findings; load.ts gives them positions and sorts them.
import type { Anchor, FieldPath, SpecSource } from './source.js';
import { formatPath } from './source.js';
import type { SpecProblem } from './spec-error.js';
import { dig, listWords, presentKeys } from './raw.js';
import type { RawMap } from './raw.js';

export interface Finding {
  path: FieldPath;
  anchor: Anchor;
  found?: string;
  expected?: string;
  hint?: string;
  /** A sentence of its own, for refusals that are not a found/expected pair. */
  message?: string;
}

const MAX_SHOWN = 60;

/** How a value is named in a message: strings quoted, numbers as written, lists and maps by kind. */
export function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return Object.keys(value).length === 0 ? 'an empty map' : 'a map';
  if (typeof value === 'string') {
    const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}...` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}

export function messageOf(finding: Finding): string {
  const base =
    finding.message ?? `found ${finding.found ?? 'nothing'}, expected ${finding.expected ?? 'nothing'}`;
  return finding.hint === undefined ? base : `${base} (${finding.hint})`;
}

export function toProblem(file: string, source: SpecSource, finding: Finding): SpecProblem {
  const { line, column } = source.locate(finding.path, finding.anchor);
  const problem: SpecProblem = {
    file,
    line,
    column,
    path: formatPath(finding.path),
    message: messageOf(finding),
  };
  if (finding.found !== undefined) problem.found = finding.found;
  if (finding.expected !== undefined) problem.expected = finding.expected;
  if (finding.hint !== undefined) problem.hint = finding.hint;
  return problem;
}

/** One problem per place and message, in file order (then path), so output is stable and readable. */
export function orderProblems(problems: SpecProblem[]): SpecProblem[] {
  const seen = new Set<string>();
  const unique = problems.filter((problem) => {
    const key = `${problem.line}:${problem.column}:${problem.path}:${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => a.line - b.line || a.column - b.column || a.path.localeCompare(b.path));
}

/** The rule "exactly one of these fields": none, or two or more, is one finding at the map. */
export function exactlyOne(
  map: RawMap,
  names: readonly string[],
  path: FieldPath,
  out: Finding[],
  none: string,
): void {
  const present = presentKeys(map, names);
  if (present.length === 1) return;
  out.push({
    path,
    anchor: 'value',
    found: present.length === 0 ? none : `${present.length === 2 ? 'both ' : ''}${listWords(present)}`,
    expected: `exactly one of: ${names.join(', ')}`,
  });
}

/** The rule "names are unique in this list": each repeat is one finding at its name. */
export function uniqueNames(items: unknown[], path: FieldPath, out: Finding[]): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const name = dig(item, 'name');
    if (typeof name !== 'string') return;
    if (seen.has(name)) {
      out.push({
        path: [...path, i, 'name'],
        anchor: 'value',
        found: `a second ${JSON.stringify(name)}`,
        expected: 'a name used once in this list',
      });
    }
    seen.add(name);
  });
}
