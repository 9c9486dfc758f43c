// Reading request input at the edge: JSON bodies checked against a route's schema, and numeric query
// parameters. Anything that does not fit becomes an InvalidInputError (400) naming the field.
import type { Context } from 'hono';
import type { z } from 'zod';
import { InvalidInputError } from '../../errors.js';

/** Parses the JSON body (an empty body counts as `{}`) and checks it against the schema. */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let raw: unknown = {};
  if (text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new InvalidInputError(`the request body is not JSON: ${(error as Error).message}`);
    }
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => {
      const path = [
        ...issue.path.map(String),
        ...(issue.code === 'unrecognized_keys' ? [issue.keys.join(',')] : []),
      ];
      return { path: path.join('.') || '(body)', message: issue.message };
    });
    const first = issues[0];
    throw new InvalidInputError(`invalid request body${first ? `: ${first.path}: ${first.message}` : ''}`, {
      issues,
    });
  }
  return result.data;
}

/** An optional integer query parameter within [min, max]; absent → undefined. */
export function queryInt(c: Context, name: string, min: number, max: number): number | undefined {
  const value = c.req.query(name);
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InvalidInputError(
      `query parameter ${name}=${value}: expected an integer from ${min} to ${max}`,
      {
        parameter: name,
      },
    );
  }
  return n;
}

export function requiredQuery(c: Context, name: string): string {
  const value = c.req.query(name);
  if (!value) throw new InvalidInputError(`query parameter ${name} is required`, { parameter: name });
  return value;
}
