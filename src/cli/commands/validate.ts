// greenlight validate [-f FILE]: check a spec on this machine, no controller needed. Every problem is printed
// as `file:line:column: path: message`; exit 2 when there is any.
import { loadSpecFile } from '../../spec/load.js';
import { SpecError } from '../../spec/spec-error.js';
import { Reported } from '../errors.js';
import { outputFormat, printJson } from '../output.js';

export async function validateCommand(flags: { file?: string; output?: string }): Promise<void> {
  const format = outputFormat(flags.output ?? 'table');
  const file = flags.file ?? 'greenlight.yaml';
  try {
    const spec = loadSpecFile(file);
    if (format === 'json')
      printJson({ ok: true, file, app: spec.name, strategy: spec.strategy.kind, problems: [] });
    else console.log(`${file}: valid (app ${spec.name}, ${spec.strategy.kind} strategy)`);
  } catch (error) {
    if (format === 'json' && error instanceof SpecError) {
      printJson({ ok: false, file, problems: error.problems });
      throw new Reported(error);
    }
    throw error;
  }
}
