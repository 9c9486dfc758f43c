// Who may call the controller API: bearer tokens (stored hashed) and what each role may do. A route names the
// access it needs; this module alone decides which roles grant it.
import { createHash } from 'node:crypto';
import type { Actor } from '../engine/model.js';
import { AuthError, ForbiddenError } from '../errors.js';
import type { Store, TokenRecord } from '../store/store.js';

export const ROLES = ['viewer', 'deployer', 'approver', 'admin'] as const;
export type TokenRole = (typeof ROLES)[number];

/**
 * What a route needs: nothing (open), reading state, changing releases and traffic (deploy), deciding on
 * approvals (approve), or managing the controller itself, such as tokens (admin).
 */
export type Access = 'open' | 'read' | 'deploy' | 'approve' | 'admin';

/** Every access a route may name, for checks over the route table. */
export const ACCESSES: readonly Access[] = ['open', 'read', 'deploy', 'approve', 'admin'];

const GRANTS: Record<Exclude<Access, 'open'>, readonly TokenRole[]> = {
  read: ROLES,
  deploy: ['deployer', 'admin'],
  approve: ['approver', 'admin'],
  admin: ['admin'],
};

export function rolesFor(access: Exclude<Access, 'open'>): readonly TokenRole[] {
  return GRANTS[access];
}

/**
 * A known caller whose role does not allow the operation. Same code family as AuthError (GL1004); the API's
 * error handler answers it (and its subclasses) with 403 instead of 401.
 */
export class RoleForbiddenError extends ForbiddenError {
  constructor(role: string, needed: readonly string[]) {
    super(`role ${role} may not do this; it needs one of: ${needed.join(', ')}`, { role, needed });
  }
}

/** The stored form of a token: its SHA-256, hex. Tokens themselves are never stored. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The caller behind an `Authorization: Bearer <token>` header; AuthError when missing, unknown or revoked. */
export async function authenticate(store: Store, header: string | undefined): Promise<TokenRecord> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) throw new AuthError();
  const token = await store.findToken(hashToken(match[1]!));
  if (!token || token.revokedAt !== null) throw new AuthError('the bearer token is unknown or revoked');
  return token;
}

/** ForbiddenError unless the token's role grants the access. */
export function authorize(token: TokenRecord, access: Exclude<Access, 'open'>): void {
  const allowed = rolesFor(access);
  if (!(allowed as readonly string[]).includes(token.role)) throw new RoleForbiddenError(token.role, allowed);
}

/** The actor of a token; `environments` only when the token is limited (absent means every environment). */
export const actorOf = (token: TokenRecord): Actor => ({
  name: token.name,
  role: token.role,
  ...(token.environments !== null && token.environments.length > 0
    ? { environments: [...token.environments] }
    : {}),
});

export { assertEnvironment, EnvironmentForbiddenError } from '../engine/authority.js';
