// Reading a spec: YAML with positions, schema and rules (every problem at once), then compilation.
import { readFileSync } from 'node:fs';
import { InvalidInputError, NotFoundError } from '../errors.js';
import { checkPlaceholders } from './check-placeholders.js';
import { checkRules } from './checks.js';
import { compileApp } from './compile.js';
import type { CompiledSpec } from './compiled.js';
import { orderProblems, toProblem } from './findings.js';
import { validate } from './issues.js';
import { appSchema } from './schema.js';
import { readSpecSource } from './source.js';
import { SpecError } from './spec-error.js';

/** Compile spec text. `file` is used in messages and to resolve relative working directories. */
export function compileSpecText(text: string, file: string): CompiledSpec {
  const source = readSpecSource(text);
  if (source.syntaxProblems.length > 0) {
    const problems = source.syntaxProblems.map(({ line, column, message }) => ({
      file,
      line,
      column,
      path: '(yaml)',
      message: `invalid YAML: ${message}`,
    }));
    throw new SpecError(orderProblems(problems));
  }
  const { value, findings } = validate(appSchema, source.data);
  const all = [...findings, ...checkRules(source.data), ...checkPlaceholders(source.data)];
  if (all.length > 0 || value === undefined) {
    throw new SpecError(orderProblems(all.map((finding) => toProblem(file, source, finding))));
  }
  return compileApp(value, file);
}

/** Read and compile a spec file. Throws SpecError when it does not fit, NotFoundError when it is missing. */
export function loadSpecFile(path: string): CompiledSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError(`spec file ${path}`, { path });
    throw new InvalidInputError(`cannot read spec file ${path}: ${(error as Error).message}`, { path });
  }
  return compileSpecText(text, path);
}
