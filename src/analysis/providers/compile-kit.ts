// Compiling a provider's raw settings: validate them with the provider's schema (the same one the spec embeds,
// so `greenlight validate` and this refuse the same things) and turn every problem into one InvalidInputError
// whose message names the dotted field. Also the Secret wrapper that keeps credentials out of logs.
import { inspect } from 'node:util';
import type { z } from 'zod';
import { InvalidInputError } from '../../errors.js';
import { messageOf } from '../../spec/findings.js';
import { validate } from '../../spec/issues.js';
import { formatPath } from '../../spec/source.js';

/**
 * The validated raw value, or an InvalidInputError listing each problem as `path.field: found ..., expected ...`.
 * `what` names the thing in the message, e.g. "prometheus query".
 */
export function parseRaw<T extends z.ZodType>(
  schema: T,
  raw: unknown,
  path: string,
  what: string,
): z.output<T> {
  const { value, findings } = validate(schema, raw);
  if (findings.length === 0) return value as z.output<T>;
  const problems = findings.map((finding) => {
    const inner = finding.path.length === 0 ? '' : formatPath(finding.path);
    const field = inner.startsWith('[') || inner === '' ? `${path}${inner}` : `${path}.${inner}`;
    return `${field}: ${messageOf(finding)}`;
  });
  throw new InvalidInputError(`invalid ${what}: ${problems.join('; ')}`, { problems });
}

const REDACTED = '[redacted]';

/** A credential: readable through `reveal()` only; printing, logging or serialising it shows [redacted]. */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Whether `text` is an http(s) URL without credentials in it (they belong in a header, kept secret). */
export function isPlainHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === ''
    );
  } catch {
    return false;
  }
}
