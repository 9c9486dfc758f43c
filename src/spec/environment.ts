// One environment's view of an app spec: the app's spec with the environment's overrides applied. Everything
// that runs a release (planner, target, gates, hooks) reads this effective spec, never the overrides.
import { InvalidInputError, NotFoundError } from '../errors.js';
import type { GatesSpec, HooksSpec } from './compiled-gates.js';
import type { CompiledSpec } from './compiled.js';
import { DEFAULT_ENVIRONMENT } from './runbook-defaults.js';

export function environmentNames(spec: CompiledSpec): string[] {
  return Object.keys(spec.environments);
}

/**
 * The name the target knows an app's environment by: the app's own name for the default environment,
 * `<app>-<environment>` for a declared one (environments of one app run side by side on one agent).
 */
export function placementName(app: string, environment: string): string {
  return environment === DEFAULT_ENVIRONMENT ? app : `${app}-${environment}`;
}

/** The environment a release targets when none is named: the only one, else an error listing them. */
export function resolveEnvironment(spec: CompiledSpec, requested: string | null | undefined): string {
  const names = environmentNames(spec);
  if (requested) {
    if (!names.includes(requested))
      throw new NotFoundError(`environment ${requested} of ${spec.name} (it has: ${names.join(', ')})`, {
        app: spec.name,
        environment: requested,
      });
    return requested;
  }
  if (names.length === 1) return names[0]!;
  // Bad input, not a missing thing: a NotFoundError read "… name one with --env not found".
  throw new InvalidInputError(
    `${spec.name} has several environments (${names.join(', ')}): name one with --env`,
    { app: spec.name, environments: names },
  );
}

export function specForEnvironment(spec: CompiledSpec, environment: string): CompiledSpec {
  const overrides = spec.environments[environment];
  if (overrides === undefined) {
    throw new NotFoundError(`environment ${environment} of ${spec.name}`, { app: spec.name, environment });
  }
  const gates: GatesSpec = { ...spec.gates, ...overrides.gates };
  // A rule naming the environment itself (an app-wide requirePromotedIn) does not apply to that environment.
  if (gates.requirePromotedIn === environment) gates.requirePromotedIn = null;
  const hooks: HooksSpec = { ...spec.hooks, ...overrides.hooks };
  return {
    ...spec,
    name: placementName(spec.name, environment),
    environment,
    target: {
      ...spec.target,
      ...(overrides.listen ? { listen: overrides.listen } : {}),
      ...(overrides.instances !== undefined ? { instances: overrides.instances } : {}),
    },
    strategy: overrides.strategy ?? spec.strategy,
    gates,
    hooks,
  };
}
