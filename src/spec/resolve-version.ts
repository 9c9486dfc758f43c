// What the local agent runs for one version: the spec's run merged with that version's override, with
// ${version} and ${app} filled in. ${PORT} stays: the agent fills it per instance.
import { InvalidInputError } from '../errors.js';
import type { RunSpec } from '../targets/local/types.js';
import type { CompiledSpec } from './compiled.js';
import { VERSION_EXPECTED, VERSION_NAME } from './names.js';

function fill(value: string, version: string, app: string): string {
  return value.replaceAll('${version}', version).replaceAll('${app}', app);
}

/** Throws InvalidInputError for a version name the agent could not use as a file name. */
export function runSpecFor(spec: CompiledSpec, version: string): RunSpec {
  if (!VERSION_NAME.test(version)) {
    throw new InvalidInputError(`version ${JSON.stringify(version)} is not ${VERSION_EXPECTED}`, { version });
  }
  const base = spec.target.run;
  const override = spec.target.versions[version] ?? {};
  const env = { ...base.env, ...override.env };
  return {
    command: (override.command ?? base.command).map((part) => fill(part, version, spec.name)),
    cwd: fill(override.cwd ?? base.cwd, version, spec.name),
    env: Object.fromEntries(
      Object.entries(env).map(([key, value]) => [key, fill(value, version, spec.name)]),
    ),
  };
}
