// The one mapping from errors to CLI exit codes and messages.
// Exit codes: 0 success (a release promoted), 1 operation failed (a release rolled back, aborted or failed; the
// controller refused), 2 usage or validation error, 3 timeout, 4 not found (app, release, controller, agent).
import { CommanderError } from 'commander';
import { GreenlightError } from '../errors.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, timeout: 3, notFound: 4 } as const;

/** No controller answers for this data directory (or URL). */
export class NoControllerError extends GreenlightError {
  constructor(where: string) {
    super('GL2001', `no controller runs on ${where}; start it with greenlight up`, { where });
  }
}

/** A release that `deploy --wait` followed ended otherwise than promoted. */
export class ReleaseEndedError extends Error {
  constructor(
    readonly releaseId: number,
    readonly phase: string,
    readonly reason: string | null,
  ) {
    super(`release ${releaseId} ended ${phase}${reason ? ` (${reason})` : ''}`);
  }
}

/** `--wait` gave up; the operation goes on in the controller. */
export class WaitTimeoutError extends Error {}

/** The command already showed the user what went wrong (e.g. as JSON); only the exit code of `cause` is left. */
export class Reported extends Error {
  constructor(override readonly cause: unknown) {
    super('reported');
  }
}

const QUIET_COMMANDER = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

export function exitCodeOf(error: unknown): number {
  if (error instanceof Reported) return exitCodeOf(error.cause);
  if (error instanceof CommanderError) return QUIET_COMMANDER.has(error.code) ? EXIT.ok : EXIT.usage;
  if (error instanceof ReleaseEndedError) return EXIT.failed;
  if (error instanceof WaitTimeoutError) return EXIT.timeout;
  if (error instanceof NoControllerError) return EXIT.notFound;
  if (!(error instanceof GreenlightError)) return EXIT.failed;
  switch (error.code) {
    case 'GL1001':
      return EXIT.usage;
    case 'GL1002':
      return EXIT.notFound;
    default:
      return EXIT.failed;
  }
}

interface Problem {
  file?: string;
  line?: number;
  column?: number;
  path: string;
  message: string;
}

/** `file:line:column: path: message` when the problem has a place, else `path: message`. */
export function problemLine(p: Problem): string {
  return p.file && p.line
    ? `${p.file}:${p.line}:${p.column ?? 1}: ${p.path}: ${p.message}`
    : `${p.path}: ${p.message}`;
}

export function printError(error: unknown): void {
  // commander already printed its own message; a reported error was shown by the command.
  if (error instanceof CommanderError || error instanceof Reported) return;
  if (!(error instanceof GreenlightError)) {
    process.stderr.write(`greenlight: ${error instanceof Error ? error.message : String(error)}\n`);
    return;
  }
  const problems = error.details.problems ?? error.details.issues;
  if (Array.isArray(problems) && problems.length > 0) {
    const list = problems as Problem[];
    for (const p of list) process.stderr.write(`${problemLine(p)}\n`);
    const what = error.details.problems ? 'the spec is not valid' : 'invalid request';
    process.stderr.write(
      `greenlight: ${what}: ${list.length} problem${list.length === 1 ? '' : 's'} (${error.code})\n`,
    );
    return;
  }
  process.stderr.write(`greenlight: ${error.message} (${error.code})\n`);
}
