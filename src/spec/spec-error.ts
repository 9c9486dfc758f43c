// The error a spec that does not fit raises: every problem at once, each with its place in the file and the
// dotted field path, formatted one per line as `file:line:column: path: message`.
import { InvalidInputError } from '../errors.js';

export interface SpecProblem {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Dotted field path, e.g. `spec.strategy.canary.steps[1].setWeight`; `(root)` for the whole document. */
  path: string;
  /** The full sentence shown to people; it includes found, expected and hint when they are set. */
  message: string;
  found?: string;
  expected?: string;
  /** A likely fix, e.g. `did you mean "instances"?`. */
  hint?: string;
}

export function formatProblem(problem: SpecProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.path}: ${problem.message}`;
}

export class SpecError extends InvalidInputError {
  readonly problems: SpecProblem[];

  constructor(problems: SpecProblem[]) {
    super(problems.map(formatProblem).join('\n'), { problems });
    this.problems = problems;
  }
}
