// Typed errors, one class per kind, each with a stable code. The admin API and the controller API map
// them to HTTP status in one place; the CLI maps them to exit codes in one place.

export type ErrorCode =
  | 'GL1001' // bad input: a request body or spec that does not fit
  | 'GL1002' // not found
  | 'GL1003' // conflict: the thing exists, or the state does not allow the operation
  | 'GL1004' // unauthenticated or forbidden
  | 'GL1005' // unsupported by this target or router
  | 'GL2001' // an external process or server failed (spawn, bind, upstream)
  | 'GL9000'; // a bug

export class GreenlightError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, retryable = false) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
    this.retryable = retryable;
  }

  toJSON(): { code: ErrorCode; message: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export class InvalidInputError extends GreenlightError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('GL1001', message, details);
  }
}

export class NotFoundError extends GreenlightError {
  constructor(what: string, details: Record<string, unknown> = {}) {
    super('GL1002', `${what} not found`, details);
  }
}

export class ConflictError extends GreenlightError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('GL1003', message, details);
  }
}

export class AuthError extends GreenlightError {
  constructor(message = 'a valid bearer token is required') {
    super('GL1004', message);
  }
}

/** A known caller who may not do this (a role or an environment it is not allowed): HTTP 403. */
export class ForbiddenError extends GreenlightError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('GL1004', message, details);
  }
}

export class UnsupportedError extends GreenlightError {
  constructor(feature: string, where: string) {
    super('GL1005', `${feature} is not supported by ${where}`, { feature, where });
  }
}

export class ExternalError extends GreenlightError {
  constructor(message: string, details: Record<string, unknown> = {}, retryable = true) {
    super('GL2001', message, details, retryable);
  }
}

/** HTTP status for an error code: the one mapping every API uses. */
export function httpStatusOf(error: unknown): number {
  if (!(error instanceof GreenlightError)) return 500;
  switch (error.code) {
    case 'GL1001':
      return 400;
    case 'GL1002':
      return 404;
    case 'GL1003':
      return 409;
    case 'GL1004':
      return 401;
    case 'GL1005':
      return 422;
    case 'GL2001':
      return 502;
    default:
      return 500;
  }
}
