// Zod issues turned into findings: unknown fields (with a "did you mean"), missing fields, and values that
// do not fit, each with what was found and the leaf's own "expected" text.
import { z } from 'zod';
import type { Finding } from './findings.js';
import { describeFound } from './findings.js';
import { isRefused } from './schema-kit.js';
import type { FieldPath } from './source.js';
import { closestName } from './suggest.js';

type Issue = z.core.$ZodIssue & { input?: unknown };

/** The schema at a path, through optional wrappers, arrays and records; undefined where it cannot tell. */
function schemaAt(root: z.ZodType, path: FieldPath): z.ZodType | undefined {
  let current: unknown = root;
  for (const part of path) {
    while (current instanceof z.ZodOptional) current = current.unwrap();
    if (current instanceof z.ZodObject && typeof part === 'string') current = current.shape[part];
    else if (current instanceof z.ZodArray && typeof part === 'number') current = current.element;
    else if (current instanceof z.ZodRecord && typeof part === 'string') current = current.valueType;
    else return undefined;
  }
  while (current instanceof z.ZodOptional) current = current.unwrap();
  return current instanceof z.ZodType ? current : undefined;
}

function knownFields(root: z.ZodType, path: FieldPath): string[] {
  const schema = schemaAt(root, path);
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape)
    .filter(([, field]) => !isRefused(field))
    .map(([name]) => name);
}

function unknownFields(root: z.ZodType, issue: z.core.$ZodIssueUnrecognizedKeys): Finding[] {
  const known = knownFields(root, issue.path as FieldPath);
  return issue.keys.map((key) => {
    const finding: Finding = {
      path: [...(issue.path as FieldPath), key],
      anchor: 'key',
      found: `unknown field ${JSON.stringify(key)}`,
      expected: known.length === 0 ? 'no fields here' : `one of: ${known.join(', ')}`,
    };
    const suggestion = closestName(key, known);
    if (suggestion !== undefined) finding.hint = `did you mean ${JSON.stringify(suggestion)}?`;
    return finding;
  });
}

/** A command written as one string: show the array it most likely means. */
function commandHint(input: unknown): string | undefined {
  if (typeof input !== 'string' || input.trim() === '') return undefined;
  return `write it as [${input.trim().split(/\s+/).join(', ')}]; a command is never split or given to a shell`;
}

function fromIssue(root: z.ZodType, issue: Issue): Finding[] {
  const path = issue.path as FieldPath;
  switch (issue.code) {
    case 'unrecognized_keys':
      return unknownFields(root, issue);
    case 'invalid_key': {
      const key = path[path.length - 1];
      return [
        {
          path,
          anchor: 'key',
          found: `field name ${JSON.stringify(key)}`,
          expected: issue.issues[0]?.message ?? issue.message,
        },
      ];
    }
    case 'invalid_union': {
      const first = issue.errors[0]?.[0];
      return [
        {
          path,
          anchor: 'value',
          found: describeFound(issue.input),
          expected: first?.message ?? issue.message,
        },
      ];
    }
    case 'invalid_type': {
      if (issue.expected === 'never') return [{ path, anchor: 'key', message: issue.message }];
      if (issue.input === undefined) {
        const message = `missing required field, expected ${issue.message}`;
        return [{ path, anchor: 'parent', found: 'nothing', expected: issue.message, message }];
      }
      const finding: Finding = {
        path,
        anchor: 'value',
        found: describeFound(issue.input),
        expected: issue.message,
      };
      const hint = path[path.length - 1] === 'command' ? commandHint(issue.input) : undefined;
      if (hint !== undefined) finding.hint = hint;
      return [finding];
    }
    default:
      return [{ path, anchor: 'value', found: describeFound(issue.input), expected: issue.message }];
  }
}

/** Validate `data` against `schema`; the typed value when it fits, and the findings either way. */
export function validate<T extends z.ZodType>(
  schema: T,
  data: unknown,
): { value: z.output<T> | undefined; findings: Finding[] } {
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) return { value: result.data, findings: [] };
  return {
    value: undefined,
    findings: result.error.issues.flatMap((issue) => fromIssue(schema, issue as Issue)),
  };
}
