// greenlight token create --name NAME --role ROLE [--env ENV]... | list | revoke NAME: API tokens (admin only).
// The secret of a new token is printed once; the controller keeps only its hash.
import { InvalidInputError } from '../../errors.js';
import { ROLES } from '../../server/auth.js';
import type { TokenView } from '../../server/api/routes-tokens.js';
import { connect, type ApiClient, type ApiRequest } from '../client.js';
import { outputFormat, table } from '../output.js';
import type { ApiFlags } from './release-action.js';

export const TOKEN_ACTIONS = ['create', 'list', 'revoke'] as const;
export type TokenAction = (typeof TOKEN_ACTIONS)[number];

export interface TokenFlags extends Omit<ApiFlags, 'env'> {
  name?: string;
  role?: string;
  env?: string[];
}

/** The answer to a create: the token's record and, this once, its secret. */
export interface CreatedToken extends Omit<TokenView, 'revokedAt'> {
  token: string;
}

export const NOT_SHOWN_AGAIN = 'Store it now: it will not be shown again.';

/** The request of a token action; refuses missing or wrong flags before anything is sent. */
export function tokenRequest(action: string, name: string | undefined, flags: TokenFlags): ApiRequest {
  switch (action) {
    case 'create': {
      if (name !== undefined)
        throw new InvalidInputError(`token create takes --name ${name}, not an argument`);
      if (!flags.name) throw new InvalidInputError('token create needs --name NAME');
      if (!flags.role) throw new InvalidInputError(`token create needs --role (one of ${ROLES.join(', ')})`);
      if (!(ROLES as readonly string[]).includes(flags.role))
        throw new InvalidInputError(`--role ${flags.role}: expected one of ${ROLES.join(', ')}`);
      const environments = flags.env ?? [];
      return {
        method: 'post',
        path: '/v1/tokens',
        body: { name: flags.name, role: flags.role, ...(environments.length ? { environments } : {}) },
      };
    }
    case 'list':
      if (name !== undefined) throw new InvalidInputError(`token list takes no argument (got ${name})`);
      return { method: 'get', path: '/v1/tokens' };
    case 'revoke':
      if (!name) throw new InvalidInputError('token revoke needs the NAME of the token');
      return { method: 'post', path: `/v1/tokens/${encodeURIComponent(name)}/revoke` };
    default:
      throw new InvalidInputError(`token ${action}: expected one of ${TOKEN_ACTIONS.join(', ')}`);
  }
}

const environmentsText = (environments: string[] | null): string =>
  environments && environments.length > 0 ? environments.join(',') : 'all';

export function formatCreated(t: CreatedToken): string {
  return [
    `token ${t.name} created: role ${t.role}, environments ${environmentsText(t.environments)}`,
    t.token,
    NOT_SHOWN_AGAIN,
  ].join('\n');
}

export function formatTokens(tokens: TokenView[]): string {
  if (tokens.length === 0) return 'no tokens';
  return table(
    ['NAME', 'ROLE', 'ENVIRONMENTS', 'CREATED', 'REVOKED'],
    tokens.map((t) => [t.name, t.role, environmentsText(t.environments), t.createdAt, t.revokedAt ?? '-']),
  );
}

/** Runs the action against the controller; returns what to print (the answer as JSON with -o json). */
export async function runToken(
  client: ApiClient,
  action: string,
  name: string | undefined,
  flags: TokenFlags,
): Promise<string> {
  const request = tokenRequest(action, name, flags);
  const json = outputFormat(flags.output ?? 'table') === 'json';
  const answer = await client.send<unknown>(request);
  if (json) return JSON.stringify(answer, null, 2);
  switch (action as TokenAction) {
    case 'create':
      return formatCreated(answer as CreatedToken);
    case 'list':
      return formatTokens((answer as { tokens: TokenView[] }).tokens);
    case 'revoke':
      return `token ${name} revoked`;
  }
}

export async function tokenCommand(
  action: string,
  name: string | undefined,
  flags: TokenFlags,
): Promise<void> {
  // Refuse bad flags before looking for a controller.
  tokenRequest(action, name, flags);
  outputFormat(flags.output ?? 'table');
  console.log(await runToken(connect(flags), action, name, flags));
}
