// API tokens: create one (its secret is answered once, only its hash is stored), list them, revoke one. Admin
// only: a token is the power to act as its role.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { InvalidInputError, NotFoundError } from '../../errors.js';
import { DNS_LABEL, DNS_LABEL_EXPECTED } from '../../spec/names.js';
import type { TokenRecord } from '../../store/store.js';
import { ROLES, hashToken } from '../auth.js';
import { route, type Route } from './route.js';

const ROLES_EXPECTED = `one of ${ROLES.join(', ')}`;

const EXPECTED = `expected ${DNS_LABEL_EXPECTED}`;
const label = () => z.string({ error: EXPECTED }).regex(DNS_LABEL, { error: EXPECTED });

export const createTokenBody = z
  .object({
    name: label().meta({
      description: 'Name of the token, recorded as the actor of what it does.',
      examples: ['ci-deployer'],
    }),
    role: z.enum(ROLES, { error: `expected ${ROLES_EXPECTED}` }).meta({
      description: 'What the token may do: viewer, deployer, approver or admin.',
    }),
    environments: z
      .array(label())
      .max(64)
      .optional()
      .meta({
        description:
          'The environments it may act in (absent or empty: all). Not allowed for admin tokens, which are never limited.',
        examples: [['staging']],
      }),
  })
  .strict();

/** A token as listed: never its secret nor its hash. */
export interface TokenView {
  name: string;
  role: string;
  environments: string[] | null;
  createdAt: string;
  revokedAt: string | null;
}

export const tokenView = (t: TokenRecord): TokenView => ({
  name: t.name,
  role: t.role,
  environments: t.environments,
  createdAt: t.createdAt,
  revokedAt: t.revokedAt,
});

/** A new secret: `gl_` and 32 random bytes, base64url. */
export const newTokenSecret = (): string => `gl_${randomBytes(32).toString('base64url')}`;

export const tokenRoutes: Route[] = [
  route({
    id: 'createToken',
    method: 'post',
    path: '/v1/tokens',
    access: 'admin',
    tag: 'tokens',
    summary: 'Create an API token; its secret is in this answer only',
    description:
      'Records a `token.created` event naming the caller. Only the SHA-256 of the token is stored.',
    body: createTokenBody,
    success: {
      status: 201,
      description: '`{name, role, environments, createdAt, token}`: `token` is the secret, shown once',
    },
    errors: [409],
    handle: async ({ deps, actor, body }) => {
      const token = newTokenSecret();
      const environments = body.environments?.length ? [...new Set(body.environments)] : null;
      // An admin is never limited (assertEnvironment); storing a list would promise a limit that does not hold.
      if (body.role === 'admin' && environments)
        throw new InvalidInputError('an admin token cannot be limited to environments', { name: body.name });
      const record = await deps.ctx.store.createToken(
        body.name,
        body.role,
        environments,
        hashToken(token),
        actor,
      );
      deps.notify();
      const { name, role, createdAt } = record;
      return { name, role, environments: record.environments, createdAt, token };
    },
  }),
  route({
    id: 'listTokens',
    method: 'get',
    path: '/v1/tokens',
    access: 'admin',
    tag: 'tokens',
    summary: 'Every token, live and revoked, without secrets',
    success: { status: 200, description: '`{tokens: [{name, role, environments, createdAt, revokedAt}]}`' },
    handle: async ({ deps }) => ({ tokens: (await deps.ctx.store.listTokens()).map(tokenView) }),
  }),
  route({
    id: 'revokeToken',
    method: 'post',
    path: '/v1/tokens/{name}/revoke',
    access: 'admin',
    tag: 'tokens',
    summary: 'Revoke the live token of that name: it is refused (401) from now on',
    description: 'Records a `token.revoked` event naming the caller.',
    success: { status: 200, description: '`{revoked: true}`' },
    errors: [404],
    handle: async ({ deps, actor, param }) => {
      const name = param('name');
      if (!(await deps.ctx.store.revokeToken(name, actor)))
        throw new NotFoundError(`token ${name}`, { name });
      deps.notify();
      return { revoked: true };
    },
  }),
];
