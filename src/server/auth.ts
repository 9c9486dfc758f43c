// Who may call the controller API: bearer tokens (stored hashed) and what each role may do. A route names the
// access it needs; this module alone decides which roles grant it.
import { createHash } from 'node:crypto';
import type { Actor } from '../engine/model.js';
import { AuthError, GreenlightError } from '../errors.js';
import type { Store, TokenRecord } from '../store/store.js';

export const ROLES = ['viewer', 'deployer', 'approver', 'admin'] as const;
export type TokenRole = (typeof ROLES)[number];

/** What a route needs: nothing (open), reading state, or changing releases and traffic. */
export type Access = 'open' | 'read' | 'deploy';

const GRANTS: Record<Exclude<Access, 'open'>, readonly TokenRole[]> = {
  read: ROLES,
  deploy: ['deployer', 'admin'],
};

export function rolesFor(access: Exclude<Access, 'open'>): readonly TokenRole[] {
  return GRANTS[access];
}

/**
 * A known caller whose role does not allow the operation. Same code family as AuthError (GL1004); the API's
 * error handler answers it with 403 instead of 401.
 */
export class ForbiddenError extends GreenlightError {
  constructor(role: string, needed: readonly string[]) {
    super('GL1004', `role ${role} may not do this; it needs one of: ${needed.join(', ')}`, { role, needed });
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
  if (!(allowed as readonly string[]).includes(token.role)) throw new ForbiddenError(token.role, allowed);
}

export const actorOf = (token: TokenRecord): Actor => ({ name: token.name, role: token.role });
