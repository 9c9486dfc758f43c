// The API's one error handler: every failure becomes `{code, message, details}` with the status of its code.
// A spec that does not compile keeps its problems (file, line, column, path, message) in details.problems.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ForbiddenError, GreenlightError, httpStatusOf } from '../../errors.js';

export interface ErrorBody {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/** The HTTP status of an error: the shared mapping, with 403 for a known caller lacking the role. */
export function apiStatusOf(error: unknown): number {
  return error instanceof ForbiddenError ? 403 : httpStatusOf(error);
}

export function errorBody(error: unknown): ErrorBody {
  if (error instanceof GreenlightError)
    return { code: error.code, message: error.message, details: { ...error.details } };
  return { code: 'GL9000', message: 'internal error', details: {} };
}

export function onApiError(log: (error: unknown) => void) {
  return (error: unknown, c: Context): Response => {
    const status = apiStatusOf(error);
    if (!(error instanceof GreenlightError)) log(error);
    return c.json(errorBody(error), status as ContentfulStatusCode);
  };
}
