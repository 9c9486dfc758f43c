// greenlight apply -f FILE: send a spec to the controller; it compiles and stores it (a new spec revision only
// when it changed). Problems name the file as you gave it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GreenlightError, InvalidInputError, NotFoundError } from '../../errors.js';
import { connect } from '../client.js';
import { outputFormat, printJson } from '../output.js';
import type { ApiFlags } from './release-action.js';

export interface ApplyAnswer {
  name: string;
  specRevision: number;
  changed: boolean;
}

/** The request body: the absolute path (the controller resolves working directories against its folder). */
export function applyBody(file: string, text: string): { file: string; text: string } {
  return { file: resolve(file), text };
}

function readSpec(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new NotFoundError(`spec file ${file}`, { path: file });
    throw new InvalidInputError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Shows the problems with the file named as the user wrote it. */
function relabel(error: unknown, absolute: string, given: string): unknown {
  if (!(error instanceof GreenlightError) || !Array.isArray(error.details.problems)) return error;
  const problems = (error.details.problems as Array<{ file?: string }>).map((p) =>
    p.file === absolute ? { ...p, file: given } : p,
  );
  return new GreenlightError(error.code, error.message, { ...error.details, problems });
}

export async function applyCommand(flags: ApiFlags & { file?: string }): Promise<void> {
  const format = outputFormat(flags.output ?? 'table');
  const file = flags.file ?? 'greenlight.yaml';
  const body = applyBody(file, readSpec(file));
  let answer: ApplyAnswer;
  try {
    answer = await connect(flags).send<ApplyAnswer>({ method: 'post', path: '/v1/apps', body });
  } catch (error) {
    throw relabel(error, body.file, file);
  }
  if (format === 'json') printJson(answer);
  else if (answer.changed) console.log(`${answer.name}: spec revision ${answer.specRevision} applied`);
  else console.log(`${answer.name}: unchanged (spec revision ${answer.specRevision})`);
}
