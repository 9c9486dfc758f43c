// What an actor may do beyond its role: a token limited to some environments acts only in those. Checked by
// the release operations, so every face (API, CLI, dashboard) enforces it the same way.
import { ForbiddenError } from '../errors.js';
import { CONTROLLER, type Actor } from './model.js';

/** A token limited to some environments, used in another one: 403, with the environments it may act in. */
export class EnvironmentForbiddenError extends ForbiddenError {
  constructor(actor: Actor, environment: string, allowed: readonly string[]) {
    super(`token ${actor.name} may act in ${allowed.join(' or ')} only, not in ${environment}`, {
      token: actor.name,
      role: actor.role,
      environment,
      environments: allowed,
    });
  }
}

/**
 * EnvironmentForbiddenError when the actor is limited to a non-empty list of environments without this one.
 * Admins and the system actor (the controller itself) are never limited.
 */
export function assertEnvironment(actor: Actor, environment: string): void {
  if (actor.role === 'admin' || actor.role === CONTROLLER.role) return;
  const allowed = actor.environments;
  if (!allowed || allowed.length === 0 || allowed.includes(environment)) return;
  throw new EnvironmentForbiddenError(actor, environment, allowed);
}
